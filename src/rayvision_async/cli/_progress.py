"""Progress of watched tasks: what is known (:class:`Tracker`) and three ways to show it.

* :class:`JsonLines` (``--json``): one JSON object per change, with a UTC ``time``.
* :class:`Lines` (stdout not a terminal, or rich not installed): one timestamped line per
  change, then a summary line.
* :class:`LiveView` (a terminal with rich): a live table, redrawn four times a second — a
  row per task (done/total frames, failed, status, elapsed, ETA) while the tasks fit the
  screen, else the totals (tasks per status, all frames, elapsed, ETA) and the latest
  changes; then a summary table.

ETA: the frames still to render over the rate at which this watch saw frames finish
(unknown until one did). Elapsed: since the task started rendering (``start_time``), else
since the watch first saw it. The transfer displays (bytes and files) are in :mod:`._transfers`.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from collections import Counter, deque
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from ..flows._bulk import TaskEvent
from ..models import TaskInfo
from ._output import print_json

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

__all__ = ["JsonLines", "Lines", "LiveView", "Tracker", "clock", "duration"]


def clock() -> str:
    """Now, as ISO 8601 UTC to the second (``2026-12-02T10:00:00Z``)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def duration(seconds: float | None) -> str:
    """``75`` → ``1:15``, ``3725`` → ``1:02:05``; None → ``—``."""
    if seconds is None:
        return "—"
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _status(task: TaskInfo) -> str:
    return "UNKNOWN" if task.task_status is None else task.task_status.name


@attrs.define
class _Seen:
    """One task as the watch knows it: now, and when and at how many done frames it was first seen."""

    task: TaskInfo
    first_seen: float
    first_done: int


@attrs.define
class Tracker:
    """Every watched task's latest state, the rates behind the ETAs, and the latest changes."""

    started: float = attrs.field(factory=time.monotonic)
    tasks: dict[int, _Seen] = attrs.field(factory=dict)
    latest: deque[tuple[str, TaskEvent]] = attrs.field(factory=lambda: deque(maxlen=100))
    lock: threading.Lock = attrs.field(factory=threading.Lock)

    def update(self, event: TaskEvent) -> None:
        with self.lock:
            seen = self.tasks.get(event.task_id)
            if seen is None:
                self.tasks[event.task_id] = _Seen(event.task, time.monotonic(), event.task.done_frames or 0)
            else:
                seen.task = event.task
            self.latest.append((dt.datetime.now().strftime("%H:%M:%S"), event))

    def elapsed(self, seen: _Seen, now: float) -> float:
        """Since the task started rendering, else (no start time, or one ahead of this clock) since first seen."""
        start = seen.task.start_time
        since_start = None if start is None else dt.datetime.now(dt.UTC).timestamp() - start.timestamp()
        return since_start if since_start is not None and since_start >= 0 else now - seen.first_seen

    @staticmethod
    def _eta(left: int, done_since: int, seconds: float) -> float | None:
        if left <= 0:
            return 0.0
        return None if done_since <= 0 or seconds <= 0 else left * seconds / done_since

    def eta(self, seen: _Seen, now: float) -> float | None:
        task = seen.task
        if task.is_terminal:
            return None
        left = (task.total_frames or 0) - (task.done_frames or 0) - (task.failed_frames or 0)
        return self._eta(left, (task.done_frames or 0) - seen.first_done, now - seen.first_seen)

    def totals(self) -> dict[str, Any]:
        """Tasks per status, frames done/failed/total over all tasks, and the overall ETA."""
        now = time.monotonic()
        tasks = [seen.task for seen in self.tasks.values()]
        done = sum(task.done_frames or 0 for task in tasks)
        failed = sum(task.failed_frames or 0 for task in tasks)
        total = sum(task.total_frames or 0 for task in tasks)
        since = done - sum(seen.first_done for seen in self.tasks.values())
        left = sum(max(0, (task.total_frames or 0) - (task.done_frames or 0) - (task.failed_frames or 0))
                   for task in tasks if not task.is_terminal)
        return {"statuses": dict(sorted(Counter(map(_status, tasks)).items())), "tasks": len(tasks),
                "ended": sum(task.is_terminal for task in tasks), "frames_done": done, "frames_failed": failed,
                "frames_total": total, "elapsed": now - self.started,
                "eta": self._eta(left, since, now - self.started)}

    def summary(self) -> str:
        """One line: how long, how the tasks ended, the frames."""
        totals = self.totals()
        statuses = ", ".join(f"{name} {count}" for name, count in totals["statuses"].items()) or "none seen"
        return (f"watched {totals['tasks']} task{'s' if totals['tasks'] != 1 else ''} for "
                f"{duration(totals['elapsed'])}: {statuses}; frames {totals['frames_done']}/{totals['frames_total']} "
                f"done, {totals['frames_failed']} failed")


