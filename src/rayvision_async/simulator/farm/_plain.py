"""The frames of a plain task, kept as counters until something needs them one by one.

A *plain* task renders its frames in one pass on its own: no child tasks, no pre-render,
settlement, photon or priority frames, no over-time stop, not at full speed. Until anything but
the render engine touches it, its frames start in batches of ``task_limit``, back to back, each
batch ``frame_seconds`` long (every frame of a batch ends at the same instant, which is when the
next batch starts). So the engine keeps, instead of one :class:`~._model.SimFrame` per frame, how
many frames are done and running and when each batch started; a farm of 100,000 such tasks holds
no frame objects at all.

The frames are made (:meth:`PlainFrames.materialize`) the moment anything needs them one by one
(listing them, a frame id, stopping or restarting, any change to the task, or a frame that fails),
exactly as the engine would have left them, and from then on the task renders frame by frame like
any other. Frame ids are handed out at analysis either way, so they do not depend on when, or
whether, that happens.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ._codes import FrameStatus, FrameType
from ._model import FrameCounts, SimFrame

__all__ = ["PlainFrames"]

_NO_FEE = Decimal(0)  # (a Decimal is immutable: one is enough for every task)


class PlainFrames:
    """The frames of one plain task: frame ``k`` is ``numbers[k]``, id ``first_id + k``, batch ``k // limit``."""

    __slots__ = ("_counts", "batches", "done", "fee", "fees", "first_id", "first_start", "last_start", "limit",
                 "numbers", "running", "seconds", "task_id")

    def __init__(self, task_id: int, first_id: int, numbers: Sequence[str], *, limit: int, seconds: float) -> None:
        self.task_id = task_id
        self.first_id = first_id
        self.numbers = numbers
        self.limit = limit
        self.seconds = seconds
        # Batches run back to back: batch k starts at first_start + seconds, added k times (as the engine
        # adds them). Nothing here is a list: a farm of plain tasks gives the garbage collector little to walk.
        self.batches = 0  # batches started
        self.first_start = 0.0  # when the first batch started
        self.last_start = 0.0  # when the latest batch started
        self.fees: dict[int, Decimal] = {}  # batch → what each of its frames was charged, once it finished
        self.fee = _NO_FEE  # what the complete frames cost
        self.done = 0  # frames complete
        self.running = 0  # frames of the current batch, rendering
        self._counts: FrameCounts | None = None  # made when read, dropped when a batch starts or ends

    @property
    def total(self) -> int:
        """How many frames the task has."""
        return len(self.numbers)

    def counts(self) -> FrameCounts:
        """Frame totals by status."""
        counts = self._counts
        if counts is None:
            total = len(self.numbers)
            counts = self._counts = FrameCounts(total=total, waiting=total - self.done - self.running,
                                                executing=self.running, done=self.done)
        return counts

    def _batch_size(self, batch: int) -> int:
        return min(self.limit, len(self.numbers) - batch * self.limit)

    def unfinished(self) -> bool:
        """True while a frame is waiting or rendering."""
        return self.done < len(self.numbers)

    def batch_end(self) -> float | None:
        """When the running batch ends (None if none runs)."""
        return self.last_start + self.seconds if self.running else None

    def running_ids(self) -> range:
        """Ids of the frames rendering now."""
        first = self.first_id + self.done
        return range(first, first + self.running)

    def start_batch(self, instant: float) -> bool:
        """Start the next batch at ``instant`` if frames wait and none runs; True if one started."""
        if self.running or self.done >= len(self.numbers):
            return False
        if self.batches:
            assert instant == self.last_start + self.seconds, "a plain task's batches run back to back"
        else:
            self.first_start = instant
        self.last_start = instant
        self.running = self._batch_size(self.batches)
        self.batches += 1
        self._counts = None
        return True

    def finish_batch(self, fee: Decimal) -> int:
        """The running batch completed, each frame charged ``fee``; returns how many frames that was."""
        finished = self.running
        self.done += finished
        self.running = 0
        self.fees[self.batches - 1] = fee
        self.fee += fee * finished
        self._counts = None
        return finished

    def ending_by(self, target: float) -> int:
        """How many frames end by ``target``: the running batch's, then those of the batches it starts."""
        limit, total, seconds = self.limit, len(self.numbers), self.seconds
        frames, running, batch, end = 0, self.running, self.batches, self.last_start + seconds
        while running and end <= target:
            frames += running
            running = min(limit, total - batch * limit) if self.done + frames < total else 0
            batch += 1
            end += seconds
        return frames

    def finish_until(self, target: float, fee: Decimal) -> float | None:
        """Finish the batches that end by ``target``, each starting the next, each frame charged ``fee``.

        The same as :meth:`finish_batch` and :meth:`start_batch` at each batch end, in one go. Returns
        when the last frame ended if the task finished, else None.
        """
        limit, total, seconds, fees = self.limit, len(self.numbers), self.seconds, self.fees
        done, running, batches, start = self.done, self.running, self.batches, self.last_start
        end = start + seconds
        finished_at = None
        while running and end <= target:
            done += running
            fees[batches - 1] = fee
            self.fee += fee * running
            if done >= total:
                running, finished_at = 0, end
                break
            start, running = end, min(limit, total - batches * limit)
            batches += 1
            end = start + seconds
        self.done, self.running, self.batches, self.last_start = done, running, batches, start
        self._counts = None
        return finished_at

    def materialize(self) -> list[SimFrame]:
        """The frames as the engine would hold them now (the running ones' start and end included)."""
        frames: list[SimFrame] = []
        started = self.done + self.running
        starts = [self.first_start]
        for _ in range(1, self.batches):
            starts.append(starts[-1] + self.seconds)
        for position, number in enumerate(self.numbers):
            frame = SimFrame(id=self.first_id + position, task_id=self.task_id, index=number,
                             frame_type=FrameType.MAIN)
            if position < started:
                batch = position // self.limit
                frame.started_at = starts[batch]
                frame.ended_at = starts[batch] + self.seconds
                if position < self.done:
                    frame.status = FrameStatus.COMPLETE
                    frame.fee += self.fees[batch]
                else:
                    frame.status = FrameStatus.PROCESSING
            frames.append(frame)
        return frames
