"""A task record written from its profile's template is byte for byte the encoded dict, in every state."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from rayvision_async.simulator import Farm, Simulator
from rayvision_async.simulator.farm import SimTask
from rayvision_async.simulator.service._encoded import DURATION_HOLE, task_json
from rayvision_async.simulator.service._wire import task_wire, wire_context


def created(sim: Simulator, frames: str = "1-6", scene: str = "D:/work/shot_010.max", **info: Any) -> int:
    [task_id] = sim.call("create_task", {})["taskIdList"]
    task_info = {"frames": frames, "input_cg_file": scene, **info}
    sim.call("upload_json_content", {"taskId": task_id, "content": json.dumps({"task_info": task_info})})
    return int(task_id)


def submitted(sim: Simulator, frames: str = "1-6", **info: Any) -> int:
    task_id = created(sim, frames, **info)
    sim.call("submit_task", {"taskId": task_id})
    return task_id


def farm_in_every_state(**options: Any) -> Simulator:
    """A farm whose tasks are created, analysing, rendering, finished, failed, stopped, abandoned, deleted…"""
    sim = Simulator(farm=Farm(speed=0.0, analyse_seconds=30, frame_seconds=60, task_limit=2, **options))
    created(sim)
    finished = [submitted(sim, "1-2") for _ in range(3)]
    sim.farm.advance(200)  # analysed, rendered
    stopped, abandoned, deleted = (submitted(sim, "1-9") for _ in range(3))
    prioritised = submitted(sim, "1-9", project_name="50%_of_it, \"quoted\"", cg_id="2001")
    tagged = submitted(sim, "1-4", scene="E:/ü/%d%s shot,1.mb")
    sim.farm.advance(100)  # analysed, rendering
    sim.call("stop_task", {"taskIds": [stopped]})
    sim.call("abort_task", {"taskIds": [abandoned]})
    sim.call("delete_task", {"taskIds": [deleted]})
    sim.call("update_priority", {"taskId": prioritised, "taskUserLevel": 60})
    sim.call("set_task_overtime_stop", {"taskIds": [prioritised], "overTime": 150})
    sim.call("add_task_tag", {"label": 'h%sé,"ro"', "taskIds": [tagged, finished[0]]})
    sim.call("update_task_limit", {"taskId": finished[1], "taskLimit": 3})
    submitted(sim)  # analysing
    sim.farm.advance(10)
    return sim


def records_agree(sim: Simulator, task: SimTask) -> None:
    ctx = wire_context(sim.farm)
    for listed in (False, True):
        made = task_json(task, ctx, listed)
        assert made is not None
        encoded, fee = made
        assert encoded == orjson.dumps(task_wire(task, ctx, listed=listed))
        assert fee == task.fee()
        holed = task_json(task, ctx, listed, holed=True)
        if holed is not None:  # renderDuration left out: the rest is the record, whatever the duration is
            head, hole, tail = holed[0].partition(DURATION_HOLE)
            assert hole
            assert DURATION_HOLE not in tail
            assert holed[1] == fee
            duration = task_wire(task, ctx, listed=listed)["renderDuration"]
            assert head + str(duration).encode() + tail == encoded
        assert (holed is not None) == (not task.children and task.render_started_at is not None)


@pytest.mark.parametrize(
    "options",
    [{}, {"child_tasks": "photon_and_main"}, {"failure_rate": 0.5, "seed": 3}],
    ids=["plain", "child-tasks", "failing-frames"],
)
def test_every_task_record_is_the_encoded_dict(options: dict[str, Any]) -> None:
    sim = farm_in_every_state(**options)
    statuses = set()
    for task in sim.farm.tasks.values():
        records_agree(sim, task)
        statuses.add(task.status())
    assert len(statuses) >= 6  # the states above really were reached
    if options:
        assert any(task.children for task in sim.farm.tasks.values()) == ("child_tasks" in options)


def test_records_of_one_profile_do_not_share_a_tasks_own_values() -> None:
    sim = farm_in_every_state()
    ctx = wire_context(sim.farm)
    records = [orjson.loads(made[0]) for task in sim.farm.tasks.values() if (made := task_json(task, ctx))]
    assert len({record["id"] for record in records}) == len(records)
    assert len({record["taskStatus"] for record in records}) >= 6
    labels = [json.loads(record["labels"]) for record in records]
    assert sum(1 for shown in labels if list(shown.values()) == ['h%sé,"ro"']) == 2
    assert sum(1 for shown in labels if not shown) == len(records) - 2


def test_an_account_change_shows_in_the_next_record() -> None:
    sim = farm_in_every_state()
    task = next(iter(sim.farm.tasks.values()))
    records_agree(sim, task)
    sim.farm.account.user_name = "re%named"
    records_agree(sim, task)
    made = task_json(task, wire_context(sim.farm))
    assert made is not None
    assert orjson.loads(made[0])["userName"] == "re%named"


def test_a_profile_with_a_marker_in_its_text_is_left_to_the_dict() -> None:
    sim = Simulator(farm=Farm(speed=0.0))
    task_id = submitted(sim, scene="D:/\x0111\x01.mb")
    task = sim.farm.task(task_id)
    assert task_json(task, wire_context(sim.farm)) is None
    record = sim.call("task_info", {"taskIds": [task_id]})["items"][0]
    assert record == task_wire(task, wire_context(sim.farm))
    assert record["sceneName"] == "\x0111\x01.mb"
