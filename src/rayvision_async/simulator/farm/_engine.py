"""Discrete-event rendering: moves every live task from one simulated instant to the next.

Events are: a task's analysis ending, a frame ending (complete or failed), and
a task hitting its over-time stop. Between events nothing changes, so the
engine jumps from event to event up to the target time, starting waiting
frames on free slots after each one. The result depends only on the event
order, never on how often the farm is polled.

Families (a top-level task and its child tasks) do not share anything the
engine hands out except ids, which only an analysis takes. So the engine keeps
one queue entry per family, its next event ``(instant, parent id)``, and at
each entry applies that family's events and fills its free slots: work in
proportion to the events that happen, not to the tasks that exist. Entries
pop in the order of a global clock (instant, then parent id), so analyses hand
out child task and frame ids in the same order as if every family were
stepped together. An entry left behind by a change (a stop, a new limit) is
recognised as stale when it pops: the family's next event is computed again.

A plain task (:mod:`._plain`) has no frame objects until something needs them:
its events are the ends of its batches, applied to counters. One queue entry of a
plain task applies every batch end of it up to the target time at once (and its
analysis entry, the batch ends that follow it): a batch end takes no id and
touches nothing of another family, and what it charges adds up to the same
balance in any order, so only the analyses need the global order. A batch with a
failing frame is not applied ahead: the task stays queued at that batch's end and
renders frame by frame from there (:meth:`RenderEngine._plain_batch_ends`).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from decimal import Decimal

from ._clock import SimClock
from ._codes import FrameStatus
from ._model import Mode, SimFrame, SimTask
from ._passes import PassState

__all__ = ["RenderEngine"]

_MAX_EVENTS_PER_RUN = 50_000_000


class RenderEngine:
    """Runs the families of the parents in ``tasks`` that were woken with :meth:`wake`, on ``clock``'s time.

    ``on_analysed(task, t)`` builds a parent's frames or child tasks when its
    analysis ends; ``frame_fails(frame)`` decides a finished frame's fate;
    ``charge(frame)`` bills a completed frame. For a plain task (:mod:`._plain`),
    ``plain_fail(frame_ids)`` says whether one of those frames fails (None: only
    the frames themselves can tell) and ``charge_frames(count)`` bills that many completed frames,
    returning what each cost.
    """

    def __init__(
        self,
        tasks: dict[int, SimTask],
        *,
        clock: SimClock,
        frame_seconds: float,
        on_analysed: Callable[[SimTask, float], None],
        frame_fails: Callable[[SimFrame], bool],
        charge: Callable[[SimFrame], None],
        plain_fail: Callable[[range], bool | None] = lambda frame_ids: None,
        charge_frames: Callable[[int], Decimal] | None = None,
    ) -> None:
        if frame_seconds <= 0:
            raise ValueError("frame_seconds must be > 0")
        self.frame_seconds = float(frame_seconds)
        self.clock = clock
        self._tasks = tasks
        self._on_analysed = on_analysed
        self._frame_fails = frame_fails
        self._charge = charge
        self._plain_fail = plain_fail
        self._charge_frames = charge_frames
        self._queue: list[tuple[float, int]] = []  # (instant, parent id): a family's next event
        #: Called at the end of a run with the parents whose family's work ended in it (their
        #: ``completedDate`` stamped, their revision bumped): the service makes their records then
        #: (see ``service._records``).
        self.on_settled: Callable[[list[SimTask], float], None] | None = None
        self._queued: dict[int, float] = {}  # parent id → the instant of its live queue entry

    def now(self) -> float:
        """Bring every task up to the clock's current time and return it (epoch seconds)."""
        now = self.clock.now()
        self.run_until(now)
        return now

    def settle(self, parent: SimTask, now: float) -> None:
        """Bring ``parent``'s family up to ``now`` after a change and schedule what follows."""
        parent.materialize()  # a task something changed renders frame by frame from now on
        self.wake(parent)
        self.run_until(now)
        passes = self._fill(parent, now)
        self.mark_completion(parent, now, passes)
        parent.revision += 1
        self.wake(parent)

    def wake(self, parent: SimTask) -> None:
        """(Re)compute when ``parent``'s family (a top-level task's) next has something happen."""
        instant = self._next_event(parent)
        if instant is None:
            self._queued.pop(parent.id, None)
        elif self._queued.get(parent.id) != instant:
            self._queued[parent.id] = instant
            heapq.heappush(self._queue, (instant, parent.id))

    def run_until(self, target: float) -> None:
        """Apply every event up to ``target``, in time order, filling free slots after each."""
        settled: list[SimTask] = []
        self._run(target, settled)
        if settled and self.on_settled is not None:
            self.on_settled(settled, target)

    def _run(self, target: float, settled: list[SimTask]) -> None:
        """:meth:`run_until`'s events; the parents whose family's work ended go to ``settled``."""
        queue, queued = self._queue, self._queued
        for _ in range(_MAX_EVENTS_PER_RUN):
            if not queue or queue[0][0] > target:
                return
            instant, parent_id = heapq.heappop(queue)
            if queued.get(parent_id) != instant:
                continue  # superseded by a later wake
            del queued[parent_id]
            parent = self._tasks.get(parent_id)
            if parent is None:
                continue
            if self._next_event(parent) != instant:
                self.wake(parent)  # a change since it was queued moved its next event
                continue
            unfinished = parent.completed_at is None
            self._apply_events(parent, instant, target)
            parent.revision += 1
            if unfinished and parent.completed_at is not None:
                settled.append(parent)
            self.wake(parent)
        raise RuntimeError("render engine did not converge")  # pragma: no cover - a bug guard

    # -- internals -------------------------------------------------------------------------------

    @staticmethod
    def _deadline(parent: SimTask) -> float | None:
        if parent.over_time_stop is None or parent.overtime_from is None:
            return None
        return parent.overtime_from + parent.over_time_stop

    def _next_event(self, parent: SimTask) -> float | None:
        if parent.mode is Mode.ANALYSING:
            return parent.analyse_until
        if parent.mode is not Mode.ACTIVE:
            return None
        if parent.plain is not None:
            return parent.plain.batch_end()
        soonest: float | None = None
        for leaf in parent.leaves():
            if leaf.mode is not Mode.ACTIVE:
                continue
            running = [frame for frame in leaf.running if frame.status is FrameStatus.PROCESSING]
            leaf.running = running  # frames stopped, failed or requeued since are dropped here
            for frame in running:
                ended = frame.ended_at
                if ended is not None and (soonest is None or ended < soonest):
                    soonest = ended
        deadline = self._deadline(parent)
        if deadline is not None and (soonest is None or deadline < soonest) and parent.is_pending():
            soonest = deadline
        return soonest

    def _apply_events(self, parent: SimTask, instant: float, target: float) -> None:
        """What happens to ``parent``'s family at ``instant``, then its free slots filled.

        A plain task goes on to its batch ends up to ``target`` (see the module docstring).
        """
        if parent.mode is Mode.ANALYSING:
            if parent.analyse_until is not None and parent.analyse_until <= instant:
                self._on_analysed(parent, instant)
            self._fill(parent, instant)
            if parent.plain is not None:  # analysed just now: it renders
                self._plain_batch_ends(parent, None, target)
            return
        if parent.mode is not Mode.ACTIVE:
            return
        if parent.plain is not None and self._plain_batch_ends(parent, instant, target):
            return
        for leaf in parent.leaves():
            if leaf.mode is not Mode.ACTIVE:
                continue
            ended = [frame for frame in leaf.running if frame.status is FrameStatus.PROCESSING
                     and frame.ended_at is not None and frame.ended_at <= instant]
            for frame in sorted(ended, key=_frame_id) if len(ended) > 1 else ended:  # in the task's order
                self._finish_frame(frame)
        passes = parent.passes()
        deadline = self._deadline(parent)
        if deadline is not None and deadline <= instant and parent.is_pending(passes):
            self.time_out(parent, instant)
            return  # nothing of the family is active any more
        self.mark_completion(parent, instant, passes)
        self._fill(parent, instant, passes)

    def _plain_batch_ends(self, task: SimTask, instant: float | None, target: float) -> bool:
        """Apply a plain task's batch ends up to ``target``, each batch starting the next.

        ``instant``: when its running batch ends, if it was queued for that. False if a frame of
        that batch fails (then it has frames, for the frame by frame engine). A later batch with a
        failing frame is left running: the task's next event is its end.
        """
        plain = task.plain
        assert plain is not None
        charge_frames, plain_fail = self._charge_frames, self._plain_fail
        if charge_frames is None:
            task.materialize()
            return False
        frames = plain.ending_by(target)
        if frames and plain_fail(range(plain.first_id + plain.done, plain.first_id + plain.done + frames)) is False:
            finished_at = plain.finish_until(target, charge_frames(frames))  # no frame fails: all in one go
            if finished_at is not None and task.completed_at is None:
                task.completed_at = finished_at
            return True
        end = plain.batch_end()
        while end is not None and end <= target:  # batch by batch, up to the one with a failing frame
            if plain_fail(plain.running_ids()) is not False:
                if end == instant:
                    task.materialize()  # a failing frame: the frame by frame engine decides what follows
                    return False
                break  # applied when its turn comes, in the global order
            plain.finish_batch(charge_frames(plain.running))
            if not plain.unfinished():
                if task.completed_at is None:
                    task.completed_at = end
                break
            plain.start_batch(end)
            end = plain.batch_end()
        return True

    def _finish_frame(self, frame: SimFrame) -> None:
        if self._frame_fails(frame):
            frame.status = FrameStatus.FAILED
        else:
            frame.status = FrameStatus.COMPLETE
            self._charge(frame)

    def time_out(self, parent: SimTask, instant: float) -> None:
        """Stop ``parent`` for exceeding its over-time stop (task status 23, its unfinished frames 11)."""
        for task in parent.family():
            task.mode = Mode.TIMED_OUT
            for frame in task.frames:
                if frame.is_pending:
                    if frame.status is FrameStatus.PROCESSING:
                        frame.ended_at = instant
                    frame.status = FrameStatus.TIMED_OUT

    @staticmethod
    def mark_completion(parent: SimTask, instant: float, passes: PassState | None = None) -> None:
        """Stamp ``completedDate`` on the leaves and the parent that have no work left.

        ``passes``: the family's :meth:`~._model.SimTask.passes`, if the caller has them already.
        """
        for leaf in parent.leaves():
            if leaf.completed_at is None and leaf.mode is Mode.ACTIVE:
                if passes is None:
                    passes = parent.passes()  # (only for a task that may complete: none being analysed)
                if not leaf.is_pending(passes):
                    leaf.completed_at = instant
        if parent.completed_at is None and parent.mode is Mode.ACTIVE:
            if passes is None:
                passes = parent.passes()
            if not parent.is_pending(passes):
                parent.completed_at = instant

    def _fill(self, parent: SimTask, instant: float, passes: PassState | None = None) -> PassState | None:
        """Start waiting frames of the open pass on free slots; returns the family's passes (None if idle)."""
        if parent.mode is not Mode.ACTIVE:
            return None
        if parent.plain is not None:
            if parent.plain.start_batch(instant) and parent.render_started_at is None:
                parent.render_started_at = instant
            return None
        if passes is None:
            passes = parent.passes()  # only the open pass starts: the main picture waits for the photon pass
        for leaf in parent.leaves():
            if leaf.mode is Mode.ACTIVE:
                self._start_frames(leaf, instant, passes)
        return passes  # starting frames changes no pass: what was unfinished still is

    def _start_frames(self, leaf: SimTask, instant: float, passes: PassState) -> None:
        if passes.open_pass is None:
            return
        waiting = [frame for frame in leaf.frames if passes.may_start(frame)]
        if not waiting:
            return
        running = [frame for frame in leaf.running if frame.status is FrameStatus.PROCESSING]
        leaf.running = running  # a requeued frame left behind is dropped before it may start again
        free = len(waiting) if leaf.full_speed else max(leaf.task_limit - len(running), 0)
        ended_at = instant + self.frame_seconds
        for frame in waiting[:free]:
            frame.status = FrameStatus.PROCESSING
            frame.started_at = instant
            frame.ended_at = ended_at
            running.append(frame)
            if leaf.render_started_at is None:
                leaf.render_started_at = instant


def _frame_id(frame: SimFrame) -> int:
    return frame.id
