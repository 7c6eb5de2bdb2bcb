"""The one request loop: every request of the SDK is sent here.

serialize (done by the caller) → take a slot → sign and send (the channel's
signer transport) → decode the envelope → classify the failure → retry or raise.
:class:`Connection` is what a client and its ``with_options`` views share: the
channel, the concurrency slots and the count of requests sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from . import errors
from ._retry import Failure, RetryPolicy, should_retry
from .wire import Envelope, HttpChannel, Timeouts, decode_envelope

__all__ = ["Connection", "send"]

logger = logging.getLogger("rayvision_async")


class Connection:
    """The channel, the concurrency cap and the request count, shared by a client and its views."""

    __slots__ = ("channel", "loop", "max_concurrency", "requests_sent", "semaphore")

    def __init__(self, channel: HttpChannel, max_concurrency: int) -> None:
        self.channel = channel
        self.max_concurrency = max_concurrency
        self.semaphore = asyncio.Semaphore(max_concurrency)
        #: Requests sent through this connection (every attempt counts), views included.
        self.requests_sent = 0
        #: The event loop the first request ran in; the pool and slots belong to it.
        self.loop: asyncio.AbstractEventLoop | None = None

    def check_usable(self, path: str) -> None:
        """Raise before sending if the client is closed or used from another event loop."""
        if self.channel.is_closed:
            raise errors.ClientClosedError(f"the client is closed; {path} was not sent")
        loop = asyncio.get_running_loop()
        if self.loop is None:
            self.loop = loop
        elif self.loop is not loop:
            raise errors.ConfigurationError(
                f"this client belongs to another event loop (e.g. an earlier asyncio.run); {path} was not sent. "
                "Create one client per event loop.")

    async def post_once(self, path: str, content: bytes, timeouts: Timeouts, *, idempotent: bool = True) -> Envelope:
        """One attempt: wait for a slot (within the pool timeout), send, decode the envelope."""
        semaphore = self.semaphore
        if semaphore.locked() and timeouts.pool is not None:
            try:
                async with asyncio.timeout(timeouts.pool):
                    await semaphore.acquire()
            except TimeoutError:
                raise errors.PoolTimeoutError("no free request slot within the pool timeout", path=path) from None
        else:
            await semaphore.acquire()
        try:
            if self.channel.is_closed:
                raise errors.ClientClosedError(f"the client was closed; {path} was not sent")
            self.requests_sent += 1
            try:
                async with asyncio.timeout(timeouts.total):
                    reply = await self.channel.post(path, content, timeouts, idempotent=idempotent)
            except TimeoutError:
                raise errors.RequestTimeoutError(f"no complete answer within the total timeout of {timeouts.total} s",
                                          path=path) from None
        finally:
            semaphore.release()
        return decode_envelope(reply.status, reply.content, path=path, retry_after=reply.retry_after)


async def send(
    connection: Connection, path: str, content: bytes, *, idempotent: bool, timeouts: Timeouts, policy: RetryPolicy,
    parse: Callable[[Envelope], Any],
) -> Any:
    """Send ``content`` to ``path`` until it succeeds, fails for good, or may not be repeated.

    Invariant: an attempt that may have reached the server is repeated only for
    an idempotent call; a call that creates or changes work raises
    :class:`~.errors.RequestOutcomeUnknownError` instead.

    ``parse`` turns a code-200 envelope into the result; a
    :class:`~.errors.MalformedResponseError` it raises is a failure after
    sending, retried like an unreadable body.
    """
    signer = connection.channel.signer
    attempt = 0
    resynced = False
    while True:
        attempt += 1
        started = time.perf_counter()
        retry_after: float | None = None
        error: errors.RayvisionError
        closed = connection.channel.is_closed
        try:
            if closed:
                raise errors.ClientClosedError(f"the client was closed; {path} was not sent")
            envelope = await connection.post_once(path, content, timeouts, idempotent=idempotent)
            result = parse(envelope) if envelope.code == 200 else None
        except errors.ClientClosedError:
            raise
        except errors.RayvisionError as exc:
            if connection.channel.is_closed and not closed and not isinstance(exc, errors.APIError):
                raise errors.ClientClosedError(f"the client was closed while {path} was in flight") from None
            if isinstance(exc, (errors.ConnectError, errors.PoolTimeoutError)) and not exc.unvouched:
                failure, error = (Failure.CONNECT if isinstance(exc, errors.ConnectError) else Failure.POOL), exc
            elif isinstance(exc, (errors.TransportError, errors.MalformedResponseError)):
                failure, error = Failure.AFTER_SEND, exc
            elif isinstance(exc, errors.HTTPStatusError):
                if exc.status_code == 429:
                    failure = Failure.THROTTLED
                elif exc.status_code >= 500:
                    failure = Failure.AFTER_SEND
                else:
                    raise
                error, retry_after = exc, exc.retry_after
            else:
                raise
        else:
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("%s -> code %d in %.1f ms (request id %s)", path, envelope.code,
                             (time.perf_counter() - started) * 1000, signer.scrub_optional(envelope.request_id))
            if envelope.code == 200:
                return result
            error = errors.error_for_code(envelope.code, signer.scrub(envelope.message),
                                          path=path, request_id=signer.scrub_optional(envelope.request_id))
            if envelope.code == 610:
                # The service refused the timestamp before doing anything, so any call may be resent. A
                # plausible serverTime becomes the clock offset (the first resync is free, later ones count
                # as attempts); an unusable one is never adopted: the call is retried on the budget as is.
                if not signer.plausible_server_time(envelope.server_time_ms):
                    failure = Failure.REFUSED
                elif resynced and attempt >= policy.attempts:
                    raise error
                else:
                    assert envelope.server_time_ms is not None
                    offset = signer.resync(envelope.server_time_ms)
                    logger.info("%s: signature expired; clock offset now %+.1f s, retrying", path, offset)
                    if not resynced:
                        attempt -= 1
                    resynced = True
                    continue
            elif envelope.code != 500:
                raise error
            else:
                failure = Failure.SERVER_CODE
        if not should_retry(failure, idempotent=idempotent):
            if failure is Failure.AFTER_SEND:
                raise errors.RequestOutcomeUnknownError(
                    f"{path}: outcome unknown: the request may have been processed, so it was not retried "
                    f"({error})", path=path
                ) from error
            raise error
        if attempt >= policy.attempts:
            raise error
        delay = policy.delay(attempt, retry_after)
        logger.info("%s: %s; retry %d of %d in %.2f s", path, error, attempt, policy.attempts - 1, delay)
        await asyncio.sleep(delay)
