"""The endpoint table: the whole API surface of the service, in one place.

Each :class:`~._row.Endpoint` row says which client group and method it becomes,
its path in the current path set (version header 2.0.0, as the official SDK
3.0.4.3 sends) and in the 2018–2020 protocol set (version header 1.0.0; ``None``
where the operation did not exist), its parameters (Python name → wire name,
kind, default, when it is sent), its result type, whether repeating it is safe,
and how it pages. ``python -m rayvision_async.api._generate`` writes the methods
of ``_generated/`` from these rows.

Method and keyword names are the official SDK's (so porting is "add
``await``"), including its camelCase keywords where it has them.
"""

from __future__ import annotations

from typing import Any

from ..models import (
    CreatedRenderEnv,
    CreatedTasks,
    ErrorCodeInfo,
    FrameInfo,
    FrameStats,
    HardwareConfig,
    LoginRecord,
    OperationRecord,
    OutputFile,
    PackNode,
    Page,
    Platform,
    ProjectList,
    RaySyncUserKey,
    RenderEnv,
    SoftwareDetail,
    SupportedSoftware,
    TaskInfo,
    TaskInfoPage,
    TaskProgress,
    TransferBid,
    TransferConfig,
    TransferServerInfo,
    UserProfile,
    UserSetting,
)
from ..models._base import PATHS_OR_TEXT
from . import _kinds as kinds
from ._row import OMIT, SPREAD, Context, Endpoint, Param, Send, optional

__all__ = ["ENDPOINTS", "GROUPS", "ROWS"]

# Frequently used kinds. Every int kind is bounded by its Java field's width (``kinds.integer``: Integer,
# 32 bits, unless ``width=kinds.INT64`` for a Long); ids are Long (see ``_service_ints``).
ID = kinds.integer(1, width=kinds.INT64)
IDS = kinds.list_of(ID, max_items=1000)
PAGE = kinds.integer(1, 100_000)
#: The service's Integer fields are Java ints; no document caps a page size (the usage doc's "maximum
#: of 100" is get_all_frames' default).
INT32_MAX = 2**31 - 1
PAGE_SIZE = kinds.integer(1, INT32_MAX)
#: Frame ids: the 2018 protocol's own restartFrame example sends ids 0–3.
FRAME_IDS = kinds.list_of(kinds.integer(0, width=kinds.INT64))  # ids are Long (the usage doc shows 665078505)
NAME = kinds.text(nonempty=True, max_len=255)
#: The usage document's keyword for a render environment (``add_render_env(render_env=env)``).
RENDER_ENV_KEYWORD = Param("render_env", wire=SPREAD, kind=kinds.RENDER_ENV, default=None, alias_for="data",
                           doc="the usage document's keyword for data (give one of the two)")
TASK_IDS = Param("task_param_list", wire="taskIds", kind=IDS, legacy_wire="taskParam", doc="task ids")


