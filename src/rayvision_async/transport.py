"""The HTTP layer: the only module of the client that imports httpx.

* :class:`SigningTransport` — the signer middleware. It wraps any
  ``httpx.AsyncBaseTransport`` and, for every request it is handed (so for
  every attempt, retries included), stamps a fresh timestamp and random nonce
  and signs the request from its wire body.
* :class:`AiohttpTransport` — the default inner transport. httpx 0.28's own
  connection pool degrades as concurrency grows; this keeps httpx's API for
  callers while aiohttp's connector moves the bytes (see ``benchmarks/``).
* :class:`HttpChannel` — one ``httpx.AsyncClient`` over the two, with a
  ``post`` that returns status and bytes or raises the SDK's transport errors.
"""

from __future__ import annotations

import logging
import time
import urllib.request
from collections.abc import Mapping
from typing import Any

import aiohttp
import httpx

from . import errors
from ._version import __version__
from .signing import NonceSource, sign_request

__all__ = ["AiohttpTransport", "HttpChannel", "RawReply", "SigningTransport", "Timeouts"]

logger = logging.getLogger("rayvision_async")

USER_AGENT = f"rayvision-async/{__version__}"
_DEFAULT_HEADERS = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"}

_REDACTED_HEADERS = frozenset({"accessid", "signature"})


