"""Frame models: per-frame details (queryTaskFrames) and the account-wide frame counters."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

from ._base import ServiceModel
from ._meta import int32, meta
from .enums import FrameStatus, FrameType

__all__ = ["FrameInfo", "FrameStats"]


@attrs.frozen(kw_only=True, weakref_slot=False)
class FrameInfo(ServiceModel):
    """One render frame (or frame block) of a task, as listed by queryTaskFrames.

    ``start_time``/``end_time`` are UTC datetimes (``None`` when the service sends 0, i.e. not
    started). Fees are ``Decimal``. Older documents spell ``arrearFee``, ``menuJobId`` and
    ``menuTaskId``; those keys are accepted too.
    """

    id: int | None = None
    task_id: int | None = None
    user_id: int | None = None
    frame_index: str | None = None
    frame_block: str | None = None
    frame_status: FrameStatus | None = None
    frame_status_text: str | None = None
    frame_type: FrameType | None = None
    #: 0 quantity-based, 1 machine-based, 2 project-based.
    fee_type: int | None = int32()
    platform: int | None = int32()
    frame_price: Decimal | None = None
    fee_amount: Decimal | None = None
    coupon_fee: Decimal | None = None
    arrears_fee: Decimal | None = attrs.field(default=None, metadata=meta(None, "arrearFee"))
    start_time: datetime | None = None
    end_time: datetime | None = None
    #: Render time of the frame in seconds.
    frame_execute_time: int | None = None
    current_render_time: int | None = None
    munu_job_id: str | None = attrs.field(default=None, metadata=meta(None, "menuJobId"))
    munu_task_id: str | None = attrs.field(default=None, metadata=meta(None, "menuTaskId"))
    #: Number of times the frame was recommitted.
    recommit_flag: int | None = int32()
    is_copy: int | None = None
    task_over_time: int | None = None
    is_over_time: int | None = None
    over_one_month: int | None = None
    #: Houdini settlement node name.
    gop_name: str | None = None
    frame_ram: int | None = int32()
    render_ram: int | None = None
    open_render_ram: int | None = None
    average_cpu: float | None = None
    average_memory: int | None = None
    node_id: str | None = None

    @property
    def is_done(self) -> bool:
        """True if the frame rendered successfully."""
        return self.frame_status is not None and self.frame_status.is_done

    @property
    def is_failed(self) -> bool:
        """True if the frame failed or timed out."""
        return self.frame_status is not None and self.frame_status.is_failed


@attrs.frozen(kw_only=True, weakref_slot=False)
class FrameStats(ServiceModel):
    """Frame counters over all of the account's tasks (queryAllFrameStats)."""

    executing_frames_total: int | None = int32()
    done_frames_total: int | None = int32()
    failed_frames_total: int | None = int32()
    waiting_frames_total: int | None = int32()
    abandon_frames_total: int | None = None
    total_frames: int | None = int32()
