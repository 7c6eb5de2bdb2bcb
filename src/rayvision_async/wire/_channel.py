"""The channel: one signed POST, its reply as status and bytes, its failures as SDK errors.

:class:`HttpChannel` is the signer transport over an inner transport
(:class:`~._aiohttp.AiohttpTransport` unless the caller gives a transport or
an ``httpx.AsyncClient``); :class:`Timeouts` are the per-attempt limits it applies.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from .. import errors
from .._arguments import checked_binding
from .._version import __version__
from ._aiohttp import AiohttpTransport, respx_router_active
from ._caller_client import CallerClientTransport
from ._decode import CappedDecoder, TooLarge
from ._lean import LeanLane
from ._signer import SigningTransport

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "HttpChannel", "RawReply", "Timeouts"]

#: The largest decoded reply body read (32 MiB); a larger one is a MalformedResponseError.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
#: Request extension telling the SDK's transports the cap (they stop reading the raw body past it).
MAX_BYTES_EXTENSION = "rayvision_max_response_bytes"
#: The request extension asking the default transport for a connection that cannot have been closed while
#: idle (True for a call that creates or changes work, and for every retry).
FRESH_CONNECTION_EXTENSION = "rayvision_fresh_connection"

USER_AGENT = f"rayvision-async/{__version__}"
_DEFAULT_HEADERS = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"}
#: Headers ``default_headers`` may not name (any case): the signing headers; what the signer or the
#: transport sets (the SDK decodes gzip and deflate only); and what would change the exchange itself:
#: framing and body encoding, hop-by-hop connection handling, ``Expect`` (a server that never answers
#: "100 Continue" holds the body back until the read timeout, and a creating call is then reported
#: "outcome unknown" though its body was never sent), a partial ``Range`` and method overrides.
RESERVED_HEADERS = frozenset({
    "accessid", "channel", "platform", "utctimestamp", "nonce", "version", "signature", "languageflag",
    "content-type", "content-length", "content-encoding", "transfer-encoding", "accept-encoding", "host",
    "expect", "connection", "keep-alive", "upgrade", "te", "trailer", "range", "if-range",
    "x-http-method-override", "x-http-method", "x-method-override",
})
#: Prefixes of header names ``default_headers`` may not use (``Proxy-Authorization``, ``Proxy-Connection``…).
RESERVED_HEADER_PREFIXES = ("proxy-",)
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}")
_VALUE = re.compile(r"[\x20-\x7e\t]{0,1024}")


def merged_headers(extra: Mapping[str, str] | None) -> dict[str, str]:
    """The SDK's default headers with the caller's ``default_headers`` over them (checked, never signed ones)."""
    headers = dict(_DEFAULT_HEADERS)
    if extra is None:
        return headers
    if not isinstance(extra, Mapping):
        raise errors.ConfigurationError("default_headers must be a mapping of header names to strings")
    try:
        pairs = list(extra.items())
    except Exception as exc:  # a caller's mapping that fails when read
        raise errors.ConfigurationError(f"default_headers cannot be read: {type(exc).__name__}") from exc
    for name, value in pairs:
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            shown = repr(name)[:64] if isinstance(name, str) else f"a {type(name).__name__}"
            raise errors.ConfigurationError(f"default_headers: {shown} is not a valid header name")
        if name.lower() in RESERVED_HEADERS or name.lower().startswith(RESERVED_HEADER_PREFIXES):
            raise errors.ConfigurationError(
                f"default_headers may not set {name!r}: the SDK signs or sets it, or it changes the exchange itself")
        if not isinstance(value, str) or not _VALUE.fullmatch(value):
            raise errors.ConfigurationError(
                f"default_headers[{name!r}] must be a string of printable ASCII (at most 1024 characters)")
        for existing in [key for key in headers if key.lower() == name.lower()]:
            del headers[existing]
        headers[name] = value
    return headers


def _seconds(name: str, value: Any) -> float | None:
    """One timeout: a number in (0, 3600] seconds (never a bool) as a float, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
        raise errors.ConfigurationError(f"{name} timeout must be a number in (0, 3600] seconds or None")
    return float(value)


def _read(value: Any) -> float | None:
    return _seconds("read", value)


def _connect(value: Any) -> float | None:
    return _seconds("connect", value)


def _pool(value: Any) -> float | None:
    return _seconds("pool", value)


_AUTO = -1.0  # a total still to be derived from read (set in __attrs_post_init__)


def _total(value: Any) -> float | None:
    if value is _AUTO or (isinstance(value, str) and value == "auto"):
        return _AUTO
    return _seconds("total", value)


