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

from . import errors
from ._retry import Failure, RetryPolicy, should_retry
from .wire import Envelope, HttpChannel, Timeouts, decode_envelope

__all__ = ["Connection", "send"]

logger = logging.getLogger("rayvision_async")


class Connection:
    """The channel, the concurrency cap and the request count, shared by a client and its views."""

    __slots__ = ("channel", "max_concurrency", "requests_sent", "semaphore")

    def __init__(self, channel: HttpChannel, max_concurrency: int) -> None:
        self.channel = channel
        self.max_concurrency = max_concurrency
        self.semaphore = asyncio.Semaphore(max_concurrency)
        #: Requests sent through this connection (every attempt counts), views included.
        self.requests_sent = 0

    async def post_once(self, path: str, content: bytes, timeouts: Timeouts) -> Envelope:
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
            self.requests_sent += 1
            reply = await self.channel.post(path, content, timeouts)
        finally:
            semaphore.release()
        return decode_envelope(reply.status, reply.content, path=path, retry_after=reply.retry_after)


async def send(
    connection: Connection, path: str, content: bytes, *, idempotent: bool, timeouts: Timeouts, policy: RetryPolicy
) -> Envelope:
    """Send ``content`` to ``path`` until it succeeds, fails for good, or may not be repeated.

    Invariant: an attempt that may have reached the server is repeated only for
    an idempotent call; a call that creates or changes work raises
    :class:`~.errors.RequestOutcomeUnknownError` instead.
    """
    signer = connection.channel.signer
    attempt = 0
    resynced = False
    while True:
        attempt += 1
        started = time.perf_counter()
        retry_after: float | None = None
        error: errors.RayvisionError
        try:
            envelope = await connection.post_once(path, content, timeouts)
        except (errors.ConnectError, errors.PoolTimeoutError) as exc:
            failure, error = (Failure.CONNECT if isinstance(exc, errors.ConnectError) else Failure.POOL), exc
        except (errors.TransportError, errors.MalformedResponseError) as exc:
            failure, error = Failure.AFTER_SEND, exc
        except errors.HTTPStatusError as exc:
            if exc.status_code == 429:
                failure = Failure.THROTTLED
            elif exc.status_code >= 500:
                failure = Failure.AFTER_SEND
            else:
                raise
            error, retry_after = exc, exc.retry_after
        else:
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("%s -> code %d in %.1f ms (request id %s)", path, envelope.code,
                             (time.perf_counter() - started) * 1000, envelope.request_id)
            if envelope.code == 200:
                return envelope
            error = errors.error_for_code(envelope.code, signer.scrub(envelope.message),
                                          path=path, request_id=envelope.request_id)
            if envelope.code == 610 and not resynced and envelope.server_time_ms is not None:
                offset = signer.resync(envelope.server_time_ms)
                logger.info("%s: signature expired; clock offset now %+.1f s, retrying once", path, offset)
                resynced = True
                attempt -= 1
                continue
            if envelope.code != 500:
                raise error
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
