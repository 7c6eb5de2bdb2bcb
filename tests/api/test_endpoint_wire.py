"""Every endpoint of the user, task, tag, env and transmit groups, on the wire, in both path sets.

Expected paths and bodies are written by hand from incumbent-sdk-facts.md §B
(current set) and protocol-v5-2020-en.txt (2018 set); the query group is in
``test_endpoint_wire_query.py``. Each table row is one parametrized test per
path set; a row without a case here fails.
"""

from __future__ import annotations

from typing import Any

import pytest

from helpers.wire_harness import FOX, INVALID, SKIP, UNSUPPORTED, Case, JsonText, case, check_case, params_for
from rayvision_async.models import CreatedTasks, Project, ProjectList, TransferConfig, UserProfile

TASKS = [1111307, 1111309]
ENV = {"cgId": 2000, "cgName": "Maya", "cgVersion": "2020", "renderLayerType": 0, "editName": "testRenderEnv",
       "renderSystem": 0, "pluginIds": [1166]}
PAGE: dict[str, Any] = {"pageCount": 1, "pageNum": 1, "total": 1, "size": 10}

CASES: dict[str, list[Case]] = {
    # ---- B.1 api.user ----------------------------------------------------------------------------
    "query_user_profile": [case(
        "/api/render/setUp/queryUserProfile", "/api/render/user/queryUserProfile", body={},
        reply={"userId": 10001136, "userName": "rayvision", "platform": 2, "zone": 1, "rmbbalance": 0,
              "coupon": 49.93, "cpuPrice": 0.67, "gpuPrice": 20, "studentEndTime": None})],
    "query_user_setting": [case(
        "/api/render/setUp/queryUserSetting", "/api/render/user/queryUserSetting", body={},
        reply={"infoStatus": None, "singleNodeRenderFrames": "1", "maxIgnoreMapFlag": "1", "autoCommit": "2",
              "mifileSwitchFlag": 0, "downloadDisable": 0, "taskOverTime": 12, "taskOverTimeSec": 43200})],
    "update_user_settings": [case(
        "/api/render/setUp/updateUserSetting", "/api/render/user/updateUserSetting", 7200,
        body={"taskOverTimeSec": 7200}, legacy={"taskOverTime": 2})],  # the 2018 field is in hours
    "get_transfer_bid": [case(
        "/api/render/transfer/getBid", "/api/render/task/getTransferBid", body={},
        reply={"config_bid": "30201", "output_bid": "20201", "input_bid": "10201", "parent_input_bid": "10200",
              "sub_user_output_bids": [{"userId": 7, "outputBid": "20207"}]})],
    "get_hardware_config": [
        case("/api/render/hardwareConfig/list", None, body={"cloneTask": "false"},
             reply=[{"id": 223, "type": 2, "model": "1080Ti", "gpuNum": 2, "ram": "64GB", "platform": 2,
                    "current": True, "notSupportCgId": [2013], "notSupportCgVersions": [
                        {"cgId": 2000, "cgVersionName": "2016"}], "notSupportPluginList": ["^redshift"]}]),
        case("/api/render/hardwareConfig/list", None, task_ids=[3, 4],
             body={"cloneTask": "false", "taskIds": [3, 4]}, reply=[]),
    ],
    "task_record": [
        case("/api/render/handle/operate/sdk/taskRecord", None, client_platform="2",
             body={"pageNum": 1, "pageSize": 10, "startDate": "", "endDate": "", "platform": 2},
             reply={**PAGE, "items": [{"userName": "u", "taskType": "render", "buttonName": "stop",
                                      "taskIds": "[19097]", "channel": 4, "details": "", "userId": 7}]}),
        case("/api/render/handle/operate/sdk/taskRecord", None, 2, 5, "2020-01-01", "2020-02-01",
             client_platform="21", body={"pageNum": 2, "pageSize": 5, "startDate": "2020-01-01",
                                  "endDate": "2020-02-01", "platform": 21}, reply={**PAGE, "items": []}),
    ],
    "login_record": [case(
        "/api/render/handle/operate/sdk/loginRecord", None, pageSize=20, startDate="2020-01-01 00:00:00",
        body={"pageNum": 1, "pageSize": 20, "startDate": "2020-01-01 00:00:00", "endDate": ""},
        reply={**PAGE, "items": [{"id": 1, "userId": 7, "userName": "u", "loginType": 1, "loginStatus": 1,
                                 "ip": "10.0.0.1", "loginTime": 1565682011157}]})],
    # ---- B.2 api.task ----------------------------------------------------------------------------
    "create_task": [
        case("/api/render/submit/createTask", "/api/render/task/createTask",
             body={"count": 1, "taskUserLevel": 50}, legacy={"count": 1, "taskUserLevel": 50},
             reply={"aliasTaskIdList": ["2W19097"], "taskIdList": [19097], "userId": 7},
             result=CreatedTasks(task_id_list=(19097,), alias_task_id_list=("2W19097",), user_id=7)),
        case("/api/render/submit/createTask", "/api/render/task/createTask", count=2, out_user_id=100001,
             labels=["a"], clone_original_id=5, artist="bob",
             body={"count": 2, "taskUserLevel": 50, "outUserId": 100001, "labels": ["a"], "cloneOriginalId": 5,
                   "artist": "bob"},
             legacy=INVALID,  # the 2018 documents know no clone or artist: refused, not dropped
             reply={"aliasTaskIdList": ["2W1", "2W2"], "taskIdList": [1, 2]}),
        case("/api/render/submit/createTask", "/api/render/task/createTask", count=2, out_user_id=100001,
             body={"count": 2, "taskUserLevel": 50, "outUserId": 100001},
             legacy={"count": 2, "taskUserLevel": 50, "outUserId": 100001},
             reply={"aliasTaskIdList": ["2W1", "2W2"], "taskIdList": [1, 2]}),
        # the legacy usage document's create-task parameters: count, out_user_id, task_user_level, labels
        case("/api/render/submit/createTask", "/api/render/task/createTask", count=1, task_user_level=60,
             labels=["label_test1", "label_test2"],
             body={"count": 1, "taskUserLevel": 60, "labels": ["label_test1", "label_test2"]},
             legacy={"count": 1, "taskUserLevel": 60, "labels": ["label_test1", "label_test2"]},
             reply={"aliasTaskIdList": ["2W1"], "taskIdList": [1]}),
    ],
    "submit_task": [
        case("/api/render/submit/task", "/api/render/task/submitTask", 19111, body={"taskId": 19111}),
        case("/api/render/submit/task", "/api/render/task/submitTask", 19111, producer="me",
             body={"taskId": 19111, "producer": "me"}, legacy=INVALID),
    ],
    "stop_task": [case("/api/rendering/task/renderingTask/stopTask", "/api/render/task/stopTask", TASKS,
                       body={"taskIds": TASKS}, legacy={"taskParam": TASKS})],
    "start_task": [case("/api/rendering/task/renderingTask/startTask", "/api/render/task/startTask", TASKS,
                        body={"taskIds": TASKS}, legacy={"taskParam": TASKS})],
    "abort_task": [case("/api/render/handle/abandonTask", "/api/render/task/abortTask", TASKS,
                        body={"taskIds": TASKS}, legacy={"taskParam": TASKS})],
    "delete_task": [case("/api/render/handle/deleteTask", "/api/render/task/deleteTask", TASKS,
                         body={"taskIds": TASKS}, legacy={"taskParam": TASKS})],
    "update_priority": [case("/api/rendering/task/renderingTask/updateTaskUserLevel", None, 5, 60,
                             body={"taskId": 5, "taskUserLevel": 60})],
    "set_task_overtime_stop": [
        case("/api/render/handle/setTaskOverTimeStop", "/api/render/task/setOverTimeStop", [485], 1800,
             body={"taskIds": [485], "overTime": 1800}, reply="SUCCESS", result="SUCCESS"),
        case("/api/render/handle/setTaskOverTimeStop", "/api/render/task/setOverTimeStop", [485], overtime=60,
             body={"taskIds": [485], "overTime": 60}, reply="SUCCESS", via="set_task_overtime_top"),
    ],
    "full_speed": [case("/api/render/handle/fullSpeedRendering", "/api/render/task/fullSpeed", [896587],
                        body={"taskIds": [896587]}, reply="success", result="success")],
    "update_task_limit": [case("/api/render/handle/updateTaskLimit", None, 5, 10,
                               body={"taskId": 5, "taskLimit": 10}, reply=None)],
    "edit_task_hardware_config": [case(  # the values of sign-vectors.json "list_of_lists", with flat task ids
        "/api/render/handle/editTaskHardwareConfig", None, [1, 2], ["223"], "1080Ti", "2*GPU", "64GB",
        body={"taskIds": [1, 2], "hardwareConfigIds": ["223"], "model": "1080Ti", "gpuNum": "2*GPU",
              "ram": "64GB"})],
    # ---- B.4 api.tag -----------------------------------------------------------------------------
    "add_label": [
        case("/api/render/project/add", "/api/render/common/addLabel", "myLabel", status=0,
             body={"newName": "myLabel", "status": 0}, legacy={"newName": "myLabel", "status": "0"}),  # String
        case("/api/render/project/add", "/api/render/common/addLabel", "myLabel",
             body={"newName": "myLabel", "status": 1}, legacy={"newName": "myLabel", "status": "1"}),
    ],
    "delete_label": [case("/api/render/project/delete", "/api/render/common/deleteLabel", "myLabel",
                          body={"delName": "myLabel"})],
    "get_label_list": [case("/api/render/project/getList", "/api/render/common/getLabelList", body={},
                            reply={"projectNameList": [{"projectId": 3671, "projectName": "myLabel"}]})],
    "add_task_tag": [case("/api/render/handle/addTaskLabel", None, "myLabel", [1, 2],
                          body={"label": "myLabel", "taskIds": [1, 2]})],
    "delete_task_tag": [
        case("/api/render/handle/deleteTaskLabel", None, [1], ["myLabel"],
             body={"taskIds": [1], "labelNames": ["myLabel"], "labelIds": []}),
        case("/api/render/handle/deleteTaskLabel", None, [1], [], tag_ids=[3],
             body={"taskIds": [1], "labelNames": [], "labelIds": [3]}),
    ],
    "get_list": [
        case("/api/render/project/list", None, body={"flag": 0},
             reply={"projectNameList": [{"projectId": 3671, "projectName": "myLabel"}]},
             result=ProjectList(project_name_list=(Project(project_id=3671, project_name="myLabel"),))),
        case("/api/render/project/list", None, flag=2, body={"flag": 2}, reply={"projectNameList": []}),
    ],
    # ---- B.5 api.env -----------------------------------------------------------------------------
    "add_render_env": [
        case("/api/render/plugin/addUserPluginConfig", "/api/render/common/addRenderEnv", ENV, body=ENV,
             reply={"editName": "testRenderEnv"}),
        case("/api/render/plugin/addUserPluginConfig", "/api/render/common/addRenderEnv",
             data={**ENV, "projectPath": "D:/project"}, body={**ENV, "projectPath": "D:/project"}),
    ],
    "update_render_env": [case(
        "/api/render/plugin/editUserPluginConfig", "/api/render/common/updateRenderEnv", {**ENV, "pluginIds": []},
        body={**ENV, "pluginIds": []})],
    "delete_render_env": [case("/api/render/plugin/deleteUserPluginConfig", "/api/render/common/deleteRenderEnv",
                               "testRenderEnv", body={"editName": "testRenderEnv"})],
    "set_default_render_env": [case(
        "/api/render/plugin/setDefaultUserPluginConfig", "/api/render/common/setDefaultRenderEnv", "testRenderEnv",
        body={"editName": "testRenderEnv"})],
    "get_render_env": [
        case("/api/render/plugin/getUserPluginConfig", "/api/render/common/getRenderEnv", name="houdini",
             body={"cgId": 2004, "osName": 1}, legacy={"cgId": 2004},
             reply=[{"cgId": 2004, "editName": "h", "cgName": "Houdini", "cgVersion": "18.0", "osName": 1,
                    "renderLayerType": 0, "isDefault": 1, "respUserPluginInfoVos": [
                        {"pluginId": 1166, "pluginName": "wobble", "pluginVersion": "wobble 0.9.5"}]}]),
        case("/api/render/plugin/getUserPluginConfig", "/api/render/common/getRenderEnv",
             body={"osName": 1}, legacy={}, reply=[]),
        case("/api/render/plugin/getUserPluginConfig", "/api/render/common/getRenderEnv",
             cg_names=["maya", "houdini"], os_name=0, body={"cgIds": ["2000", "2004"], "osName": 0},
             legacy=SKIP, reply=[]),
    ],
    # ---- B.6 api.transmit ------------------------------------------------------------------------
    "upload_json_content": [
        case("/api/render/submit/taskJsonFile", None, 5, '{"a": 1}',
             body={"taskId": 5, "fileName": "task.json", "content": JsonText({"a": 1})}),
        case("/api/render/submit/taskJsonFile", None, 5, {"software_config": {"cg_name": "Maya"}},
             file_name="upload.json", body={"taskId": 5, "fileName": "upload.json",
                                            "content": JsonText({"software_config": {"cg_name": "Maya"}})}),
    ],
    "get_transfer_config": [case(
        "/api/render/transfer/getConfig", None, body={},
        reply={"inputBid": "10201", "outputBid": "20201", "configBid": "30201", "parentInputBid": "10200",
              "resqEngines": [{"engineName": "RaySync", "checkServer": "127.0.0.1", "checkPort": "2442",
                               "checkEnable": 1, "isDefault": 1,
                               "resqEngineAccounts": [{"bid": "10201", "name": "n", "password": "p"}],
                               "respTaskEngineLines": [{"name": "line", "server": "127.0.0.1", "port": 2442,
                                                        "isDefault": 1, "lineId": 1, "type": 1}]}],
              "subUserOutputBids": [{"userId": 7, "outputBid": "20207"}]})],
    "get_output_files": [
        case("/api/render/file/operate/getOutputUserDirFile", None, body={"treePath": "/"},
             reply=[{"fileName": "a.png", "fileSize": 10, "filePath": "/a.png", "directory": False,
                    "isArrears": False, "fileType": "png"}]),
        case("/api/render/file/operate/getOutputUserDirFile", None, task_id=5, tree_path="/x",
             body={"taskId": 5, "treePath": "/"}, reply=[]),  # treePath is forced to "/" with a task id
    ],
}

