"""``AsyncRayvisionAPI``: settings, the one request loop, and the endpoint groups.

The loop (:meth:`AsyncRayvisionAPI._send`) is the only place a request is
made: serialize the body → sign (in the transport) → send → decode the
envelope → map ``code`` → retry or raise. Everything endpoint-specific is data
in :mod:`rayvision_async.endpoints`.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import re
import time
from typing import TYPE_CHECKING, Any, Literal

from . import errors
from .binding import bind, build_body, context_values, result_of
from .bulk import BulkOperations
from .endpoints import ENDPOINTS, Endpoint
from .envelope import Envelope, decode_envelope
from .groups import EnvGroup, QueryGroup, TagGroup, TaskGroup, TransmitGroup, UserGroup
from .helpers import ClientHelpers
from .retry import Failure, RetryPolicy, should_retry
from .signing import encode_body
from .transport import HttpChannel, Timeouts

if TYPE_CHECKING:
    import httpx

__all__ = ["AsyncRayvisionAPI"]

logger = logging.getLogger("rayvision_async")

_DOMAIN = re.compile(r"(?=.{1,253}(:|$))[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                     r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*(:\d{1,5})?")
_CREDENTIAL = re.compile(r"[\x21-\x7e]{4,256}")
_PLATFORM = re.compile(r"\d{1,4}")
_BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}


def _credential(value: str | None, env: str, what: str) -> str:
    value = os.environ.get(env) if value is None else value
    if value is None:
        raise errors.ConfigurationError(f"no {what}: pass {what.replace(' ', '_')}= or set {env}")
    if not isinstance(value, str) or not _CREDENTIAL.fullmatch(value):
        raise errors.ConfigurationError(f"{what} must be 4 to 256 printable ASCII characters without spaces")
    return value


def _retry_policy(max_retries: int) -> RetryPolicy:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or not 0 <= max_retries <= 10:
        raise errors.ConfigurationError("max_retries must be an int from 0 to 10")
    return RetryPolicy(attempts=max_retries + 1)


class AsyncRayvisionAPI(ClientHelpers, BulkOperations):
    """An asyncio client for the Rayvision render API.

    ``access_id``/``access_key`` default to ``RAYVISION_API_ACCESS_ID`` and
    ``RAYVISION_API_KEY``. ``domain`` is what is signed (``host[:port]``, no
    scheme); requests go to ``base_url`` (default ``https://{domain}``).
    ``protocol`` picks the path set: ``"current"`` (what the official SDK 3.x
    sends, version header 2.0.0) or ``"2018"`` (the 2018–2020 protocol
    documents, version header 1.0.0). Nothing is sent at construction.

    Use it as ``async with AsyncRayvisionAPI(...) as api:`` or call
    :meth:`aclose`. :meth:`with_options` gives a view with other timeouts or
    retries that shares the connections.
    """

    user: UserGroup
    task: TaskGroup
    query: QueryGroup
    tag: TagGroup
    env: EnvGroup
    transmit: TransmitGroup

    def __init__(
        self,
        access_id: str | None = None,
        access_key: str | None = None,
        domain: str = "task.renderbus.com",
        platform: str = "4",
        *,
        protocol: Literal["current", "2018"] = "current",
        timeout: Timeouts | float | None = 30.0,
        max_retries: int = 2,
        retry: RetryPolicy | None = None,
        max_concurrency: int = 32,
        transport: httpx.AsyncBaseTransport | None = None,
        base_url: str | None = None,
    ) -> None:
        self._access_id = _credential(access_id, "RAYVISION_API_ACCESS_ID", "access id")
        access_key = _credential(access_key, "RAYVISION_API_KEY", "access key")
        if not isinstance(domain, str) or "://" in domain or not _DOMAIN.fullmatch(domain) \
                or not 1 <= int(domain.partition(":")[2] or 443) <= 65535:
            raise errors.ConfigurationError("domain must be a host name with an optional :port, without a scheme")
        if isinstance(platform, int) and not isinstance(platform, bool):
            platform = str(platform)
        if not isinstance(platform, str) or not _PLATFORM.fullmatch(platform):
            raise errors.ConfigurationError("platform must be a number such as '2' (see query.platforms())")
        if protocol not in ("current", "2018"):
            raise errors.ConfigurationError("protocol must be 'current' or '2018'")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise errors.ConfigurationError("retry must be a RetryPolicy")
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int) \
                or not 1 <= max_concurrency <= 1000:
            raise errors.ConfigurationError("max_concurrency must be an int from 1 to 1000")
        if base_url is not None and not re.fullmatch(r"https?://[^/\s]+", base_url):
            raise errors.ConfigurationError("base_url must look like https://host[:port] (no path)")
        self._timeouts = Timeouts.coerce(timeout)
        self._retry = retry or _retry_policy(max_retries)
        self.domain = domain
        self.platform = platform
        self.protocol = protocol
        self._legacy = protocol == "2018"
        self._context = context_values(domain, platform, legacy=self._legacy)
        self._channel = HttpChannel(
            base_url=base_url or f"https://{domain}",
            signer_options={"access_id": self._access_id, "access_key": access_key, "domain": domain,
                            "platform": platform, "version": "1.0.0" if self._legacy else "2.0.0"},
            inner=transport,
            max_connections=max_concurrency,
        )
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self.max_concurrency = max_concurrency
        self._owner = True
        #: Requests sent (every attempt counts), for summaries and tests.
        self.requests_sent = 0
        self._bind_groups()

    def _bind_groups(self) -> None:
        self.user = UserGroup(self)
        self.task = TaskGroup(self)
        self.query = QueryGroup(self)
        self.tag = TagGroup(self)
        self.env = EnvGroup(self)
        self.transmit = TransmitGroup(self)

    def __repr__(self) -> str:
        return (f"AsyncRayvisionAPI(domain={self.domain!r}, platform={self.platform!r}, "
                f"protocol={self.protocol!r}, timeout={self._timeouts!r}, retry={self._retry!r})")

    # -- lifecycle ---------------------------------------------------------------------------------

    async def __aenter__(self) -> AsyncRayvisionAPI:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections (a :meth:`with_options` view leaves them to its parent)."""
        if self._owner:
            await self._channel.aclose()

    @property
    def is_closed(self) -> bool:
        return self._channel.is_closed

    def with_options(
        self, *, timeout: Timeouts | float | Literal["unchanged"] | None = "unchanged",
        max_retries: int | None = None, retry: RetryPolicy | None = None,
    ) -> AsyncRayvisionAPI:
        """A view of this client with other timeouts or retries, sharing its connections and cap."""
        view = copy.copy(self)
        view._owner = False
        if timeout != "unchanged":
            view._timeouts = Timeouts.coerce(timeout)
        if max_retries is not None:
            view._retry = _retry_policy(max_retries)
        if retry is not None:
            view._retry = retry
        view._bind_groups()
        return view

    # -- the request loop --------------------------------------------------------------------------

    def _path(self, endpoint: Endpoint) -> str:
        path = endpoint.legacy_path if self._legacy else endpoint.path
        if path is None:
            raise errors.UnsupportedOperationError(
                f"{endpoint.group}.{endpoint.name} does not exist in the 2018 path set")
        return path

    def _check(self, name: str, values: dict[str, Any]) -> None:
        """Validate arguments for the endpoint called ``name`` without sending anything."""
        endpoint = _BY_NAME[name]
        self._path(endpoint)
        build_body(endpoint, values, legacy=self._legacy, context=self._context)

    async def _call(self, endpoint: Endpoint, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Run one table row: bind → body → send → structure."""
        path = self._path(endpoint)
        if self._channel.is_closed:
            raise errors.ClientClosedError(f"the client is closed; {endpoint.name} was not sent")
        values = bind(endpoint, args, kwargs)
        body = build_body(endpoint, values, legacy=self._legacy, context=self._context)
        envelope = await self._send(path, body, idempotent=endpoint.idempotent)
        return result_of(endpoint, envelope.data, path=path)

    async def _post_once(self, path: str, content: bytes) -> Envelope:
        semaphore = self._semaphore
        if semaphore.locked() and self._timeouts.pool is not None:
            try:
                async with asyncio.timeout(self._timeouts.pool):
                    await semaphore.acquire()
            except TimeoutError:
                raise errors.PoolTimeoutError("no free request slot within the pool timeout", path=path) from None
        else:
            await semaphore.acquire()
        try:
            self.requests_sent += 1
            reply = await self._channel.post(path, content, self._timeouts)
        finally:
            semaphore.release()
        return decode_envelope(reply.status, reply.content, path=path, retry_after=reply.retry_after)

    async def _send(self, path: str, body: dict[str, Any], *, idempotent: bool) -> Envelope:
        """Send ``body`` to ``path`` until it succeeds, fails for good, or may not be repeated."""
        content = encode_body(body)
        policy = self._retry
        attempt = 0
        resynced = False
        while True:
            attempt += 1
            started = time.perf_counter()
            retry_after: float | None = None
            error: errors.RayvisionError
            try:
                envelope = await self._post_once(path, content)
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
                error = errors.error_for_code(envelope.code, self._channel.signer.scrub(envelope.message),
                                              path=path, request_id=envelope.request_id)
                if envelope.code == 610 and not resynced and envelope.server_time_ms is not None:
                    offset = self._channel.signer.resync(envelope.server_time_ms)
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
