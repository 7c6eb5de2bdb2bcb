"""The default inner transport: httpx's transport API, aiohttp's connection pool.

httpx 0.28's own connection pool degrades as concurrency grows; this keeps
httpx's API for callers while aiohttp's connector moves the bytes (see
``benchmarks/``).

While a respx mock router is active (``@respx.mock``, ``with respx.mock:``,
the ``respx_mock`` fixture), requests go through an ``httpx.AsyncClient`` on
httpx's own transport instead, which is what respx patches: the routes see
every attempt and nothing reaches the network. The check costs one
``sys.modules`` look-up per request while respx is not imported.
"""

from __future__ import annotations

import sys
import urllib.request
from collections.abc import Mapping
from typing import Any

import aiohttp
import httpx

from .. import errors

__all__ = ["AiohttpTransport"]


#: respx's mockers (registry size, and each one's list of started routers), looked up once.
_respx_routers: tuple[int, tuple[list[Any], ...]] = (-1, ())


def respx_router_active() -> bool:
    """Whether a respx mock router is started now (respx patches httpx or httpcore while one is).

    Each respx mocker keeps the routers started with it in a class-level list
    (``Mocker.routers``); those lists are found once and then only read.
    """
    global _respx_routers
    mocks = sys.modules.get("respx.mocks")
    if mocks is None:
        return False
    registry = getattr(getattr(mocks, "Mocker", None), "registry", None) or {}
    if len(registry) != _respx_routers[0]:
        lists = tuple(routers for mocker in registry.values()
                      if isinstance(routers := getattr(mocker, "routers", None), list))
        _respx_routers = (len(registry), lists)
    return any(_respx_routers[1])


def _timeout_of(request: httpx.Request, key: str) -> float | None:
    value = request.extensions.get("timeout", {}).get(key)
    return float(value) if value is not None else None


