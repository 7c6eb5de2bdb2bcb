"""Task operations (``api.task`` and the task-changing ``api.query`` / ``api.tag`` calls).

Each function reads a body with current wire names and returns the
envelope's ``data`` exactly as the documents show it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..farm import _catalog as catalog
from ..farm._codes import FarmError, FrameStatus
from ..farm._model import SimFrame
from ._body import Body, OperationTable

if TYPE_CHECKING:
    from ..farm._farm import Farm

__all__ = ["MUTATING", "TASK_OPERATIONS"]

TASK_OPERATIONS = OperationTable()
op = TASK_OPERATIONS.register

#: Operations that change tasks; each success is written to the operation log (taskRecord).
MUTATING = frozenset(
    {
        "create_task", "submit_task", "stop_task", "start_task", "abort_task", "delete_task",
        "update_priority", "set_task_overtime_stop", "full_speed", "update_task_limit",
        "edit_task_hardware_config", "restart_failed_frames", "restart_frame", "stop_frame",
    }
)  # fmt: skip


@op("create_task")
def create_task(farm: Farm, body: Body) -> Any:
    """createTask → {taskIdList, aliasTaskIdList, userId}."""
    tasks = farm.create_tasks(
        body.number("count", 1, low=1, high=1000),
        user_level=body.number("taskUserLevel", 50, low=0),
        out_user_id=body.opt_int("outUserId"),
        labels=body.opt_str_list("labels"),
        clone_original_id=body.opt_int("cloneOriginalId"),
        artist=body.opt_str("artist"),
    )
    return {
        "taskIdList": [task.id for task in tasks],
        "aliasTaskIdList": [task.alias for task in tasks],
        "userId": farm.account.user_id,
    }


@op("upload_json_content")
def upload_json_content(farm: Farm, body: Body) -> Any:
    """taskJsonFile → null."""
    farm.upload_file(body.number("taskId"), body.text("fileName", "task.json"), body.text("content"))
    return None


@op("submit_task")
def submit_task(farm: Farm, body: Body) -> Any:
    """submit/task → null; the 2018 path set has no upload, so a task.json is never demanded there."""
    farm.submit(body.number("taskId"), body.opt_str("producer"), require_task_json=False if body.legacy else None)
    return None


@op("stop_task")
def stop_task(farm: Farm, body: Body) -> Any:
    """stopTask → null."""
    farm.stop(body.int_list("taskIds"))
    return None


@op("start_task")
def start_task(farm: Farm, body: Body) -> Any:
    """startTask → null."""
    farm.start(body.int_list("taskIds"))
    return None


@op("abort_task")
def abort_task(farm: Farm, body: Body) -> Any:
    """abandonTask → null."""
    farm.abandon(body.int_list("taskIds"))
    return None


@op("delete_task")
def delete_task(farm: Farm, body: Body) -> Any:
    """deleteTask → null."""
    farm.delete(body.int_list("taskIds"))
    return None


@op("update_priority")
def update_priority(farm: Farm, body: Body) -> Any:
    """updateTaskUserLevel → null."""
    farm.set_priority(body.number("taskId"), body.number("taskUserLevel", low=0))
    return None


@op("set_task_overtime_stop")
def set_task_overtime_stop(farm: Farm, body: Body) -> Any:
    """setTaskOverTimeStop → "SUCCESS"."""
    farm.set_over_time_stop(body.int_list("taskIds"), body.number("overTime"))
    return "SUCCESS"


@op("full_speed")
def full_speed(farm: Farm, body: Body) -> Any:
    """fullSpeedRendering → "成功" (the service's literal answer)."""
    farm.set_full_speed(body.int_list("taskIds"))
    return "成功"


@op("update_task_limit")
def update_task_limit(farm: Farm, body: Body) -> Any:
    """updateTaskLimit → null (undocumented)."""
    farm.set_task_limit(body.number("taskId"), body.number("taskLimit"))
    return None


@op("edit_task_hardware_config")
def edit_task_hardware_config(farm: Farm, body: Body) -> Any:
    """editTaskHardwareConfig → null."""
    task_ids = body.int_list("taskIds")
    config_ids = body.int_list("hardwareConfigIds")
    for name in ("model", "gpuNum", "ram"):
        if not body.has(name):
            raise FarmError.missing(name)
    known = {config["id"] for config in catalog.hardware_configs()}
    if config_ids[0] not in known:
        raise FarmError.not_found(f"hardware config {config_ids[0]}")
    farm.set_hardware(task_ids, config_ids[0])
    return None


@op("get_hardware_config")
def get_hardware_config(farm: Farm, body: Body) -> Any:
    """hardwareConfig/list → list; ``current`` marks the first given task's configuration."""
    task_ids = body.opt_int_list("taskIds") or []
    current = farm.task(task_ids[0]).hardware_config_id if task_ids else 1
    configs = catalog.hardware_configs()
    for config in configs:
        config["current"] = config["id"] == current
    return configs


# -- frames -------------------------------------------------------------------------------------


def _chooser(body: Body) -> tuple[int, Any]:
    """(taskId, frame predicate) from restart_frame / stop_frame wire parameters."""
    task_id = body.number("taskId")
    select_all = body.number("selectAll", 1, low=0, high=1)
    statuses = body.opt_int_list("status")
    if select_all == 1:
        ids: set[int] | None = None
    else:
        ids = set(body.opt_int_list("ids") or [])
        if not ids:
            raise FarmError.missing("ids")

    def chosen(frame: SimFrame) -> bool:
        if ids is not None and frame.id not in ids:
            return False
        return statuses is None or int(frame.status) in statuses

    return task_id, chosen


@op("restart_failed_frames")
def restart_failed_frames(farm: Farm, body: Body) -> Any:
    """recommitTasks → null: resubmit failed frames (or frames in ``status``)."""
    statuses = body.opt_int_list("status") or [int(FrameStatus.FAILED)]
    farm.restart_frames(body.int_list("taskIds"), lambda frame: int(frame.status) in statuses)
    return None


@op("restart_frame")
def restart_frame(farm: Farm, body: Body) -> Any:
    """recommitTaskFrames → null."""
    task_id, chosen = _chooser(body)
    farm.restart_frames([task_id], chosen)
    return None


@op("stop_frame")
def stop_frame(farm: Farm, body: Body) -> Any:
    """stopTaskFrames → null."""
    task_id, chosen = _chooser(body)
    farm.stop_frames(task_id, chosen)
    return None


# -- labels on tasks ----------------------------------------------------------------------------


@op("add_task_tag")
def add_task_tag(farm: Farm, body: Body) -> Any:
    """addTaskLabel → null."""
    farm.add_task_label(body.text("label", nonempty=True), body.int_list("taskIds"))
    return None


@op("delete_task_tag")
def delete_task_tag(farm: Farm, body: Body) -> Any:
    """deleteTaskLabel → null; without taskIds (``delete_task_tag(tag_ids=...)``) from every live task."""
    names = body.opt_str_list("labelNames") or []
    label_ids = body.opt_int_list("labelIds") or []
    if not names and not label_ids:
        raise FarmError.missing("labelNames")
    task_ids = body.opt_int_list("taskIds") or [
        task.id for task in farm.store.tasks.values() if not task.deleted and not task.parent_id]
    if task_ids:
        farm.delete_task_labels(task_ids, names, label_ids)
    return None


@op("delete_label")
def delete_label(farm: Farm, body: Body) -> Any:
    """project/delete → null (the label is removed from every task too)."""
    farm.delete_label(body.text("delName", nonempty=True))
    return None
