"""The task store: every task and frame of the farm, their ids, and lookups by id."""

from __future__ import annotations

from ._codes import FarmError, FrameType
from ._model import Mode, SimFrame, SimTask

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
        self.frames: dict[int, SimFrame] = {}
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

    def add_frames(self, task: SimTask, numbers: list[str], frame_type: FrameType) -> None:
        """Give ``task`` one waiting frame per frame number."""
        for number in numbers:
            frame = SimFrame(id=self._next_frame_id, task_id=task.id, index=number, frame_type=frame_type)
            self._next_frame_id += 1
            task.frames.append(frame)
            self.frames[frame.id] = frame

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
