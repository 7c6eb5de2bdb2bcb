"""The farm states a safe-to-retry submit relies on, as the simulator answers them on the wire.

* A task created and never submitted: ``taskStatus`` 0 (WAITING, the protocol's status table) with no
  ``submitDate``; the task list (``getTaskList``) leaves it out; it never renders.
* A second ``submitTask`` of one task, and an upload to a submitted task: code 100 ("already submitted").
* ``createTask``'s ``labels`` are kept on the task and sent back in ``labels`` by both task queries;
  ``searchKeyword`` searches the scene name and the task id or alias (the documents), not labels.
"""

from __future__ import annotations

import json

import pytest

from rayvision_async.simulator import Farm, FarmError, Simulator


@pytest.fixture
def sim() -> Simulator:
    return Simulator(farm=Farm(speed=0.0, require_task_json=False))


def created(sim: Simulator, **body: object) -> int:
    return int(sim.call("create_task", {"count": 1, **body})["taskIdList"][0])


def listed(sim: Simulator, **body: object) -> list[int]:
    return [item["id"] for item in sim.call("get_task_list", {"pageNum": 1, "pageSize": 100, **body})["items"]]


def test_a_created_task_waits_unsubmitted_unlisted_and_never_renders(sim: Simulator) -> None:
    task_id = created(sim)
    (item,) = sim.call("task_info", {"taskIds": [task_id]})["items"]
    assert (item["taskStatus"], item["submitDate"], item["totalFrames"]) == (0, None, 0)
    assert listed(sim) == []
    sim.farm.advance(86_400)
    (item,) = sim.call("task_info", {"taskIds": [task_id]})["items"]
    assert (item["taskStatus"], item["submitDate"], item["doneFrames"]) == (0, None, 0)
    sim.call("submit_task", {"taskId": task_id})
    (item,) = sim.call("task_info", {"taskIds": [task_id]})["items"]
    assert item["taskStatus"] == 50  # analysing: submitted
    assert item["submitDate"] is not None
    assert listed(sim) == [task_id]


def test_a_second_submit_and_a_late_upload_are_refused_with_code_100(sim: Simulator) -> None:
    task_id = created(sim)
    sim.call("submit_task", {"taskId": task_id})
    with pytest.raises(FarmError) as again:
        sim.call("submit_task", {"taskId": task_id})
    assert again.value.code == 100
    assert "already been submitted" in again.value.message
    with pytest.raises(FarmError) as upload:
        sim.call("upload_json_content", {"taskId": task_id, "fileName": "task.json", "content": "{}"})
    assert upload.value.code == 100
    assert sim.farm.tasks[task_id].submitted_at is not None


def test_labels_given_at_create_come_back_and_are_not_searched(sim: Simulator) -> None:
    task_id = created(sim, labels=["render-key:shot-1", "trailer"])
    sim.call("upload_json_content", {"taskId": task_id, "fileName": "task.json",
                                     "content": json.dumps({"task_info": {"input_cg_file": "D:/hero.max"}})})
    sim.call("submit_task", {"taskId": task_id})
    item = sim.call("task_info", {"taskIds": [task_id]})["items"][0]
    assert sorted(json.loads(item["labels"]).values()) == ["render-key:shot-1", "trailer"]
    # queryTaskInfo shows them; getTaskList's items, as every example of the documents, do not
    assert "labels" not in sim.call("get_task_list", {"pageNum": 1, "pageSize": 10})["items"][0]
    assert listed(sim, searchKeyword="hero") == [task_id]  # the scene name
    assert listed(sim, searchKeyword=str(task_id)) == [task_id]  # the task id
    assert listed(sim, searchKeyword="shot-1") == []  # not the labels
    assert listed(sim, searchKeyword="render-key") == []
