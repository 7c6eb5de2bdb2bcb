"""Render farm state in the service's wire shape: camelCase keys, epoch-ms times, money as numbers."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import posixpath
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from ..._service_time import SERVICE_TZ
from ..farm._codes import FarmError, FrameStatus, FrameType, TaskStatus
from ..farm._model import FrameCounts, SimFrame, SimTask
from ..farm._passes import PassState

if TYPE_CHECKING:
    from ..farm._farm import Farm

__all__ = ["ANALYSED", "SIM_ID_PREFIX", "TaskProfile", "TaskState", "WireContext", "datetime_text", "frame_wire", "ms",
           "output_file_name", "page", "status_text", "task_profile", "task_record", "task_state", "task_wire",
           "wire_context"]

_TYPE_TEXT = {"RenderPhoton": "render_photons_task", "Render": "render_major_picture_task"}


@dataclass(frozen=True)
class WireContext:
    """What a wire record needs besides the task: who owns it, what time it is, the price."""

    user_id: int
    user_name: str
    platform: int
    now: float
    over_time_sec: int
    frame_price: Decimal
    #: The account fields a task record shows (a record made for other values is out of date).
    owner: tuple[int, str, int] = (0, "", 0)


def wire_context(farm: Farm, now: float | None = None) -> WireContext:
    """What the wire renderers need from ``farm`` right now (brings it up to the clock), or at ``now``
    (the farm as it is: a caller inside the render engine must not run it again)."""
    account = farm.account
    return WireContext(
        user_id=account.user_id,
        user_name=account.user_name,
        platform=account.platform,
        now=farm.now() if now is None else now,
        over_time_sec=account.task_over_time_sec,
        frame_price=farm.frame_price,
        owner=(account.user_id, account.user_name, account.task_over_time_sec),
    )


def ms(seconds: float | None) -> int | None:
    """Epoch seconds → epoch milliseconds (None stays None)."""
    return None if seconds is None else round(seconds * 1000)


def datetime_text(seconds: float | None) -> str | None:
    """Epoch seconds → "yyyy-MM-dd HH:mm:ss" in the service's time zone."""
    if seconds is None:
        return None
    return dt.datetime.fromtimestamp(seconds, SERVICE_TZ).strftime("%Y-%m-%d %H:%M:%S")


def parse_datetime_text(text: str) -> float:
    """ "yyyy-MM-dd HH:mm:ss" (or "yyyy-MM-dd") in the service's time zone → epoch seconds."""
    for layout in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            parsed = dt.datetime.strptime(text.strip(), layout)
        except ValueError:
            continue
        return parsed.replace(tzinfo=SERVICE_TZ).timestamp()
    raise FarmError.invalid(f"time {text!r} is not yyyy-MM-dd HH:mm:ss")


def page(items: list[Any], page_num: int, page_size: int, *, end_with_code700: bool) -> dict[str, Any]:
    """One page ``{pageCount, pageNum, total, size, items}`` of ``items``.

    A ``page_num`` past the last page gives empty ``items``, or code 700 when
    ``end_with_code700`` (both behaviours exist in the wild).
    """
    if page_num < 1:
        raise FarmError.invalid("pageNum must be >= 1")
    if page_size < 1:
        raise FarmError.invalid("pageSize must be >= 1")
    total = len(items)
    page_count = math.ceil(total / page_size)
    if page_num > page_count and end_with_code700:
        raise FarmError(700)
    start = (page_num - 1) * page_size
    return {
        "pageCount": page_count,
        "pageNum": page_num,
        "total": total,
        "size": page_size,
        "items": items[start : start + page_size],
    }


def _money(value: Decimal) -> float:
    return float(value)


@functools.lru_cache(maxsize=4096)
def _scene_stem(scene_name: str) -> str:
    return posixpath.splitext(scene_name)[0] or "scene"


def started_at(task: SimTask) -> float | None:
    """When ``task`` (or the first of its child tasks) started rendering."""
    if not task.children:
        return task.render_started_at
    starts = [leaf.render_started_at for leaf in task.children if leaf.render_started_at is not None]
    return min(starts, default=None)


@functools.lru_cache(maxsize=4096)
def _key_value(camera: str, frames_range: str) -> str:
    """The 2018 documents' ``keyValue``: render settings as ``name:value::`` pairs."""
    cameras = json.dumps([camera] if camera else [])
    pairs = {"tiles": "1", "all_camera": cameras, "renderable_camera": cameras, "frames": frames_range}
    return "".join(f"{name}:{value}::" for name, value in pairs.items())


def _labels(labels: dict[int, str]) -> str:
    if not labels:
        return "{}"
    return json.dumps({str(label_id): name for label_id, name in labels.items()}, ensure_ascii=False)


