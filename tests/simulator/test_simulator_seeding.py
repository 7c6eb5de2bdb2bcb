"""Seeding a big farm fast changes nothing a client can see.

The render engine applies a plain task's batch ends up to the target time in one step, and the farm
reads a task.json text once however many tasks it is uploaded to. These tests hold both to the
slow ways: a farm advanced in one big step equals one advanced (and read) in many small steps, and
both equal a farm that renders every task frame by frame; a remembered task.json reading gives every
task its own document and still checks what depends on the task.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from rayvision_async.simulator import Farm, FarmError, SimClock

RANGES = ("1-10[1]", "1-7", "3", "1-25[2]", "1-12")


def build(options: dict[str, Any], *, frame_by_frame: bool = False) -> Farm:
    farm = Farm(clock=SimClock(0.0, start=1_700_000_000.0), **options)
    if frame_by_frame:  # the reference: no task keeps its frames as counters
        farm._renders_plain = lambda task: False  # type: ignore[method-assign]
    return farm


def submit_wave(farm: Farm, wave: int) -> None:
    """Tasks of several sizes and limits, submitted together (their analyses end at the same instant)."""
    for number, task in enumerate(farm.create_tasks(6)):
        frames = RANGES[(number + wave) % len(RANGES)]
        farm.upload_file(task.id, "task.json", json.dumps({"task_info": {"frames": frames}}))
        farm.submit(task.id)
        if number % 3 == 2:
            farm.set_task_limit(task.id, 1 + wave % 3)  # a change: that task renders frame by frame


def scenario(farm: Farm, steps: list[float], look: Any = None) -> list[Any]:
    """Waves of tasks submitted between advances by ``steps`` (seconds each); ``look(farm)`` after each step."""
    seen = []
    for wave in range(3):
        submit_wave(farm, wave)
        for seconds in steps:
            farm.advance(seconds)
            if look is not None:
                seen.append(look(farm))
    return seen


def glance(farm: Farm) -> list[Any]:
    """What a poll reads of every task without making its frames: status, totals, fee, stamps."""
    return [(task.id, task.status(), task.counts(), task.fee(), task.completed_at, task.render_started_at)
            for task in farm.tasks.values()] + [farm.account.balance, farm.account.consumed]


def everything(farm: Farm) -> list[Any]:
    """Every task, child task and frame (frames made now), and the account."""
    tasks = [(task.id, task.parent_id, task.task_type, task.status(), task.counts(), task.fee(), task.completed_at,
              task.render_started_at, [child.id for child in task.children],
              [(frame.id, frame.index, frame.frame_type, frame.status, frame.started_at, frame.ended_at, frame.fee,
                frame.attempts) for frame in task.all_frames()])
             for task in farm.tasks.values()]
    return [tasks, farm.account.balance, farm.account.consumed]


FARMS = {
    "plain": {"task_limit": 3},
    "failing-frames": {"task_limit": 2, "failure_rate": 0.15, "seed": 7},
    "child-tasks": {"child_tasks": "random", "seed": 3},
    "odd-price": {"frame_price": Decimal("0.37"), "frame_seconds": 7.3},
}


@pytest.mark.parametrize("options", FARMS.values(), ids=FARMS.keys())
def test_one_big_step_equals_many_small_ones_and_the_frame_by_frame_engine(options: dict[str, Any]) -> None:
    big = build(options)
    scenario(big, [1000.0])
    small, reference = build(options), build(options, frame_by_frame=True)
    steps = [7.0] * 142 + [6.0]  # the same 1000 s, read after every step
    assert scenario(small, steps, glance) == scenario(reference, steps, glance)
    assert any(task.plain is not None for task in big.tasks.values())  # the fast path ran
    assert everything(big) == everything(small) == everything(reference)


def test_a_big_step_stops_at_a_batch_with_a_failing_frame_and_goes_on_frame_by_frame() -> None:
    options = {"task_limit": 2, "failure_rate": 0.3, "seed": 11}
    big, reference = build(options), build(options, frame_by_frame=True)
    for farm in (big, reference):
        for task in farm.create_tasks(8):
            farm.upload_file(task.id, "task.json", json.dumps({"task_info": {"frames": "1-9"}}))
            farm.submit(task.id)
        farm.advance(5000)
    assert any(task.counts().failed for task in big.tasks.values())
    assert everything(big) == everything(reference)


def test_counts_read_between_batches_are_never_stale() -> None:
    farm = build({"task_limit": 2})
    [task] = farm.create_tasks()
    farm.upload_file(task.id, "task.json", json.dumps({"task_info": {"frames": "1-5"}}))
    farm.submit(task.id)
    seen = []
    for _ in range(5):
        farm.advance(60)
        counts = task.counts()
        seen.append((counts.done, counts.executing, counts.waiting))
    assert task.plain is not None
    assert seen == [(0, 2, 3), (2, 2, 1), (4, 1, 0), (5, 0, 0), (5, 0, 0)]


def test_a_remembered_task_json_gives_each_task_its_own_document() -> None:
    farm = build({})
    content = json.dumps({"task_info": {"frames": "1-4", "input_cg_file": "D:/a/shot.mb", "cg_id": "2000",
                                        "project_name": "film", "hardwareConfigIds": [2]},
                          "scene_info_render": {"common": {"render_camera": ["cam1"]}}})
    first, second = farm.create_tasks(2)
    for task in (first, second):
        farm.upload_file(task.id, "task.json", content)
    assert first.files["task.json"] == second.files["task.json"] == json.loads(content)
    assert first.files["task.json"] is not second.files["task.json"]
    first.files["task.json"]["task_info"]["frames"] = "9"  # a test changing one task's document
    assert second.files["task.json"]["task_info"]["frames"] == "1-4"
    for task in (first, second):
        assert (task.frames_range, task.scene_name, task.cg_id, task.project_name, task.camera,
                task.hardware_config_id) == ("1-4", "shot.mb", 2000, "film", "cam1", 2)


def test_a_remembered_task_json_is_still_checked_against_each_task_and_the_farm() -> None:
    farm = build({"default_frames": "1-3"})
    first, second, third = farm.create_tasks(3)
    named = json.dumps({"task_info": {"task_id": str(first.id), "frames": "1-2"}})
    farm.upload_file(first.id, "task.json", named)
    with pytest.raises(FarmError, match="task_id"):
        farm.upload_file(second.id, "task.json", named)  # another task's id: refused every time
    assert "task.json" not in second.files
    bare = json.dumps({"task_info": {}})
    farm.upload_file(second.id, "task.json", bare)
    farm.default_frames = "1-8"
    farm.upload_file(third.id, "task.json", bare)  # the same text, read with the farm's new default
    assert (second.frames_range, third.frames_range) == ("1-3", "1-8")
    foreign = json.dumps({"task_info": {"user_id": str(farm.account.user_id)}})
    [fourth, fifth] = farm.create_tasks(2)
    farm.upload_file(fourth.id, "task.json", foreign)
    farm.account.user_id += 1
    with pytest.raises(FarmError, match="user_id"):
        farm.upload_file(fifth.id, "task.json", foreign)  # read before for the account's old id


def test_a_refused_task_json_changes_nothing_on_the_task() -> None:
    farm = build({})
    [task] = farm.create_tasks()
    before = (task.frames_range, task.hardware_config_id, task.scene_name, task.revision)
    content = json.dumps({"task_info": {"hardwareConfigIds": [2], "input_cg_file": "a.mb", "frames": "9-1"}})
    with pytest.raises(FarmError, match="frames"):
        farm.upload_file(task.id, "task.json", content)
    assert (task.frames_range, task.hardware_config_id, task.scene_name, task.revision) == before
    assert task.files == {}
