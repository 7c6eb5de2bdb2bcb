"""Task control: stop, start, abandon, delete, priority, limits, frames, labels."""

from __future__ import annotations

from collections.abc import Callable

from ._account import Account
from ._codes import FarmError, FrameStatus
from ._engine import RenderEngine
from ._model import Mode, SimFrame, SimTask
from ._store import TaskStore

__all__ = ["TaskControl"]

_HALTED = (FrameStatus.STOPPED, FrameStatus.TIMED_OUT)  # the frames startTask resumes


class TaskControl:
    """The operations that change submitted tasks, over a store, an engine and an account.

    :class:`~._farm.Farm` holds one and delegates its task-control methods to it.
    """

    def __init__(self, store: TaskStore, engine: RenderEngine, account: Account, *, analyse_seconds: float) -> None:
        self.store = store
        self.engine = engine
        self.account = account
        self.analyse_seconds = analyse_seconds

    def now(self) -> float:
        """The engine's current time (rendering brought up to it)."""
        return self.engine.now()

    def _wake(self, task: SimTask, now: float) -> None:
        self.engine.settle(self.store.parent_of(task), now)

    def _changed(self, task: SimTask) -> None:
        """Note that ``task``'s family changed (what was rendered of it before is out of date)."""
        self.store.parent_of(task).revision += 1

    # -- task control ----------------------------------------------------------------------------

    def stop(self, task_ids: list[int]) -> None:
        """Stop tasks (stopTask): pending frames become stopped, status STOP."""
        now = self.now()
        for task in self.store.require(task_ids):
            if task.mode in (Mode.ACTIVE, Mode.ANALYSING) and task.is_pending():
                self._halt(task, Mode.STOPPED, now)

    def _halt(self, task: SimTask, mode: Mode, now: float) -> None:
        self._changed(task)
        for member in task.family():
            member.mode = mode
            for frame in member.frames:
                if frame.is_pending:
                    if frame.status is FrameStatus.PROCESSING:
                        frame.ended_at = now
                    frame.status = FrameStatus.STOPPED

    def start(self, task_ids: list[int]) -> None:
        """Resume stopped or timed-out tasks (startTask)."""
        now = self.now()
        for task in self.store.require(task_ids):
            if task.mode not in (Mode.STOPPED, Mode.TIMED_OUT):
                continue
            resumed_analysis = task.analyse_until is not None and not task.all_frames() and task.parent_id == 0
            for member in task.family():
                member.mode = Mode.ACTIVE
                member.completed_at = None
                self._requeue(member, lambda frame: frame.status in _HALTED, count_attempt=False)
            if resumed_analysis:
                task.mode = Mode.ANALYSING
                task.analyse_until = now + self.analyse_seconds
            self.store.parent_of(task).overtime_from = now  # the over-time clock restarts
            self._reopen_parent(task)
            self._wake(task, now)

    def abandon(self, task_ids: list[int]) -> None:
        """Abandon tasks (abandonTask): final, status ABANDON."""
        now = self.now()
        for task in self.store.require(task_ids):
            self._halt(task, Mode.ABANDONED, now)

    def delete(self, task_ids: list[int]) -> None:
        """Move tasks to the recycle bin (deleteTask); pending work is stopped first."""
        now = self.now()
        for task in self.store.require(task_ids):
            if task.is_pending():
                self._halt(task, Mode.STOPPED, now)
            self._changed(task)
            for member in task.family():
                member.deleted = True

    def set_priority(self, task_id: int, level: int) -> None:
        """updateTaskUserLevel."""
        task = self.store.task(task_id)
        self._changed(task)
        for member in task.family():
            member.user_level = level

    def set_task_limit(self, task_id: int, limit: int) -> None:
        """updateTaskLimit: how many frames of the task render at once."""
        if limit < 1:
            raise FarmError.invalid("taskLimit must be >= 1")
        task = self.store.task(task_id)
        for member in task.family():
            member.task_limit = limit
        self._wake(task, self.now())

    def set_full_speed(self, task_ids: list[int]) -> None:
        """fullSpeedRendering: every waiting frame starts at once."""
        now = self.now()
        for task in self.store.require(task_ids):
            for member in task.family():
                member.full_speed = True
            self._wake(task, now)

    def set_over_time_stop(self, task_ids: list[int], seconds: int) -> None:
        """setTaskOverTimeStop: stop a task rendering longer than ``seconds``."""
        if seconds < 1:
            raise FarmError.invalid("overTime must be >= 1")
        now = self.now()
        for task in self.store.require(task_ids):
            self.store.parent_of(task).over_time_stop = seconds
            self._wake(task, now)

    def set_hardware(self, task_ids: list[int], config_id: int) -> None:
        """editTaskHardwareConfig."""
        for task in self.store.require(task_ids):
            self._changed(task)
            for member in task.family():
                member.hardware_config_id = config_id

    # -- frames ----------------------------------------------------------------------------------

    def _requeue(self, task: SimTask, chosen: Callable[[SimFrame], bool], *, count_attempt: bool = True) -> int:
        requeued = 0
        for frame in task.frames:
            if frame.status is not FrameStatus.PROCESSING and chosen(frame):
                frame.status = FrameStatus.WAITING
                frame.started_at = frame.ended_at = None
                frame.attempts += 1 if count_attempt else 0
                requeued += 1
        return requeued

    def _reopen_parent(self, task: SimTask) -> None:
        parent = self.store.parent_of(task)
        for member in (parent, *parent.children):
            if member.mode is Mode.ACTIVE and member.is_pending():
                member.completed_at = None

    def restart_frames(self, task_ids: list[int], chosen: Callable[[SimFrame], bool]) -> int:
        """Resubmit the chosen frames of tasks; returns how many frames were requeued."""
        now = self.now()
        requeued = 0
        for task in self.store.require(task_ids):
            if task.mode in (Mode.ABANDONED, Mode.CREATED, Mode.ANALYSING):
                continue
            count = 0
            for leaf in task.leaves():
                count += self._requeue(leaf, chosen)
            if count:
                parent = self.store.parent_of(task)
                for member in (*task.family(), parent):
                    if member.mode is not Mode.ACTIVE:
                        member.mode = Mode.ACTIVE
                        parent.overtime_from = now
            requeued += count
            self._reopen_parent(task)
            self._wake(task, now)
        return requeued

    def stop_frames(self, task_id: int, chosen: Callable[[SimFrame], bool]) -> int:
        """Stop the chosen pending frames of a task (stopTaskFrames)."""
        now = self.now()
        task = self.store.task(task_id)
        stopped = 0
        for leaf in task.leaves():
            for frame in leaf.frames:
                if frame.is_pending and chosen(frame):
                    if frame.status is FrameStatus.PROCESSING:
                        frame.ended_at = now
                    frame.status = FrameStatus.STOPPED
                    stopped += 1
        self._wake(task, now)
        return stopped

    # -- task labels -----------------------------------------------------------------------------

    def add_task_label(self, label: str, task_ids: list[int]) -> None:
        """addTaskLabel: tag tasks with ``label`` (created as a project if new)."""
        tasks = self.store.require(task_ids)
        label_id = self.account.ensure_project(label)
        for task in tasks:
            self._changed(task)
            for member in task.family():
                member.labels[label_id] = label

    def delete_task_labels(self, task_ids: list[int], names: list[str], label_ids: list[int]) -> None:
        """deleteTaskLabel: untag tasks by label name or id."""
        for task in self.store.require(task_ids):
            self._changed(task)
            for member in task.family():
                member.labels = {
                    label_id: name
                    for label_id, name in member.labels.items()
                    if name not in names and label_id not in label_ids
                }

    def delete_label(self, name: str) -> None:
        """Delete a project/label everywhere."""
        label_id = self.account.delete_project(name)
        for task in self.store.tasks.values():
            if task.labels.pop(label_id, None) is not None:
                self._changed(task)
