"""The endpoint table: the whole API surface of the service, in one place.

Each :class:`Endpoint` row says which client group and method it becomes, its
path in the current path set (version header 2.0.0, as the official SDK 3.0.4.3
sends) and in the 2018–2020 protocol set (version header 1.0.0; ``None`` where
the operation did not exist), its parameters (Python name → wire name, kind,
default, when it is sent), its response model, whether repeating it is safe,
and how it pages. ``groups.py`` generates the coroutines from these rows;
``_groups.pyi`` is their generated, committed type stub.

Method and keyword names are the official SDK's (so porting is "add
``await``"), including its camelCase keywords where it has them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs

from . import params as k
from .converter import PATHS_OR_TEXT
from .errors import InvalidInputError
from .models import (
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

__all__ = ["ENDPOINTS", "REQUIRED", "Context", "Endpoint", "Param", "Send"]


class _Required(enum.Enum):
    REQUIRED = "REQUIRED"


REQUIRED = _Required.REQUIRED  #: marks a parameter without a default


class Context(enum.Enum):
    """Defaults computed from the client's settings rather than given by the caller."""

    ZONE = "zone"  # 1 for a renderbus (China) domain, else 2 — as queryPlatforms expects
    TRANSFER_ZONE = "transfer_zone"  # the official SDK's inverse of ZONE for getServerInfo
    PLATFORM = "platform"  # the client's platform, as an int
    OS_NAME = "os_name"  # "windows" or "linux", from the machine the client runs on


class Send(enum.Enum):
    """When a parameter goes into the body."""

    ALWAYS = "always"
    IF_NOT_NONE = "if_not_none"
    IF_TRUTHY = "if_truthy"  # the official SDK omits empty strings, lists and zeros for these


OMIT = "-"  #: ``legacy_wire`` value for a parameter the 2018 path set does not send
SPREAD = "*"  #: ``wire`` value for a mapping whose keys are sent as top-level body fields


@attrs.frozen
class Param:
    """One keyword of a generated method."""

    name: str
    wire: str
    kind: k.Kind
    default: Any = REQUIRED
    send: Send = Send.ALWAYS
    legacy_wire: str | None = None  # the 2018 wire name when it differs; OMIT when not sent
    doc: str = ""
    legacy_divisor: int = 1  # the 2018 set sends ceil(value / legacy_divisor) (seconds → hours)

    @property
    def optional(self) -> bool:
        return self.default is None


@attrs.frozen
class Endpoint:
    """One operation of the service."""

    group: str
    name: str
    path: str
    legacy_path: str | None
    params: tuple[Param, ...]
    returns: Any
    idempotent: bool
    doc: str
    paging: str | None = None  # "tasks", "frames" or "records": the page model's item kind
    aliases: tuple[str, ...] = ()
    fixed: Mapping[str, Any] = attrs.field(factory=dict)  # constant wire fields
    rule: str | None = None  # name of a cross-parameter rule in RULES


def _p(name: str, wire: str, kind: k.Kind, default: Any = REQUIRED, send: Send = Send.ALWAYS,
       legacy: str | None = None, doc: str = "", legacy_divisor: int = 1) -> Param:
    return Param(name, wire, kind, default, send, legacy, doc, legacy_divisor)


def _opt(name: str, wire: str, kind: k.Kind, legacy: str | None = None, doc: str = "") -> Param:
    return Param(name, wire, kind, None, Send.IF_NOT_NONE, legacy, doc)


# Frequently used kinds.
ID = k.integer(1)
IDS = k.list_of(ID, max_items=1000)
PAGE = k.integer(1, 100_000)
PAGE_SIZE = k.integer(1, 100)
NAME = k.text(nonempty=True, max_len=255)
TASK_IDS = _p("task_param_list", "taskIds", IDS, legacy="taskParam", doc="task ids")


def _require_code_or_codes(wire: dict[str, Any]) -> None:
    if "code" not in wire and "codes" not in wire:
        raise InvalidInputError("error_detail needs code or codes")


def _frame_selection(wire: dict[str, Any]) -> None:
    if wire.get("selectAll") == 1:
        wire.pop("ids", None)
    elif not wire.get("ids"):
        raise InvalidInputError("ids_list is required (and non-empty) when select_all is 0")


