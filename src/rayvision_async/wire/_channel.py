"""The channel: one signed POST, its reply as status, headers and bytes, its failures as SDK errors.

:class:`HttpChannel` is the signer transport over an inner transport
(:class:`~._aiohttp.AiohttpTransport` unless the caller gives a transport or
an ``httpx.AsyncClient``); it applies the per-attempt limits of :mod:`._limits`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn, SupportsIndex

import httpx

from .. import errors
from .._unpicklable import refuse
from .._version import __version__
from ._aiohttp import AiohttpTransport, respx_active
from ._caller_client import CallerClientTransport
from ._decode import CappedDecoder, TooLarge
from ._envelope import RawReply, status_error
from ._errors import failure_of, sdk_error
from ._lean import LeanLane
from ._limits import DEFAULT_MAX_RESPONSE_BYTES, Timeouts
from ._redaction import unwatch, watch
from ._signer import SigningTransport

if TYPE_CHECKING:
    import os
    import ssl

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "HttpChannel", "RawReply", "Timeouts"]

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

    No path follows a redirect: the default transport never does, an
    ``http_client`` is asked not to (``follow_redirects=False`` on each send),
    and a reply a caller's transport reached by following one is refused
    (:class:`~rayvision_async.errors.RedirectError`). ``verify`` is the default
    transport's certificate trust (:mod:`._tls`); with a transport or client of
    the caller's it must stay True (theirs applies). While the channel is open,
    its secrets are kept out of httpx's and httpcore's log records (:mod:`._redaction`).
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
        verify: bool | str | os.PathLike[str] | ssl.SSLContext = True,
    ) -> None:
        if http_client is not None:
            if inner is not None:
                raise errors.ConfigurationError("pass transport= or http_client=, not both")
            inner = CallerClientTransport(http_client)
        if inner is not None and verify is not True:
            raise errors.ConfigurationError(
                "verify= applies to the default transport only: set it on your http_client (httpx.AsyncClient(verify="
                "...)) or your transport")
        if inner is None:
            default = AiohttpTransport(limit=max_connections, verify=verify)
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
        #: True once :meth:`aclose` ran (the channel sends nothing more).
        self.closed = False
        watch(self.signer)

    async def post(self, path: str, content: bytes, timeouts: Timeouts, *, fresh: bool = False) -> RawReply:
        """Send one signed POST and read the whole reply (``fresh``: on a connection that cannot be stale).

        A failure is raised as the SDK error of :mod:`._errors` (``ClientClosedError``
        once the client closed), outside the ``except`` block: no SDK error carries the
        transport's exception, and with it the signed request, as ``__cause__`` or ``__context__``.
        """
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(self._base_url + path)
        try:
            # respx patches httpx: while a router is active every attempt takes the httpx path, so its routes see it.
            if self._lean is not None and content and not respx_active():
                return await self._lean.post(path, url, content, timeouts.extension, self.max_response_bytes, fresh)
            return await self._post_httpx(url, content, timeouts, fresh)
        except Exception as exc:
            failure = failure_of(exc)
            if failure is None:
                raise
            error = sdk_error(failure, exc, where=_where(url), path=path, read_timeout=timeouts.read,
                              scrub=self.signer.scrub)
        raise self._finished(error, path)

    async def _post_httpx(self, url: httpx.URL, content: bytes, timeouts: Timeouts, fresh: bool) -> RawReply:
        limit = self.max_response_bytes
        request = httpx.Request("POST", url, headers=self._headers, content=content,
                                extensions={"timeout": timeouts.extension, MAX_BYTES_EXTENSION: limit,
                                            FRESH_CONNECTION_EXTENSION: fresh})
        response = await self.signer.handle_async_request(request)
        try:
            if response.history:  # a caller's transport followed a redirect: the reply is another host's
                first = response.history[0]
                raise status_error(first.status_code, path=url.path, headers=first.headers.raw,
                                   scrub=self.signer.scrub, followed=True)
            body = await _read_capped(response, limit)
        finally:
            await response.aclose()
        return RawReply(response.status_code, body, response.headers.raw)

    def _finished(self, error: errors.RayvisionError, path: str) -> errors.RayvisionError:
        """``error`` as raised: ClientClosedError once the client closed; unvouched for a custom transport."""
        if self.closed:
            return errors.ClientClosedError(f"the client was closed while {path} was in flight")
        if not self.vouched and isinstance(error, (errors.ConnectError, errors.PoolTimeoutError)) \
                and not isinstance(error, (errors.ProxyError, errors.CertificateError)):
            # A custom transport: the request may have been sent all the same. (A proxy's refusal of the tunnel
            # and a certificate check come before the request's first byte, whatever the transport.)
            error.unvouched = True
        return error

    @property
    def is_closed(self) -> bool:
        return self.closed

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        refuse(self)  # its signer holds the access key: never pickled or deep-copied

    def __deepcopy__(self, memo: dict[int, Any]) -> NoReturn:
        refuse(self)

    async def aclose(self) -> None:
        if not self.closed:
            self.closed = True
            unwatch(self.signer)
            await self.signer.aclose()


def _where(url: httpx.URL) -> str:
    """``host:port`` of a request URL (the port the scheme implies when the URL names none)."""
    host = f"[{url.host}]" if ":" in url.host else url.host
    return f"{host}:{url.port or (443 if url.scheme == 'https' else 80)}"


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
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
