"""Every endpoint of the query group, on the wire, in both path sets (see ``test_endpoint_wire.py``).

Expected paths and bodies are written by hand from incumbent-sdk-facts.md §B.3
(current set) and protocol-v5-2020-en.txt (2018 set).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from helpers.wire_harness import FOX, INVALID, SKIP, THIS_OS, Case, case, check_case, params_for
from rayvision_async.models import FrameStats

PAGE: dict[str, Any] = {"pageCount": 32, "pageNum": 1, "total": 32, "size": 1}
TASK = {"sceneName": "cloakroom.max", "id": 18278, "taskAlias": "P18278", "taskStatus": 0,
        "statusText": "render_task_status_0", "preTaskStatus": 25, "totalFrames": 0, "abortFrames": None,
        "framesRange": "0", "renderConsume": None, "taskArrears": 0, "submitDate": 1535602289000,
        "taskLevel": 79, "taskLimit": 200, "cgId": 2001, "renderCamera": "VRayCam003",
        "taskKeyValueVo": {"tiles": None, "allCamera": None, "renderableCamera": None},
        "respRenderingTaskList": None}
FRAME = {"id": 1546598, "frameIndex": "0-1", "frameStatus": 4, "feeAmount": 0.44, "startTime": 1535960273000,
         "endTime": 1535960762000, "frameExecuteTime": 489, "frameStatusText": "task_frame_status_4",
         "munuJobId": "0", "taskId": 19088, "frameType": 5, "couponFee": 0, "recommitFlag": 0, "frameBlock": "1",
         "taskOverTime": 86400000}
PLATFORMS = [{"platform": 2, "name": "query_platform_w2"}]
SERVER = {"clientVersion": "3.2.8.2", "protocolVersion": "3.2.8.2",
          "raysyncTransfer": {"serverIp": "127.0.0.1", "serverPort": 2121, "proxyIp": "42.123.110.38",
                              "proxyPort": 32001, "sslPort": 2443, "port": 2442}}
TASKS = [1111307, 1111309]

CASES: dict[str, list[Case]] = {
    "platforms": [
        case("/api/render/common/queryPlatforms", "/api/render/common/queryPlatforms", body={"zone": 1},
             reply=PLATFORMS),
        case("/api/render/common/queryPlatforms", "/api/render/common/queryPlatforms", body={"zone": 2},
             reply=PLATFORMS, domain=FOX),
        case("/api/render/common/queryPlatforms", "/api/render/common/queryPlatforms", zone=2, body={"zone": 2},
             reply=[]),
    ],
    "error_detail": [
        case("/api/render/submit/queryAnalyseErrorDetail", "/api/render/common/queryErrorDetail", code="15000",
             body={"code": "15000", "language": 0}, legacy={"code": "15000", "language": "0"},  # String in 2018
             reply=[{"id": 5, "code": "15000", "type": 1, "languageFlag": 0, "desDescriptionCn": "Stuck",
                     "desSolutionCn": "1. Check", "solutionPath": "http://note.youdao.com/x", "isRepair": 0,
                     "isDelete": 1, "isOpen": 1, "lastModifyAdmin": "", "updateTime": 1534387709000}]),
        case("/api/render/submit/queryAnalyseErrorDetail", "/api/render/common/queryErrorDetail", code="15000",
             language=1, body={"code": "15000", "language": 1}, legacy={"code": "15000", "language": "1"}, reply=[]),
        case("/api/render/submit/queryAnalyseErrorDetail", "/api/render/common/queryErrorDetail",
             codes=["15000", "15001"], body={"codes": ["15000", "15001"], "language": 0}, legacy=SKIP, reply=[]),
    ],
    "get_task_list": [
        case("/api/render/handle/getTaskList/v2", "/api/render/task/getTaskList", body={"pageNum": 1, "pageSize": 100},
             reply={**PAGE, "items": [TASK]}),
        case("/api/render/handle/getTaskList/v2", "/api/render/task/getTaskList", page_num=2, page_size=10,
             status_list=[0, 5, 25], body={"pageNum": 2, "pageSize": 10, "statusList": [0, 5, 25]},
             reply={**PAGE, "items": []}),
        case("/api/render/handle/getTaskList/v2", "/api/render/task/getTaskList", status_list=[],
             search_keyword="", recycle_flag=0, body={"pageNum": 1, "pageSize": 100}, reply={**PAGE, "items": []}),
        case("/api/render/handle/getTaskList/v2", "/api/render/task/getTaskList", search_keyword="cloak",
             start_time=dt.datetime(2020, 1, 2, 3, 4, 5), end_time="2020-02-01 00:00:00", recycle_flag=1,
             body={"pageNum": 1, "pageSize": 100, "searchKeyword": "cloak", "startTime": "2020-01-02 03:04:05",
                   "endTime": "2020-02-01 00:00:00", "recycleFlag": 1},
             legacy=SKIP, reply={**PAGE, "items": []}),  # the 2018 getTaskList documents none of these four
    ],
    "task_frames": [
        case("/api/render/handle/queryTaskFrames", "/api/render/task/queryTaskFrames", 19088, page_size=2,
             body={"taskId": 19088, "pageNum": 1, "pageSize": 2}, reply={**PAGE, "items": [FRAME]}),
        case("/api/render/handle/queryTaskFrames", "/api/render/task/queryTaskFrames", 19088, 3, 50, "cam",
             body={"taskId": 19088, "pageNum": 3, "pageSize": 50, "searchKeyword": "cam"},
             reply={**PAGE, "items": []}),
    ],
    "all_frame_status": [case(
        "/api/render/handle/queryAllFrameStats", "/api/render/task/queryAllFrameStats", body={},
        reply={"executingFramesTotal": 1, "doneFramesTotal": 308, "failedFramesTotal": 2,
               "waitingFramesTotal": 153, "totalFrames": 577},
        result=FrameStats(executing_frames_total=1, done_frames_total=308, failed_frames_total=2,
                          waiting_frames_total=153, total_frames=577))],
    "restart_failed_frames": [
        case("/api/render/handle/recommitTasks", "/api/render/task/restartFailedFrames", TASKS,
             body={"taskIds": TASKS}, legacy={"taskParam": TASKS}),
        case("/api/render/handle/recommitTasks", "/api/render/task/restartFailedFrames", TASKS, status=[5],
             body={"taskIds": TASKS, "status": [5]}, legacy=SKIP),
    ],
    "restart_frame": [  # taskId in both sets: the 2018 document's restartFrame request
        case("/api/render/handle/recommitTaskFrames", "/api/render/task/restartFrame", 7, select_all=0,
             ids_list=[1, 2], body={"taskId": 7, "selectAll": 0, "ids": [1, 2]}),
        case("/api/render/handle/recommitTaskFrames", "/api/render/task/restartFrame", 10001,
             body={"taskId": 10001, "selectAll": 1}),
        case("/api/render/handle/recommitTaskFrames", "/api/render/task/restartFrame", 7, ids_list=[1],
             body={"taskId": 7, "selectAll": 1}),  # ids only if selectAll≠1
    ],
    "task_info": [case(
        "/api/render/handle/queryTaskInfo/v2", "/api/render/task/queryTaskInfo", [1, 2], body={"taskIds": [1, 2]},
        reply={"pageCount": 1, "pageNum": 1, "total": 1, "size": 100, "userAccountConsume": 1.31,
               "items": [{**TASK, "respRenderingTaskList": [{**TASK, "id": 19087, "layerParentId": 18278}]}]})],
    "supported_software": [case(
        "/api/render/plugin/querySoftwareList", "/api/render/common/querySupportedSoftware", body={},
        reply={"isAutoCommit": 2, "defaultCgId": 2001, "renderInfoList": [
            {"cgId": 2000, "cgName": "Maya", "cgType": "ma;mb", "iconPath": "/img/softimage/maya.png",
             "isNeedProjectPath": 3, "isNeedAnalyse": 1, "isSupportLinux": 1}]})],
    "supported_plugin": [
        case("/api/render/plugin/querySoftwareDetail", "/api/render/common/querySupportedPlugin", "maya",
             body={"cgId": 2000, "osName": THIS_OS}, legacy={"cgId": 2000},
             reply={"cgPlugin": [{"cvId": 19, "pluginName": "zblur", "pluginVersions": [
                 {"pluginId": 1652, "pluginName": "zblur", "pluginVersion": "zblur 2.02.019"}]}],
                 "cgVersion": [{"id": 23, "cgId": 2005, "cgName": "CINEMA 4D", "cgVersion": "R19"}]}),
        case("/api/render/plugin/querySoftwareDetail", "/api/render/common/querySupportedPlugin", "3ds Max",
             os_name="windows", body={"cgId": 2001, "osName": "windows"}, legacy=INVALID, reply={}),
    ],
    "get_transfer_server_msg": [  # the official SDK inverts the zone of queryPlatforms (2018: see DIVERGENT)
        case("/api/render/transfer/getServerInfo", "/api/render/task/getTransferServerMsg", body={"zone": 2},
             legacy=SKIP, reply=SERVER),
        case("/api/render/transfer/getServerInfo", "/api/render/task/getTransferServerMsg", body={"zone": 1},
             legacy=SKIP, reply=SERVER, domain=FOX),
        case("/api/render/transfer/getServerInfo", "/api/render/task/getTransferServerMsg", zone=1,
             body={"zone": 1}, reply=SERVER),
    ],
    "get_raysync_user_key": [case(
        "/api/render/transfer/getRaySyncUserKey", "/api/render/user/getRaySyncUserKey", body={},
        reply={"channel": 2, "platform": 2, "signature": "rayvision2017", "userKey": "5394a44e",
               "id": 1868599, "userName": "wsh_12345", "zone": 1, "loginTime": 1565682011157,
               "raySyncUserKey": "40d59041f72809ffaa16146a36780595666c681e"})],
    "get_task_processing_img": [
        case("/api/render/handle/loadTaskProcessImg", "/api/render/task/loadTaskProcessImg", 389406,
             body={"taskId": 389406},
             reply={"block": 16, "currentTaskType": "Render", "height": 1500, "width": 2000,
                    "sceneName": "3d66.com_589250.max-Camera007", "startTime": "2018-11-09 18:27:40",
                    "grabInfo": [[{"couponFee": "0.00", "frameIndex": "0", "renderInfo": "", "frameBlock": "1",
                                   "frameEst": "0", "grabUrl": "/mnt/output/a.jpg", "feeAmount": "0.20",
                                   "frameUsed": "66", "frameStatus": "4", "framePercent": "100",
                                   "isMaxPrice": "0", "startTime": "2018-11-09 18:28:26",
                                   "endTime": "2018-11-09 18:29:32"}]]}),
        case("/api/render/handle/loadTaskProcessImg", "/api/render/task/loadTaskProcessImg", 389406, frame_type=2,
             body={"taskId": 389406, "frameType": 2}, reply={}),
    ],
    "get_frame_thumbnail": [
        case("/api/render/handle/loadingFrameThumbnail", "/api/render/task/loadingFrameThumbnail", 264,
             body={"id": 264, "frameStatus": 4}, reply=["small_pic\\100000\\100001\\138\\Render_264.jpg"],
             result=("small_pic\\100000\\100001\\138\\Render_264.jpg",)),
        case("/api/render/handle/loadingFrameThumbnail", "/api/render/task/loadingFrameThumbnail", 264, 4,
             body={"id": 264, "frameStatus": 4}, reply=[], via="get_frame_thumbnall"),
    ],
    "stop_frame": [
        case("/api/render/handle/stopTaskFrames", None, 7, select_all=0, ids_list=[1, 2],
             body={"taskId": 7, "selectAll": 0, "ids": [1, 2]}),
        case("/api/render/handle/stopTaskFrames", None, 7, status=[1], body={"taskId": 7, "selectAll": 1,
                                                                              "status": [1]}),
    ],
    "get_render_log": [case(
        "/api/render/handle/showLog", None, frame_id=1546598,
        body={"renderingType": "render", "pageNum": 1, "pageSize": 1, "id": 1546598},
        reply={"items": [{"line": "render started"}]}, result={"items": [{"line": "render started"}]})],
    "get_pack_node_info": [case("/api/render/submit/getUserPackNodeInfo", None, body={},
                                reply=[{"packNodeId": 1, "packName": "pack-a"}])],
}

@pytest.mark.parametrize(("group", "name", "protocol"), params_for({"query"}))
async def test_query_endpoint_on_the_wire(group: str, name: str, protocol: str) -> None:
    assert name in CASES, f"no wire case for {group}.{name}: add one from the spec documents"
    for item in CASES[name]:
        await check_case(group, name, item, protocol)


#: Calls where the 2018 documents differ from what the current path set sends.
LEGACY_SPECIFICS = [
    pytest.param("error_detail", case(
        "/api/render/submit/queryAnalyseErrorDetail", "/api/render/common/queryErrorDetail", codes=["15000"],
        body={"codes": ["15000"], "language": 0}, legacy=INVALID, reply=[]), "2018",
        id="error_detail-codes_only-2018"),
    # protocol-v5 getTransferServerMsg: "China: 1; other countries: 2" (the current set inverts it)
    pytest.param("get_transfer_server_msg", case(
        "/api/render/transfer/getServerInfo", "/api/render/task/getTransferServerMsg", body={"zone": 2},
        legacy={"zone": 1}, reply=SERVER), "2018", id="get_transfer_server_msg-renderbus-2018"),
    pytest.param("get_transfer_server_msg", case(
        "/api/render/transfer/getServerInfo", "/api/render/task/getTransferServerMsg", body={"zone": 1},
        legacy={"zone": 2}, reply=SERVER, domain=FOX), "2018", id="get_transfer_server_msg-fox-2018"),
]


@pytest.mark.parametrize(("name", "item", "protocol"), LEGACY_SPECIFICS)
async def test_legacy_specifics(name: str, item: Case, protocol: str) -> None:
    await check_case("query", name, item, protocol)