@attrs.frozen
class Timeouts:
    """Connect, read, pool and total timeouts in seconds (``None`` = no limit).

    ``read`` bounds each wait for bytes; ``total`` bounds one whole attempt
    (connect, send, read every byte), so a reply trickling in slowly still ends.
    It defaults to twice ``read`` (at least 60 s; no limit when ``read`` is None).
    """

    read: float | None = attrs.field(default=30.0, converter=_read)
    connect: float | None = attrs.field(default=10.0, kw_only=True, converter=_connect)
    pool: float | None = attrs.field(default=30.0, kw_only=True, converter=_pool)
    #: ``"auto"`` (the default) becomes twice ``read``, at least 60 s (None when ``read`` is None).
    total: float | None = attrs.field(default=_AUTO, kw_only=True, converter=_total)
    #: The ``timeout`` request extension httpx transports read.
    extension: Mapping[str, float | None] = attrs.field(init=False, eq=False, repr=False)

    @extension.default
    def _extension(self) -> Mapping[str, float | None]:
        return {"connect": self.connect, "read": self.read, "write": self.read, "pool": self.pool}

    def __attrs_post_init__(self) -> None:
        if self.total == _AUTO:
            object.__setattr__(self, "total", None if self.read is None else max(60.0, 2 * self.read))

    @classmethod
    def coerce(cls, value: Timeouts | httpx.Timeout | float | None) -> Timeouts:
        """Accept a :class:`Timeouts`, an ``httpx.Timeout``, a single number (the read timeout) or None.

        An ``httpx.Timeout``'s connect, read and pool limits are taken as they are; its write limit
        must equal its read limit (the SDK applies the read limit to writing its small bodies).
        """
        if isinstance(value, Timeouts):
            return value
        if isinstance(value, httpx.Timeout):
            if value.write != value.read:
                raise errors.ConfigurationError(
                    "an httpx.Timeout's write timeout must equal its read timeout (the SDK writes with the read "
                    "limit); use rayvision_async.Timeouts for read, connect, pool and total limits")
            return cls(read=value.read, connect=value.connect, pool=value.pool)
        return cls(read=value)


# An unknown or positional field raises ConfigurationError too, not attrs' TypeError.
Timeouts.__init__ = checked_binding(errors.ConfigurationError)(Timeouts.__init__)  # type: ignore[method-assign]


@attrs.frozen
class RawReply:
    """Status, body bytes and Retry-After of one HTTP response."""

    status: int
    content: bytes = attrs.field(repr=lambda content: f"<{len(content)} bytes>")
    retry_after: str | None


