"""The caller's ``httpx.AsyncClient`` as the signer's inner transport (``http_client=``).

Each signed attempt is handed to the client's ``send``, so everything the
caller configured on it applies to every attempt, retries included: event
hooks, mounts and proxies, TLS settings, auth, ``opentelemetry-instrumentation-httpx``
(which wraps the client's transports) — except ``follow_redirects``: the SDK
never follows a redirect (a 3xx is a :class:`~rayvision_async.errors.RedirectError`).
The SDK's own per-attempt timeouts are in the request and win over the client's
default timeout. The client stays the caller's: the SDK never closes it.
"""

from __future__ import annotations

import httpx

from .. import errors

__all__ = ["CallerClientTransport"]


class CallerClientTransport(httpx.AsyncBaseTransport):
    """Sends each (already signed) request with the caller's client; its headers fill in the ones not set."""

    #: The client's transports are the caller's: the SDK cannot vouch that a connect failure sent nothing.
    vouches_for_failures = False

    def __init__(self, client: httpx.AsyncClient) -> None:
        if not isinstance(client, httpx.AsyncClient):
            raise errors.ConfigurationError("http_client must be an httpx.AsyncClient")
        if client.is_closed:
            raise errors.ConfigurationError("http_client is already closed")
        self.client = client

    def __repr__(self) -> str:
        return f"CallerClientTransport({type(self.client).__name__})"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        client = self.client
        if client.is_closed:
            raise errors.ClientClosedError(
                f"the http_client passed to the SDK was closed; {request.url.path} was not sent")
        headers = request.headers
        for name, value in client.headers.multi_items():
            if name not in headers:
                headers[name] = value
        # Never a redirect, whatever the client's follow_redirects: it would hand the signed request to another host.
        return await client.send(request, stream=True, follow_redirects=False)

    async def aclose(self) -> None:
        """Nothing: the caller opened the client and closes it."""