def status_text(number: object) -> str:
    """``statusText`` of ``taskStatus`` ``number``."""
    return f"render_task_status_{number}"


#: ``statusText`` by ``taskStatus`` number (an Enum member hashes in Python code: a list is indexed in C).
#: Keys of a task record that queryTaskInfo shows and getTaskList does not: every getTaskList example
#: lacks them, the usage documents' queryTaskInfo examples have them (and incumbent-sdk-facts.md B.3 #26
#: lists them for task_info only).
QUERY_ONLY_KEYS = ("overTimeStop", "munuTaskIds", "qyCouponConsume", "locationOutput", "channel", "remark",
                   "labels", "isOverTime", "waitingCount", "stopType")

_STATUS_TEXT = [status_text(number) for number in range(max(TaskStatus) + 1)]
#: ``preTaskStatus`` of a task that was analysed (the analysis finished).
ANALYSED = 25
_NO_CHILDREN: list[SimTask] = []


class TaskProfile(NamedTuple):
    """What a task record shows that many tasks share: the task's settings and the account's fields."""

    scene_name: str
    frames_range: str
    project_name: str
    producer: str | None
    user_level: int
    task_limit: int
    over_time_stop: int | None
    parent_id: int
    cg_id: int
    camera: str
    task_type: str
    clone_original_id: int | None
    user_name: str
    over_time_sec: int
    user_id: int
    listed: bool


class TaskState(NamedTuple):
    """What a task record shows of the task itself and of how far it rendered, as the wire shows it."""

    id: int
    alias: str
    status: int
    status_text: str
    pre_status: int | None
    pre_status_text: str | None
    total: int
    stopped: int
    executing: int
    done: int
    failed: int
    fee: float
    submitted: int | None
    started: int | None
    completed: int | None
    duration: int | None
    output_file_name: str | None
    sim_id: str
    is_open: int
    children: list[dict[str, Any]] | None
    is_delete: int
    labels: str


def task_profile(task: SimTask, ctx: WireContext, listed: bool) -> tuple[Any, ...]:
    """``task``'s :class:`TaskProfile` fields, as a plain tuple (a dict key)."""
    return (task.scene_name, task.frames_range, task.project_name, task.producer, task.user_level, task.task_limit,
            task.over_time_stop, task.parent_id, task.cg_id, task.camera, task.task_type, task.clone_original_id,
            ctx.user_name, ctx.over_time_sec, ctx.user_id, listed)


def task_state(task: SimTask, ctx: WireContext) -> tuple[FrameCounts, TaskStatus, float | None, float | None, bool]:
    """``task``'s frame counts and status, when it started rendering and when that ended (or now), and whether
    it was analysed."""
    counts = task.counts()
    status = task.status(counts)
    started = started_at(task)
    completed = task.completed_at
    ended = completed if completed is not None else (None if started is None else ctx.now)
    analysed = task.parent_id == 0 and task.submitted_at is not None and status is not TaskStatus.ANALYSE
    return counts, status, started, ended, analysed


def output_file_name(task_id: object, scene_name: str) -> str:
    """``outputFileName`` of a task that started rendering."""
    return f"{task_id}_{_scene_stem(scene_name)}"


#: ``munuTaskId`` of a task that started rendering is this and its id in 10 digits.
SIM_ID_PREFIX = "SIM"


def task_wire(task: SimTask, ctx: WireContext, *, listed: bool = False) -> dict[str, Any]:
    """A TaskInfo item of queryTaskInfo/v2, or of getTaskList/v2 if ``listed``, child tasks included (a fresh dict).

    A listed record lacks :data:`QUERY_ONLY_KEYS`.
    """
    counts, status, started, ended, analysed = task_state(task, ctx)
    fee = float(task.fee())
    duration = None if started is None or ended is None else int(max(ended - started, 0))
    children = task.children or _NO_CHILDREN
    state = TaskState(
        task.id, task.alias, int(status), _STATUS_TEXT[status], ANALYSED if analysed else None,
        _STATUS_TEXT[ANALYSED] if analysed else None, counts.total, counts.stopped, counts.executing, counts.done,
        counts.failed, fee, ms(task.submitted_at), ms(started), ms(task.completed_at), duration,
        None if started is None else output_file_name(task.id, task.scene_name),
        "" if started is None else f"{SIM_ID_PREFIX}{task.id:010d}", 1 if children else 0,
        [task_wire(child, ctx, listed=listed) for child in children] if children else None,
        0 if task.deleted else 1, _labels(task.labels) if task.labels else "{}",
    )
    return task_record(TaskProfile._make(task_profile(task, ctx, listed)), state)