def _tree_path_for_task(wire: dict[str, Any]) -> None:
    if "taskId" in wire:
        wire["treePath"] = "/"


#: Cross-parameter rules, applied to the wire body before it is sent.
RULES = {
    "code_or_codes": _require_code_or_codes,
    "frame_selection": _frame_selection,
    "tree_path_for_task": _tree_path_for_task,
}

U, T, Q, G, E, X = "user", "task", "query", "tag", "env", "transmit"

ENDPOINTS: tuple[Endpoint, ...] = (
    # ---- user ------------------------------------------------------------------------------------
    Endpoint(U, "query_user_profile", "/api/render/setUp/queryUserProfile", "/api/render/user/queryUserProfile",
             (), UserProfile, True, "The account's profile: ids, balances, prices, flags."),
    Endpoint(U, "query_user_setting", "/api/render/setUp/queryUserSetting", "/api/render/user/queryUserSetting",
             (), UserSetting, True, "The account's render settings."),
    Endpoint(U, "update_user_settings", "/api/render/setUp/updateUserSetting", "/api/render/user/updateUserSetting",
             (_p("task_over_time", "taskOverTimeSec", k.integer(1), legacy="taskOverTime",
                 doc="task timeout in seconds (the 2018 set sends hours, rounded up)", legacy_divisor=3600),),
             None, True, "Set the task timeout."),
    Endpoint(U, "get_transfer_bid", "/api/render/transfer/getBid", "/api/render/task/getTransferBid",
             (), TransferBid, True, "Transfer bucket ids for input, output and config files."),
    Endpoint(U, "get_hardware_config", "/api/render/hardwareConfig/list", None,
             (_opt("task_ids", "taskIds", k.list_of(ID, nonempty=False)),),
             tuple[HardwareConfig, ...], True, "Hardware configurations (CPU/GPU models) for tasks.",
             fixed={"cloneTask": "false"}),
    Endpoint(U, "task_record", "/api/render/handle/operate/sdk/taskRecord", None,
             (_p("pageNum", "pageNum", PAGE, 1), _p("pageSize", "pageSize", PAGE_SIZE, 10),
              _p("startDate", "startDate", k.text(), ""), _p("endDate", "endDate", k.text(), ""),
              _p("platform", "platform", k.integer(0), Context.PLATFORM)),
             Page[OperationRecord], True, "One page of the account's task operation records.", paging="records"),
    Endpoint(U, "login_record", "/api/render/handle/operate/sdk/loginRecord", None,
             (_p("pageNum", "pageNum", PAGE, 1), _p("pageSize", "pageSize", PAGE_SIZE, 10),
              _p("startDate", "startDate", k.text(), ""), _p("endDate", "endDate", k.text(), "")),
             Page[LoginRecord], True, "One page of the account's login records.", paging="records"),
    # ---- task ------------------------------------------------------------------------------------
    Endpoint(T, "create_task", "/api/render/submit/createTask", "/api/render/task/createTask",
             (_p("count", "count", k.integer(1, 100), 1),
              _p("task_user_level", "taskUserLevel", k.integer(0, 100), 50, legacy=OMIT),
              _p("out_user_id", "outUserId", ID, None, Send.IF_TRUTHY),
              _opt("labels", "labels", k.list_of(NAME, nonempty=False), legacy=OMIT),
              _opt("clone_original_id", "cloneOriginalId", ID, legacy=OMIT),
              _opt("artist", "artist", NAME, legacy=OMIT)),
             CreatedTasks, False, "Reserve new task ids (not yet submitted)."),
    Endpoint(T, "submit_task", "/api/render/submit/task", "/api/render/task/submitTask",
             (_p("task_id", "taskId", ID), _opt("producer", "producer", NAME, legacy=OMIT)),
             None, False, "Submit a task whose task.json was uploaded."),
    Endpoint(T, "stop_task", "/api/rendering/task/renderingTask/stopTask", "/api/render/task/stopTask",
             (TASK_IDS,), None, True, "Stop tasks."),
    Endpoint(T, "start_task", "/api/rendering/task/renderingTask/startTask", "/api/render/task/startTask",
             (TASK_IDS,), None, True, "Start (resume) stopped tasks."),
    Endpoint(T, "abort_task", "/api/render/handle/abandonTask", "/api/render/task/abortTask",
             (TASK_IDS,), None, True, "Abandon tasks."),
    Endpoint(T, "delete_task", "/api/render/handle/deleteTask", "/api/render/task/deleteTask",
             (TASK_IDS,), None, True, "Delete tasks."),
    Endpoint(T, "update_priority", "/api/rendering/task/renderingTask/updateTaskUserLevel", None,
             (_p("task_id", "taskId", ID), _p("priority", "taskUserLevel", k.integer(0, 100))),
             None, True, "Change a task's priority."),
    Endpoint(T, "set_task_overtime_stop", "/api/render/handle/setTaskOverTimeStop",
             "/api/render/task/setOverTimeStop",
             (_p("task_id_list", "taskIds", IDS), _p("overtime", "overTime", k.integer(1), doc="seconds")),
             str, True, "Stop tasks automatically after a time.", aliases=("set_task_overtime_top",)),
    Endpoint(T, "full_speed", "/api/render/handle/fullSpeedRendering", "/api/render/task/fullSpeed",
             (_p("task_id_list", "taskIds", IDS),), str, True, "Render tasks at full speed."),
    Endpoint(T, "update_task_limit", "/api/render/handle/updateTaskLimit", None,
             (_p("taskId", "taskId", ID), _p("taskLimit", "taskLimit", k.integer(1))),
             Any, True, "Limit how many nodes a task may use."),
    Endpoint(T, "edit_task_hardware_config", "/api/render/handle/editTaskHardwareConfig", None,
             (_p("taskIds", "taskIds", IDS),
              _p("hardwareConfigIds", "hardwareConfigIds", k.list_of(k.text(nonempty=True))),
              _p("model", "model", NAME), _p("gpuNum", "gpuNum", NAME), _p("ram", "ram", NAME)),
             None, True, "Move tasks to another hardware configuration."),
    # ---- query -----------------------------------------------------------------------------------
    Endpoint(Q, "platforms", "/api/render/common/queryPlatforms", "/api/render/common/queryPlatforms",
             (_p("zone", "zone", k.choice((1, 2), "int"), Context.ZONE),),
             tuple[Platform, ...], True, "Render platforms of the region (zone 1 China, 2 overseas)."),
    Endpoint(Q, "error_detail", "/api/render/submit/queryAnalyseErrorDetail", "/api/render/common/queryErrorDetail",
             (_opt("code", "code", k.text(nonempty=True)),
              _opt("codes", "codes", k.list_of(k.text(nonempty=True)), legacy=OMIT),
              _p("language", "language", k.choice((0, 1), "int"), 0)),
             tuple[ErrorCodeInfo, ...], True, "Explain analysis error codes.", rule="code_or_codes"),
    Endpoint(Q, "get_task_list", "/api/render/handle/getTaskList/v2", "/api/render/task/getTaskList",
             (_p("page_num", "pageNum", PAGE, 1), _p("page_size", "pageSize", PAGE_SIZE, 100),
              _p("status_list", "statusList", k.list_of(k.integer(0, 1000)), None, Send.IF_TRUTHY),
              _p("search_keyword", "searchKeyword", k.text(), None, Send.IF_TRUTHY, legacy=OMIT),
              _p("start_time", "startTime", k.TIME, None, Send.IF_TRUTHY, legacy=OMIT),
              _p("end_time", "endTime", k.TIME, None, Send.IF_TRUTHY, legacy=OMIT),
              _p("recycle_flag", "recycleFlag", k.choice((0, 1), "int"), None, Send.IF_TRUTHY, legacy=OMIT)),
             Page[TaskInfo], True, "One page of the account's tasks.", paging="tasks"),
    Endpoint(Q, "task_frames", "/api/render/handle/queryTaskFrames", "/api/render/task/queryTaskFrames",
             (_p("task_id", "taskId", ID), _p("page_num", "pageNum", PAGE, 1),
              _p("page_size", "pageSize", PAGE_SIZE, 100),
              _p("search_keyword", "searchKeyword", k.text(), None, Send.IF_TRUTHY)),
             Page[FrameInfo], True, "One page of a task's frames.", paging="frames"),
    Endpoint(Q, "all_frame_status", "/api/render/handle/queryAllFrameStats", "/api/render/task/queryAllFrameStats",
             (), FrameStats, True, "Frame counts over all the account's tasks."),
    Endpoint(Q, "restart_failed_frames", "/api/render/handle/recommitTasks", "/api/render/task/restartFailedFrames",
             (TASK_IDS, _opt("status", "status", k.list_of(k.integer(0)), legacy=OMIT)),
             None, False, "Re-render the failed frames of tasks."),
    Endpoint(Q, "restart_frame", "/api/render/handle/recommitTaskFrames", "/api/render/task/restartFrame",
             (_p("task_id", "taskId", ID, legacy="taskIds"), _p("select_all", "selectAll", k.choice((0, 1), "int"), 1),
              _opt("ids_list", "ids", k.list_of(ID)), _opt("status", "status", k.list_of(k.integer(0)), legacy=OMIT)),
             None, False, "Re-render all frames of a task, or the frames with the given ids.",
             rule="frame_selection"),
    Endpoint(Q, "task_info", "/api/render/handle/queryTaskInfo/v2", "/api/render/task/queryTaskInfo",
             (_p("task_ids_list", "taskIds", IDS),), TaskInfoPage, True, "Details of the given tasks."),
    Endpoint(Q, "supported_software", "/api/render/plugin/querySoftwareList",
             "/api/render/common/querySupportedSoftware", (), SupportedSoftware, True, "Supported DCC software."),
    Endpoint(Q, "supported_plugin", "/api/render/plugin/querySoftwareDetail",
             "/api/render/common/querySupportedPlugin",
             (_p("name", "cgId", k.DCC), _p("os_name", "osName", k.choice(("windows", "linux"), "str"),
                                             Context.OS_NAME, legacy=OMIT)),
             SoftwareDetail, True, "Versions and plugins supported for a DCC."),
    Endpoint(Q, "get_transfer_server_msg", "/api/render/transfer/getServerInfo",
             "/api/render/task/getTransferServerMsg",
             (_p("zone", "zone", k.choice((1, 2), "int"), Context.TRANSFER_ZONE),),
             TransferServerInfo, True, "Raysync transfer server address."),
    Endpoint(Q, "get_raysync_user_key", "/api/render/transfer/getRaySyncUserKey",
             "/api/render/user/getRaySyncUserKey", (), RaySyncUserKey, True, "Raysync credentials (secret)."),
    Endpoint(Q, "get_task_processing_img", "/api/render/handle/loadTaskProcessImg",
             "/api/render/task/loadTaskProcessImg",
             (_p("task_id", "taskId", ID), _opt("frame_type", "frameType", k.choice((2, 5), "int"))),
             TaskProgress, True, "Block-by-block render progress (3ds Max)."),
    Endpoint(Q, "get_frame_thumbnail", "/api/render/handle/loadingFrameThumbnail",
             "/api/render/task/loadingFrameThumbnail",
             (_p("frame_id", "id", ID), _p("frame_status", "frameStatus", k.integer(0), 4)),
             PATHS_OR_TEXT, True, "Thumbnail paths of a finished frame (some services answer a bare text).",
             aliases=("get_frame_thumbnall",)),
    Endpoint(Q, "stop_frame", "/api/render/handle/stopTaskFrames", None,
             (_p("task_id", "taskId", ID), _p("select_all", "selectAll", k.choice((0, 1), "int"), 1),
              _opt("ids_list", "ids", k.list_of(ID)), _opt("status", "status", k.list_of(k.integer(0)))),
             None, True, "Stop all frames of a task, or the frames with the given ids.", rule="frame_selection"),
    Endpoint(Q, "get_render_log", "/api/render/handle/showLog", None,
             (_p("renderingType", "renderingType", NAME, "render"), _p("pageNum", "pageNum", PAGE, 1),
              _p("pageSize", "pageSize", PAGE_SIZE, 1), _opt("frame_id", "id", ID)),
             Any, True, "A frame's render log (undocumented shape: returned as decoded JSON)."),
    Endpoint(Q, "get_pack_node_info", "/api/render/submit/getUserPackNodeInfo", None,
             (), tuple[PackNode, ...], True, "Pack nodes available to the account."),
    # ---- tag (projects / labels) -----------------------------------------------------------------
    Endpoint(G, "add_label", "/api/render/project/add", "/api/render/common/addLabel",
             (_p("new_name", "newName", NAME), _p("status", "status", k.choice((0, 1), "int"), 1)),
             None, False, "Create a project label."),
    Endpoint(G, "delete_label", "/api/render/project/delete", "/api/render/common/deleteLabel",
             (_p("del_name", "delName", NAME),), None, True, "Delete a project label."),
    Endpoint(G, "get_label_list", "/api/render/project/getList", "/api/render/common/getLabelList",
             (), ProjectList, True, "The account's project labels."),
    Endpoint(G, "add_task_tag", "/api/render/handle/addTaskLabel", None,
             (_p("tag", "label", NAME), _p("task_ids", "taskIds", IDS)), None, True, "Label tasks."),
    Endpoint(G, "delete_task_tag", "/api/render/handle/deleteTaskLabel", None,
             (_p("taskIds", "taskIds", IDS), _p("labelNames", "labelNames", k.list_of(NAME, nonempty=False)),
              _p("tag_ids", "labelIds", k.list_of(ID, nonempty=False), ())),
             None, True, "Remove labels from tasks."),
    Endpoint(G, "get_list", "/api/render/project/list", None,
             (_p("flag", "flag", k.choice((0, 1, 2), "int"), 0,
                 doc="0 own, 1 own and main account, 2 all under the main account"),),
             ProjectList, True, "Project labels visible to the account."),
    # ---- env (render environments) ---------------------------------------------------------------
    Endpoint(E, "add_render_env", "/api/render/plugin/addUserPluginConfig", "/api/render/common/addRenderEnv",
             (_p("data", SPREAD, k.RENDER_ENV),), CreatedRenderEnv | None, False, "Create a render environment."),
    Endpoint(E, "update_render_env", "/api/render/plugin/editUserPluginConfig",
             "/api/render/common/updateRenderEnv",
             (_p("data", SPREAD, k.RENDER_ENV),), None, True, "Change a render environment."),
    Endpoint(E, "delete_render_env", "/api/render/plugin/deleteUserPluginConfig",
             "/api/render/common/deleteRenderEnv",
             (_p("edit_name", "editName", NAME),), None, True, "Delete a render environment."),
    Endpoint(E, "set_default_render_env", "/api/render/plugin/setDefaultUserPluginConfig",
             "/api/render/common/setDefaultRenderEnv",
             (_p("edit_name", "editName", NAME),), None, True, "Make a render environment the default."),
    Endpoint(E, "get_render_env", "/api/render/plugin/getUserPluginConfig", "/api/render/common/getRenderEnv",
             (_opt("name", "cgId", k.DCC), _opt("cg_names", "cgIds", k.DCC_LIST, legacy=OMIT),
              _p("os_name", "osName", k.choice((0, 1), "int"), 1, legacy=OMIT)),
             tuple[RenderEnv, ...], True, "Render environments, optionally of one DCC."),
    # ---- transmit --------------------------------------------------------------------------------
    Endpoint(X, "upload_json_content", "/api/render/submit/taskJsonFile", None,
             (_p("task_id", "taskId", ID), _p("content", "content", k.JSON_TEXT),
              _p("file_name", "fileName", k.choice(("task.json", "upload.json", "asset.json", "tips.json"), "str"),
                 "task.json")),
             None, True, "Upload a task's task.json (or upload/asset/tips.json) content."),
    Endpoint(X, "get_transfer_config", "/api/render/transfer/getConfig", None,
             (), TransferConfig, True, "Transfer engines, accounts (secret) and lines."),
    Endpoint(X, "get_output_files", "/api/render/file/operate/getOutputUserDirFile", None,
             (_opt("task_id", "taskId", ID), _p("tree_path", "treePath", k.text(nonempty=True), "/")),
             tuple[OutputFile, ...], True, "Output files of a task or directory.", rule="tree_path_for_task"),
)

GROUPS = (U, T, Q, G, E, X)
