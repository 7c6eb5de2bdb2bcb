"""Task records kept between reads are never out of date, and plain tasks' frames appear when needed."""

from __future__ import annotations

import json
from typing import Any

from rayvision_async import TaskStatus
from rayvision_async.simulator import Farm, SimClock, Simulator
from rayvision_async.simulator.service._wire import task_wire, wire_context


def finished(sim: Simulator, frames: str = "1-4") -> int:
    [task_id] = sim.call("create_task", {})["taskIdList"]
    sim.call("upload_json_content", {"taskId": task_id, "content": json.dumps({"task_info": {"frames": frames}})})
    sim.call("submit_task", {"taskId": task_id})
    sim.farm.advance(600)
    return task_id


def info(sim: Simulator, task_id: int) -> dict[str, Any]:
    record: dict[str, Any] = sim.call("task_info", {"taskIds": [task_id]})["items"][0]
    return record


def test_a_kept_record_is_made_again_after_any_change_it_shows() -> None:
    sim = Simulator(farm=Farm(speed=0.0))
    task_id = finished(sim)
    first = info(sim, task_id)
    assert info(sim, task_id) == first  # kept
    sim.call("add_task_tag", {"label": "hero", "taskIds": [task_id]})
    assert json.loads(info(sim, task_id)["labels"]) != json.loads(first["labels"])
    sim.call("update_priority", {"taskId": task_id, "taskUserLevel": 60})
    assert info(sim, task_id)["taskUserLevel"] == 60
    sim.farm.account.user_name = "renamed"  # an account field the record shows
    assert info(sim, task_id)["userName"] == "renamed"
    sim.call("delete_label", {"delName": "hero"})
    assert info(sim, task_id)["labels"] == "{}"
    ctx = wire_context(sim.farm)
    assert info(sim, task_id) == task_wire(sim.farm.task(task_id), ctx)  # as made afresh


def test_a_rendering_tasks_record_follows_the_clock_without_being_made_again(monkeypatch: Any) -> None:
    from rayvision_async.simulator.service import _records

    sim = Simulator(farm=Farm(speed=0.0))
    [task_id] = sim.call("create_task", {})["taskIdList"]
    sim.call("upload_json_content", {"taskId": task_id, "content": json.dumps({"task_info": {"frames": "1-40"}})})
    sim.call("submit_task", {"taskId": task_id})
    sim.farm.advance(45)
    before = info(sim, task_id)
    made: list[int] = []
    real = _records.task_json
    monkeypatch.setattr(_records, "task_json",
                        lambda task, *args, **kw: made.append(task.id) or real(task, *args, **kw))
    for step in (0.4, 0.6, 3, 6):  # no frame ends: only the clock moves (a batch ends at 90 s)
        sim.farm.advance(step)
        now = info(sim, task_id)
        assert now == task_wire(sim.farm.task(task_id), wire_context(sim.farm))  # as made afresh
        assert {key for key in now if now[key] != before[key]} <= {"renderDuration"}
    assert info(sim, task_id)["renderDuration"] == before["renderDuration"] + 10
    assert made == []
    sim.farm.advance(50)  # a batch ended: the task changed
    assert info(sim, task_id) == task_wire(sim.farm.task(task_id), wire_context(sim.farm))
    assert made == [task_id]


def test_a_plain_task_shows_its_frames_as_the_frame_by_frame_engine_would() -> None:
    sim = Simulator(farm=Farm(speed=0.0, task_limit=3))
    [task_id] = sim.call("create_task", {})["taskIdList"]
    sim.call("upload_json_content", {"taskId": task_id, "content": json.dumps({"task_info": {"frames": "1-7"}})})
    sim.call("submit_task", {"taskId": task_id})
    sim.farm.advance(30 + 60 + 1)  # analysed, the first batch of 3 done, the second rendering
    task = sim.farm.task(task_id)
    assert task.plain is not None  # counters only so far
    assert (info(sim, task_id)["doneFrames"], info(sim, task_id)["executingFrames"]) == (3, 3)
    frames = sim.call("task_frames", {"taskId": task_id, "pageSize": 10})["items"]
    assert task.plain is None  # listing them made them
    assert [frame["frameStatus"] for frame in frames] == [4, 4, 4, 2, 2, 2, 1]
    assert [frame["frameIndex"] for frame in frames] == [str(number) for number in range(1, 8)]
    assert frames[3]["startTime"] == frames[0]["startTime"] + 60_000
    first_id = frames[0]["id"]
    assert [frame["id"] for frame in frames] == list(range(first_id, first_id + 7))
    sim.farm.advance(120)
    assert info(sim, task_id)["taskStatus"] == 25  # it went on frame by frame to the end
    assert sim.farm.account.consumed == 7 * sim.farm.frame_price


