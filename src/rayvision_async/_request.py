"""The one request loop: every request of the SDK is sent here.

take a slot (bulk work: its budget first) → sign and send (the channel) → a big
reply waits for its turn (:mod:`._turns`) → decode the envelope → parse the
result, or classify the failure (:mod:`._retry`) → retry or raise.
:class:`Connection` is what a client and its views share: the channel, the
concurrency slots, the bulk budget, the turns and the count of requests sent.
:class:`Exchange` records what one call's loop did (for spans).

**Bulk work shares the slots.** Requests of the bulk lane (``poll``, ``watch``,
``wait``: a :class:`~._caller.Caller` evolved with ``bulk=True``) take a slot of
the bulk budget, :func:`bulk_slots` of the ``max_concurrency`` slots, before a
connection slot; single calls take a connection slot only. So however many polls
and watches run at once, at least ``max_concurrency - bulk_slots(...)`` slots
(one eighth, at least one when there are two or more) stay free for single
calls, which are then answered in about one round trip.

No exception leaves the loop holding the signed request in its frames: the
frames under it (the signer, the lean lane, the channel, the transports, and
httpx's, httpcore's and aiohttp's own) keep the signed headers in their local
variables while a request is in flight, so on the way out (cancellation and the
caller's ``asyncio.timeout`` included) their locals are cleared
(:func:`._tracebacks.forget_locals`), and a traceback captured with its locals shows none.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, NoReturn, SupportsIndex

from . import errors
from ._retry import Failure, RetryPolicy, classify, should_retry
from ._tracebacks import forget_locals
from ._turns import BIG_REPLY, Turns
from ._unpicklable import refuse
from .wire._envelope import Envelope, RawReply, decode_envelope
from .wire._limits import Timeouts

if TYPE_CHECKING:
    from .wire._channel import HttpChannel

__all__ = ["Connection", "Exchange", "bulk_slots", "send"]

logger = logging.getLogger("rayvision_async")


class Exchange:
    """What one call's request loop did: requests sent, and the last request id the service gave."""

    __slots__ = ("attempts", "request_id")

    def __init__(self) -> None:
        self.attempts = 0
        self.request_id: str | None = None