def task_record(profile: TaskProfile, state: TaskState) -> dict[str, Any]:
    """The record of a task with ``profile`` in ``state`` (its keys in the service's order)."""
    camera = profile.camera or None
    record = {
        "sceneName": profile.scene_name,
        "id": state.id,
        "taskAlias": state.alias,
        "taskStatus": state.status,
        "statusText": state.status_text,
        "preTaskStatus": state.pre_status,
        "preStatusText": state.pre_status_text,
        "totalFrames": state.total,
        "abortFrames": state.stopped,
        "executingFrames": state.executing,
        "doneFrames": state.done,
        "failedFrames": state.failed,
        "framesRange": profile.frames_range,
        "projectName": profile.project_name,
        "renderConsume": state.fee,
        "taskArrears": 0,
        "submitDate": state.submitted,
        "startTime": state.started,
        "completedDate": state.completed,
        "renderDuration": state.duration,
        "userName": profile.user_name,
        "producer": profile.producer,
        "taskLevel": 60 if profile.user_level >= 60 else 50,
        "taskUserLevel": profile.user_level,
        "taskLimit": profile.task_limit,
        "taskOverTime": profile.over_time_sec,
        "overTimeStop": profile.over_time_stop,
        "userId": profile.user_id,
        "outputFileName": state.output_file_name,
        "munuTaskId": state.sim_id,
        "munuTaskIds": state.sim_id,
        "layerParentId": profile.parent_id,
        "cgId": profile.cg_id,
        "taskKeyValueVo": {"tiles": None, "allCamera": camera, "renderableCamera": camera},
        "userAccountConsume": state.fee,
        "couponConsume": 0,
        "qyCouponConsume": None,
        "keyValue": _key_value(profile.camera, profile.frames_range),
        "isOpen": state.is_open,
        "taskType": profile.task_type,
        "renderCamera": profile.camera,
        "cloneParentId": 0,
        "cloneOriginalId": profile.clone_original_id or 0,
        "shareMainCapital": 0,
        "taskRam": 64,
        "respRenderingTaskList": state.children,
        "layerName": None,
        "taskTypeText": _TYPE_TEXT.get(profile.task_type),
        "locationOutput": "C:/RenderFarm/Download",
        "isDelete": state.is_delete,
        "channel": 4,
        "remark": "",
        "labels": state.labels,
        "isOverTime": 0,
        "waitingCount": None,
        "stopType": 0,
    }
    if profile.listed:
        for key in QUERY_ONLY_KEYS:
            del record[key]
    return record


_ENDED = (FrameStatus.COMPLETE, FrameStatus.FAILED, FrameStatus.STOPPED, FrameStatus.TIMED_OUT)


def frame_wire(frame: SimFrame, ctx: WireContext, passes: PassState) -> dict[str, Any]:
    """A FrameInfo item (queryTaskFrames); ``passes`` are those of the frame's family."""
    status = passes.reported(frame)
    finished = frame.status in _ENDED
    end = frame.ended_at if finished else None
    execute = None
    if frame.started_at is not None:
        execute = int(max((end if end is not None else ctx.now) - frame.started_at, 0))
    return {
        "id": frame.id,
        "userId": ctx.user_id,
        "framePrice": _money(ctx.frame_price),
        "feeType": 0,
        "platform": ctx.platform,
        "frameIndex": frame.index,
        "frameBlock": "1",
        "frameStatus": int(status),
        "feeAmount": _money(frame.fee),
        "couponFee": 0,
        "startTime": ms(frame.started_at),
        "endTime": ms(end),
        "frameExecuteTime": execute,
        "currentRenderTime": execute if frame.status is FrameStatus.PROCESSING else 0,
        "frameStatusText": f"task_frame_status_{int(status)}",
        "arrearsFee": None,
        "munuJobId": str(frame.id),
        "taskId": frame.task_id,
        "munuTaskId": f"SIM{frame.task_id:010d}",
        "frameType": int(frame.frame_type),
        "recommitFlag": frame.attempts,
        "isCopy": None,
        "taskOverTime": ctx.over_time_sec,
        "gopName": "/obj/simulation" if frame.frame_type is FrameType.SETTLEMENT else None,
        "frameRam": None,
        "averageCpu": None,
        "averageMemory": None,
        "isOverTime": 1 if status is FrameStatus.TIMED_OUT or (execute or 0) > ctx.over_time_sec else 0,
        "overOneMonth": None,
        "renderRam": None,
        "openRenderRam": None,
        "nodeId": f"node-{frame.id % 97:02d}" if frame.started_at is not None else None,
    }