def test_a_frame_id_of_a_plain_task_is_found_before_its_frames_were_made() -> None:
    sim = Simulator(farm=Farm(speed=0.0))
    first, second = finished(sim, "1-3"), finished(sim, "1-2")
    assert sim.farm.task(first).plain is not None
    plain = sim.farm.task(second).plain
    assert plain is not None
    frame_id = plain.first_id + 1
    assert sim.farm.frame(frame_id).index == "2"
    assert sim.farm.task(first).plain is not None  # only the owner's frames were made
    assert sim.call("get_frame_thumbnail", {"id": frame_id})


def _seeded(sim: Simulator, count: int, frames: str) -> list[int]:
    """``count`` tasks of ``frames`` submitted through the farm's operations (the clock does not run by itself)."""
    content = json.dumps({"task_info": {"frames": frames}})
    ids = []
    for task in sim.farm.create_tasks(count):
        sim.farm.upload_file(task.id, "task.json", content)
        sim.farm.submit(task.id)
        ids.append(task.id)
    return ids


def test_a_task_that_settles_has_its_record_made_then_not_at_its_first_read(monkeypatch: Any) -> None:
    from rayvision_async.simulator.service import _records

    sim = Simulator(farm=Farm(speed=0.0, child_tasks="photon_and_main", task_limit=2))
    ids = _seeded(sim, 3, "1-3")
    made: list[int] = []
    real = _records.task_json
    monkeypatch.setattr(_records, "task_json", lambda task, *args: made.append(task.id) or real(task, *args))
    sim.farm.advance(600)
    assert sorted(made) == ids  # each parent once, as its family settled (its children inside its record)
    made.clear()
    records = sim.call("task_info", {"taskIds": ids})["items"]
    assert made == []  # the first read makes nothing
    ctx = wire_context(sim.farm)
    assert records == [task_wire(sim.farm.task(task_id), ctx) for task_id in ids]  # as made afresh


def test_records_made_as_tasks_settle_are_the_records_made_when_read() -> None:
    # the same work on two farms: one with a simulator from the start (records made as tasks settle), one
    # that meets its simulator only afterwards (records made at the first read): the same replies
    replies = []
    for simulated_from_the_start in (True, False):
        farm = Farm(clock=SimClock(0.0, start=1_796_000_000.0), seed=7, child_tasks="random", task_limit=3)
        early = Simulator(farm=farm) if simulated_from_the_start else None
        ids = []
        for task in farm.create_tasks(6):
            farm.upload_file(task.id, "task.json", json.dumps({"task_info": {"frames": "1-5"}}))
            farm.submit(task.id)
            ids.append(task.id)
        farm.advance(200)  # some settle here, the others in the next step
        farm.advance(600)
        reader = early or Simulator(farm=farm)
        replies.append(reader.call("task_info", {"taskIds": ids})["items"])
    assert replies[0] == replies[1]
    assert {record["taskStatus"] for record in replies[0]} == {int(TaskStatus.FINISHED)}


def test_the_engine_holds_no_farm_alive_through_the_record_cache() -> None:
    import gc
    import weakref

    sim = Simulator(farm=Farm(speed=0.0))
    _seeded(sim, 2, "1-2")
    sim.farm.advance(600)
    farm = weakref.ref(sim.farm)
    del sim
    gc.collect()
    assert farm() is None
