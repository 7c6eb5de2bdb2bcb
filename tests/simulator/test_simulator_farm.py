"""The simulated farm without HTTP: task lifecycle over simulated time, frames, costs, children, paging."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from rayvision_async.simulator import Farm, FarmError, Simulator, TaskStatus
from rayvision_async.simulator.farm import SimFrame

FRAME_SECONDS = 60.0
ANALYSE_SECONDS = 30.0


def call(farm: Farm, operation: str, body: dict[str, Any] | None = None) -> Any:
    """Run an operation on ``farm`` by SDK method name (no HTTP), as the service does."""
    return Simulator(farm=farm).call(operation, body)


def make_farm(**options: Any) -> Farm:
    options.setdefault("speed", 0.0)
    options.setdefault("frame_seconds", FRAME_SECONDS)
    options.setdefault("analyse_seconds", ANALYSE_SECONDS)
    return Farm(**options)


def task_json(frames: str = "1-4", scene: str = "D:/work/shot_010.max") -> str:
    return json.dumps(
        {
            "software_config": {"cg_id": "2001", "cg_name": "3ds Max", "cg_version": "2018"},
            "task_info": {"input_cg_file": scene, "cg_id": "2001", "project_name": "proj"},
            "scene_info_render": {"common": {"frames": frames, "render_camera": ["Cam01"]}},
        }
    )


def submit(farm: Farm, frames: str = "1-4") -> int:
    task_id: int = call(farm, "create_task", {"count": 1})["taskIdList"][0]
    call(farm, "upload_json_content", {"taskId": task_id, "fileName": "task.json", "content": task_json(frames)})
    call(farm, "submit_task", {"taskId": task_id})
    return task_id


def info(farm: Farm, task_id: int) -> dict[str, Any]:
    items = call(farm, "task_info", {"taskIds": [task_id]})["items"]
    assert len(items) == 1
    result: dict[str, Any] = items[0]
    return result


def frames_of(farm: Farm, task_id: int) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = call(farm, "task_frames", {"taskId": task_id, "pageSize": 100})["items"]
    return result


def fail_index(*indices: str, attempts: int = 1) -> Any:
    """A failure rule: the given frame numbers fail their first ``attempts`` renders."""

    def rule(frame: SimFrame) -> bool:
        return frame.index in indices and frame.attempts < attempts

    return rule


def test_lifecycle_create_upload_submit_render_finish() -> None:
    farm = make_farm(task_limit=2)
    created = call(farm, "create_task", {"count": 1})
    task_id = created["taskIdList"][0]
    assert created["aliasTaskIdList"] == [f"2W{task_id}"]
    assert created["userId"] == farm.account.user_id
    assert info(farm, task_id)["taskStatus"] == TaskStatus.WAITING
    assert call(farm, "get_task_list", {})["total"] == 0  # not submitted: not listed

    call(farm, "upload_json_content", {"taskId": task_id, "content": task_json("1-4")})
    call(farm, "submit_task", {"taskId": task_id})
    first = info(farm, task_id)
    assert first["taskStatus"] == TaskStatus.ANALYSE
    assert first["sceneName"] == "shot_010.max"
    assert first["framesRange"] == "1-4"
    assert first["submitDate"] is not None

    farm.advance(ANALYSE_SECONDS)
    rendering = info(farm, task_id)
    assert rendering["taskStatus"] == TaskStatus.RENDERING
    assert rendering["totalFrames"] == 4
    assert rendering["executingFrames"] == 2  # task_limit frames at a time

    farm.advance(FRAME_SECONDS)
    assert info(farm, task_id)["doneFrames"] == 2
    farm.advance(FRAME_SECONDS)
    done = info(farm, task_id)
    assert done["taskStatus"] == TaskStatus.FINISHED
    assert done["doneFrames"] == 4
    assert done["completedDate"] - done["startTime"] == 2 * FRAME_SECONDS * 1000
    assert done["renderDuration"] == 2 * FRAME_SECONDS
    assert [frame["frameIndex"] for frame in frames_of(farm, task_id)] == ["1", "2", "3", "4"]
    assert {frame["frameStatus"] for frame in frames_of(farm, task_id)} == {4}


def test_submit_needs_task_json_and_happens_once() -> None:
    farm = make_farm()
    task_id = call(farm, "create_task", {})["taskIdList"][0]
    with pytest.raises(FarmError) as no_json:
        call(farm, "submit_task", {"taskId": task_id})
    assert no_json.value.code == 100
    call(farm, "upload_json_content", {"taskId": task_id, "content": task_json()})
    call(farm, "submit_task", {"taskId": task_id})
    with pytest.raises(FarmError) as twice:
        call(farm, "submit_task", {"taskId": task_id})
    assert twice.value.code == 100
    with pytest.raises(FarmError) as unknown:
        call(farm, "submit_task", {"taskId": 1})
    assert unknown.value.code == 404


def test_bad_task_files_are_refused() -> None:
    farm = make_farm()
    task_id = call(farm, "create_task", {})["taskIdList"][0]
    for body, code in [
        ({"taskId": task_id, "content": "{not json"}, 600),
        ({"taskId": task_id, "content": "[1, 2]"}, 600),
        ({"taskId": task_id, "content": "{}", "fileName": "evil.json"}, 600),
        ({"taskId": task_id, "content": task_json("9-1")}, 600),
        ({"taskId": task_id}, 601),
    ]:
        with pytest.raises(FarmError) as refused:
            call(farm, "upload_json_content", body)
        assert refused.value.code == code, body


def test_failed_frames_give_finished_has_failed_and_restart_finishes() -> None:
    farm = make_farm(failure_rule=fail_index("2"))
    task_id = submit(farm, "1-3")
    farm.advance(ANALYSE_SECONDS + FRAME_SECONDS)
    failed = info(farm, task_id)
    assert failed["taskStatus"] == TaskStatus.FINISHED_HAS_FAILED
    assert (failed["doneFrames"], failed["failedFrames"]) == (2, 1)

    call(farm, "restart_failed_frames", {"taskIds": [task_id]})
    assert info(farm, task_id)["taskStatus"] == TaskStatus.RENDERING
    farm.advance(FRAME_SECONDS)
    finished = info(farm, task_id)
    assert finished["taskStatus"] == TaskStatus.FINISHED
    assert finished["failedFrames"] == 0
    assert [frame["recommitFlag"] for frame in frames_of(farm, task_id)] == [0, 1, 0]


def test_every_frame_failing_is_failed() -> None:
    farm = make_farm(failure_rate=1.0)
    task_id = submit(farm, "1-2")
    farm.advance(ANALYSE_SECONDS + FRAME_SECONDS)
    assert info(farm, task_id)["taskStatus"] == TaskStatus.FAILED


def failed_frames(seed: int) -> list[str]:
    farm = make_farm(seed=seed, failure_rate=0.3, task_limit=50)
    task_id = submit(farm, "1-40")
    farm.advance(ANALYSE_SECONDS + FRAME_SECONDS)
    return [frame["frameIndex"] for frame in frames_of(farm, task_id) if frame["frameStatus"] == 5]


def test_failure_rate_is_seeded_and_reproducible() -> None:
    first = failed_frames(seed=7)
    assert first == failed_frames(seed=7)
    assert 3 <= len(first) <= 25  # about 30 % of 40
    assert any(failed_frames(seed) != first for seed in (8, 9, 10))


def test_restart_and_stop_specific_frames() -> None:
    farm = make_farm(task_limit=1)
    task_id = submit(farm, "1-3")
    farm.advance(ANALYSE_SECONDS)
    ids = [frame["id"] for frame in frames_of(farm, task_id)]
    call(farm, "stop_frame", {"taskId": task_id, "selectAll": 0, "ids": [ids[2]]})
    farm.advance(3 * FRAME_SECONDS)
    statuses = [frame["frameStatus"] for frame in frames_of(farm, task_id)]
    assert statuses == [4, 4, 3]
    assert info(farm, task_id)["taskStatus"] == TaskStatus.STOP

    call(farm, "restart_frame", {"taskId": task_id, "selectAll": 0, "ids": [ids[0], ids[2]]})
    farm.advance(2 * FRAME_SECONDS)
    frames = frames_of(farm, task_id)
    assert [frame["frameStatus"] for frame in frames] == [4, 4, 4]
    assert [frame["recommitFlag"] for frame in frames] == [1, 0, 1]
    with pytest.raises(FarmError) as no_ids:
        call(farm, "restart_frame", {"taskId": task_id, "selectAll": 0})
    assert no_ids.value.code == 601


def test_stop_then_start_resumes() -> None:
    farm = make_farm(task_limit=1)
    task_id = submit(farm, "1-3")
    farm.advance(ANALYSE_SECONDS + FRAME_SECONDS + 10)
    call(farm, "stop_task", {"taskIds": [task_id]})
    stopped = info(farm, task_id)
    assert stopped["taskStatus"] == TaskStatus.STOP
    assert (stopped["doneFrames"], stopped["abortFrames"]) == (1, 2)
    farm.advance(10 * FRAME_SECONDS)
    assert info(farm, task_id)["doneFrames"] == 1  # nothing renders while stopped

    call(farm, "start_task", {"taskIds": [task_id]})
    assert info(farm, task_id)["taskStatus"] == TaskStatus.RENDERING
    farm.advance(2 * FRAME_SECONDS)
    assert info(farm, task_id)["taskStatus"] == TaskStatus.FINISHED


def test_abandon_is_final_and_delete_moves_to_recycle_bin() -> None:
    farm = make_farm()
    abandoned, deleted = submit(farm), submit(farm)
    farm.advance(ANALYSE_SECONDS)
    call(farm, "abort_task", {"taskIds": [abandoned]})
    call(farm, "start_task", {"taskIds": [abandoned]})
    farm.advance(10 * FRAME_SECONDS)
    assert info(farm, abandoned)["taskStatus"] == TaskStatus.ABANDON

    call(farm, "delete_task", {"taskIds": [deleted]})
    assert call(farm, "task_info", {"taskIds": [deleted]})["items"] == []
    assert [task["id"] for task in call(farm, "get_task_list", {})["items"]] == [abandoned]
    recycled = call(farm, "get_task_list", {"recycleFlag": 1})["items"]
    assert [(task["id"], task["isDelete"]) for task in recycled] == [(deleted, 0)]
    with pytest.raises(FarmError) as gone:
        call(farm, "stop_task", {"taskIds": [deleted]})
    assert gone.value.code == 404


def test_costs_accrue_per_finished_frame() -> None:
    farm = make_farm(frame_price="0.25", failure_rule=fail_index("3"))
    balance = farm.account.balance
    task_id = submit(farm, "1-4")
    farm.advance(ANALYSE_SECONDS + FRAME_SECONDS)
    task = info(farm, task_id)
    assert task["renderConsume"] == 0.75  # three frames done, the failed one is free
    assert farm.account.balance == balance - Decimal("0.75")
    profile = call(farm, "query_user_profile", {})
    assert profile["rmbCumulative"] == 0.75
    assert call(farm, "task_info", {"taskIds": [task_id]})["userAccountConsume"] == 0.75
    fees = [frame["feeAmount"] for frame in frames_of(farm, task_id)]
    assert fees == [0.25, 0.25, 0.0, 0.25]


def test_child_tasks_photon_then_main_picture() -> None:
    farm = make_farm(child_tasks="photon_and_main", task_limit=10)
    task_id = submit(farm, "1-3")
    farm.advance(ANALYSE_SECONDS)
    children = info(farm, task_id)["respRenderingTaskList"]
    assert [child["taskType"] for child in children] == ["RenderPhoton", "Render"]
    assert all(child["layerParentId"] == task_id for child in children)
    photon_id, main_id = children[0]["id"], children[1]["id"]
    assert info(farm, main_id)["executingFrames"] == 0  # the main picture waits for the photon pass
    farm.advance(FRAME_SECONDS)
    assert info(farm, photon_id)["taskStatus"] == TaskStatus.FINISHED
    assert info(farm, main_id)["executingFrames"] == 3
    farm.advance(FRAME_SECONDS)
    parent = info(farm, task_id)
    assert parent["taskStatus"] == TaskStatus.FINISHED
    assert parent["totalFrames"] == 4
    assert len(frames_of(farm, task_id)) == 4
    assert len(frames_of(farm, main_id)) == 3


def test_task_without_children_has_null_child_list() -> None:
    farm = make_farm(child_tasks="none")
    task_id = submit(farm)
    farm.advance(ANALYSE_SECONDS + 4 * FRAME_SECONDS)
    assert info(farm, task_id)["respRenderingTaskList"] is None


def test_random_children_are_seeded() -> None:
    def shapes(seed: int) -> list[bool]:
        farm = make_farm(seed=seed, child_tasks="random")
        ids = [submit(farm, "1") for _ in range(12)]
        farm.advance(ANALYSE_SECONDS)
        return [info(farm, task_id)["respRenderingTaskList"] is not None for task_id in ids]

    assert shapes(3) == shapes(3)
    assert True in shapes(3)
    assert False in shapes(3)


def test_over_time_stop_times_out() -> None:
    farm = make_farm(task_limit=1)
    task_id = submit(farm, "1-5")
    assert call(farm, "set_task_overtime_stop", {"taskIds": [task_id], "overTime": 150}) == "SUCCESS"
    farm.advance(ANALYSE_SECONDS + 200)
    timed_out = info(farm, task_id)
    assert timed_out["taskStatus"] == TaskStatus.TIME_OUT_STOP
    assert timed_out["doneFrames"] == 2
    assert timed_out["overTimeStop"] == 150


def test_full_speed_priority_and_limit() -> None:
    farm = make_farm(task_limit=1)
    task_id = submit(farm, "1-6")
    farm.advance(ANALYSE_SECONDS)
    assert info(farm, task_id)["executingFrames"] == 1
    call(farm, "update_task_limit", {"taskId": task_id, "taskLimit": 2})
    assert info(farm, task_id)["executingFrames"] == 2
    assert call(farm, "full_speed", {"taskIds": [task_id]}) == "成功"
    assert info(farm, task_id)["executingFrames"] == 6
    call(farm, "update_priority", {"taskId": task_id, "taskUserLevel": 60})
    assert info(farm, task_id)["taskUserLevel"] == 60


def test_task_info_returns_only_known_ids() -> None:
    farm = make_farm()
    task_id = submit(farm)
    page = call(farm, "task_info", {"taskIds": [424242, task_id, 777]})
    assert [item["id"] for item in page["items"]] == [task_id]
    assert (page["total"], page["pageNum"]) == (1, 1)


@pytest.mark.parametrize(
    ("tasks", "page_num", "expected_ids", "page_count"),
    [
        (0, 1, 0, 0),  # nothing at all
        (1, 1, 1, 1),
        (4, 2, 2, 2),  # exactly full last page
        (5, 3, 1, 3),  # partial last page
        (4, 3, 0, 2),  # past the end: empty by default
    ],
)
def test_paging(tasks: int, page_num: int, expected_ids: int, page_count: int) -> None:
    farm = make_farm()
    ids = [submit(farm) for _ in range(tasks)]
    page = call(farm, "get_task_list", {"pageNum": page_num, "pageSize": 2})
    assert (page["pageCount"], page["pageNum"], page["total"], page["size"]) == (page_count, page_num, tasks, 2)
    assert len(page["items"]) == expected_ids
    everything = [item["id"] for n in range(1, page_count + 1)
                  for item in call(farm, "get_task_list", {"pageNum": n, "pageSize": 2})["items"]]  # fmt: skip
    assert everything == sorted(ids, reverse=True)  # newest first, each task once


def test_paging_past_the_end_with_code700() -> None:
    farm = make_farm(paging_end="code700")
    for _ in range(3):
        submit(farm)
    assert len(call(farm, "get_task_list", {"pageNum": 2, "pageSize": 2})["items"]) == 1
    with pytest.raises(FarmError) as end:
        call(farm, "get_task_list", {"pageNum": 3, "pageSize": 2})
    assert end.value.code == 700
    with pytest.raises(FarmError) as bad:
        call(farm, "get_task_list", {"pageNum": 0})
    assert bad.value.code == 600


def test_task_list_filters() -> None:
    farm = make_farm()
    running, done = submit(farm, "1-100"), submit(farm, "1")
    farm.advance(ANALYSE_SECONDS + FRAME_SECONDS)
    assert [t["id"] for t in call(farm, "get_task_list", {"statusList": [25]})["items"]] == [done]
    assert [t["id"] for t in call(farm, "get_task_list", {"searchKeyword": str(running)})["items"]] == [running]
    assert call(farm, "get_task_list", {"startTime": "2999-01-01 00:00:00"})["total"] == 0
