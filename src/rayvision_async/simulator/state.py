"""The farm's collections, clock and lookups, shared by its task-control and submission parts."""

from __future__ import annotations

from decimal import Decimal

from .account import Account
from .clock import SimClock
from .codes import FarmError
from .engine import RenderEngine
from .model import SimFrame, SimTask
from .wire import WireContext

__all__ = ["FarmState"]


class FarmState:
    """Base of :class:`~.farm.Farm`: what every farm operation reads. ``Farm.__init__`` sets it up."""

    clock: SimClock
    engine: RenderEngine
    account: Account
    tasks: dict[int, SimTask]
    frames: dict[int, SimFrame]
    frame_price: Decimal
    analyse_seconds: float

    # -- time ------------------------------------------------------------------------------------

    def now(self) -> float:
        """Bring the farm up to the clock's current time and return it (epoch seconds)."""
        now = self.clock.now()
        self.engine.run_until(now)
        return now

    def advance(self, seconds: float) -> float:
        """Move simulated time forward by ``seconds`` and render what happens meanwhile."""
        self.clock.advance(seconds)
        return self.now()

    def wire_context(self) -> WireContext:
        """What the wire renderers need from the farm right now."""
        return WireContext(
            user_id=self.account.user_id,
            user_name=self.account.user_name,
            platform=self.account.platform,
            now=self.now(),
            over_time_sec=self.account.task_over_time_sec,
            frame_price=self.frame_price,
        )

    def _wake(self, task: SimTask, now: float) -> None:
        """Let the engine schedule ``task``'s family at ``now`` after a change."""
        parent = self.parent_of(task)
        self.engine.wake(parent)
        self.engine.run_until(now)
        self.engine.mark_completion(parent, now)

    # -- lookups ---------------------------------------------------------------------------------

    def task(self, task_id: int, *, include_deleted: bool = False) -> SimTask:
        """The task with ``task_id`` (parent or child); 404 if unknown or deleted."""
        task = self.tasks.get(task_id)
        if task is None or (task.deleted and not include_deleted):
            raise FarmError.not_found(f"task {task_id}")
        return task

    def require(self, task_ids: list[int]) -> list[SimTask]:
        """All of ``task_ids`` (404 naming the first unknown one, before anything changes)."""
        if not task_ids:
            raise FarmError.missing("taskIds")
        return [self.task(task_id) for task_id in task_ids]

    def parent_of(self, task: SimTask) -> SimTask:
        """The top-level task of ``task``."""
        return self.tasks[task.parent_id] if task.parent_id else task

    def frame(self, frame_id: int) -> SimFrame:
        """A frame by id; 404 if unknown."""
        frame = self.frames.get(frame_id)
        if frame is None or self.tasks[frame.task_id].deleted:
            raise FarmError.not_found(f"frame {frame_id}")
        return frame

    def top_level(self, *, deleted: bool = False) -> list[SimTask]:
        """Submitted top-level tasks, newest first (those in the recycle bin if ``deleted``)."""
        return [
            task
            for task in sorted(self.tasks.values(), key=lambda task: task.id, reverse=True)
            if task.parent_id == 0 and task.submitted_at is not None and task.deleted == deleted
        ]