class HttpChannel:
    """The signer transport over an inner transport; ``post`` maps failures to SDK errors.

    By default it speaks the transport contract directly (``handle_async_request``)
    rather than through ``httpx.AsyncClient``: the SDK needs none of the
    client's cookie, auth, redirect or event-hook machinery, and skipping it
    saves a third of the per-request overhead. With ``http_client`` every
    signed attempt goes through that client's ``send`` instead, so its event
    hooks, mounts and proxies, TLS settings and instrumentation see each one.
    On the SDK's own :class:`AiohttpTransport` (exactly that class) attempts take
    the lean lane (:mod:`._lean`: no httpx objects, the same bytes on the wire)
    unless a respx router is active.
    """

    def __init__(
        self,
        *,
        base_url: str,
        signer_options: Mapping[str, str],
        inner: httpx.AsyncBaseTransport | None,
        max_connections: int,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        http_client: httpx.AsyncClient | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if http_client is not None:
            if inner is not None:
                raise errors.ConfigurationError("pass transport= or http_client=, not both")
            inner = CallerClientTransport(http_client)
        if inner is None:
            default = AiohttpTransport(limit=max_connections)
            default.proxy_for(httpx.URL(base_url))  # a proxy it cannot use is an error now, not at the first call
            inner = default
        self.inner = inner
        self._headers = merged_headers(headers)
        #: Whether the inner transport's connect failures reliably mean "nothing was sent" (the SDK's own
        #: transports say so with ``vouches_for_failures``); for any other, every failure may have been sent.
        self.vouched = getattr(type(self.inner), "vouches_for_failures", False) is True
        self.max_response_bytes = max_response_bytes
        self.signer = SigningTransport(self.inner, **signer_options)
        #: The lean lane (no httpx objects) when the inner transport is exactly the SDK's own.
        self._lean = LeanLane(inner, self.signer, self._headers) if type(inner) is AiohttpTransport else None
        self._base_url = base_url.rstrip("/")
        self._urls: dict[str, httpx.URL] = {}
        self._closed = False

    async def post(self, path: str, content: bytes, timeouts: Timeouts, *, fresh: bool = False) -> RawReply:
        """Send one signed POST and read the whole reply (``fresh``: on a connection that cannot be stale)."""
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(self._base_url + path)
        limit = self.max_response_bytes
        error: errors.RayvisionError
        lean = self._lean
        # respx patches httpx: while a router is active every attempt takes the httpx path, so its routes see it.
        if lean is not None and content and not ("respx.mocks" in sys.modules and respx_router_active()):
            try:
                status, body, retry_after = await lean.post(path, url, content, timeouts.extension, limit, fresh)
            except (httpx.TransportError, httpx.DecodingError) as exc:
                error = self._error_for(exc, url, path, timeouts)
            else:
                return RawReply(status, body, retry_after)
            raise self._finished(error, path)
        request = httpx.Request("POST", url, headers=self._headers, content=content,
                                extensions={"timeout": timeouts.extension, MAX_BYTES_EXTENSION: limit,
                                            FRESH_CONNECTION_EXTENSION: fresh})
        # SDK errors are raised outside the ``except`` blocks, so none carries the httpx exception (and its
        # signed request) as __cause__ or __context__.
        try:
            response = await self.signer.handle_async_request(request)
            try:
                body = await _read_capped(response, limit, path)
            finally:
                await response.aclose()
        except (httpx.TransportError, httpx.DecodingError) as exc:
            error = self._error_for(exc, url, path, timeouts)
        else:
            return RawReply(response.status_code, body, response.headers.get("retry-after"))
        raise self._finished(error, path)

    def _error_for(self, exc: httpx.TransportError | httpx.DecodingError, url: httpx.URL, path: str,
                   timeouts: Timeouts) -> errors.RayvisionError:
        """The SDK error for an httpx failure of one attempt (either lane)."""
        if isinstance(exc, httpx.PoolTimeout):
            return errors.PoolTimeoutError(f"no free connection to {_where(url)} within the pool timeout", path=path)
        if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
            return errors.ConnectError(f"could not connect to {_where(url)}: {self._reason(exc)}", path=path)
        if isinstance(exc, httpx.TimeoutException):
            return errors.RequestTimeoutError(
                f"no answer from {_where(url)} within {timeouts.read} s ({type(exc).__name__})", path=path)
        if isinstance(exc, httpx.TransportError):
            return errors.TransportError(f"connection to {_where(url)} failed: {self._reason(exc)}", path=path)
        return errors.MalformedResponseError(f"body could not be read: {exc}", path=path)

    def _finished(self, error: errors.RayvisionError, path: str) -> errors.RayvisionError:
        """``error`` as raised: ClientClosedError once the client closed; unvouched for a custom transport."""
        if self._closed:
            return errors.ClientClosedError(f"the client was closed while {path} was in flight")
        if not self.vouched and isinstance(error, (errors.ConnectError, errors.PoolTimeoutError)):
            error.unvouched = True  # a custom transport: the request may have been sent all the same
        return error

    def _reason(self, exc: Exception) -> str:
        """Why a transport failed, for an error message: its text (no secrets, no URL credentials) and class."""
        text = _USERINFO.sub(r"\1***@", self.signer.scrub(str(exc)))
        text = " ".join(text.split())[:300]
        name = type(exc).__name__
        return f"{text} ({name})" if text and text != name else name

    @property
    def is_closed(self) -> bool:
        return self._closed

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self.signer.aclose()


_USERINFO = re.compile(r"(\w+://)[^/@\s]*@")


def _where(url: httpx.URL) -> str:
    """``host:port`` of a request URL (the port the scheme implies when the URL names none)."""
    host = f"[{url.host}]" if ":" in url.host else url.host
    return f"{host}:{url.port or (443 if url.scheme == 'https' else 80)}"


async def _read_capped(response: httpx.Response, limit: int, path: str) -> bytes:
    """The decoded body, never holding more than ``limit`` decoded bytes (a gzip bomb stops at the cap)."""
    try:
        body = response.content  # a transport that built the response from bytes: already decoded
    except httpx.ResponseNotRead:
        pass
    else:
        if len(body) > limit:
            raise TooLarge(f"reply larger than {limit} bytes")
        return body
    decoder = CappedDecoder(response.headers.get("content-encoding", ""), limit)
    async for raw in response.aiter_raw():
        decoder.feed(raw)
    return decoder.finish()
