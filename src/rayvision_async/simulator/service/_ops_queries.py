"""Read-only task queries: task list, task info, frames, progress image, thumbnails, logs, output files."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from ..farm._codes import FarmError, FrameStatus, FrameType
from ..farm._model import SimFrame, SimTask
from ..farm._storage import FarmStorage
from ._body import Body, OperationTable
from ._records import records_of
from ._wire import datetime_text, frame_wire, ms, page, parse_datetime_text, wire_context

if TYPE_CHECKING:
    from ..farm._farm import Farm

__all__ = ["QUERY_OPERATIONS"]

QUERY_OPERATIONS = OperationTable()
op = QUERY_OPERATIONS.register


def _code700(farm: Farm) -> bool:
    return farm.paging_end == "code700"


def _matches(task: SimTask, keyword: str) -> bool:
    keyword = keyword.lower()
    return keyword in task.scene_name.lower() or keyword in str(task.id) or keyword in task.alias.lower()


@op("get_task_list")
def get_task_list(farm: Farm, body: Body) -> Any:
    """getTaskList/v2 → page of TaskInfo (newest first)."""
    ctx = wire_context(farm)
    tasks = farm.top_level(deleted=body.number("recycleFlag", 0) == 1)
    statuses = body.opt_int_list("statusList")
    keyword = body.opt_str("searchKeyword")
    start = body.opt_str("startTime")
    end = body.opt_str("endTime")
    low = parse_datetime_text(start) if start else None
    high = parse_datetime_text(end) if end else None
    chosen = [
        task
        for task in tasks
        if (not statuses or int(task.status()) in statuses)
        and (keyword is None or _matches(task, keyword))
        and (low is None or (task.submitted_at or 0) >= low)
        and (high is None or (task.submitted_at or 0) <= high)
    ]
    result = page(chosen, body.number("pageNum", 1), body.number("pageSize", 100), end_with_code700=_code700(farm))
    result["items"] = records_of(farm).records(result["items"], ctx, listed=True)
    return result


@op("task_info")
def task_info(farm: Farm, body: Body) -> Any:
    """queryTaskInfo/v2 → page of TaskInfo for the known ids (unknown ids are left out)."""
    ctx = wire_context(farm)
    known = farm.tasks
    found = [task for task in map(known.get, dict.fromkeys(body.int_list("taskIds")))
             if task is not None and not task.deleted]
    shown = records_of(farm).records(found, ctx)
    result = page(found, 1, 100, end_with_code700=False)
    result["items"] = shown.head(len(result["items"]))
    result["userAccountConsume"] = float(shown.fee)
    return result


@op("task_frames")
def task_frames(farm: Farm, body: Body) -> Any:
    """queryTaskFrames → page of FrameInfo (a parent's id lists its child tasks' frames)."""
    ctx = wire_context(farm)
    task = farm.task(body.number("taskId"))
    keyword = body.opt_str("searchKeyword")
    frames = [frame for frame in task.all_frames() if keyword is None or keyword in frame.index]
    result = page(frames, body.number("pageNum", 1), body.number("pageSize", 100), end_with_code700=_code700(farm))
    passes = task.passes()
    result["items"] = [frame_wire(frame, ctx, passes) for frame in result["items"]]
    return result


@op("all_frame_status")
def all_frame_status(farm: Farm, body: Body) -> Any:
    """queryAllFrameStats → frame totals over every task that is not deleted."""
    farm.now()
    totals = [task.counts() for task in farm.tasks.values() if not task.deleted and not task.children]
    return {
        "executingFramesTotal": sum(counts.executing for counts in totals),
        "doneFramesTotal": sum(counts.done for counts in totals),
        "failedFramesTotal": sum(counts.failed for counts in totals),
        "waitingFramesTotal": sum(counts.waiting for counts in totals),
        "abandonFramesTotal": sum(counts.stopped for counts in totals),
        "totalFrames": sum(counts.total for counts in totals),
    }


def _grab(farm: Farm, frame: SimFrame, task: SimTask, now: float, status: FrameStatus) -> dict[str, Any]:
    seconds = farm.engine.frame_seconds
    used = 0.0 if frame.started_at is None else (frame.ended_at or now) - frame.started_at
    if frame.status is FrameStatus.PROCESSING:
        used = now - (frame.started_at or now)
    percent = 100 if frame.status is FrameStatus.COMPLETE else int(min(used / seconds, 1.0) * 99)
    stem = posixpath.splitext(task.scene_name)[0]
    return {
        "startTime": datetime_text(frame.started_at),
        "endTime": datetime_text(frame.ended_at if not frame.is_pending else None),
        "frameStatus": str(int(status)),
        "isMaxPrice": "0",
        "feeAmount": f"{frame.fee:.2f}",
        "couponFee": "0.00",
        "frameIndex": frame.index,
        "frameBlock": "1",
        "framePercent": str(percent),
        "frameUsed": str(int(used)),
        "frameEst": str(int(max(seconds - used, 0))) if frame.is_pending else "0",
        "renderInfo": "",
        "grabUrl": f"/mnt/output/small_pic/{farm.account.user_id}/{task.id}/{stem}_{frame.index}.jpg",
    }


@op("get_task_processing_img")
def get_task_processing_img(farm: Farm, body: Body) -> Any:
    """loadTaskProcessImg → render progress of the photon (2) or main (5) pass."""
    now = farm.now()
    task = farm.task(body.number("taskId"))
    frame_type = body.opt_int("frameType")
    frames = task.all_frames()
    photon_pending = any(f.is_pending for f in frames if f.frame_type is FrameType.PHOTON)
    if frame_type is None:
        frame_type = int(FrameType.PHOTON) if photon_pending else int(FrameType.MAIN)
    chosen = [frame for frame in frames if int(frame.frame_type) == frame_type]
    passes = task.passes()
    return {
        "width": 1920,
        "height": 1080,
        "block": 1,
        "isRenderPhoton": frame_type == FrameType.PHOTON,
        "currentTaskType": "RenderPhoton" if frame_type == FrameType.PHOTON else "Render",
        "sceneName": f"{task.scene_name}-{task.camera or 'Camera001'}",
        "startTime": datetime_text(task.submitted_at),
        "endTime": datetime_text(task.completed_at),
        "completedTime": datetime_text(task.completed_at),
        "grabInfo": [[_grab(farm, frame, task, now, passes.reported(frame))] for frame in chosen],
    }


@op("get_frame_thumbnail")
def get_frame_thumbnail(farm: Farm, body: Body) -> Any:
    """loadingFrameThumbnail → thumbnail paths (only a complete frame has one)."""
    frame = farm.frame(body.number("id"))
    if body.number("frameStatus", 4) != FrameStatus.COMPLETE or frame.status is not FrameStatus.COMPLETE:
        return []
    user_id = farm.account.user_id
    return [f"small_pic\\{user_id}\\{frame.task_id}\\Render_{frame.id}_{frame.index}.jpg"]


@op("get_render_log")
def get_render_log(farm: Farm, body: Body) -> Any:
    """showLog → page of log lines of a frame (undocumented; the shape is the simulator's own)."""
    frame_id = body.opt_int("id")
    lines: list[str] = []
    if frame_id is not None:
        frame = farm.frame(frame_id)
        kind = body.text("renderingType", "render")
        lines.append(f"[{kind}] frame {frame.index} of task {frame.task_id} queued")
        if frame.started_at is not None:
            lines.append(f"[{kind}] started at {datetime_text(frame.started_at)} (attempt {frame.attempts + 1})")
        if frame.status is FrameStatus.COMPLETE:
            lines.append(f"[{kind}] finished at {datetime_text(frame.ended_at)}")
        elif frame.status is FrameStatus.FAILED:
            lines.append(f"[{kind}] failed at {datetime_text(frame.ended_at)}: error 15000")
    return page(lines, body.number("pageNum", 1), body.number("pageSize", 1), end_with_code700=_code700(farm))


def _output_name(task: SimTask) -> str:
    return f"{task.id}_{posixpath.splitext(task.scene_name)[0] or 'scene'}"


def _file_entry(name: str, path: str, size: int, modified: float | None, directory: bool) -> dict[str, Any]:
    return {
        "fileName": name,
        "fileSize": size,
        "iconPath": "",
        "lastModify": ms(modified),
        "fileType": "" if directory else posixpath.splitext(name)[1].lstrip("."),
        "filePath": path,
        "directory": directory,
        "isArrears": 0,
    }


def _task_files(task: SimTask, storage: FarmStorage | None = None) -> list[dict[str, Any]]:
    """One image per finished frame; with farm storage, only those written, with their size on disk."""
    folder = _output_name(task)
    entries = []
    for frame in task.all_frames():
        if frame.status is not FrameStatus.COMPLETE or frame.frame_type not in (FrameType.MAIN, FrameType.PRIORITY):
            continue
        name = f"{folder}.{frame.index}.png"
        size = 1_048_576 + frame.id % 4096 if storage is None else storage.output_size(folder, name)
        if size is not None:
            entries.append(_file_entry(name, f"/{folder}/{name}", size, frame.ended_at, False))
    return entries


@op("get_output_files")
def get_output_files(farm: Farm, body: Body) -> Any:
    """getOutputUserDirFile → the output tree: one folder per task, one image per finished frame."""
    farm.now()
    task_id = body.opt_int("taskId")
    if task_id is not None:
        return _task_files(farm.task(task_id), farm.storage)
    tree_path = body.text("treePath", "/").strip("/")
    with_output = [task for task in farm.top_level() if _task_files(task, farm.storage)]
    if not tree_path:
        return [
            _file_entry(_output_name(task), f"/{_output_name(task)}", 0, task.completed_at, True)
            for task in with_output
        ]
    for task in with_output:
        if _output_name(task) == tree_path:
            return _task_files(task, farm.storage)
    raise FarmError.not_found(f"directory /{tree_path}")
