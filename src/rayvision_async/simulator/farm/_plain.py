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


class PlainFrames:
    """The frames of one plain task: frame ``k`` is ``numbers[k]``, id ``first_id + k``, batch ``k // limit``."""

    __slots__ = ("_counts", "done", "fee", "fees", "first_id", "limit", "numbers", "running", "seconds", "starts",
                 "task_id")

    def __init__(self, task_id: int, first_id: int, numbers: Sequence[str], *, limit: int, seconds: float) -> None:
        self.task_id = task_id
        self.first_id = first_id
        self.numbers = numbers
        self.limit = limit
        self.seconds = seconds
        self.starts: list[float] = []  # when each batch started, in order
        self.fees: list[Decimal] = []  # what each frame of each finished batch was charged
        self.fee = Decimal(0)  # what the complete frames cost
        self.done = 0  # frames complete
        self.running = 0  # frames of the current batch, rendering
        self._counts = FrameCounts(total=len(numbers), waiting=len(numbers))

    @property
    def total(self) -> int:
        """How many frames the task has."""
        return len(self.numbers)

    def counts(self) -> FrameCounts:
        """Frame totals by status."""
        return self._counts

    def _count(self) -> None:
        total = len(self.numbers)
        self._counts = FrameCounts(total=total, waiting=total - self.done - self.running, executing=self.running,
                                   done=self.done)

    def _batch_size(self, batch: int) -> int:
        return min(self.limit, len(self.numbers) - batch * self.limit)

    def unfinished(self) -> bool:
        """True while a frame is waiting or rendering."""
        return self.done < len(self.numbers)

    def batch_end(self) -> float | None:
        """When the running batch ends (None if none runs)."""
        return self.starts[-1] + self.seconds if self.running else None

    def running_ids(self) -> range:
        """Ids of the frames rendering now."""
        first = self.first_id + self.done
        return range(first, first + self.running)

    def start_batch(self, instant: float) -> bool:
        """Start the next batch at ``instant`` if frames wait and none runs; True if one started."""
        if self.running or self.done >= len(self.numbers):
            return False
        self.starts.append(instant)
        self.running = self._batch_size(len(self.starts) - 1)
        self._count()
        return True

    def finish_batch(self, fee: Decimal) -> int:
        """The running batch completed, each frame charged ``fee``; returns how many frames that was."""
        finished = self.running
        self.done += finished
        self.running = 0
        self.fees.append(fee)
        self.fee += fee * finished
        self._count()
        return finished

    def materialize(self) -> list[SimFrame]:
        """The frames as the engine would hold them now (the running ones' start and end included)."""
        frames: list[SimFrame] = []
        started = self.done + self.running
        for position, number in enumerate(self.numbers):
            frame = SimFrame(id=self.first_id + position, task_id=self.task_id, index=number,
                             frame_type=FrameType.MAIN)
            if position < started:
                batch = position // self.limit
                frame.started_at = self.starts[batch]
                frame.ended_at = self.starts[batch] + self.seconds
                if position < self.done:
                    frame.status = FrameStatus.COMPLETE
                    frame.fee += self.fees[batch]
                else:
                    frame.status = FrameStatus.PROCESSING
            frames.append(frame)
        return frames
