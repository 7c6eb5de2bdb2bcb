"""The channel: one signed POST, its reply as status and bytes, its failures as SDK errors.

:class:`HttpChannel` is the signer transport over an inner transport
(:class:`~._aiohttp.AiohttpTransport` unless the caller gives one);
:class:`Timeouts` are the per-attempt limits it applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import httpx

from .. import errors
from .._version import __version__
from ._aiohttp import AiohttpTransport
from ._signer import SigningTransport

__all__ = ["HttpChannel", "RawReply", "Timeouts"]

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


@attrs.frozen
class Timeouts:
    """Connect, read and pool timeouts in seconds (``None`` = no limit)."""

    read: float | None = attrs.field(default=30.0, converter=_read)
    connect: float | None = attrs.field(default=10.0, kw_only=True, converter=_connect)
    pool: float | None = attrs.field(default=30.0, kw_only=True, converter=_pool)
    #: The ``timeout`` request extension httpx transports read.
    extension: Mapping[str, float | None] = attrs.field(init=False, eq=False, repr=False)

    @extension.default
    def _extension(self) -> Mapping[str, float | None]:
        return {"connect": self.connect, "read": self.read, "write": self.read, "pool": self.pool}

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
            raise errors.RequestTimeoutError(f"no answer within {timeouts.read} s", path=path) from exc
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
