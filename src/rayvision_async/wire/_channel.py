"""The channel: one signed POST, its reply as status and bytes, its failures as SDK errors.

:class:`HttpChannel` is the signer transport over an inner transport
(:class:`~._aiohttp.AiohttpTransport` unless the caller gives one);
:class:`Timeouts` are the per-attempt limits it applies.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from .. import errors
from .._version import __version__
from ._aiohttp import AiohttpTransport
from ._signer import SigningTransport

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "HttpChannel", "RawReply", "Timeouts"]

#: The largest decoded reply body read (32 MiB); a larger one is a MalformedResponseError.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
#: Request extension telling the SDK's transports the cap (they stop reading the raw body past it).
MAX_BYTES_EXTENSION = "rayvision_max_response_bytes"
#: The request extension telling the default transport whether the call may be repeated (False: it creates
#: or changes work, so it gets a connection that cannot have been closed while idle).
IDEMPOTENT_EXTENSION = "rayvision_idempotent"

USER_AGENT = f"rayvision-async/{__version__}"
_DEFAULT_HEADERS = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"}


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
    def coerce(cls, value: Timeouts | float | None) -> Timeouts:
        """Accept a :class:`Timeouts`, a single number (the read timeout) or None (no read limit)."""
        if isinstance(value, Timeouts):
            return value
        return cls(read=value)


@attrs.frozen
class RawReply:
    """Status, body bytes and Retry-After of one HTTP response."""

    status: int
    content: bytes = attrs.field(repr=lambda content: f"<{len(content)} bytes>")
    retry_after: str | None


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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.inner = inner if inner is not None else AiohttpTransport(limit=max_connections)
        #: Whether the inner transport's connect failures reliably mean "nothing was sent" (the SDK's own
        #: transports say so with ``vouches_for_failures``); for any other, every failure may have been sent.
        self.vouched = getattr(type(self.inner), "vouches_for_failures", False) is True
        self.max_response_bytes = max_response_bytes
        self.signer = SigningTransport(self.inner, **signer_options)
        self._base_url = base_url.rstrip("/")
        self._urls: dict[str, httpx.URL] = {}
        self._closed = False

    async def post(self, path: str, content: bytes, timeouts: Timeouts, *, idempotent: bool = True) -> RawReply:
        """Send one signed POST and read the whole reply (``idempotent=False``: it creates or changes work)."""
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(self._base_url + path)
        limit = self.max_response_bytes
        request = httpx.Request("POST", url, headers=_DEFAULT_HEADERS, content=content,
                                extensions={"timeout": timeouts.extension, MAX_BYTES_EXTENSION: limit,
                                            IDEMPOTENT_EXTENSION: idempotent})
        # SDK errors are raised outside the ``except`` blocks, so none carries the httpx exception (and its
        # signed request) as __cause__ or __context__.
        error: errors.RayvisionError
        try:
            response = await self.signer.handle_async_request(request)
            try:
                body = await _read_capped(response, limit, path)
            finally:
                await response.aclose()
        except httpx.PoolTimeout:
            error = errors.PoolTimeoutError("no free connection within the pool timeout", path=path)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            error = errors.ConnectError(f"could not connect: {type(exc).__name__}", path=path)
        except httpx.TimeoutException:
            error = errors.RequestTimeoutError(f"no answer within {timeouts.read} s", path=path)
        except httpx.TransportError as exc:
            error = errors.TransportError(f"connection failed: {type(exc).__name__}", path=path)
        except httpx.DecodingError as exc:
            error = errors.MalformedResponseError(f"body could not be read: {exc}", path=path)
        else:
            return RawReply(response.status_code, body, response.headers.get("retry-after"))
        if self._closed:
            error = errors.ClientClosedError(f"the client was closed while {path} was in flight")
        elif not self.vouched and isinstance(error, (errors.ConnectError, errors.PoolTimeoutError)):
            error.unvouched = True  # a custom transport: the request may have been sent all the same
        raise error

    @property
    def is_closed(self) -> bool:
        return self._closed

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self.signer.aclose()


class _TooLarge(httpx.DecodingError):
    """The reply body is larger than the cap."""


def _decoder(encoding: str) -> zlib._Decompress | None:
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None


async def _read_capped(response: httpx.Response, limit: int, path: str) -> bytes:
    """The decoded body, never holding more than ``limit`` decoded bytes (a gzip bomb stops at the cap)."""
    try:
        body = response.content  # a transport that built the response from bytes: already decoded
    except httpx.ResponseNotRead:
        pass
    else:
        if len(body) > limit:
            raise _TooLarge(f"reply larger than {limit} bytes")
        return body
    encodings = [part.strip().lower() for part in response.headers.get("content-encoding", "").split(",")]
    encodings = [part for part in encodings if part and part != "identity"]
    if len(encodings) > 1:
        raise httpx.DecodingError("more than one content encoding")
    decoder = _decoder(encodings[0]) if encodings else None
    chunks: list[bytes] = []
    size = 0
    raw_size = 0
    async for raw in response.aiter_raw():
        raw_size += len(raw)
        if raw_size > limit and decoder is None:
            raise _TooLarge(f"reply larger than {limit} bytes")
        if decoder is None:
            chunks.append(raw)
            size += len(raw)
            continue
        data = raw
        while data:
            try:
                out = decoder.decompress(data, limit + 1 - size)
            except zlib.error:
                raise httpx.DecodingError("body could not be decompressed") from None
            chunks.append(out)
            size += len(out)
            if size > limit:
                raise _TooLarge(f"decoded reply larger than {limit} bytes")
            data = decoder.unconsumed_tail
    if decoder is not None:
        tail = decoder.flush()
        size += len(tail)
        if size > limit:
            raise _TooLarge(f"decoded reply larger than {limit} bytes")
        chunks.append(tail)
    return b"".join(chunks)
