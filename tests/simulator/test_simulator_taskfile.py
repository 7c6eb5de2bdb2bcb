"""The simulator checks task.json's ids as the service would: filled, the task's and the account's own,
a known cgId and real hardware config ids; keys that are absent are not checked."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rayvision_async.simulator import Farm, FarmError, Simulator


def upload(farm: Farm, task_id: int, task_info: dict[str, Any], **extra: Any) -> None:
    doc = {"task_info": {"input_cg_file": "D:/shot.ma", **task_info}, **extra}
    Simulator(farm=farm).call("upload_json_content", {"taskId": task_id, "content": json.dumps(doc)})


def new_task(farm: Farm) -> int:
    task_id: int = Simulator(farm=farm).call("create_task", {})["taskIdList"][0]
    return task_id


def filled(own_id: int, /, **changes: Any) -> dict[str, Any]:
    info: dict[str, Any] = {"task_id": str(own_id), "user_id": "100001", "project_id": "0", "cg_id": "2000",
                            "hardwareConfigIds": ["1", "2"]}
    info.update(changes)
    return {key: value for key, value in info.items() if value is not ...}


def test_a_filled_task_json_is_accepted_and_sets_the_hardware() -> None:
    farm = Farm(speed=0.0)
    task_id = new_task(farm)
    upload(farm, task_id, filled(task_id, hardwareConfigIds=["2"]))
    assert farm.task(task_id).hardware_config_id == 2
    assert farm.task(task_id).cg_id == 2000


@pytest.mark.parametrize("changes", [
    {"task_id": ""}, {"task_id": "abc"}, {"task_id": "1"},  # empty, not a number, another task
    {"user_id": ""}, {"user_id": "999"},  # empty, another account
    {"project_id": ""}, {"project_id": None},
    {"cg_id": "9999"}, {"cg_id": ""},
    {"hardwareConfigIds": []}, {"hardwareConfigIds": ["77"]}, {"hardwareConfigIds": "1"},
], ids=repr)
def test_bad_ids_are_refused_with_600(changes: dict[str, Any]) -> None:
    farm = Farm(speed=0.0)
    task_id = new_task(farm)
    with pytest.raises(FarmError) as refused:
        upload(farm, task_id, filled(task_id, **changes))
    assert refused.value.code == 600
    assert "task.json" not in farm.task(task_id).files


def test_an_unknown_software_config_cg_id_is_refused() -> None:
    farm = Farm(speed=0.0)
    task_id = new_task(farm)
    with pytest.raises(FarmError):
        upload(farm, task_id, filled(task_id), software_config={"cg_id": "1234"})


def test_absent_keys_are_not_checked() -> None:
    farm = Farm(speed=0.0)
    task_id = new_task(farm)
    upload(farm, task_id, filled(task_id, task_id=..., user_id=..., project_id=..., hardwareConfigIds=...))
    assert "task.json" in farm.task(task_id).files
