"""The simulated farm's account side: settings, labels, render environments, catalog, records, validation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rayvision_async.simulator import Farm, FarmError, Simulator
from rayvision_async.simulator.service._operations import OPERATIONS


def call(farm: Farm, operation: str, body: dict[str, Any] | None = None) -> Any:
    """Run an operation on ``farm`` by SDK method name (no HTTP), as the service does."""
    return Simulator(farm=farm).call(operation, body)


def make_farm(**options: Any) -> Farm:
    options.setdefault("speed", 0.0)
    return Farm(**options)


def refused(farm: Farm, operation: str, body: dict[str, Any]) -> int:
    with pytest.raises(FarmError) as error:
        call(farm, operation, body)
    return error.value.code


def submitted(farm: Farm, frames: str = "1-2") -> int:
    task_id: int = call(farm, "create_task", {})["taskIdList"][0]
    content = json.dumps({"scene_info_render": {"common": {"frames": frames}}})
    call(farm, "upload_json_content", {"taskId": task_id, "content": content})
    call(farm, "submit_task", {"taskId": task_id})
    return task_id


def test_every_operation_of_the_official_sdk_exists() -> None:
    assert len(OPERATIONS) == 49


def test_update_user_setting_changes_task_over_time() -> None:
    farm = make_farm()
    assert call(farm, "update_user_settings", {"taskOverTimeSec": 7200}) is None
    settings = call(farm, "query_user_setting", {})
    assert (settings["taskOverTimeSec"], settings["taskOverTime"]) == (7200, 2)
    task_id = submitted(farm)
    assert call(farm, "task_info", {"taskIds": [task_id]})["items"][0]["taskOverTime"] == 7200
    assert refused(farm, "update_user_settings", {}) == 601
    assert refused(farm, "update_user_settings", {"taskOverTimeSec": 1.5}) == 600


def test_labels_projects_and_task_labels() -> None:
    farm = make_farm()
    call(farm, "add_label", {"newName": "shots", "status": 0})
    assert refused(farm, "add_label", {"newName": "shots"}) == 600
    projects = call(farm, "get_label_list", {})["projectNameList"]
    assert [project["projectName"] for project in projects] == ["shots"]
    assert call(farm, "get_list", {"flag": 2}) == call(farm, "get_label_list", {})

    task_id = submitted(farm)
    call(farm, "add_task_tag", {"label": "hero", "taskIds": [task_id]})
    labels = json.loads(call(farm, "task_info", {"taskIds": [task_id]})["items"][0]["labels"])
    assert sorted(labels.values()) == ["hero"]
    assert {p["projectName"] for p in call(farm, "get_label_list", {})["projectNameList"]} == {"shots", "hero"}
    call(farm, "delete_task_tag", {"taskIds": [task_id], "labelNames": ["hero"], "labelIds": []})
    assert call(farm, "task_info", {"taskIds": [task_id]})["items"][0]["labels"] == "{}"

    call(farm, "delete_label", {"delName": "shots"})
    assert refused(farm, "delete_label", {"delName": "shots"}) == 404


def test_create_task_with_labels_creates_projects() -> None:
    farm = make_farm()
    call(farm, "create_task", {"count": 2, "labels": ["a", "b"]})
    names = [project["projectName"] for project in call(farm, "get_label_list", {})["projectNameList"]]
    assert names == ["a", "b"]


ENV = {
    "cgId": 2000,
    "cgName": "Maya",
    "cgVersion": "2018",
    "renderLayerType": 0,
    "editName": "maya-arnold",
    "renderSystem": 1,
    "pluginIds": [],
}


def test_render_environments() -> None:
    farm = make_farm()
    plugin_id = call(farm, "supported_plugin", {"cgId": 2000})["cgPlugin"][0]["pluginVersions"][0]["pluginId"]
    assert call(farm, "add_render_env", {**ENV, "pluginIds": [plugin_id]}) == {"editName": "maya-arnold"}
    assert refused(farm, "add_render_env", ENV) == 600  # the name exists
    call(farm, "add_render_env", {**ENV, "editName": "maya-plain"})
    call(farm, "set_default_render_env", {"editName": "maya-plain"})
    envs = {env["editName"]: env for env in call(farm, "get_render_env", {"cgId": "2000", "osName": 1})}
    assert (envs["maya-plain"]["isDefault"], envs["maya-arnold"]["isDefault"]) == (1, 0)
    assert [p["pluginId"] for p in envs["maya-arnold"]["respUserPluginInfoVos"]] == [plugin_id]
    assert call(farm, "get_render_env", {"cgId": 2004}) == []
    assert call(farm, "get_render_env", {"cgId": 2000, "osName": 0}) == []

    call(farm, "update_render_env", {**ENV, "cgVersion": "2020"})
    assert [env["cgVersion"] for env in call(farm, "get_render_env", {"cgIds": ["2000"]})] == ["2020", "2018"]
    call(farm, "delete_render_env", {"editName": "maya-arnold"})
    assert refused(farm, "delete_render_env", {"editName": "maya-arnold"}) == 404
    assert refused(farm, "update_render_env", ENV) == 404
    assert refused(farm, "add_render_env", {key: v for key, v in ENV.items() if key != "cgName"}) == 601
    assert refused(farm, "add_render_env", {**ENV, "cgId": 1234}) == 600


def test_unknown_plugin_ids_are_refused() -> None:
    farm = make_farm()
    houdini_plugin = call(farm, "supported_plugin", {"cgId": 2004})["cgPlugin"][0]["pluginVersions"][0]["pluginId"]
    # unknown; a plugin of another software; a plugin of another version of Maya (wobble, 2020)
    for plugin_ids in ([999999], [houdini_plugin], [1166]):
        assert refused(farm, "add_render_env", {**ENV, "pluginIds": plugin_ids}) == 600
    assert call(farm, "get_render_env", {}) == []  # nothing was stored
    call(farm, "add_render_env", ENV)
    assert refused(farm, "update_render_env", {**ENV, "pluginIds": [1166]}) == 600
    assert call(farm, "get_render_env", {})[0]["respUserPluginInfoVos"] == []


def test_catalog() -> None:
    farm = make_farm()
    software = call(farm, "supported_software", {})
    assert {s["cgId"] for s in software["renderInfoList"]} == {2000, 2001, 2004, 2005, 2007, 2008, 2012, 2013}
    detail = call(farm, "supported_plugin", {"cgId": 2005, "osName": "windows"})
    assert {version["cgName"] for version in detail["cgVersion"]} == {"Cinema 4D"}
    assert refused(farm, "supported_plugin", {"cgId": 9999}) == 600
    assert refused(farm, "supported_plugin", {"cgId": 2000, "osName": "beos"}) == 600
    assert next(p["taskPrefix"] for p in call(farm, "platforms", {"zone": 1})) == "2W"
    assert refused(farm, "platforms", {}) == 601
    assert refused(farm, "platforms", {"zone": 3}) == 600
    errors = call(farm, "error_detail", {"codes": ["15000", "99999"], "language": 1})
    assert [(e["code"], e["languageFlag"]) for e in errors] == [("15000", 1)]
    assert call(farm, "error_detail", {"code": 10010})[0]["code"] == "10010"
    assert refused(farm, "error_detail", {}) == 601
    configs = call(farm, "get_hardware_config", {"cloneTask": "false"})
    assert [c["current"] for c in configs].count(True) == 1
    assert call(farm, "get_pack_node_info", {})[0].keys() == {"packNodeId", "packName"}


def test_hardware_config_of_a_task() -> None:
    farm = make_farm()
    task_id = submitted(farm)
    config = {"hardwareConfigIds": ["3"], "model": "RTX 3090", "gpuNum": "2*GPU", "ram": "128GB"}
    call(farm, "edit_task_hardware_config", {"taskIds": [task_id], **config})
    configs = call(farm, "get_hardware_config", {"taskIds": [task_id]})
    assert [c["id"] for c in configs if c["current"]] == [3]
    body = {"taskIds": [task_id], "hardwareConfigIds": [99], "model": "x", "gpuNum": "1", "ram": "1"}
    assert refused(farm, "edit_task_hardware_config", body) == 404
    assert refused(farm, "edit_task_hardware_config", {**body, "hardwareConfigIds": [1], "ram": None}) == 601


def test_transfer_information() -> None:
    farm = make_farm()
    bid = call(farm, "get_transfer_bid", {})
    assert {"config_bid", "output_bid", "input_bid"} <= bid.keys()
    config = call(farm, "get_transfer_config", {})
    assert config["outputBid"] == bid["output_bid"]
    assert [engine["engineName"] for engine in config["resqEngines"]] == ["trtt", "RaySync", "Aspera"]
    assert [engine["isDefault"] for engine in config["resqEngines"]] == [0, 1, 0]
    assert config["subUserOutputBids"] == bid["sub_user_output_bids"] == [{"userId": "100002", "outputBid": "20202"}]
    assert call(farm, "get_transfer_server_msg", {"zone": 2})["raysyncTransfer"]["port"] == 2442
    key = call(farm, "get_raysync_user_key", {})
    assert key["userName"] == farm.account.user_name
    assert key["raySyncUserKey"]


def test_operation_and_login_records() -> None:
    farm = make_farm()
    task_id = submitted(farm)
    call(farm, "stop_task", {"taskIds": [task_id]})
    records = call(farm, "task_record", {"pageNum": 1, "pageSize": 10})
    assert [r["buttonName"] for r in records["items"]] == ["stop_task", "submit_task", "create_task"]
    assert all(json.loads(r["taskIds"]) == [task_id] for r in records["items"])
    assert call(farm, "task_record", {"startDate": "2999-01-01"})["total"] == 0
    call(farm, "query_user_profile", {})
    call(farm, "query_user_profile", {})
    assert call(farm, "login_record", {"pageSize": 1})["pageCount"] == 2


def test_outputs_thumbnails_progress_and_logs() -> None:
    farm = make_farm(failure_rule=lambda frame: frame.index == "2")
    task_id = submitted(farm, "1-2")
    farm.advance(1000)
    frames = call(farm, "task_frames", {"taskId": task_id})["items"]
    good, bad = frames[0]["id"], frames[1]["id"]
    assert len(call(farm, "get_frame_thumbnail", {"id": good, "frameStatus": 4})) == 1
    assert call(farm, "get_frame_thumbnail", {"id": bad, "frameStatus": 4}) == []
    assert refused(farm, "get_frame_thumbnail", {"id": 5}) == 404

    files = call(farm, "get_output_files", {"taskId": task_id, "treePath": "/"})
    assert [f["fileName"].rsplit(".", 2)[-2] for f in files] == ["1"]
    folders = call(farm, "get_output_files", {"treePath": "/"})
    assert [f["directory"] for f in folders] == [True]
    assert call(farm, "get_output_files", {"treePath": folders[0]["filePath"]}) == files

    progress = call(farm, "get_task_processing_img", {"taskId": task_id})
    assert progress["currentTaskType"] == "Render"
    assert [cell[0]["frameStatus"] for cell in progress["grabInfo"]] == ["4", "5"]
    log = call(farm, "get_render_log", {"id": bad, "pageNum": 1, "pageSize": 10})
    assert any("failed" in line for line in log["items"])
    stats = call(farm, "all_frame_status", {})
    assert (stats["doneFramesTotal"], stats["failedFramesTotal"], stats["totalFrames"]) == (1, 1, 2)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, 601),
        ({"taskIds": []}, 601),
        ({"taskIds": 5}, 600),
        ({"taskIds": [True]}, 600),
        ({"taskIds": [1.5]}, 600),
        ({"taskIds": ["abc"]}, 600),
        ({"taskIds": [123456]}, 404),
    ],
)
def test_task_ids_validation(body: dict[str, Any], code: int) -> None:
    assert refused(make_farm(), "stop_task", body) == code


def test_numeric_strings_are_accepted_like_the_java_binder() -> None:
    farm = make_farm()
    task_id = submitted(farm)
    call(farm, "stop_task", {"taskIds": [str(task_id)]})
    assert call(farm, "task_info", {"taskIds": [task_id]})["items"][0]["taskStatus"] == 10
