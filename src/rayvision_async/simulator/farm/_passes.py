"""Render passes: which frames of a task wait for which, and what the service reports while they wait.

A task's frames render in passes, by frame type: the pre-render frame (1),
the Houdini settlement frame (8), photon frames (2), priority frames (4),
then the main pass (5). Only the frames of the *open* pass, the first one
with a frame that is not complete, may start; it spans the whole family, so
the main-picture child task waits for the photon child task.

A waiting frame behind the open pass is reported with what it waits for
(frameStatus 6 to 10). When the open pass has nothing waiting or rendering
(its frames failed or were stopped), the later passes are *held*: the farm
has no work left on the task until that pass is restarted and completes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._codes import FrameStatus, FrameType

if TYPE_CHECKING:
    from ._model import SimFrame

__all__ = ["NOTHING_OPEN", "PASS_ORDER", "PassState"]

#: The order in which the passes render.
PASS_ORDER: tuple[FrameType, ...] = (
    FrameType.PRE_RENDER,
    FrameType.SETTLEMENT,
    FrameType.PHOTON,
    FrameType.PRIORITY,
    FrameType.MAIN,
)
_RANK = {frame_type: rank for rank, frame_type in enumerate(PASS_ORDER)}

#: The status reported for a frame waiting behind each open pass (photon: a frame of another task).
_WAITING_BEHIND = {
    FrameType.PRE_RENDER: FrameStatus.WAITING_PRE_HANDLING,
    FrameType.SETTLEMENT: FrameStatus.WAITING_SETTLEMENT_JOB,
    FrameType.PHOTON: FrameStatus.WAITING_PHOTON_JOB,
    FrameType.PRIORITY: FrameStatus.WAITING_PRIORITY,
}


@dataclass(frozen=True)
class PassState:
    """The passes of one family of frames (a parent task's, over its child tasks) at one instant."""

    open_pass: FrameType | None  # the first pass with a frame that is not complete
    open_tasks: frozenset[int]  # ids of the tasks owning the open pass's unfinished frames
    open_has_work: bool  # the open pass has a frame waiting or rendering

    @classmethod
    def of(cls, frames: Iterable[SimFrame]) -> PassState:
        """The state of ``frames`` (every frame of one family)."""
        rank = len(PASS_ORDER)  # of the open pass so far; len(PASS_ORDER): none
        tasks: set[int] = set()
        has_work = False
        complete, waiting, processing = FrameStatus.COMPLETE, FrameStatus.WAITING, FrameStatus.PROCESSING
        for frame in frames:
            status = frame.status
            if status is complete:
                continue
            frame_rank = _RANK[frame.frame_type]
            if frame_rank > rank:
                continue
            if frame_rank < rank:
                rank, tasks, has_work = frame_rank, set(), False
            tasks.add(frame.task_id)
            has_work = has_work or status is waiting or status is processing
        if rank == len(PASS_ORDER):
            return NOTHING_OPEN
        return cls(PASS_ORDER[rank], frozenset(tasks), has_work)

    def may_start(self, frame: SimFrame) -> bool:
        """True if ``frame`` is waiting in the open pass."""
        return frame.status is FrameStatus.WAITING and frame.frame_type is self.open_pass

    def is_live(self, frame: SimFrame) -> bool:
        """True if ``frame`` is rendering, or waiting for something that is going to happen."""
        if frame.status is FrameStatus.PROCESSING:
            return True
        return frame.status is FrameStatus.WAITING and self.open_has_work

    def reported(self, frame: SimFrame) -> FrameStatus:
        """The ``frameStatus`` the service reports for ``frame``."""
        if frame.status is not FrameStatus.WAITING or self.open_pass is None:
            return frame.status
        if _RANK[frame.frame_type] <= _RANK[self.open_pass]:
            return frame.status
        if self.open_pass is FrameType.PHOTON and frame.task_id in self.open_tasks:
            return FrameStatus.WAITING_PHOTON_FRAME
        return _WAITING_BEHIND.get(self.open_pass, FrameStatus.WAITING)


#: The passes of a family with every frame complete (or none).
NOTHING_OPEN = PassState(None, frozenset(), False)
