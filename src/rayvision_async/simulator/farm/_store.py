"""The task store: every task and frame of the farm, their ids, and lookups by id."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from ._codes import FarmError, FrameType
from ._model import Mode, SimFrame, SimTask
from ._plain import PlainFrames

__all__ = ["TaskStore"]

_INHERITED = (
    "scene_name",
    "cg_id",
    "frames_range",
    "camera",
    "project_name",
    "user_level",
    "task_limit",
    "full_speed",
    "labels",
    "producer",
    "submitted_at",
    "hardware_config_id",
)


class TaskStore:
    """Tasks (parents and children) and frames by id; hands out new ids."""

    def __init__(self, *, first_task_id: int = 19097, first_frame_id: int = 1546598, alias_prefix: str = "2W") -> None:
        self.tasks: dict[int, SimTask] = {}
        self._frames: dict[int, SimFrame] = {}  # frames made so far, by id
        self._plain_firsts: list[int] = []  # first frame id of each plain task, ascending
        self._plain_tasks: list[SimTask] = []  # the plain tasks, in the same order
        self._plain_counts: list[int] = []  # and how many frames each has
        self.alias_prefix = alias_prefix
        self._next_task_id = first_task_id
        self._next_frame_id = first_frame_id

    # -- creation --------------------------------------------------------------------------------

    def new_task(self, now: float, task_limit: int, parent: SimTask | None = None, task_type: str = "") -> SimTask:
        """A new task created at ``now``; a child of ``parent`` inherits its settings."""
        task_id = self._next_task_id
        self._next_task_id += 1
        task = SimTask(id=task_id, alias=f"{self.alias_prefix}{task_id}", created_at=now, task_limit=task_limit)
        if parent is not None:
            task.parent_id = parent.id
            task.parent = parent
            task.task_type = task_type
            for name in _INHERITED:
                setattr(task, name, getattr(parent, name))  # fmt: skip
            task.labels = dict(parent.labels)
            task.mode = Mode.ACTIVE
        self.tasks[task_id] = task
        return task

    def add_frames(self, task: SimTask, numbers: Sequence[str], frame_type: FrameType) -> None:
        """Give ``task`` one waiting frame per frame number."""
        for number in numbers:
            frame = SimFrame(id=self._next_frame_id, task_id=task.id, index=number, frame_type=frame_type)
            self._next_frame_id += 1
            task.frames.append(frame)
            self._frames[frame.id] = frame

    def add_plain_frames(self, task: SimTask, numbers: Sequence[str], *, frame_seconds: float) -> None:
        """Give ``task`` one waiting main frame per frame number, held as counters (see :mod:`._plain`)."""
        first = self._next_frame_id
        self._next_frame_id += len(numbers)
        task.plain = PlainFrames(task.id, first, numbers, limit=task.task_limit, seconds=frame_seconds)
        self._plain_firsts.append(first)
        self._plain_tasks.append(task)
        self._plain_counts.append(len(numbers))

    @property
    def frames(self) -> dict[int, SimFrame]:
        """Every frame by id (the frames of plain tasks are made now)."""
        for task in self._plain_tasks:
            for frame in task.frames:
                self._frames.setdefault(frame.id, frame)
        return self._frames

    def _made_frame(self, frame_id: int) -> SimFrame | None:
        frame = self._frames.get(frame_id)
        if frame is not None:
            return frame
        at = bisect.bisect_right(self._plain_firsts, frame_id) - 1
        position = frame_id - self._plain_firsts[at] if at >= 0 else -1
        if not 0 <= position < self._plain_counts[at]:
            return None
        frame = self._plain_tasks[at].frames[position]  # made now if they were still counters
        self._frames[frame_id] = frame
        return frame

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
        frame = self._made_frame(frame_id)
        if frame is None or self.tasks[frame.task_id].deleted:
            raise FarmError.not_found(f"frame {frame_id}")
        return frame

    def top_level(self, *, deleted: bool = False) -> list[SimTask]:
        """Submitted top-level tasks, newest first (those in the recycle bin if ``deleted``)."""
        return [  # ids grow in the order tasks are stored, so the newest come last
            task
            for task in reversed(self.tasks.values())
            if task.parent_id == 0 and task.submitted_at is not None and task.deleted == deleted
        ]
