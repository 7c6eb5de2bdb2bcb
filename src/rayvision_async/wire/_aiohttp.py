"""The default inner transport: httpx's transport API, aiohttp's connection pool.

httpx 0.28's own connection pool degrades as concurrency grows; this keeps
httpx's API for callers while aiohttp's connector moves the bytes (see
``benchmarks/``).

While a respx mock router is active (:func:`respx_active`, the one place the
SDK asks; the channel asks it too, to choose its lane), requests go through an
``httpx.AsyncClient`` on httpx's own transport instead, which is what respx
patches: the routes see every attempt and nothing reaches the network. While
respx is not imported the question costs one ``sys.modules`` look-up.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from .. import errors
from ._decode import TooLarge, decode_capped
from ._envelope import RawReply
from ._errors import failure_of, httpx_error
from ._proxies import EnvironmentProxies
from ._tls import ssl_context

if TYPE_CHECKING:
    import ssl

    import aiohttp

__all__ = ["AiohttpTransport", "respx_active"]


#: respx's mockers (registry size, and each one's list of started routers), looked up once.
_routers: tuple[int, tuple[list[Any], ...]] = (-1, ())


def respx_active() -> bool:
    """Whether a respx mock router is started now.

    Each respx mocker keeps the routers started with it in a class-level list
    (``Mocker.routers``); those lists are found once and then only read.
    """
    global _routers
    mocks = sys.modules.get("respx.mocks")
    if mocks is None:
        return False
    registry = getattr(getattr(mocks, "Mocker", None), "registry", None) or {}
    if len(registry) != _routers[0]:
        lists = tuple(routers for mocker in registry.values()
                      if isinstance(routers := getattr(mocker, "routers", None), list))
        _routers = (len(registry), lists)
    return any(_routers[1])


def _timeout_of(extension: object, key: str) -> float | None:
    value = extension.get(key) if isinstance(extension, Mapping) else None
    return float(value) if value is not None else None


async def _read_raw(response: aiohttp.ClientResponse, limit: object) -> bytes:
    """The raw (still encoded) body, refused past ``limit`` bytes when it is an int."""
    length = response.content_length
    if isinstance(limit, int) and length is not None:
        if length > limit:
            raise TooLarge(f"reply larger than {limit} bytes")
        return await response.read()  # aiohttp reads exactly Content-Length bytes, no more
    if isinstance(limit, int):  # no length given (chunked): count while reading
        parts: list[bytes] = []
        size = 0
        async for part in response.content.iter_chunked(65536):
            size += len(part)
            if size > limit:
                raise TooLarge(f"reply larger than {limit} bytes")
            parts.append(part)
        return b"".join(parts)
    return await response.read()


def _joined(headers: Any, name: str) -> str | None:
    """A response header's values joined by ``", "`` as httpx's ``Headers.get`` does (None when absent)."""
    values = headers.getall(name, None)
    return None if values is None else ", ".join(values)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An ``httpx`` transport whose connections are aiohttp's.

    Honors the request's connect and read timeouts, and raises aiohttp's
    failures as httpx's exception classes (``ConnectError``/``ConnectTimeout``
    when the connection could not be made; ``ReadTimeout``/``ReadError`` once
    the request may have been sent: :func:`._errors.httpx_error`), as the httpx
    transport contract asks. The session is created lazily inside the running loop;
    once :meth:`aclose` ran, no new one is ever opened.

    Idle connections are kept ``keepalive_timeout`` seconds (4 s: shorter than
    the idle timeouts servers and proxies commonly use, 5 s and up), so a
    request is rarely sent on a connection the server is closing. A request
    asking for a fresh connection (the ``rayvision_fresh_connection``
    extension: the SDK sets it for calls that create or change work, whose
    failure after sending cannot be retried, and for every retry) goes through
    a second pool whose connections are reused only within
    ``fresh_keepalive_timeout`` (0.5 s) of their last answer; after that it
    opens a new connection rather than risk one closed while idle.

    Redirects are never followed. Proxies come from ``HTTP(S)_PROXY`` /
    ``ALL_PROXY`` and ``NO_PROXY`` by httpx's rule (:mod:`._proxies`), read once
    here. ``verify`` is the trust for the server's certificate: True (the system's
    CAs, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when set), a CA bundle path, or an
    ``ssl.SSLContext`` (:func:`._tls.ssl_context`; False is refused).
    """

    #: Its connect failures are raised only when nothing was sent (see ``HttpChannel.vouched``).
    vouches_for_failures = True

    def __init__(
        self, *, limit: int = 100, keepalive_timeout: float = 4.0, fresh_keepalive_timeout: float = 0.5,
        use_env_proxies: bool = True, verify: bool | str | os.PathLike[str] | ssl.SSLContext = True,
    ) -> None:
        self._limit = limit
        self._keepalive_timeout = keepalive_timeout
        self._fresh_keepalive_timeout = fresh_keepalive_timeout
        #: The TLS context for the connections (None: aiohttp's default, the system's CAs).
        self._ssl = ssl_context(verify)
        # HTTP(S)_PROXY / NO_PROXY are read once here, not on every request: aiohttp's
        # trust_env looks them (and ~/.netrc) up in a worker thread per request.
        self._proxies = EnvironmentProxies(urllib.request.getproxies() if use_env_proxies else {})
        self._any_proxy = bool(self._proxies)
        self._proxy_by_origin: dict[tuple[str, str, int | None], str | None] = {}
        self._timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}
        #: The last ``timeout`` extension seen and its ClientTimeout (held, so ``is`` cannot match a new dict).
        self._last_extension: object = None
        self._last_timeout: aiohttp.ClientTimeout | None = None
        self._session: aiohttp.ClientSession | None = None
        self._fresh_session: aiohttp.ClientSession | None = None
        #: The httpx client used while respx mocks httpx (created on first use, closed with the transport).
        self._mocked: httpx.AsyncClient | None = None
        self._closed = False

    def _get_session(self, request: httpx.Request) -> aiohttp.ClientSession:
        return self._session_for(request.extensions.get("rayvision_fresh_connection") is True)

    def _session_for(self, fresh: bool) -> aiohttp.ClientSession:
        if self._closed:
            raise httpx.ConnectError("the transport is closed")
        if fresh:
            if self._fresh_session is None or self._fresh_session.closed:
                self._fresh_session = self._new_session(self._fresh_keepalive_timeout)
            return self._fresh_session
        if self._session is None or self._session.closed:
            self._session = self._new_session(self._keepalive_timeout)
        return self._session

    def _new_session(self, keepalive_timeout: float) -> aiohttp.ClientSession:
        import aiohttp  # the first connection of the process imports it, not the SDK's import

        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._limit, keepalive_timeout=keepalive_timeout,
                                           ssl=True if self._ssl is None else self._ssl),
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            # httpx chose Accept-Encoding and decodes per Content-Encoding when the
            # response is built; aiohttp decoding too would decompress the body twice.
            auto_decompress=False,
        )

    def proxy_for(self, url: httpx.URL) -> str | None:
        """The proxy from ``HTTP(S)_PROXY`` / ``ALL_PROXY`` for ``url`` (None: direct or bypassed by ``NO_PROXY``).

        Chosen as httpx chooses (:mod:`._proxies`). Raises
        :class:`~rayvision_async.errors.ConfigurationError` for a proxy aiohttp
        cannot speak (SOCKS) rather than silently connecting directly.
        """
        origin = (url.scheme, url.host, url.port)
        if origin not in self._proxy_by_origin:
            proxy = self._proxies.for_url(url)
            if proxy is not None and not proxy.lower().startswith(("http://", "https://")):
                kind = proxy.partition("://")[0] if "://" in proxy else "scheme-less"
                raise errors.ConfigurationError(
                    f"the environment's {url.scheme} proxy (HTTP(S)_PROXY / ALL_PROXY) is a {kind} proxy, which the "
                    "default transport cannot use; pass http_client=httpx.AsyncClient() (with httpx[socks] "
                    "installed it honours SOCKS proxies), set NO_PROXY for this host, or unset the variable")
            self._proxy_by_origin[origin] = proxy
        return self._proxy_by_origin[origin]

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        return self._client_timeout(request.extensions.get("timeout"))

    def _client_timeout(self, extension: object) -> aiohttp.ClientTimeout:
        """The ClientTimeout for a request's ``timeout`` extension (connect and read limits)."""
        last = self._last_timeout
        if extension is not None and extension is self._last_extension and last is not None:
            return last  # the SDK reuses one mapping per Timeouts
        key = (_timeout_of(extension, "connect"), _timeout_of(extension, "read"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            import aiohttp

            timeout = self._timeouts[key] = aiohttp.ClientTimeout(total=None, sock_connect=key[0], sock_read=key[1])
        if isinstance(extension, Mapping):
            self._last_extension, self._last_timeout = extension, timeout
        return timeout

    @property
    def has_proxies(self) -> bool:
        """Whether the environment named any proxy (else no URL needs a :meth:`proxy_for` look-up)."""
        return self._any_proxy

    @property
    def open_connections(self) -> int:
        """Connections currently held by the pools (idle or in use); 0 once closed."""
        total = 0
        for session in (self._session, self._fresh_session):
            if session is None or session.closed or session.connector is None:
                continue
            connector: Any = session.connector
            total += len(getattr(connector, "_acquired", ()))
            total += sum(len(conns) for conns in getattr(connector, "_conns", {}).values())
        return total

    async def _send_to_respx(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise httpx.ConnectError("the transport is closed", request=request)
        if self._mocked is None:
            # trust_env=False: proxies from the environment are not respx's business, and a SOCKS one
            # would make httpx demand the socksio package.
            self._mocked = httpx.AsyncClient(trust_env=False)
        return await self._mocked.send(request, stream=True, follow_redirects=False)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if respx_active():
            return await self._send_to_respx(request)
        extensions = request.extensions
        try:
            session = self._get_session(request)
        except httpx.ConnectError as exc:
            raise httpx.ConnectError(str(exc), request=request) from None
        limit = extensions.get("rayvision_max_response_bytes")
        timeout = self._client_timeout(extensions.get("timeout"))
        content = await request.aread()
        try:
            async with session.request(
                request.method,
                str(request.url),
                headers=[(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw],
                data=content,
                timeout=timeout,
                proxy=self.proxy_for(request.url) if self._any_proxy else None,
                allow_redirects=False,
                compress=None,
            ) as response:
                body = await _read_raw(response, limit)
                # A stream, not content=: httpx would decode content= at once, before any size check.
                return httpx.Response(
                    response.status, headers=response.raw_headers, stream=httpx.ByteStream(body), request=request
                )
        except Exception as exc:
            if isinstance(exc, httpx.HTTPError) or failure_of(exc) is None:
                raise  # httpx's own (a body over the cap), or not a transport failure
            error = httpx_error(exc)
            error.request = request
            raise error from exc

    async def post_direct(
        self, url: str, headers: list[tuple[str, str]], content: bytes, timeout: Mapping[str, float | None],
        limit: int, fresh: bool, proxy: str | None,
    ) -> RawReply:
        """The lean lane: POST ``content`` with exactly ``headers``; the reply with its body decoded.

        No httpx request or response objects: failures are aiohttp's own exceptions
        (the channel maps both families, :mod:`._errors`), the body is decoded per
        Content-Encoding with the same capped decoder, so a reply is read and refused
        exactly as on the httpx path. ``timeout`` is the ``timeout`` extension
        mapping; ``proxy`` is :meth:`proxy_for` of the URL.
        """
        session = self._session_for(fresh)
        async with session.request(
            "POST", url, headers=headers, data=content, timeout=self._client_timeout(timeout), proxy=proxy,
            allow_redirects=False, compress=None,
        ) as response:
            raw = await _read_raw(response, limit)
            encoding = _joined(response.headers, "Content-Encoding")
            return RawReply(response.status, decode_capped(raw, encoding, limit) if encoding else raw,
                            response.raw_headers)

    async def aclose(self) -> None:
        self._closed = True
        if self._mocked is not None:
            await self._mocked.aclose()
            self._mocked = None
        for session in (self._session, self._fresh_session):
            if session is not None and not session.closed:
                await session.close()
        self._session = self._fresh_session = None
