"""Transfer progress for people (files and bytes), and the transfer settings of the commands that move files.

Progress goes to **stderr**, so stdout stays the command's result (a line, a table, or ``--json`` for
scripts, which never gets anything extra; with ``--json`` and no terminal on stderr nothing is shown:
a script's stderr holds only errors):

* :class:`TransferBars` — stderr is a terminal and rich is installed: a live bar per transfer (files
  done/total, bytes, speed);
* :class:`TransferLines` — otherwise: timestamped lines; a transfer's start and end, retries and failed
  files at once, files done at most once a second per transfer (a log of a 10,000-frame download stays
  readable).

Both count what actually moved (:meth:`TransferCount.totals`): the files and bytes of every finished
transfer, which the commands report in their result.

:func:`engine_pointer` is the one line the command line says when no engine is found (the library's
message says how to get one in several lines).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from ._progress import clock

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from ..transfer import TransferEvent

__all__ = ["ENGINE_HELP", "TransferBars", "TransferCount", "TransferLines", "engine_pointer", "size",
           "transfer_display"]

#: Where the README says how to get the engine.
ENGINE_HELP = "https://github.com/rayvision-async/rayvision-async#transfers"


def size(count: int | None) -> str:
    """``5176`` → ``5.1 KiB``; None → ``?``."""
    if count is None:
        return "?"
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def _files(count: int | None) -> str:
    return "? files" if count is None else f"{count} file{'' if count == 1 else 's'}"


def engine_pointer(message: str) -> str:
    """The first line of a ``TransmitterNotFoundError``, then where to set the engine and how to get one."""
    first = message.split("\n", 1)[0].removesuffix(" Get one in any of these ways:").rstrip(" .:")
    return (f"{first}: set RAYVISION_TRANSMITTER to the engine's path ('rayvision-async simulate' prints the "
            f"simulator's); how to get one: {ENGINE_HELP}")


class TransferCount:
    """The transfers seen (each one's latest event, by label) and what finished; shows nothing.

    :meth:`scoped` gives a callback that names its transfers (``shot_003: upload assets``), for
    several jobs reporting to one display at once.
    """

    def __init__(self) -> None:
        self.latest: dict[str, TransferEvent] = {}
        self._runs = 0

    def __enter__(self) -> TransferCount:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def __call__(self, event: TransferEvent) -> None:
        self.record(event)

    def scoped(self, name: str) -> Callable[[TransferEvent], None]:
        """A callback for one job's transfers: their labels start with ``name``."""
        return lambda event: self(attrs.evolve(event, label=f"{name}: {event.label}"))

    def record(self, event: TransferEvent) -> None:
        """Remember ``event`` as its transfer's latest (a label seen again after it finished is a new transfer)."""
        previous = self.latest.get(event.label)
        if previous is not None and previous.kind == "finished" and event.kind == "started":
            self._runs += 1
            self.latest[f"{event.label} #{self._runs}"] = self.latest.pop(event.label)
        self.latest[event.label] = event

    def totals(self) -> dict[str, int]:
        """``{"files": ..., "bytes": ...}`` over the transfers that finished."""
        finished = [event for event in self.latest.values() if event.kind == "finished"]
        return {"files": sum(event.files_done for event in finished),
                "bytes": sum(event.bytes_done for event in finished)}

    def overall(self) -> tuple[int, int | None, int, int | None]:
        """Files done and total, bytes done and total, over every transfer seen (a total None while unknown)."""
        events = list(self.latest.values())
        files_total = sum(event.files_total or 0 for event in events)
        bytes_total = sum(event.bytes_total or 0 for event in events)
        unknown = any(event.files_total is None or event.bytes_total is None for event in events)
        return (sum(event.files_done for event in events), None if unknown else files_total,
                sum(event.bytes_done for event in events), None if unknown else bytes_total)


class TransferLines(TransferCount):
    """Plain progress: timestamped lines on ``stream`` (stderr)."""

    def __init__(self, stream: TextIO | None = None, *, every: float = 1.0) -> None:
        super().__init__()
        self.stream = stream if stream is not None else sys.stderr
        self.every = every
        self._last: dict[str, float] = {}

    def __call__(self, event: TransferEvent) -> None:
        self.record(event)
        files = f"{event.files_done}/{'?' if event.files_total is None else event.files_total} files"
        amount = f"{size(event.bytes_done)}/{size(event.bytes_total)}"
        if event.kind == "started":
            text = f"started: {_files(event.files_total)}, {size(event.bytes_total)}"
        elif event.kind == "finished":
            text = f"done: {_files(event.files_done)}, {size(event.bytes_done)}"
        elif event.kind == "retrying":
            text = f"the engine asked for another run (run {event.attempt}); {files}, {amount}"
        elif event.kind == "file_failed":
            text = f"the engine reported a failed file: {event.path}"
        else:
            now = time.monotonic()
            complete = event.files_total is not None and event.files_done >= event.files_total
            if not complete and now - self._last.get(event.label, float("-inf")) < self.every:
                return
            self._last[event.label] = now
            text = f"{files}, {amount}" + (" (already complete here)" if event.kind == "skipped" else "")
        self.stream.write(f"{clock()} {event.label}: {text}\n")
        self.stream.flush()


class TransferBars(TransferCount):
    """A live bar per transfer on a rich console (stderr): files, bytes, speed; one bar for them all with ``group``."""

    def __init__(self, out: Console, *, group: str | None = None) -> None:
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

        super().__init__()
        self.group = group
        self.progress: Progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                           TextColumn("{task.fields[files]}"), DownloadColumn(binary_units=True),
                                           TransferSpeedColumn(), console=out, transient=False)
        self._bars: dict[str, TaskID] = {}

    def __enter__(self) -> TransferBars:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.progress.__exit__(None, None, None)

    def __call__(self, event: TransferEvent) -> None:
        self.record(event)
        name = self.group or event.label
        bar = self._bars.get(name)
        if bar is None:
            bar = self._bars[name] = self.progress.add_task(name, total=None, files="")
        if self.group is None:
            files_done, files_total, bytes_done, bytes_total = (event.files_done, event.files_total,
                                                                event.bytes_done, event.bytes_total)
        else:
            files_done, files_total, bytes_done, bytes_total = self.overall()
        self.progress.update(bar, total=bytes_total, completed=bytes_done,
                             files=f"{files_done}/{'?' if files_total is None else files_total} files")


def transfer_display(*, quiet: bool = False, out: Console | None = None) -> TransferCount:
    """How a command shows transfers: bars on ``out``, else on stderr when it is a terminal and rich is installed.

    Otherwise lines on stderr; with ``quiet`` (``--json``: a script's stderr holds errors only) nothing.
    """
    if out is not None:
        return TransferBars(out)
    terminal = sys.stderr.isatty()
    if terminal:
        try:
            from rich.console import Console
        except ImportError:
            pass
        else:
            return TransferBars(Console(stderr=True, highlight=False))
    return TransferCount() if quiet and not terminal else TransferLines()
