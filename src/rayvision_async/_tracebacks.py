"""Tracebacks without the signed request: the locals of finished frames are cleared as an error leaves a call.

While a request is in flight the frames under the request loop (the signer, the
lean lane, the channel, the transports, and httpx's, httpcore's and aiohttp's
own) hold the signed headers in local variables. A traceback keeps its frames,
and ``traceback.TracebackException(..., capture_locals=True)`` (and error
trackers) render every local of each; :func:`forget_locals` clears them in the
tracebacks of an exception and of everything chained to it.

Only frames that have finished are cleared: a frame still running raises
``RuntimeError`` on ``clear()`` and is skipped, and the frames of coroutines
suspended in this event loop's live tasks are skipped (clearing one would close
the coroutine). Walking the tasks costs about 2 µs a task, so it is done only
when a frame is in doubt: an exception leaves every frame of its traceback but
the first (where it was caught), so only the first frame of each traceback that
no other traceback shows being left, is not running now, and is a coroutine's
or a generator's may be suspended. The exception the caller was handling when it called (``keep``)
and its chain are the caller's, and are left alone.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
from types import TracebackType
from typing import Any

__all__ = ["forget_locals"]


def _chain(exc: BaseException | None) -> list[BaseException]:
    """``exc`` and every exception it is chained to (``__cause__``, ``__context__``), each once."""
    found: dict[int, BaseException] = {}
    pending = [exc]
    while pending:
        item = pending.pop()
        if item is not None and id(item) not in found:
            found[id(item)] = item
            pending += (item.__cause__, item.__context__)
    return list(found.values())


def _suspended_frames() -> set[int]:
    """The frames of the coroutines suspended in the running loop's tasks, awaited ones included."""
    import asyncio  # only when a frame is in doubt: the command line's start imports no asyncio

    try:
        tasks = asyncio.all_tasks()
    except RuntimeError:  # no running loop
        return set()
    found: set[int] = set()
    for task in tasks:
        awaited: Any = task.get_coro()
        for _ in range(1000):  # the await chain (a Future or an unknown awaitable ends it)
            frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
            if frame is None:
                break
            found.add(id(frame))
            awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
    return found


#: Code flags of frames that can be suspended (and would be closed by ``frame.clear()``).
_SUSPENDABLE = (inspect.CO_COROUTINE | inspect.CO_GENERATOR | inspect.CO_ASYNC_GENERATOR
                | inspect.CO_ITERABLE_COROUTINE)


def _in_doubt(items: list[BaseException]) -> bool:
    """Whether a frame of these tracebacks may belong to a suspended coroutine (see the module's docstring)."""
    left: set[int] = set()
    firsts = []
    for item in items:
        tb = item.__traceback__
        if tb is not None:
            firsts.append(tb.tb_frame)
            tb = tb.tb_next
        while tb is not None:
            left.add(id(tb.tb_frame))
            tb = tb.tb_next
    running: set[int] = set()
    frame = sys._getframe(1)
    while frame is not None:
        running.add(id(frame))
        frame = frame.f_back  # type: ignore[assignment]
    return any(id(first) not in left and id(first) not in running and first.f_code.co_flags & _SUSPENDABLE
               for first in firsts)


def _clear(tb: TracebackType | None, suspended: set[int]) -> None:
    while tb is not None:
        frame = tb.tb_frame
        if id(frame) not in suspended:
            with contextlib.suppress(RuntimeError):  # still running (the caller's frames, the loop's own)
                frame.clear()
        tb = tb.tb_next


def forget_locals(exc: BaseException, keep: BaseException | None) -> None:
    """Clear the locals of the finished frames in the tracebacks of ``exc`` and its chain, not ``keep``'s."""
    kept = {id(item) for item in _chain(keep)}
    items = [item for item in _chain(exc) if id(item) not in kept and item.__traceback__ is not None]
    if items:
        suspended = _suspended_frames() if _in_doubt(items) else set()
        for item in items:
            _clear(item.__traceback__, suspended)