def bulk_slots(max_concurrency: int) -> int:
    """How many of ``max_concurrency`` slots bulk work may hold at once: all but an eighth (at least one).

    32 → 28, 8 → 7, 2 → 1; a client of one slot lends it to bulk work too (nothing can be kept back).
    """
    return max(1, max_concurrency - max(1, max_concurrency // 8))


class Connection:
    """What a client and its views share: the channel, the slots, the bulk budget, the turns, the request count."""

    __slots__ = ("bulk", "bulk_slots", "channel", "loop", "max_concurrency", "requests_sent", "semaphore", "turns")

    def __init__(self, channel: HttpChannel, max_concurrency: int) -> None:
        self.channel = channel
        self.max_concurrency = max_concurrency
        self.semaphore = asyncio.Semaphore(max_concurrency)
        #: Slots that bulk work may hold at once (:func:`bulk_slots`), and the budget that counts them.
        self.bulk_slots = bulk_slots(max_concurrency)
        self.bulk = asyncio.Semaphore(self.bulk_slots)
        #: One big reply decoded and structured per event-loop iteration (:mod:`._turns`).
        self.turns = Turns()
        #: Requests sent through this connection (every attempt counts), views included.
        self.requests_sent = 0
        #: The event loop the first request ran in; the pool and slots belong to it.
        self.loop: asyncio.AbstractEventLoop | None = None

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        refuse(self)  # its channel holds the access key: never pickled or deep-copied

    def __deepcopy__(self, memo: dict[int, Any]) -> NoReturn:
        refuse(self)

    @property
    def is_closed(self) -> bool:
        return self.channel.closed

    def scrub(self, text: str | None) -> str | None:
        """A server's text with the credentials and recent signatures replaced by ``***`` (None stays None)."""
        return self.channel.signer.scrub_optional(text)

    def check_usable(self, path: str) -> None:
        """Raise before sending if the client is closed or used from another event loop."""
        if self.channel.closed:
            raise errors.ClientClosedError(f"the client is closed; {path} was not sent")
        loop = asyncio.get_running_loop()
        if self.loop is None:
            self.loop = loop
        elif self.loop is not loop:
            raise errors.ConfigurationError(
                f"this client belongs to another event loop (e.g. an earlier asyncio.run); {path} was not sent. "
                "Create one client per event loop.")

    async def post_once(self, path: str, content: bytes, timeouts: Timeouts, *, fresh: bool = False,
                        bulk: bool = False) -> RawReply:
        """One attempt: wait for a slot (within the pool timeout), send, read the reply.

        ``bulk``: take a slot of the bulk budget first (see the module docstring).
        The client may have been closed while this waited (for a slot, or a back-off):
        that is checked here, once a slot is held, and nothing is sent then.
        """
        semaphore = self.semaphore
        budget = self.bulk if bulk else None
        if (semaphore.locked() or (budget is not None and budget.locked())) and timeouts.pool is not None:
            try:
                async with asyncio.timeout(timeouts.pool):
                    await (semaphore.acquire() if budget is None else self._acquire_bulk(budget))
            except TimeoutError:
                raise errors.PoolTimeoutError("no free request slot within the pool timeout", path=path) from None
        elif budget is None:
            await semaphore.acquire()
        else:
            await self._acquire_bulk(budget)
        try:
            if self.channel.closed:
                raise errors.ClientClosedError(f"the client was closed; {path} was not sent")
            self.requests_sent += 1
            try:
                async with asyncio.timeout(timeouts.total):
                    return await self.channel.post(path, content, timeouts, fresh=fresh)
            except TimeoutError as exc:
                # Chained (though suppressed) to this error: the cancellation's frames held the signed request.
                forget_locals(exc, None)
                raise errors.RequestTimeoutError(f"no complete answer within the total timeout of {timeouts.total} s",
                                                 path=path) from None
        finally:
            semaphore.release()
            if budget is not None:
                budget.release()

    async def _acquire_bulk(self, budget: asyncio.Semaphore) -> None:
        """A slot of ``budget``, then a connection slot (the first is given back if the wait ends early)."""
        await budget.acquire()
        try:
            await self.semaphore.acquire()
        except BaseException:
            budget.release()
            raise

    def envelope(self, reply: RawReply, path: str) -> Envelope:
        """The reply's envelope (:func:`~.wire.decode_envelope`; ``Retry-After`` read only for an error status)."""
        status = reply.status
        if 200 <= status < 300:
            return decode_envelope(status, reply.content, path=path, headers=reply.headers)
        return decode_envelope(status, reply.content, path=path, headers=reply.headers, retry_after=reply.retry_after,
                               scrub=self.channel.signer.scrub)

    async def answer(self, reply: RawReply, path: str, *, bulk: bool, parse: Callable[[Envelope], Any],
                     parse_steps: Callable[[Envelope], Generator[None, None, Any]] | None,
                     exchange: Exchange | None, started: float) -> Any:
        """The result of a reply, or the service's refusal raised.

        A reply of :data:`~._turns.BIG_REPLY` bytes or more is decoded in a turn of its own
        (:mod:`._turns`), then parsed in the same turn, with, given ``parse_steps`` (``parse``
        as a generator that yields between steps), a yield to the event loop between two steps.
        """
        turns = self.turns if len(reply.content) >= BIG_REPLY else None
        if turns is not None:
            await turns.take(bulk=bulk)
        try:
            envelope = self.envelope(reply, path)
            if exchange is not None:
                exchange.request_id = envelope.request_id
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("%s -> code %d in %.1f ms (request id %s)", path, envelope.code,
                             (time.perf_counter() - started) * 1000, self.scrub(envelope.request_id))
            if envelope.code != 200:
                raise self.refusal(envelope, path)
            if turns is None or parse_steps is None:
                return parse(envelope)
            steps = parse_steps(envelope)
            while True:
                try:
                    next(steps)
                except StopIteration as done:
                    return done.value
                # The loop runs between two steps; the turn stays held, so this reply is finished
                # before another is decoded (one decoded reply alive at a time, not dozens).
                await asyncio.sleep(0)
        finally:
            if turns is not None:
                turns.give()

    def refusal(self, envelope: Envelope, path: str) -> errors.APIError:
        """The typed error for an envelope whose code is not 200 (the server's texts scrubbed)."""
        error = errors.error_for_code(envelope.code, self.scrub(envelope.message) or "", path=path,
                                      request_id=self.scrub(envelope.request_id))
        if isinstance(error, errors.SignatureExpiredError):
            error.server_time_ms = envelope.server_time_ms
        return error

    def resync(self, server_time_ms: int) -> float:
        """Adopt the service's clock (a plausible 610 ``serverTime``); the new offset in seconds."""
        return self.channel.signer.resync(server_time_ms)


async def send(
    connection: Connection, path: str, content: bytes, *, idempotent: bool, timeouts: Timeouts, policy: RetryPolicy,
    parse: Callable[[Envelope], Any], exchange: Exchange | None = None, bulk: bool = False,
    parse_steps: Callable[[Envelope], Generator[None, None, Any]] | None = None,
) -> Any:
    """Send ``content`` to ``path`` until it succeeds, fails for good, or may not be repeated.

    Invariant: an attempt that may have reached the server is repeated only for
    an idempotent call; a call that creates or changes work raises
    :class:`~.errors.RequestOutcomeUnknownError` instead.

    ``parse`` turns a code-200 envelope into the result; a
    :class:`~.errors.MalformedResponseError` it raises is a failure after
    sending, retried like an unreadable body. A 610 with a plausible
    ``serverTime`` resyncs the clock and resends at once; the first resync is
    free, later ones count against ``policy.attempts``. A 603 (refused by the
    protocol check, as a replayed nonce is) is signed again and resent at once,
    once, free; a second one is raised.

    ``bulk``: the request is bulk work (its budget, and turns after single calls);
    big replies are read in turns (:meth:`Connection.answer`).
    """
    attempt = 0  # counted against policy.attempts
    resynced = False
    resigned = False  # a 603 was answered by signing again
    handled = sys.exception()  # the caller's: chained to ours, and not ours to clear
    try:
        while True:
            attempt += 1
            if exchange is not None:
                exchange.attempts += 1
            started = time.perf_counter()
            try:
                # A creating call, and any retry, gets a connection that cannot have gone stale while idle.
                reply = await connection.post_once(path, content, timeouts, fresh=not idempotent or attempt > 1,
                                                   bulk=bulk)
                return await connection.answer(reply, path, bulk=bulk, parse=parse, parse_steps=parse_steps,
                                               exchange=exchange, started=started)
            except errors.RayvisionError as exc:
                error = exc
            failure = classify(error)
            if failure is not None and connection.is_closed and not isinstance(error, errors.APIError):
                # The exchange broke because the client closed under it: say so, and try nothing more.
                raise errors.ClientClosedError(f"the client was closed while {path} was in flight") from None
            if failure is Failure.CLOCK_SKEW and not (resynced and attempt >= policy.attempts):
                assert isinstance(error, errors.SignatureExpiredError)
                assert error.server_time_ms is not None
                logger.info("%s: signature expired; clock offset now %+.1f s, retrying", path,
                            connection.resync(error.server_time_ms))
                if not resynced:
                    attempt -= 1  # the first resync is free
                resynced = True
                continue
            if failure is Failure.ILLEGAL and not resigned:
                logger.info("%s: %s; signed again and resent", path, error)
                attempt -= 1  # free, like the first resync: the request was refused before processing
                resigned = True
                continue
            if failure is None or not should_retry(failure, idempotent=idempotent):
                if failure is Failure.AFTER_SEND or (failure is Failure.SEE_OTHER and not idempotent):
                    raise errors.RequestOutcomeUnknownError(
                        f"{path}: outcome unknown: the request may have been processed, so it was not retried "
                        f"({error})", path=path) from error
                raise error
            if attempt >= policy.attempts:
                raise error
            delay = policy.delay(attempt, getattr(error, "retry_after", None))
            logger.info("%s: %s; retry %d of %d in %.2f s", path, error, attempt, policy.attempts - 1, delay)
            await asyncio.sleep(delay)
    except BaseException as exc:
        forget_locals(exc, handled)  # no signed request in the frames under this one (cancellation included)
        raise