@pytest.mark.parametrize(("group", "name", "protocol"), params_for({"user", "task", "tag", "env", "transmit"}))
async def test_endpoint_on_the_wire(group: str, name: str, protocol: str) -> None:
    assert name in CASES, f"no wire case for {group}.{name}: add one from the spec documents"
    for item in CASES[name]:
        await check_case(group, name, item, protocol)


async def test_other_region_and_results() -> None:
    """The domain-dependent default and a few structured results."""
    profile = case("/api/render/setUp/queryUserProfile", "/api/render/user/queryUserProfile", body={},
                   domain=FOX, reply={"userId": 1, "userName": "x"}, result=UserProfile(user_id=1, user_name="x"))
    await check_case("user", "query_user_profile", profile, "current")
    config = case("/api/render/transfer/getConfig", None, body={}, reply={"inputBid": "1"},
                  result=TransferConfig(input_bid="1"))
    await check_case("transmit", "get_transfer_config", config, "current")
    assert config.legacy_body == UNSUPPORTED


async def test_delete_task_tag_with_explicit_none() -> None:
    item = case("/api/render/handle/deleteTaskLabel", None, [1], ["myLabel"], None,
                body={"taskIds": [1], "labelNames": ["myLabel"], "labelIds": []})
    await check_case("tag", "delete_task_tag", item, "current")
