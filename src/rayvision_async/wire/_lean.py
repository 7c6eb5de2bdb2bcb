"""The lean lane: the default path's signed POST without httpx request or response objects.

When the channel's inner transport is exactly the SDK's own
:class:`~._aiohttp.AiohttpTransport` (no ``http_client=``, no caller transport,
no subclass) and no respx router is active, :class:`LeanLane` signs with the
same signer (:meth:`~._signer.SigningTransport.sign_attempt`) and sends through
:meth:`~._aiohttp.AiohttpTransport.post_direct`: the same URL string, the same
headers in the same order, the same body bytes as the httpx path would put on
the wire, from a header list prebuilt per path (only ``Content-Length`` and the
signer's nine headers are added per attempt). Failures are aiohttp's own
exceptions; the channel maps them with httpx's through one table
(:mod:`._errors`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import httpx

from ._aiohttp import AiohttpTransport
from ._envelope import RawReply
from ._signer import SigningTransport, log_attempt

__all__ = ["LeanLane"]

logger = logging.getLogger("rayvision_async")


class LeanLane:
    """Signs and sends one attempt straight through an :class:`AiohttpTransport`."""

    __slots__ = ("_headers", "_routes", "_signer", "_transport")

    def __init__(self, transport: AiohttpTransport, signer: SigningTransport, headers: Mapping[str, str]) -> None:
        self._transport = transport
        self._signer = signer
        self._headers = tuple(headers.items())
        #: Per path: the URL string, the signed path, the headers before Content-Length, the proxy.
        self._routes: dict[str, tuple[str, str, tuple[tuple[str, str], ...], str | None]] = {}

    def _route(self, url: httpx.URL) -> tuple[str, str, tuple[tuple[str, str], ...], str | None]:
        # What httpx.Request puts first: Host (the URL's netloc), then the channel's headers.
        prefix = (("Host", url.netloc.decode("ascii")), *self._headers)
        proxy = self._transport.proxy_for(url) if self._transport.has_proxies else None
        return str(url), url.path, prefix, proxy

    async def post(
        self, path: str, url: httpx.URL, content: bytes, timeout: Mapping[str, float | None], limit: int, fresh: bool,
    ) -> RawReply:
        """One signed attempt: the reply, its body decoded (at most ``limit`` bytes)."""
        route = self._routes.get(path)
        if route is None:
            route = self._routes[path] = self._route(url)
        url_text, signed_path, prefix, proxy = route
        headers = [*prefix, ("Content-Length", str(len(content))),
                   *self._signer.sign_attempt(signed_path, content).items()]
        if logger.isEnabledFor(logging.DEBUG):
            log_attempt(signed_path, headers, len(content))
        return await self._transport.post_direct(url_text, headers, content, timeout, limit, fresh, proxy)
