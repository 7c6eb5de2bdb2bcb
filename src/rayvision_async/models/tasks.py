"""Task models: task info (getTaskList, queryTaskInfo), created task ids, task progress."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

from ._base import ServiceModel
from ._meta import int32, meta
from .enums import FrameStatus, TaskStatus
from .page import Page

__all__ = [
    "CreatedTasks",
    "GrabInfo",
    "TaskInfo",
    "TaskInfoPage",
    "TaskKeyValue",
    "TaskProgress",
]


def _repeated() -> str | None:
    """A text field whose values repeat across tasks (see ``repeated`` in :mod:`._meta`)."""
    field: str | None = attrs.field(default=None, metadata=meta(repeated=True))
    return field


@attrs.frozen(kw_only=True, weakref_slot=False)
class TaskKeyValue(ServiceModel):
    """Task keywords (``taskKeyValueVo``): tile count and the scene's cameras.

    The field tables spell the last key ``RenderableCarema``; the examples send
    ``renderableCamera``. Both are accepted.
    """

    tiles: str | None = None
    all_camera: str | None = None
    renderable_camera: str | None = attrs.field(default=None, metadata=meta(None, "RenderableCarema"))


@attrs.frozen(kw_only=True, weakref_slot=False)
class TaskInfo(ServiceModel):
    """One render task as listed by getTaskList and queryTaskInfo.

    A submitted job is a parent task whose rendering stages (photon pass, main picture, …) are
    child tasks in ``resp_rendering_task_list`` (also available as :attr:`children`), each with
    the same structure. Epoch-millisecond times are UTC datetimes; money is ``Decimal``.
    ``id`` is required: the service sends it for every task (a reply without it is malformed).
    """

    id: int
    task_alias: str | None = None
    scene_name: str | None = _repeated()
    task_status: TaskStatus | None = None
    status_text: str | None = _repeated()
    pre_task_status: TaskStatus | None = None
    pre_status_text: str | None = _repeated()
    total_frames: int | None = int32()
    abort_frames: int | None = int32()
    executing_frames: int | None = int32()
    done_frames: int | None = int32()
    failed_frames: int | None = int32()
    frames_range: str | None = _repeated()
    project_name: str | None = _repeated()
    render_consume: Decimal | None = None
    task_arrears: Decimal | None = None
    user_account_consume: Decimal | None = None
    coupon_consume: Decimal | None = None
    qy_coupon_consume: Decimal | None = None
    submit_date: datetime | None = None
    start_time: datetime | None = None
    completed_date: datetime | None = None
    #: Render time in seconds, as reported.
    render_duration: int | None = None
    user_id: int | None = None
    user_name: str | None = _repeated()
    producer: str | None = _repeated()
    task_level: int | None = None
    task_user_level: int | None = int32()
    task_limit: int | None = int32()
    #: Timeout reminder, as sent (older examples in ms, newer ones in seconds).
    task_over_time: int | None = None
    #: Timeout after which the task is stopped, in seconds (setTaskOverTimeStop).
    over_time_stop: int | None = None
    is_over_time: int | None = None
    output_file_name: str | None = None
    location_output: str | None = _repeated()
    #: Dispatcher task id; older documents spell the key ``menuTaskId``.
    munu_task_id: str | None = attrs.field(default=None, metadata=meta(None, "menuTaskId"))
    munu_task_ids: str | None = None
    layer_parent_id: int | None = None
    layer_name: str | None = _repeated()
    cg_id: int | None = int32()
    task_key_value_vo: TaskKeyValue | None = None
    #: Raw ``key:value::`` render settings string sent by the 2018 API instead of taskKeyValueVo.
    key_value: str | None = None
    is_open: int | None = int32()
    task_type: str | None = _repeated()
    task_type_text: str | None = _repeated()
    render_camera: str | None = _repeated()
    clone_parent_id: int | None = None
    clone_original_id: int | None = None
    share_main_capital: int | None = None
    task_ram: int | None = int32()
    is_delete: int | None = None
    channel: int | None = None
    remark: str | None = None
    #: Label names; the service may send a list or a JSON-encoded string such as ``"{}"``.
    labels: tuple[str, ...] = attrs.field(default=(), metadata=meta(coerce="labels"))
    waiting_count: int | None = None
    stop_type: int | None = None
    resp_rendering_task_list: tuple[TaskInfo, ...] = ()

    @property
    def children(self) -> tuple[TaskInfo, ...]:
        """The child (per-stage) tasks; empty when the service sends none or null."""
        return self.resp_rendering_task_list

    @property
    def is_terminal(self) -> bool:
        """True if ``task_status`` is one of the terminal statuses."""
        return self.task_status is not None and self.task_status.is_terminal


@attrs.frozen(kw_only=True, weakref_slot=False)
class TaskInfoPage(Page[TaskInfo]):
    """The queryTaskInfo/v2 result: a page of tasks plus the user's total account consumption."""

    user_account_consume: Decimal | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class CreatedTasks(ServiceModel):
    """Result of createTask: the new task ids, their display aliases and the owning user id."""

    task_id_list: tuple[int, ...] = ()
    alias_task_id_list: tuple[str, ...] = ()
    user_id: int | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class GrabInfo(ServiceModel):
    """Progress of one block of one frame in a task-progress image (loadTaskProcessImg).

    The service sends every value as a string. Times ("2018-11-09 18:28:26", the service's wall
    clock) become aware datetimes in the service's zone (UTC+8,
    :data:`~rayvision_async._service_time.SERVICE_TZ`); fees become ``Decimal`` and the status a
    :class:`FrameStatus`.
    """

    frame_index: str | None = None
    frame_block: str | None = None
    frame_status: FrameStatus | None = None
    start_time: datetime | None = attrs.field(default=None, metadata=meta(coerce="service_time"))
    end_time: datetime | None = attrs.field(default=None, metadata=meta(coerce="service_time"))
    is_max_price: str | None = None
    fee_amount: Decimal | None = None
    coupon_fee: Decimal | None = None
    frame_percent: str | None = None
    frame_used: str | None = None
    frame_est: str | None = None
    render_info: str | None = None
    grab_url: str | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class TaskProgress(ServiceModel):
    """Render progress of a (3ds Max) task (loadTaskProcessImg).

    ``grab_info`` is a list of rows, each a list of :class:`GrabInfo` blocks. Times are sent as
    the service's wall-clock text (``"2018-11-09 18:27:40"``) and become aware datetimes in its
    zone (UTC+8, :data:`~rayvision_async._service_time.SERVICE_TZ`); compare or convert them as
    any aware datetime (``.astimezone(UTC)``).
    """

    width: int | None = int32()
    height: int | None = int32()
    block: int | None = int32()
    is_render_photon: bool | None = None
    current_task_type: str | None = None
    scene_name: str | None = None
    start_time: datetime | None = attrs.field(default=None, metadata=meta(coerce="service_time"))
    end_time: datetime | None = attrs.field(default=None, metadata=meta(coerce="service_time"))
    completed_time: datetime | None = attrs.field(default=None, metadata=meta(coerce="service_time"))
    grab_info: tuple[tuple[GrabInfo, ...], ...] = ()
