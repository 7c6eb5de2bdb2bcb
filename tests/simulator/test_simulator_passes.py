"""Render passes: every documented frameStatus (1–11) is reachable, and a failed pass holds the later ones."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from rayvision_async import AsyncRayvisionAPI
from rayvision_async.errors import FailError
from rayvision_async.simulator import Farm, FrameStatus, FrameType, Simulator, SimulatorTransport, TaskStatus
from rayvision_async.simulator.farm import SimFrame

FRAME_SECONDS = 60.0
ANALYSE_SECONDS = 30.0


def make_sim(**options: Any) -> Simulator:
    return Simulator(farm=Farm(speed=0.0, frame_seconds=FRAME_SECONDS, analyse_seconds=ANALYSE_SECONDS, **options))


def submit(sim: Simulator, frames: str = "1-3", cg_id: int = 2001) -> int:
    task_id: int = sim.call("create_task", {})["taskIdList"][0]
    content = json.dumps({"task_info": {"frames": frames, "cg_id": str(cg_id)}})
    sim.call("upload_json_content", {"taskId": task_id, "content": content})
    sim.call("submit_task", {"taskId": task_id})
    return task_id


def statuses(sim: Simulator, task_id: int) -> list[int]:
    return [frame["frameStatus"] for frame in sim.call("task_frames", {"taskId": task_id})["items"]]


def task_status(sim: Simulator, task_id: int) -> int:
    status: int = sim.call("task_info", {"taskIds": [task_id]})["items"][0]["taskStatus"]
    return status


def fails_first_attempt(frame_type: FrameType) -> Any:
    def rule(frame: SimFrame) -> bool:
        return frame.frame_type is frame_type and frame.attempts == 0

    return rule


@pytest.mark.parametrize(
    ("options", "cg_id", "blocker", "waiting"),
    [
        ({"pre_render": True}, 2001, FrameType.PRE_RENDER, FrameStatus.WAITING_PRE_HANDLING),
        ({"photon_frame": True}, 2001, FrameType.PHOTON, FrameStatus.WAITING_PHOTON_FRAME),
        ({"priority_frames": 1}, 2001, FrameType.PRIORITY, FrameStatus.WAITING_PRIORITY),
        ({"child_tasks": "photon_and_main"}, 2001, FrameType.PHOTON, FrameStatus.WAITING_PHOTON_JOB),
        ({"settlement": True}, 2004, FrameType.SETTLEMENT, FrameStatus.WAITING_SETTLEMENT_JOB),
    ],
)
def test_frames_behind_an_earlier_pass_report_what_they_wait_for(
    options: dict[str, Any], cg_id: int, blocker: FrameType, waiting: FrameStatus
) -> None:
    sim = make_sim(task_limit=10, **options)
    task_id = submit(sim, "1-3", cg_id)
    sim.farm.advance(ANALYSE_SECONDS)
    frames = sim.call("task_frames", {"taskId": task_id})["items"]
    running = [frame for frame in frames if frame["frameStatus"] == FrameStatus.PROCESSING]
    assert [frame["frameType"] for frame in running] == [int(blocker)]
    held = [frame for frame in frames if frame["frameStatus"] == waiting]
    assert len(held) == len(frames) - 1 >= 2
    assert {frame["frameStatusText"] for frame in held} == {f"task_frame_status_{int(waiting)}"}
    assert task_status(sim, task_id) == TaskStatus.RENDERING

    sim.farm.advance(FRAME_SECONDS)  # the earlier pass is done: the rest renders
    assert FrameStatus.COMPLETE in statuses(sim, task_id)
    assert int(waiting) not in statuses(sim, task_id)
    sim.farm.advance(2 * FRAME_SECONDS)
    assert set(statuses(sim, task_id)) == {FrameStatus.COMPLETE}
    assert task_status(sim, task_id) == TaskStatus.FINISHED


def test_settlement_frames_are_for_houdini_only() -> None:
    sim = make_sim(settlement=True)
    max_task, houdini_task = submit(sim, "1-2", 2001), submit(sim, "1-2", 2004)
    sim.farm.advance(ANALYSE_SECONDS)
    types = {task_id: [f["frameType"] for f in sim.call("task_frames", {"taskId": task_id})["items"]]
             for task_id in (max_task, houdini_task)}  # fmt: skip
    assert types == {max_task: [5, 5], houdini_task: [8, 5, 5]}
    [settlement] = [f for f in sim.call("task_frames", {"taskId": houdini_task})["items"] if f["frameType"] == 8]
    assert settlement["gopName"]


def test_frames_of_a_timed_out_task_report_11_and_start_again() -> None:
    sim = make_sim(task_limit=1)
    task_id = submit(sim, "1-4")
    sim.call("set_task_overtime_stop", {"taskIds": [task_id], "overTime": 90})
    sim.farm.advance(ANALYSE_SECONDS + 100)
    assert task_status(sim, task_id) == TaskStatus.TIME_OUT_STOP
    assert Counter(statuses(sim, task_id)) == {FrameStatus.COMPLETE: 1, FrameStatus.TIMED_OUT: 3}
    timed_out = [f for f in sim.call("task_frames", {"taskId": task_id})["items"] if f["frameStatus"] == 11]
    assert all(frame["isOverTime"] == 1 for frame in timed_out)
    assert sim.call("all_frame_status", {})["abandonFramesTotal"] == 3
    assert sim.call("task_info", {"taskIds": [task_id]})["items"][0]["abortFrames"] == 3

    sim.call("set_task_overtime_stop", {"taskIds": [task_id], "overTime": 3600})
    sim.call("start_task", {"taskIds": [task_id]})
    sim.farm.advance(3 * FRAME_SECONDS)
    assert set(statuses(sim, task_id)) == {FrameStatus.COMPLETE}
    assert task_status(sim, task_id) == TaskStatus.FINISHED


def test_every_documented_frame_status_is_reachable() -> None:
    seen: set[int] = set()
    passes: list[tuple[dict[str, Any], int]] = [
        ({"pre_render": True}, 2001), ({"photon_frame": True}, 2001), ({"priority_frames": 1}, 2001),
        ({"child_tasks": "photon_and_main"}, 2001), ({"settlement": True}, 2004),
    ]  # fmt: skip
    for options, cg_id in passes:
        sim = make_sim(**options, failure_rule=lambda frame: frame.index == "3")
        task_id = submit(sim, "1-3", cg_id)
        sim.farm.advance(ANALYSE_SECONDS)
        seen.update(statuses(sim, task_id))
        sim.farm.advance(10 * FRAME_SECONDS)
        seen.update(statuses(sim, task_id))
    sim = make_sim(task_limit=1)
    stopped, timed_out = submit(sim, "1-3"), submit(sim, "1-3")
    sim.call("set_task_overtime_stop", {"taskIds": [timed_out], "overTime": 1})
    sim.farm.advance(ANALYSE_SECONDS)
    seen.update(statuses(sim, stopped))  # one frame at a time: the others wait (1)
    sim.call("stop_task", {"taskIds": [stopped]})
    sim.farm.advance(FRAME_SECONDS)
    seen.update(statuses(sim, stopped) + statuses(sim, timed_out))
    assert seen == set(range(1, 12))
    assert {int(status) for status in FrameStatus} == set(range(1, 12))


@pytest.mark.parametrize(
    ("options", "held_status"),
    [({"child_tasks": "photon_and_main"}, FrameStatus.WAITING_PHOTON_JOB),
     ({"photon_frame": True}, FrameStatus.WAITING_PHOTON_FRAME)],
)  # fmt: skip
def test_a_failed_photon_pass_holds_the_main_pass(options: dict[str, Any], held_status: FrameStatus) -> None:
    sim = make_sim(task_limit=10, failure_rule=fails_first_attempt(FrameType.PHOTON), **options)
    task_id = submit(sim, "1-3")
    sim.farm.advance(ANALYSE_SECONDS + 10 * FRAME_SECONDS)
    assert Counter(statuses(sim, task_id)) == {FrameStatus.FAILED: 1, held_status: 3}
    task = sim.call("task_info", {"taskIds": [task_id]})["items"][0]
    assert task["taskStatus"] == TaskStatus.FAILED  # nothing more happens until the photon pass is restarted
    assert (task["doneFrames"], task["executingFrames"], task["failedFrames"]) == (0, 0, 1)
    assert task["completedDate"] is not None
    assert not sim.farm.task(task_id).is_pending()
    if task["respRenderingTaskList"]:
        photon, main = task["respRenderingTaskList"]
        assert (photon["taskStatus"], main["taskStatus"]) == (TaskStatus.FAILED, TaskStatus.WAITING)

    sim.call("restart_failed_frames", {"taskIds": [task_id]})
    assert task_status(sim, task_id) == TaskStatus.RENDERING
    sim.farm.advance(FRAME_SECONDS)  # the photon pass renders again, and succeeds
    assert Counter(statuses(sim, task_id)) == {FrameStatus.COMPLETE: 1, FrameStatus.PROCESSING: 3}
    sim.farm.advance(FRAME_SECONDS)
    assert set(statuses(sim, task_id)) == {FrameStatus.COMPLETE}
    assert task_status(sim, task_id) == TaskStatus.FINISHED


@pytest.mark.parametrize("protocol", ["2018", "current"])
async def test_create_and_submit_end_to_end(protocol: str) -> None:
    sim = make_sim()
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, protocol=protocol,  # type: ignore[arg-type]
                                 transport=SimulatorTransport(sim)) as api:  # fmt: skip
        [task_id] = (await api.task.create_task()).task_id_list
        if protocol == "current":  # this set has an upload path, and the farm demands a task.json
            with pytest.raises(FailError, match=r"task\.json"):
                await api.task.submit_task(task_id)
            await api.transmit.upload_json_content(task_id, json.dumps({"task_info": {"frames": "1-10[1]"}}))
        await api.task.submit_task(task_id)
        sim.farm.advance(ANALYSE_SECONDS + 3 * FRAME_SECONDS)
        [task] = (await api.query.task_info([task_id])).items
    assert task.task_status is not None
    assert int(task.task_status) == TaskStatus.FINISHED
    assert task.done_frames == task.total_frames == 10
    assert all(request.legacy == (protocol == "2018") for request in sim.requests)