ENDPOINTS: tuple[Endpoint, ...] = (
    # ---- user ------------------------------------------------------------------------------------------------
    Endpoint(group="user", name="query_user_profile", path="/api/render/setUp/queryUserProfile",
             legacy_path="/api/render/user/queryUserProfile", returns=UserProfile, idempotent=True,
             doc="The account's profile: ids, balances, prices, flags."),
    Endpoint(group="user", name="query_user_setting", path="/api/render/setUp/queryUserSetting",
             legacy_path="/api/render/user/queryUserSetting", returns=UserSetting, idempotent=True,
             doc="The account's render settings."),
    Endpoint(group="user", name="update_user_settings", path="/api/render/setUp/updateUserSetting",
             legacy_path="/api/render/user/updateUserSetting", returns=None, idempotent=True,
             doc="Set the task timeout, in seconds (the 2018 path set sends whole hours, rounded up).",
             params=(
                Param("task_over_time", wire="taskOverTimeSec", kind=kinds.integer(1), legacy_wire="taskOverTime",
                      doc="task timeout in seconds (the 2018 set sends ceil(seconds / 3600) hours)",
                      legacy_divisor=3600),
             )),
    Endpoint(group="user", name="get_transfer_bid", path="/api/render/transfer/getBid",
             legacy_path="/api/render/task/getTransferBid", returns=TransferBid, idempotent=True,
             doc="Transfer bucket ids for input, output and config files."),
    Endpoint(group="user", name="get_hardware_config", path="/api/render/hardwareConfig/list", legacy_path=None,
             returns=tuple[HardwareConfig, ...], idempotent=True,
             doc="Hardware configurations (CPU/GPU models) for tasks.", fixed={"cloneTask": "false"},
             params=(
                optional("task_ids", wire="taskIds", kind=kinds.list_of(ID, nonempty=False)),
             )),
    Endpoint(group="user", name="task_record", path="/api/render/handle/operate/sdk/taskRecord", legacy_path=None,
             returns=Page[OperationRecord], idempotent=True, doc="One page of the account's task operation records.",
             paging="records",
             params=(
                Param("pageNum", wire="pageNum", kind=PAGE, default=1),
                Param("pageSize", wire="pageSize", kind=PAGE_SIZE, default=10),
                Param("startDate", wire="startDate", kind=kinds.text(), default=""),
                Param("endDate", wire="endDate", kind=kinds.text(), default=""),
                Param("platform", wire="platform", kind=kinds.integer(0), default=Context.PLATFORM),
             )),
    Endpoint(group="user", name="login_record", path="/api/render/handle/operate/sdk/loginRecord", legacy_path=None,
             returns=Page[LoginRecord], idempotent=True, doc="One page of the account's login records.",
             paging="records",
             params=(
                Param("pageNum", wire="pageNum", kind=PAGE, default=1),
                Param("pageSize", wire="pageSize", kind=PAGE_SIZE, default=10),
                Param("startDate", wire="startDate", kind=kinds.text(), default=""),
                Param("endDate", wire="endDate", kind=kinds.text(), default=""),
             )),
    # ---- task ------------------------------------------------------------------------------------------------
    Endpoint(group="task", name="create_task", path="/api/render/submit/createTask",
             legacy_path="/api/render/task/createTask", returns=CreatedTasks, idempotent=False,
             nonempty={"task_id_list": "task ids"}, doc="Reserve new task ids (not yet submitted).",
             params=(
                Param("count", wire="count", kind=kinds.integer(1, 100), default=1),
                # The 2018 protocol's table shows count and outUserId; the legacy usage document's create-task
                # parameters add task_user_level and labels (sent as on the current path set).
                Param("task_user_level", wire="taskUserLevel", kind=kinds.integer(0, 100), default=50),
                Param("out_user_id", wire="outUserId", kind=ID, default=None, send=Send.IF_TRUTHY),
                optional("labels", wire="labels", kind=kinds.list_of(NAME, nonempty=False)),
                optional("clone_original_id", wire="cloneOriginalId", kind=kinds.int_text_ok(ID), legacy_wire=OMIT,
                         doc="an int, or its digits as a str (sent as the int, as the official SDK does)"),
                optional("artist", wire="artist", kind=NAME, legacy_wire=OMIT),
             )),
    Endpoint(group="task", name="submit_task", path="/api/render/submit/task",
             legacy_path="/api/render/task/submitTask", returns=None, idempotent=False,
             doc="Submit a task whose task.json was uploaded.",
             params=(
                Param("task_id", wire="taskId", kind=ID),
                optional("producer", wire="producer", kind=NAME, legacy_wire=OMIT),
             )),
    Endpoint(group="task", name="stop_task", path="/api/rendering/task/renderingTask/stopTask",
             legacy_path="/api/render/task/stopTask", returns=None, idempotent=True, doc="Stop tasks.",
             params=(
                TASK_IDS,
             )),
    Endpoint(group="task", name="start_task", path="/api/rendering/task/renderingTask/startTask",
             legacy_path="/api/render/task/startTask", returns=None, idempotent=True,
             doc="Start (resume) stopped tasks.",
             params=(
                TASK_IDS,
             )),
    Endpoint(group="task", name="abort_task", path="/api/render/handle/abandonTask",
             legacy_path="/api/render/task/abortTask", returns=None, idempotent=True, doc="Abandon tasks.",
             params=(
                TASK_IDS,
             )),
    Endpoint(group="task", name="delete_task", path="/api/render/handle/deleteTask",
             legacy_path="/api/render/task/deleteTask", returns=None, idempotent=True, doc="Delete tasks.",
             params=(
                TASK_IDS,
             )),
    Endpoint(group="task", name="update_priority", path="/api/rendering/task/renderingTask/updateTaskUserLevel",
             legacy_path=None, returns=None, idempotent=True, doc="Change a task's priority.",
             params=(
                Param("task_id", wire="taskId", kind=ID),
                Param("priority", wire="taskUserLevel", kind=kinds.integer(0, 100)),
             )),
    Endpoint(group="task", name="set_task_overtime_stop", path="/api/render/handle/setTaskOverTimeStop",
             legacy_path="/api/render/task/setOverTimeStop", returns=str, idempotent=True,
             doc="Stop tasks automatically after a time.", aliases=("set_task_overtime_top",),
             params=(
                Param("task_id_list", wire="taskIds", kind=IDS),
                Param("overtime", wire="overTime", kind=kinds.integer(1, width=kinds.INT64), doc="seconds"),
             )),
    Endpoint(group="task", name="full_speed", path="/api/render/handle/fullSpeedRendering",
             legacy_path="/api/render/task/fullSpeed", returns=str, idempotent=True,
             doc="Render tasks at full speed.",
             params=(
                Param("task_id_list", wire="taskIds", kind=IDS),
             )),
    Endpoint(group="task", name="update_task_limit", path="/api/render/handle/updateTaskLimit", legacy_path=None,
             returns=Any, idempotent=True, doc="Limit how many nodes a task may use.",
             params=(
                Param("taskId", wire="taskId", kind=ID),
                Param("taskLimit", wire="taskLimit", kind=kinds.integer(1)),
             )),
    Endpoint(group="task", name="edit_task_hardware_config", path="/api/render/handle/editTaskHardwareConfig",
             legacy_path=None, returns=None, idempotent=True, doc="Move tasks to another hardware configuration.",
             params=(
                Param("taskIds", wire="taskIds", kind=IDS),
                Param("hardwareConfigIds", wire="hardwareConfigIds", kind=kinds.list_of(kinds.int_or_text()),
                      doc="HardwareConfig.id values (ints) or their strs, sent as given"),
                Param("model", wire="model", kind=NAME),
                Param("gpuNum", wire="gpuNum", kind=NAME),
                Param("ram", wire="ram", kind=NAME),
             )),
    # ---- query -----------------------------------------------------------------------------------------------
    Endpoint(group="query", name="platforms", path="/api/render/common/queryPlatforms",
             legacy_path="/api/render/common/queryPlatforms", returns=tuple[Platform, ...], idempotent=True,
             doc="Render platforms of the region (zone 1 China, 2 overseas).",
             params=(
                Param("zone", wire="zone", kind=kinds.choice((1, 2), "int"), default=Context.ZONE),
             )),
    Endpoint(group="query", name="error_detail", path="/api/render/submit/queryAnalyseErrorDetail",
             legacy_path="/api/render/common/queryErrorDetail", returns=tuple[ErrorCodeInfo, ...], idempotent=True,
             doc="Explain analysis error codes.", rule="code_or_codes",
             params=(
                optional("code", wire="code", kind=kinds.text(nonempty=True)),
                optional("codes", wire="codes", kind=kinds.list_of(kinds.text(nonempty=True)), legacy_wire=OMIT),
                Param("language", wire="language", kind=kinds.choice((0, 1), "int"), default=0, legacy_text=True,
                      doc="0 Chinese, 1 English"),
             )),
    Endpoint(group="query", name="get_task_list", path="/api/render/handle/getTaskList/v2",
             legacy_path="/api/render/task/getTaskList", returns=Page[TaskInfo], idempotent=True,
             doc="One page of the account's tasks.", paging="tasks",
             params=(
                Param("page_num", wire="pageNum", kind=PAGE, default=1),
                Param("page_size", wire="pageSize", kind=PAGE_SIZE, default=100),
                Param("status_list", wire="statusList", kind=kinds.list_of(kinds.integer(0, 1000)), default=None,
                      send=Send.IF_TRUTHY),
                Param("search_keyword", wire="searchKeyword", kind=kinds.text(), default=None, send=Send.IF_TRUTHY,
                      legacy_wire=OMIT),
                Param("start_time", wire="startTime", kind=kinds.TIME, default=None, send=Send.IF_TRUTHY,
                      legacy_wire=OMIT),
                Param("end_time", wire="endTime", kind=kinds.TIME, default=None, send=Send.IF_TRUTHY,
                      legacy_wire=OMIT),
                Param("recycle_flag", wire="recycleFlag", kind=kinds.choice((0, 1), "int"), default=None,
                      send=Send.IF_TRUTHY, legacy_wire=OMIT),
             )),
    Endpoint(group="query", name="task_frames", path="/api/render/handle/queryTaskFrames",
             legacy_path="/api/render/task/queryTaskFrames", returns=Page[FrameInfo], idempotent=True,
             doc="One page of a task's frames.", paging="frames",
             params=(
                Param("task_id", wire="taskId", kind=ID),
                Param("page_num", wire="pageNum", kind=PAGE, default=1),
                Param("page_size", wire="pageSize", kind=PAGE_SIZE, default=100),
                Param("search_keyword", wire="searchKeyword", kind=kinds.text(), default=None, send=Send.IF_TRUTHY),
             )),
    Endpoint(group="query", name="all_frame_status", path="/api/render/handle/queryAllFrameStats",
             legacy_path="/api/render/task/queryAllFrameStats", returns=FrameStats, idempotent=True,
             doc="Frame counts over all the account's tasks."),
    Endpoint(group="query", name="restart_failed_frames", path="/api/render/handle/recommitTasks",
             legacy_path="/api/render/task/restartFailedFrames", returns=None, idempotent=False,
             doc="Re-render the failed frames of tasks.",
             params=(
                TASK_IDS,
                optional("status", wire="status", kind=kinds.list_of(kinds.integer(0)), legacy_wire=OMIT),
             )),
    Endpoint(group="query", name="restart_frame", path="/api/render/handle/recommitTaskFrames",
             legacy_path="/api/render/task/restartFrame", returns=None, idempotent=False,
             doc="Re-render all frames of a task, or the frames with the given ids.", rule="frame_selection",
             params=(
                # taskId in the 2018 document (and the Chinese one); the 2020 English revision writes taskIds
                Param("task_id", wire="taskId", kind=ID),
                Param("select_all", wire="selectAll", kind=kinds.choice((0, 1), "int"), default=1),
                optional("ids_list", wire="ids", kind=FRAME_IDS),
                optional("status", wire="status", kind=kinds.list_of(kinds.integer(0)), legacy_wire=OMIT),
             )),
    Endpoint(group="query", name="task_info", path="/api/render/handle/queryTaskInfo/v2",
             legacy_path="/api/render/task/queryTaskInfo", returns=TaskInfoPage, idempotent=True,
             doc="Details of the given tasks.",
             params=(
                Param("task_ids_list", wire="taskIds", kind=IDS),
             )),
    Endpoint(group="query", name="supported_software", path="/api/render/plugin/querySoftwareList",
             legacy_path="/api/render/common/querySupportedSoftware", returns=SupportedSoftware, idempotent=True,
             doc="Supported DCC software."),
    Endpoint(group="query", name="supported_plugin", path="/api/render/plugin/querySoftwareDetail",
             legacy_path="/api/render/common/querySupportedPlugin", returns=SoftwareDetail, idempotent=True,
             doc="Versions and plugins supported for a DCC.",
             params=(
                Param("name", wire="cgId", kind=kinds.DCC),
                Param("os_name", wire="osName", kind=kinds.choice(("windows", "linux"), "str"),
                      default=Context.OS_NAME, legacy_wire=OMIT),
             )),
    Endpoint(group="query", name="get_transfer_server_msg", path="/api/render/transfer/getServerInfo",
             legacy_path="/api/render/task/getTransferServerMsg", returns=TransferServerInfo, idempotent=True,
             doc="Raysync transfer server address.",
             params=(
                Param("zone", wire="zone", kind=kinds.choice((1, 2), "int"), default=Context.TRANSFER_ZONE),
             )),
    Endpoint(group="query", name="get_raysync_user_key", path="/api/render/transfer/getRaySyncUserKey",
             legacy_path="/api/render/user/getRaySyncUserKey", returns=RaySyncUserKey, idempotent=True,
             doc="Raysync credentials (secret)."),
    Endpoint(group="query", name="get_task_processing_img", path="/api/render/handle/loadTaskProcessImg",
             legacy_path="/api/render/task/loadTaskProcessImg", returns=TaskProgress, idempotent=True,
             doc="Block-by-block render progress (3ds Max).",
             params=(
                Param("task_id", wire="taskId", kind=ID),
                optional("frame_type", wire="frameType", kind=kinds.choice((2, 5), "int")),
             )),
    Endpoint(group="query", name="get_frame_thumbnail", path="/api/render/handle/loadingFrameThumbnail",
             legacy_path="/api/render/task/loadingFrameThumbnail", returns=PATHS_OR_TEXT, idempotent=True,
             doc="Thumbnail paths of a finished frame (some services answer a bare text).",
             aliases=("get_frame_thumbnall",),
             params=(
                Param("frame_id", wire="id", kind=ID),
                Param("frame_status", wire="frameStatus", kind=kinds.integer(0), default=4),
             )),
    Endpoint(group="query", name="stop_frame", path="/api/render/handle/stopTaskFrames", legacy_path=None,
             returns=None, idempotent=True, doc="Stop all frames of a task, or the frames with the given ids.",
             rule="frame_selection",
             params=(
                Param("task_id", wire="taskId", kind=ID),
                Param("select_all", wire="selectAll", kind=kinds.choice((0, 1), "int"), default=1),
                optional("ids_list", wire="ids", kind=FRAME_IDS),
                optional("status", wire="status", kind=kinds.list_of(kinds.integer(0))),
             )),
    Endpoint(group="query", name="get_render_log", path="/api/render/handle/showLog", legacy_path=None, returns=Any,
             idempotent=True, doc="A frame's render log (undocumented shape: returned as decoded JSON).",
             params=(
                Param("renderingType", wire="renderingType", kind=NAME, default="render"),
                Param("pageNum", wire="pageNum", kind=PAGE, default=1),
                Param("pageSize", wire="pageSize", kind=PAGE_SIZE, default=1),
                optional("frame_id", wire="id", kind=ID),
             )),
    Endpoint(group="query", name="get_pack_node_info", path="/api/render/submit/getUserPackNodeInfo",
             legacy_path=None, returns=tuple[PackNode, ...], idempotent=True,
             doc="Pack nodes available to the account."),
    # ---- tag -------------------------------------------------------------------------------------------------
    Endpoint(group="tag", name="add_label", path="/api/render/project/add", legacy_path="/api/render/common/addLabel",
             returns=None, idempotent=False, doc="Create a project label.",
             params=(
                Param("new_name", wire="newName", kind=NAME),
                Param("status", wire="status", kind=kinds.int_text_ok(kinds.choice((0, 1), "int")), default=1,
                      legacy_text=True, doc="0 or 1 (an int, or '0'/'1' as the official SDK's own helper passes)"),
             )),
    Endpoint(group="tag", name="delete_label", path="/api/render/project/delete",
             legacy_path="/api/render/common/deleteLabel", returns=None, idempotent=True,
             doc="Delete a project label.",
             params=(
                Param("del_name", wire="delName", kind=NAME),
             )),
    Endpoint(group="tag", name="get_label_list", path="/api/render/project/getList",
             legacy_path="/api/render/common/getLabelList", returns=ProjectList, idempotent=True,
             doc="The account's project labels."),
    Endpoint(group="tag", name="add_task_tag", path="/api/render/handle/addTaskLabel", legacy_path=None, returns=None,
             idempotent=True, doc="Label tasks.",
             params=(
                Param("tag", wire="label", kind=NAME),
                Param("task_ids", wire="taskIds", kind=IDS),
             )),
    Endpoint(group="tag", name="delete_task_tag", path="/api/render/handle/deleteTaskLabel", legacy_path=None,
             returns=None, idempotent=True, doc="Remove labels (by name or id) from tasks.",
             rule="labels_to_remove",
             params=(
                Param("taskIds", wire="taskIds", kind=kinds.list_of(ID, nonempty=False, max_items=1000), default=()),
                Param("labelNames", wire="labelNames", kind=kinds.list_of(NAME, nonempty=False), default=()),
                Param("tag_ids", wire="labelIds", kind=kinds.list_of(ID, nonempty=False), default=(),
                      doc="label ids; delete_task_tag(tag_ids=[...]) alone is the GitHub-master call form"),
             )),
    Endpoint(group="tag", name="get_list", path="/api/render/project/list", legacy_path=None, returns=ProjectList,
             idempotent=True, doc="Project labels visible to the account.",
             params=(
                Param("flag", wire="flag", kind=kinds.choice((0, 1, 2), "int"), default=0,
                      doc="0 own, 1 own and main account, 2 all under the main account"),
             )),
    # ---- env -------------------------------------------------------------------------------------------------
    Endpoint(group="env", name="add_render_env", path="/api/render/plugin/addUserPluginConfig",
             legacy_path="/api/render/common/addRenderEnv", returns=CreatedRenderEnv | None, idempotent=False,
             doc="Create a render environment.",
             params=(
                Param("data", wire=SPREAD, kind=kinds.RENDER_ENV),
                RENDER_ENV_KEYWORD,
             )),
    Endpoint(group="env", name="update_render_env", path="/api/render/plugin/editUserPluginConfig",
             legacy_path="/api/render/common/updateRenderEnv", returns=None, idempotent=True,
             doc="Change a render environment.",
             params=(
                Param("data", wire=SPREAD, kind=kinds.RENDER_ENV),
                RENDER_ENV_KEYWORD,
             )),
    Endpoint(group="env", name="delete_render_env", path="/api/render/plugin/deleteUserPluginConfig",
             legacy_path="/api/render/common/deleteRenderEnv", returns=None, idempotent=True,
             doc="Delete a render environment.",
             params=(
                Param("edit_name", wire="editName", kind=NAME),
             )),
    Endpoint(group="env", name="set_default_render_env", path="/api/render/plugin/setDefaultUserPluginConfig",
             legacy_path="/api/render/common/setDefaultRenderEnv", returns=None, idempotent=True,
             doc="Make a render environment the default.",
             params=(
                Param("edit_name", wire="editName", kind=NAME),
             )),
    Endpoint(group="env", name="get_render_env", path="/api/render/plugin/getUserPluginConfig",
             legacy_path="/api/render/common/getRenderEnv", returns=tuple[RenderEnv, ...], idempotent=True,
             doc="Render environments, optionally of one DCC.",
             params=(
                optional("name", wire="cgId", kind=kinds.DCC),
                optional("cg_names", wire="cgIds", kind=kinds.DCC_LIST, legacy_wire=OMIT),
                Param("os_name", wire="osName", kind=kinds.choice((0, 1), "int"), default=1, legacy_wire=OMIT),
             )),
    # ---- transmit --------------------------------------------------------------------------------------------
    Endpoint(group="transmit", name="upload_json_content", path="/api/render/submit/taskJsonFile", legacy_path=None,
             returns=None, idempotent=True, doc="Upload a task's task.json (or upload/asset/tips.json) content.",
             params=(
                Param("task_id", wire="taskId", kind=ID),
                Param("content", wire="content", kind=kinds.JSON_TEXT),
                Param("file_name", wire="fileName",
                      kind=kinds.choice(("task.json", "upload.json", "asset.json", "tips.json"), "str"),
                      default="task.json"),
             )),
    Endpoint(group="transmit", name="get_transfer_config", path="/api/render/transfer/getConfig", legacy_path=None,
             returns=TransferConfig, idempotent=True, doc="Transfer engines, accounts (secret) and lines."),
    Endpoint(group="transmit", name="get_output_files", path="/api/render/file/operate/getOutputUserDirFile",
             legacy_path=None, returns=tuple[OutputFile, ...], idempotent=True,
             doc="Output files of a task or directory.", rule="tree_path_for_task",
             params=(
                optional("task_id", wire="taskId", kind=ID),
                Param("tree_path", wire="treePath", kind=kinds.text(nonempty=True), default="/"),
             )),
)

GROUPS = ("user", "task", "query", "tag", "env", "transmit")

#: Rows by method name (aliases excluded): what the generated methods pass to the request path.
ROWS: dict[str, Endpoint] = {endpoint.name: endpoint for endpoint in ENDPOINTS}
