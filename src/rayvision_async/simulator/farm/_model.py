"""The farm's mutable state: tasks (parents and their child tasks) and frames.

A task the user created is a *parent*. After analysis it either renders its
own frames (no child tasks; its ``respRenderingTaskList`` is null on the
wire) or it gets child tasks (one photon child and one main-picture child)
that own the frames. Frames render in passes (:mod:`._passes`). Statuses are
derived from the frames, except for the modes a user sets explicitly
(stopped, abandoned) or the farm imposes (analysing, timed out).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from ...errors import InvalidInputError
from ._codes import FrameStatus, FrameType, TaskStatus
from ._passes import NOTHING_OPEN, PassState

if TYPE_CHECKING:
    from ._plain import PlainFrames

__all__ = ["FrameCounts", "Mode", "SimFrame", "SimTask"]


class _ModeLookup(enum.EnumType):
    """``Mode(text)`` looks one mode up by its value; anything else is an ``InvalidInputError``."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        given = [*args, *kwargs.values()]
        if len(given) != 1 or (kwargs and "value" not in kwargs):
            raise InvalidInputError(f"{cls.__name__}() looks up one mode (value=); it takes no other arguments")
        (value,) = given
        if isinstance(value, cls):
            return value
        member = cls._value2member_map_.get(value) if type(value) is str else None  # no subclass's __hash__
        if member is None:
            shown = repr(value)[:40] if type(value) is str else f"a {type(value).__name__}"
            raise InvalidInputError(f"{cls.__name__} is one of {', '.join(cls._value2member_map_)}; not {shown}")
        return member


class Mode(enum.Enum, metaclass=_ModeLookup):
    """What drives a task's status: the user's and the farm's decisions, before the frames."""

    CREATED = "created"  # id handed out by createTask, not submitted yet
    ANALYSING = "analysing"
    ACTIVE = "active"  # status follows the frames: rendering or finished
    STOPPED = "stopped"
    TIMED_OUT = "timed_out"
    ABANDONED = "abandoned"


_MODE_STATUS = {
    Mode.CREATED: TaskStatus.WAITING,
    Mode.ANALYSING: TaskStatus.ANALYSE,
    Mode.STOPPED: TaskStatus.STOP,
    Mode.TIMED_OUT: TaskStatus.TIME_OUT_STOP,
    Mode.ABANDONED: TaskStatus.ABANDON,
}


@dataclass(eq=False, slots=True)
class SimFrame:
    """One frame (or the photon pass) of a task that renders."""

    id: int
    task_id: int
    index: str
    frame_type: FrameType
    status: FrameStatus = FrameStatus.WAITING
    started_at: float | None = None
    ended_at: float | None = None
    attempts: int = 0  # recommitFlag: how many times the frame was resubmitted
    fee: Decimal = Decimal(0)

    @property
    def is_pending(self) -> bool:
        """Waiting or processing: the task is not done while such a frame exists."""
        return self.status in (FrameStatus.WAITING, FrameStatus.PROCESSING)


class FrameCounts(NamedTuple):
    """Frame totals of a task, by status."""

    total: int = 0
    waiting: int = 0
    executing: int = 0
    done: int = 0
    failed: int = 0
    stopped: int = 0

    @classmethod
    def of(cls, frames: list[SimFrame]) -> FrameCounts:
        """Count ``frames`` by status."""
        by_status = dict.fromkeys(FrameStatus, 0)
        for frame in frames:
            by_status[frame.status] += 1
        return cls(
            total=len(frames),
            waiting=by_status[FrameStatus.WAITING],
            executing=by_status[FrameStatus.PROCESSING],
            done=by_status[FrameStatus.COMPLETE],
            failed=by_status[FrameStatus.FAILED],
            stopped=by_status[FrameStatus.STOPPED] + by_status[FrameStatus.TIMED_OUT],
        )