class SigningTransport(httpx.AsyncBaseTransport):
    """Signs every request, then hands it to ``inner``.

    ``domain`` is the string that is signed (the constructor's domain verbatim,
    ``host[:port]``), which need not be the URL's host: requests to a loopback
    simulator are signed for the domain the simulator expects.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        access_id: str,
        access_key: str,
        domain: str,
        platform: str,
        version: str = "2.0.0",
        channel: str = "4",
    ) -> None:
        self._inner = inner
        self._access_id = access_id
        self._access_key = access_key
        self._domain = domain
        self._platform = platform
        self._version = version
        self._channel = channel
        self._language = "0" if "renderbus" in domain.lower() else "1"
        self._nonce = NonceSource()
        #: Seconds added to the local clock for ``UTCTimestamp`` (set by :meth:`resync`).
        self.clock_offset = 0.0

    def __repr__(self) -> str:
        return f"SigningTransport(domain={self._domain!r}, platform={self._platform!r}, inner={self._inner!r})"

    def scrub(self, text: str) -> str:
        """``text`` (e.g. a server's message) with the access id and access key replaced by ``***``."""
        return errors.scrub(text, (self._access_id, self._access_key))

    def resync(self, server_time_ms: int) -> float:
        """Adopt the offset between the service's clock and ours; returns the new offset in seconds."""
        self.clock_offset = server_time_ms / 1000.0 - time.time()
        return self.clock_offset

    def signed_headers(self) -> dict[str, str]:
        """The six signed protocol headers for a new attempt (fresh timestamp and nonce)."""
        return {
            "accessId": self._access_id,
            "channel": self._channel,
            "platform": self._platform,
            "UTCTimestamp": str(int(time.time() + self.clock_offset)),
            "nonce": self._nonce(),
            "version": self._version,
        }

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        headers = self.signed_headers()
        signature = sign_request(self._access_key, self._domain, request.url.path, headers, content)
        headers["signature"] = signature
        headers["Content-Type"] = "application/json"
        headers["languageFlag"] = self._language
        request.headers.update(headers)
        if logger.isEnabledFor(logging.DEBUG):
            shown = {k: ("***" if k.lower() in _REDACTED_HEADERS else v) for k, v in request.headers.items()}
            logger.debug("POST %s headers=%s body=%d bytes", request.url.path, shown, len(content))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def _timeout_of(request: httpx.Request, key: str) -> float | None:
    value = request.extensions.get("timeout", {}).get(key)
    return float(value) if value is not None else None


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An ``httpx`` transport whose connections are aiohttp's.

    Honors the request's connect and read timeouts, and maps aiohttp's failures
    onto httpx's exception classes (``ConnectError``/``ConnectTimeout`` when
    the connection could not be made; ``ReadTimeout``/``ReadError`` once the
    request may have been sent), so retry decisions do not depend on which
    transport is inside. The session is created lazily inside the running loop.
    """

    def __init__(self, *, limit: int = 100, keepalive_timeout: float = 15.0, use_env_proxies: bool = True) -> None:
        self._limit = limit
        self._keepalive_timeout = keepalive_timeout
        # HTTP(S)_PROXY / NO_PROXY are read once here, not on every request: aiohttp's
        # trust_env looks them (and ~/.netrc) up in a worker thread per request.
        self._proxies = urllib.request.getproxies() if use_env_proxies else {}
        self._proxy_by_origin: dict[tuple[str, str], str | None] = {}
        self._timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._limit, keepalive_timeout=self._keepalive_timeout)
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
                # httpx chose Accept-Encoding and decodes per Content-Encoding when the
                # response is built; aiohttp decoding too would decompress the body twice.
                auto_decompress=False,
            )
        return self._session

    def _proxy(self, url: httpx.URL) -> str | None:
        origin = (url.scheme, url.host)
        if origin not in self._proxy_by_origin:
            proxy = self._proxies.get(url.scheme)
            if proxy is not None and (urllib.request.proxy_bypass(url.host) or not proxy.startswith("http")):
                proxy = None  # bypassed by NO_PROXY, or a SOCKS proxy aiohttp cannot speak
            self._proxy_by_origin[origin] = proxy
        return self._proxy_by_origin[origin]

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        key = (_timeout_of(request, "connect"), _timeout_of(request, "read"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = self._timeouts[key] = aiohttp.ClientTimeout(total=None, sock_connect=key[0], sock_read=key[1])
        return timeout

    @property
    def open_connections(self) -> int:
        """Connections currently held by the pool (idle or in use); 0 once closed."""
        session = self._session
        if session is None or session.closed or session.connector is None:
            return 0
        connector: Any = session.connector
        acquired = len(getattr(connector, "_acquired", ()))
        idle = sum(len(conns) for conns in getattr(connector, "_conns", {}).values())
        return acquired + idle

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._get_session()
        timeout = self._timeout(request)
        content = await request.aread()
        try:
            async with session.request(
                request.method,
                str(request.url),
                headers=[(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw],
                data=content,
                timeout=timeout,
                proxy=self._proxy(request.url),
                allow_redirects=False,
                compress=None,
            ) as response:
                body = await response.read()
                return httpx.Response(
                    response.status, headers=response.raw_headers, content=body, request=request
                )
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc), request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except (TimeoutError, aiohttp.SocketTimeoutError) as exc:
            raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


class Timeouts:
    """Connect, read and pool timeouts in seconds (``None`` = no limit)."""

    __slots__ = ("connect", "extension", "pool", "read")

    def __init__(self, read: float | None = 30.0, *, connect: float | None = 10.0, pool: float | None = 30.0):
        for name, value in (("read", read), ("connect", connect), ("pool", pool)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600
            ):
                raise errors.ConfigurationError(f"{name} timeout must be a number in (0, 3600] seconds or None")
        self.read = None if read is None else float(read)
        self.connect = None if connect is None else float(connect)
        self.pool = None if pool is None else float(pool)
        #: The ``timeout`` request extension httpx transports read.
        self.extension = {"connect": self.connect, "read": self.read, "write": self.read, "pool": self.pool}

    @classmethod
    def coerce(cls, value: Timeouts | float | None) -> Timeouts:
        """Accept a :class:`Timeouts`, a single number (the read timeout) or None (no read limit)."""
        if isinstance(value, Timeouts):
            return value
        return cls(read=value)

    def __repr__(self) -> str:
        return f"Timeouts(read={self.read}, connect={self.connect}, pool={self.pool})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Timeouts) and (self.read, self.connect, self.pool) == (
            other.read, other.connect, other.pool)

    def __hash__(self) -> int:
        return hash((self.read, self.connect, self.pool))


class RawReply:
    """Status, body bytes and Retry-After of one HTTP response."""

    __slots__ = ("content", "retry_after", "status")

    def __init__(self, status: int, content: bytes, retry_after: str | None) -> None:
        self.status = status
        self.content = content
        self.retry_after = retry_after


class HttpChannel:
    """The signer transport over an inner transport; ``post`` maps failures to SDK errors.

    It speaks the transport contract directly (``handle_async_request``)
    rather than through ``httpx.AsyncClient``: the SDK needs none of the
    client's cookie, auth, redirect or event-hook machinery, and skipping it
    saves a third of the per-request overhead. Users who want an
    ``httpx.AsyncClient`` can wrap :class:`SigningTransport` themselves.
    """

    def __init__(
        self,
        *,
        base_url: str,
        signer_options: Mapping[str, str],
        inner: httpx.AsyncBaseTransport | None,
        max_connections: int,
    ) -> None:
        self.inner = inner if inner is not None else AiohttpTransport(limit=max_connections)
        self.signer = SigningTransport(self.inner, **signer_options)
        self._base_url = base_url.rstrip("/")
        self._urls: dict[str, httpx.URL] = {}
        self._closed = False

    async def post(self, path: str, content: bytes, timeouts: Timeouts) -> RawReply:
        """Send one signed POST and read the whole reply."""
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(self._base_url + path)
        request = httpx.Request("POST", url, headers=_DEFAULT_HEADERS, content=content,
                                extensions={"timeout": timeouts.extension})
        try:
            response = await self.signer.handle_async_request(request)
            try:
                body = await response.aread()
            finally:
                await response.aclose()
        except httpx.PoolTimeout as exc:
            raise errors.PoolTimeoutError("no free connection within the pool timeout", path=path) from exc
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise errors.ConnectError(f"could not connect: {type(exc).__name__}", path=path) from exc
        except httpx.TimeoutException as exc:
            raise errors.TimeoutError(f"no answer within {timeouts.read} s", path=path) from exc
        except httpx.TransportError as exc:
            raise errors.TransportError(f"connection failed: {type(exc).__name__}", path=path) from exc
        except httpx.DecodingError as exc:
            raise errors.MalformedResponseError("body could not be decompressed", path=path) from exc
        return RawReply(response.status_code, body, response.headers.get("retry-after"))

    @property
    def is_closed(self) -> bool:
        return self._closed

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self.signer.aclose()
