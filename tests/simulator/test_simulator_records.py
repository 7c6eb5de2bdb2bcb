"""Task records kept between reads are never out of date, and plain tasks' frames appear when needed."""

from __future__ import annotations

import json
from typing import Any

from rayvision_async.simulator import Farm, Simulator
from rayvision_async.simulator.service._records import records_of
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


def test_a_rendering_tasks_record_follows_the_clock_and_is_not_kept() -> None:
    sim = Simulator(farm=Farm(speed=0.0))
    [task_id] = sim.call("create_task", {})["taskIdList"]
    sim.call("upload_json_content", {"taskId": task_id, "content": json.dumps({"task_info": {"frames": "1-40"}})})
    sim.call("submit_task", {"taskId": task_id})
    sim.farm.advance(45)
    before = info(sim, task_id)["renderDuration"]
    sim.farm.advance(10)  # no frame ends: only the clock moved
    assert info(sim, task_id)["renderDuration"] == before + 10
    assert task_id not in records_of(sim.farm)._kept[False]


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
