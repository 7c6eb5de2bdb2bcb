"""Turns: at most one big reply is decoded and structured per event-loop iteration.

Why: a bulk ``poll`` keeps a few dozen requests in flight, so their replies
arrive together and their tasks wake in the same event-loop iteration. Each
then decoded and structured its ~120 kB page (2–3 ms for 100 tasks) in one go:
32 of them held the loop for ~80 ms, and every other coroutine of the process
(a web handler, a heartbeat, a timer) waited that long, at every step of the poll.

How: a reply of at least :data:`BIG_REPLY` bytes takes the connection's
:class:`Turns` before it is decoded, and gives it back once its result is
structured. The turn passes to the next waiter by waking it, so that waiter runs
in the *next* iteration of the loop; a turn given back with nobody waiting stays
taken until the next iteration too. Between two big replies the loop therefore
runs its timers, I/O callbacks and every other ready task. Within its turn, a
page is structured in steps of a few dozen rows with a yield to the loop between
two steps (:func:`~rayvision_async.api._reply.result_steps`); the turn stays
held meanwhile, so one decoded reply is alive at a time, not one per request in
flight (dozens of pages of decoded JSON waiting would make the garbage collector
run more often and longer). The work is the same; it is only spread out.
Waiting for a turn is not waiting for the network: it happens after the reply has
been read and the request slot given back.

Single calls (the default lane) take a turn before bulk work does, so a
``task_info`` made while a poll runs waits for at most the one reply being
structured. Small replies take no turn: they cost less than the hand-over.
"""

from __future__ import annotations

import asyncio
from collections import deque

__all__ = ["BIG_REPLY", "Turns"]

#: Replies of at least this many bytes take a turn (about 13 tasks of ``queryTaskInfo``, ~0.3 ms of work).
BIG_REPLY = 16 * 1024


class Turns:
    """One turn at a time, handed on between event-loop iterations; single calls before bulk work.

    ``await turns.take(bulk=...)`` returns when the caller holds the turn;
    ``turns.give()`` ends it: call it exactly once per ``take`` that returned
    (in a ``finally``), after as little work as possible: other big replies wait.
    """

    __slots__ = ("_first", "_later", "_taken")

    def __init__(self) -> None:
        self._taken = False
        #: Waiting single calls, then waiting bulk work: futures resolved when their turn starts.
        self._first: deque[asyncio.Future[None]] = deque()
        self._later: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        """How many callers wait for a turn."""
        return sum(not waiter.done() for waiter in (*self._first, *self._later))

    async def take(self, *, bulk: bool) -> None:
        """Wait for the turn (at once if it is free and was not given back in this iteration)."""
        if not self._taken:
            self._taken = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._later if bulk else self._first
        queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.give()  # the turn came, then the caller was cancelled: pass it on
            elif waiter in queue:  # (a hand-over may already have passed it by)
                queue.remove(waiter)
            raise

    def give(self) -> None:
        """End the current turn: the next waiter's starts in the next iteration (or the turn is free then)."""
        if not self._wake_next():
            asyncio.get_running_loop().call_soon(self._free)

    def _wake_next(self) -> bool:
        for queue in (self._first, self._later):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return True
        return False

    def _free(self) -> None:
        # Callers that came while the turn was given back (it still counted as taken) go first.
        if not self._wake_next():
            self._taken = False
