"""Progress: events (files and bytes done) built from the engine's output lines, handed to a callback.

Why a callback and not an async iterator: a transfer is one awaited call with one outcome (its
result or a typed error). With an iterator the caller would have to drain it to learn the outcome,
and an iterator left half-read (``break``) is finalised whenever the garbage collector gets to it —
the engine would keep running until then. A callback keeps cancellation plain (cancel the awaiting
task: the engine is ended before the cancellation propagates) and suits both a progress bar (the
CLI) and a log line. A callback that raises is logged on the ``rayvision_async`` logger and does
not stop the transfer.

The engine prints a line per file, ``upload file done (<path>)`` / ``download file done (<path>)``
(the official package reads the same lines; ``file fail`` lines are failures). Bytes are the sizes
the SDK knows for those paths (the files listed in upload.json, the service's output listing),
else the file's size on disk.
"""

from __future__ import annotations

import inspect
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Literal

import attrs

from ..errors import InvalidInputError
from ..models._checks import install as install_checks

__all__ = ["EventCallback", "Progress", "TransferEvent", "checked_callback"]

logger = logging.getLogger("rayvision_async")

_FILE_LINE = re.compile(r"\b(?:upload|download) file (done|fail) \((.*)\)")

EventKind = Literal["started", "file_done", "file_failed", "skipped", "retrying", "finished"]


@attrs.frozen(kw_only=True)
class TransferEvent:
    """One step of a transfer: what happened (``kind``), to which file, and the totals so far.

    ``kind`` is ``started`` (totals known so far), ``file_done`` / ``file_failed`` (a file the
    engine reported), ``skipped`` (a download already complete on disk), ``retrying`` (the engine
    asked for another run), ``finished``. ``label`` names the transfer (``upload task.json``,
    ``download 19097_scene``…). ``files_total`` / ``bytes_total`` are None when unknown.
    """

    #: What happened: ``started``, ``file_done``, ``file_failed``, ``skipped``, ``retrying`` or ``finished``.
    kind: EventKind
    #: Which transfer (``upload task.json``, ``download 19097_scene``…).
    label: str
    #: The file the event is about, if any.
    path: str | None = None
    #: Files done so far.
    files_done: int = 0
    #: Files in the transfer, None while unknown.
    files_total: int | None = None
    #: Bytes done so far.
    bytes_done: int = 0
    #: Bytes in the transfer, None while unknown.
    bytes_total: int | None = None
    #: The engine run this event belongs to (1, then 2… after a retry).
    attempt: int = 1


install_checks(TransferEvent)  # built by hand (a test of a progress display), it refuses wrong types too

#: What the transfer methods accept as ``on_event``.
EventCallback = Callable[[TransferEvent], None]


def checked_callback(on_event: object) -> EventCallback | None:
    """``on_event`` if it is None or a plain function; an ``async def`` (never awaited) is refused too."""
    if on_event is None:
        return None
    if not callable(on_event):
        raise InvalidInputError(f"on_event must be a function taking a TransferEvent, not {type(on_event).__name__}")
    if inspect.iscoroutinefunction(on_event) or inspect.iscoroutinefunction(type(on_event).__call__):
        raise InvalidInputError("on_event is called synchronously, once per event: an async function's coroutine "
                                "would never run (schedule your own task from a plain function instead)")
    checked: EventCallback = on_event
    return checked


def _key(path: str) -> str:
    return os.path.normcase(os.path.normpath(path.replace("\\", "/")))


class Progress:
    """Counts one transfer's files and bytes (each path once) and hands an event to ``on_event`` per step."""

    def __init__(self, label: str, on_event: EventCallback | None, *, sizes: Mapping[str, int] | None = None,
                 files_total: int | None = None, bytes_total: int | None = None) -> None:
        self.label = label
        self.files_total = files_total
        self.bytes_total = bytes_total
        self.files_done = 0
        self.bytes_done = 0
        self.attempt = 1
        self.failed: list[str] = []
        self._sizes = {_key(path): size for path, size in (sizes or {}).items()}
        self._counted: dict[str, int] = {}
        self._marked: frozenset[str] = frozenset()
        self._on_event = on_event

    def emit(self, kind: EventKind, path: str | None = None) -> None:
        """Hand one event to the callback (an exception it raises is logged, not raised)."""
        if self._on_event is None:
            return
        event = TransferEvent(kind=kind, label=self.label, path=path, files_done=self.files_done,
                              files_total=self.files_total, bytes_done=self.bytes_done,
                              bytes_total=self.bytes_total, attempt=self.attempt)
        try:
            self._on_event(event)
        except Exception:
            logger.exception("a transfer progress callback raised (the transfer goes on)")

    def know_sizes(self, sizes: Mapping[str, int]) -> None:
        """Sizes of files the engine is about to report (a download's listed sizes)."""
        self._sizes.update({_key(path): size for path, size in sizes.items()})

    def line(self, text: str) -> None:
        """Read one engine output line: a ``file done`` / ``file fail`` line becomes an event."""
        match = _FILE_LINE.search(text)
        if match is None:
            return
        state, path = match.groups()
        if state == "fail":
            self.failed.append(path)
            self.emit("file_failed", path)
        else:
            self.count(path)

    def count(self, path: str, *, kind: EventKind = "file_done") -> None:
        """Count ``path`` as done (once; a path counted before is not counted again)."""
        key = _key(path)
        if key in self._counted:
            return
        size = self._size(key, path)
        self._counted[key] = size
        self.files_done += 1
        self.bytes_done += size
        self.emit(kind, path)

    def uncount(self, paths: Iterable[str]) -> None:
        """Take back files counted as done that turned out not to be (a short download)."""
        for path in paths:
            size = self._counted.pop(_key(path), None)
            if size is not None:
                self.files_done -= 1
                self.bytes_done -= size

    def is_counted(self, path: str) -> bool:
        """Whether ``path`` was counted as done."""
        return _key(path) in self._counted

    def mark(self) -> None:
        """Remember what was counted before an engine run: a retried run's files are counted again."""
        self._marked = frozenset(self._counted)

    def retrying(self, attempt: int) -> None:
        """Another run follows run ``attempt``: what the failed run counted is taken back."""
        self.uncount([key for key in self._counted if key not in self._marked])
        self.attempt = attempt + 1
        self.emit("retrying")

    def _size(self, key: str, path: str) -> int:
        size = self._sizes.get(key)
        if size is not None:
            return size
        try:
            return os.stat(path).st_size
        except OSError:
            return 0
