"""The channel: one signed POST, its reply as status and bytes, its failures as SDK errors.

:class:`HttpChannel` is the signer transport over an inner transport
(:class:`~._aiohttp.AiohttpTransport` unless the caller gives one);
:class:`Timeouts` are the per-attempt limits it applies.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from .. import errors
from .._version import __version__
from ._aiohttp import AiohttpTransport
from ._signer import SigningTransport

__all__ = ["HttpChannel", "RawReply", "Timeouts"]

USER_AGENT = f"rayvision-async/{__version__}"
_DEFAULT_HEADERS = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"}


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