class _TooLarge(httpx.DecodingError):
    """The raw body is larger than the request's cap."""


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An ``httpx`` transport whose connections are aiohttp's.

    Honors the request's connect and read timeouts, and maps aiohttp's failures
    onto httpx's exception classes (``ConnectError``/``ConnectTimeout`` when
    the connection could not be made; ``ReadTimeout``/``ReadError`` once the
    request may have been sent), so retry decisions do not depend on which
    transport is inside. The session is created lazily inside the running loop;
    once :meth:`aclose` ran, no new one is ever opened.

    Idle connections are kept ``keepalive_timeout`` seconds (4 s: shorter than
    the idle timeouts servers and proxies commonly use, 5 s and up), so a
    request is rarely sent on a connection the server is closing. A request
    asking for a fresh connection (the ``rayvision_fresh_connection``
    extension: the SDK sets it for calls that create or change work, whose
    failure after sending cannot be retried, and for every retry) goes through
    a second pool whose connections are reused only within
    ``mutation_keepalive_timeout`` (0.5 s) of their last answer; after that it
    opens a new connection rather than risk one closed while idle.
    """

    #: Its connect failures are raised only when nothing was sent (see ``HttpChannel.vouched``).
    vouches_for_failures = True

    def __init__(
        self, *, limit: int = 100, keepalive_timeout: float = 4.0, mutation_keepalive_timeout: float = 0.5,
        use_env_proxies: bool = True,
    ) -> None:
        self._limit = limit
        self._keepalive_timeout = keepalive_timeout
        self._mutation_keepalive_timeout = mutation_keepalive_timeout
        # HTTP(S)_PROXY / NO_PROXY are read once here, not on every request: aiohttp's
        # trust_env looks them (and ~/.netrc) up in a worker thread per request.
        self._proxies = urllib.request.getproxies() if use_env_proxies else {}
        self._proxy_by_origin: dict[tuple[str, str], str | None] = {}
        self._timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}
        #: The last ``timeout`` extension seen and its ClientTimeout (held, so ``is`` cannot match a new dict).
        self._last_extension: object = None
        self._last_timeout = aiohttp.ClientTimeout()
        self._session: aiohttp.ClientSession | None = None
        self._mutation_session: aiohttp.ClientSession | None = None
        #: The httpx client used while respx mocks httpx (created on first use, closed with the transport).
        self._mocked: httpx.AsyncClient | None = None
        self._closed = False

    def _get_session(self, request: httpx.Request) -> aiohttp.ClientSession:
        if self._closed:
            raise httpx.ConnectError("the transport is closed", request=request)
        if request.extensions.get("rayvision_fresh_connection") is True:
            if self._mutation_session is None or self._mutation_session.closed:
                self._mutation_session = self._new_session(self._mutation_keepalive_timeout)
            return self._mutation_session
        if self._session is None or self._session.closed:
            self._session = self._new_session(self._keepalive_timeout)
        return self._session

    def _new_session(self, keepalive_timeout: float) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._limit, keepalive_timeout=keepalive_timeout),
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            # httpx chose Accept-Encoding and decodes per Content-Encoding when the
            # response is built; aiohttp decoding too would decompress the body twice.
            auto_decompress=False,
        )

    def proxy_for(self, url: httpx.URL) -> str | None:
        """The proxy from ``HTTP(S)_PROXY`` / ``ALL_PROXY`` for ``url`` (None: direct or bypassed by ``NO_PROXY``).

        Raises :class:`~rayvision_async.errors.ConfigurationError` for a proxy
        aiohttp cannot speak (SOCKS) rather than silently connecting directly.
        """
        origin = (url.scheme, url.host)
        if origin not in self._proxy_by_origin:
            proxy = self._proxies.get(url.scheme) or self._proxies.get("all")
            if proxy is not None and urllib.request.proxy_bypass(url.host):
                proxy = None
            if proxy is not None and not proxy.lower().startswith(("http://", "https://")):
                kind = proxy.partition("://")[0] if "://" in proxy else "scheme-less"
                raise errors.ConfigurationError(
                    f"the environment's {url.scheme} proxy (HTTP(S)_PROXY / ALL_PROXY) is a {kind} proxy, which the "
                    "default transport cannot use; pass http_client=httpx.AsyncClient() (with httpx[socks] "
                    "installed it honours SOCKS proxies), set NO_PROXY for this host, or unset the variable")
            self._proxy_by_origin[origin] = proxy
        return self._proxy_by_origin[origin]

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        extension = request.extensions.get("timeout")
        if extension is not None and extension is self._last_extension:  # the SDK reuses one per Timeouts
            return self._last_timeout
        key = (_timeout_of(request, "connect"), _timeout_of(request, "read"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = self._timeouts[key] = aiohttp.ClientTimeout(total=None, sock_connect=key[0], sock_read=key[1])
        if isinstance(extension, Mapping):
            self._last_extension, self._last_timeout = extension, timeout
        return timeout

    @property
    def open_connections(self) -> int:
        """Connections currently held by the pools (idle or in use); 0 once closed."""
        total = 0
        for session in (self._session, self._mutation_session):
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
        return await self._mocked.send(request, stream=True)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "respx.mocks" in sys.modules and respx_router_active():
            return await self._send_to_respx(request)
        session = self._get_session(request)
        limit = request.extensions.get("rayvision_max_response_bytes")
        timeout = self._timeout(request)
        content = await request.aread()
        try:
            async with session.request(
                request.method,
                str(request.url),
                headers=[(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw],
                data=content,
                timeout=timeout,
                proxy=self.proxy_for(request.url) if self._proxies else None,
                allow_redirects=False,
                compress=None,
            ) as response:
                length = response.content_length
                if isinstance(limit, int) and length is not None:
                    if length > limit:
                        raise _TooLarge(f"reply larger than {limit} bytes")
                    body = await response.read()  # aiohttp reads exactly Content-Length bytes, no more
                elif isinstance(limit, int):  # no length given (chunked): count while reading
                    parts: list[bytes] = []
                    size = 0
                    async for part in response.content.iter_chunked(65536):
                        size += len(part)
                        if size > limit:
                            raise _TooLarge(f"reply larger than {limit} bytes")
                        parts.append(part)
                    body = b"".join(parts)
                else:
                    body = await response.read()
                # A stream, not content=: httpx would decode content= at once, before any size check.
                return httpx.Response(
                    response.status, headers=response.raw_headers, stream=httpx.ByteStream(body), request=request
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
        self._closed = True
        if self._mocked is not None:
            await self._mocked.aclose()
            self._mocked = None
        for session in (self._session, self._mutation_session):
            if session is not None and not session.closed:
                await session.close()
        self._session = self._mutation_session = None