@dataclass(eq=False, slots=True)
class SimTask:
    """A task: a parent created by the user, or a child task made by the farm."""

    id: int
    alias: str
    created_at: float
    parent_id: int = 0
    task_type: str = ""  # "" for a parent, "RenderPhoton" or "Render" for a child
    mode: Mode = Mode.CREATED
    children: list[SimTask] = field(default_factory=list)
    _frames: list[SimFrame] | None = field(default=None, repr=False)  # made when first needed (see frames)
    scene_name: str = ""
    cg_id: int = 2001
    frames_range: str = ""
    camera: str = ""
    project_name: str = ""
    user_level: int = 50
    task_limit: int = 4
    full_speed: bool = False
    over_time_stop: int | None = None
    hardware_config_id: int = 1
    labels: dict[int, str] = field(default_factory=dict)
    producer: str | None = None
    artist: str | None = None
    out_user_id: int | None = None
    clone_original_id: int | None = None
    files: dict[str, Any] = field(default_factory=dict)
    submitted_at: float | None = None
    analyse_until: float | None = None
    render_started_at: float | None = None
    overtime_from: float | None = None  # when the over-time stop clock (re)started
    completed_at: float | None = None
    deleted: bool = False
    revision: int = 0  # of a parent: bumped whenever its family changes (cached wire records check it)
    running: Sequence[SimFrame] = field(default=(), repr=False)  # the engine's: frames it started here
    plain: PlainFrames | None = field(default=None, repr=False)  # the frames as counters (see _plain)
    parent: SimTask | None = field(default=None, repr=False)  # the top-level task of a child task

    # -- frames ----------------------------------------------------------------------------------

    @property
    def frames(self) -> list[SimFrame]:
        """This task's own frames (made from the counters of a plain task the first time they are needed)."""
        if self.plain is not None:
            self.materialize()
        frames = self._frames
        if frames is None:  # (a farm of plain tasks holds no empty lists: less for the garbage collector)
            frames = self._frames = []
        return frames

    def materialize(self) -> None:
        """Turn a plain task's frame counters into frames; from now on it renders frame by frame."""
        plain = self.plain
        if plain is None:
            return
        self.plain = None
        self._frames = plain.materialize()
        self.running = [frame for frame in self._frames if frame.status is FrameStatus.PROCESSING]

    # -- derived ---------------------------------------------------------------------------------

    def all_frames(self) -> list[SimFrame]:
        """This task's frames, or its children's frames for a parent with child tasks."""
        if self.children:
            return [frame for child in self.children for frame in child.frames]
        if self._frames is None and self.plain is None:
            return []  # (a task not analysed yet: no list is made for it)
        return list(self.frames)

    def counts(self) -> FrameCounts:
        """Frame totals (over the child tasks for a parent)."""
        if self.plain is not None:
            return self.plain.counts()
        return FrameCounts.of(self.all_frames())

    def fee(self) -> Decimal:
        """What the finished frames cost so far."""
        if self.plain is not None:
            return self.plain.fee
        return sum((frame.fee for frame in self.all_frames()), Decimal(0))

    def root(self) -> SimTask:
        """The top-level task (this one, for a parent)."""
        return self.parent if self.parent is not None else self

    def passes(self) -> PassState:
        """The render passes of this task's family, now."""
        root = self.root()
        if root.plain is not None:
            return PassState(FrameType.MAIN, frozenset({root.id}), True) if root.plain.unfinished() else NOTHING_OPEN
        return PassState.of(root.all_frames())

    def status(self, counts: FrameCounts | None = None) -> TaskStatus:
        """The ``taskStatus`` code the service reports now (``counts``: this task's, if the caller has them)."""
        if self.mode is not Mode.ACTIVE:  # (an identity test: hashing an Enum member runs Python code)
            return _MODE_STATUS[self.mode]
        if self.plain is not None:  # its frames cannot have failed or stopped (see _plain)
            return TaskStatus.RENDERING if self.plain.unfinished() else TaskStatus.FINISHED
        if self.children:
            child_statuses = [child.status() for child in self.children]
            if TaskStatus.RENDERING in child_statuses:
                return TaskStatus.RENDERING
            for child_status in child_statuses:
                if child_status in (TaskStatus.STOP, TaskStatus.TIME_OUT_STOP, TaskStatus.ABANDON):
                    return child_status
        if self.is_pending():
            return TaskStatus.RENDERING
        if counts is None:
            counts = self.counts()
        if counts.failed:
            return TaskStatus.FAILED if counts.done == 0 else TaskStatus.FINISHED_HAS_FAILED
        if counts.stopped:
            return TaskStatus.STOP
        if counts.waiting:
            return TaskStatus.WAITING  # a child task held behind another one's failed pass
        return TaskStatus.FINISHED

    def is_pending(self, passes: PassState | None = None) -> bool:
        """True while the farm still has work to do on this task (held passes are not work).

        ``passes``: this family's :meth:`passes`, if the caller has them already.
        """
        if self.mode is Mode.ANALYSING:
            return True
        if self.mode is not Mode.ACTIVE:
            return False
        if self.plain is not None:
            return self.plain.unfinished()  # a plain task's unfinished frames wait or render: all live
        if passes is None:
            passes = self.passes()
        live = (FrameStatus.WAITING, FrameStatus.PROCESSING) if passes.open_has_work else (FrameStatus.PROCESSING,)
        members = self.children or (self,)
        return any(frame.status in live for member in members for frame in member.frames)

    def leaves(self) -> Iterator[SimTask]:
        """The tasks that own frames: the children, or the task itself."""
        if self.children:
            yield from self.children
        else:
            yield self

    def family(self) -> Iterator[SimTask]:
        """The task and its child tasks."""
        yield self
        yield from self.children