def _row(task: TaskInfo) -> dict[str, Any]:
    from ._tasks import task_row

    return task_row(task)


class JsonLines:
    """``--json``: one JSON object per change (the ``tasks`` row, ``changes`` and a UTC ``time``)."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    def __enter__(self) -> JsonLines:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def event(self, event: TaskEvent) -> None:
        self.tracker.update(event)
        print_json({**_row(event.task), "changes": sorted(event.changes), "time": clock()}, indent=None)

    def finish(self) -> None:
        pass


class Lines:
    """Plain output: a timestamped line per change, a summary line at the end (on stdout, or ``stream``)."""

    def __init__(self, tracker: Tracker, stream: TextIO | None = None) -> None:
        self.tracker = tracker
        self.stream = stream

    def __enter__(self) -> Lines:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def event(self, event: TaskEvent) -> None:
        self.tracker.update(event)
        row = _row(event.task)
        self._write(f"{clock()} task {row['id']}: {row['status']}  {row['done']}/{row['total']} done, "
                    f"{row['failed'] or 0} failed\n")

    def finish(self) -> None:
        self._write(f"{clock()} {self.tracker.summary()}\n")

    def _write(self, text: str) -> None:
        stream = self.stream or sys.stdout  # read at the call: a test may have replaced sys.stdout since
        stream.write(text)
        stream.flush()


class LiveView:
    """A terminal: a live table of the tasks (or their totals), then a summary table."""

    def __init__(self, tracker: Tracker, out: Console, *, per_task: bool, latest: int) -> None:
        from rich.live import Live

        self.tracker = tracker
        self.out = out
        self.per_task = per_task
        self.latest = latest
        self.live = Live(console=out, get_renderable=self._render, refresh_per_second=4, transient=True)

    def __enter__(self) -> LiveView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.live.__exit__(None, None, None)

    def event(self, event: TaskEvent) -> None:
        self.tracker.update(event)

    def _render(self) -> RenderableType:
        with self.tracker.lock:
            return self._tasks() if self.per_task else self._totals()

    def _tasks(self) -> RenderableType:
        from rich.progress_bar import ProgressBar
        from rich.table import Table

        now = time.monotonic()
        table = Table("task", "frames", "done", "failed", "status", "elapsed", "ETA",
                      title=f"watching {len(self.tracker.tasks)} tasks — {duration(now - self.tracker.started)}")
        for task_id, seen in sorted(self.tracker.tasks.items()):
            task = seen.task
            total = task.total_frames or 0
            table.add_row(str(task_id), ProgressBar(total=total or None, completed=task.done_frames or 0, width=20),
                          f"{task.done_frames or 0}/{total}", str(task.failed_frames or 0), _status(task),
                          duration(self.tracker.elapsed(seen, now)), duration(self.tracker.eta(seen, now)))
        return table

    def _totals(self) -> RenderableType:
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table

        totals = self.tracker.totals()
        head = Table.grid(padding=(0, 2))
        head.add_row(f"tasks {totals['ended']}/{totals['tasks']} ended",
                     ProgressBar(total=totals["frames_total"] or None, completed=totals["frames_done"], width=40),
                     f"frames {totals['frames_done']}/{totals['frames_total']} done, {totals['frames_failed']} failed",
                     f"elapsed {duration(totals['elapsed'])}", f"ETA {duration(totals['eta'])}")
        statuses = Table("status", "tasks", title="tasks per status")
        for name, count in totals["statuses"].items():
            statuses.add_row(name, str(count))
        changes = Table("time", "task", "was", "now", "frames", title=f"latest {self.latest} changes")
        for moment, event in list(self.tracker.latest)[-self.latest:][::-1] if self.latest else ():
            previous = event.previous_status
            changes.add_row(moment, str(event.task_id), previous.name if previous is not None else "—",
                            _status(event.task), f"{event.task.done_frames or 0}/{event.task.total_frames or 0}")
        return Group(head, statuses, *([changes] if self.latest else []))

    def finish(self) -> None:
        from rich.table import Table

        totals = self.tracker.totals()
        table = Table("what", "value", title="Watch summary", show_header=False)
        for name, count in totals["statuses"].items():
            table.add_row(f"tasks {name}", str(count))
        table.add_row("frames done", f"{totals['frames_done']}/{totals['frames_total']}")
        table.add_row("frames failed", str(totals["frames_failed"]))
        table.add_row("elapsed", duration(totals["elapsed"]))
        self.out.print(table)
