"""One map from a failed exchange to the SDK's errors, for httpx's exceptions and aiohttp's alike.

The default transport's lean lane raises aiohttp's exceptions, the httpx path
raises httpx's (any ``httpx.AsyncBaseTransport`` must), and both arrive here.
:func:`failure_of` names what happened in the transport's own terms:

==============  ===================================================  =========================
failure         httpx                                                aiohttp
==============  ===================================================  =========================
``POOL``        ``PoolTimeout``                                      —
``PROXY``       ``ProxyError``                                       ``ClientHttpProxyError``
``CERTIFICATE`` ``ConnectError`` from ``ssl.SSLCertVerificationError``  ``ClientConnectorCertificateError``
``CONNECT``     ``ConnectError``, ``ConnectTimeout``                 ``ClientConnectorError``,
                                                                     ``ConnectionTimeoutError``
``TIMEOUT``     any other ``TimeoutException``                       ``SocketTimeoutError``,
                                                                     ``TimeoutError``
``BROKEN``      any other ``TransportError``                         any other ``ClientError``
``UNREADABLE``  ``DecodingError`` (a body over the cap included)     —
==============  ===================================================  =========================

:func:`sdk_error` turns it into the SDK error the request loop classifies
(:func:`rayvision_async._retry.classify`), and :func:`httpx_error` into httpx's
class for :class:`~._aiohttp.AiohttpTransport` when it serves the httpx
transport contract. ``CONNECT``, ``POOL``, ``PROXY`` and ``CERTIFICATE`` mean the
request was never sent: a proxy's refusal to open a tunnel and a certificate
check both come before the first byte of the request, whatever the transport.
"""

from __future__ import annotations

import enum
import re
import ssl
import sys
from collections.abc import Callable

import httpx

from .. import errors

__all__ = ["Failed", "failure_of", "httpx_error", "reason", "sdk_error"]


class Failed(enum.Enum):
    """What went wrong in one exchange, in the transport's terms."""

    POOL = "pool"  # no free connection within the pool timeout: nothing was sent
    PROXY = "proxy"  # the proxy refused to open a tunnel: nothing was sent
    CERTIFICATE = "certificate"  # the server's certificate was not trusted: nothing was sent
    CONNECT = "connect"  # the connection could not be made: nothing was sent
    TIMEOUT = "timeout"  # no (complete) answer in time: the request may have been processed
    BROKEN = "broken"  # the connection failed after it was made: the request may have been processed
    UNREADABLE = "unreadable"  # the body could not be decoded (or is over the cap)


def failure_of(exc: BaseException) -> Failed | None:
    """The failure an httpx or aiohttp exception stands for (None: not a transport failure)."""
    if isinstance(exc, httpx.HTTPError):
        if isinstance(exc, httpx.PoolTimeout):
            return Failed.POOL
        if isinstance(exc, httpx.ProxyError):
            return Failed.PROXY
        if isinstance(exc, httpx.ConnectError) and _certificate_failure(exc):
            return Failed.CERTIFICATE
        if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
            return Failed.CONNECT
        if isinstance(exc, httpx.TimeoutException):
            return Failed.TIMEOUT
        if isinstance(exc, httpx.TransportError):
            return Failed.BROKEN
        if isinstance(exc, httpx.DecodingError):
            return Failed.UNREADABLE
        return None
    aiohttp = sys.modules.get("aiohttp")  # an aiohttp exception means aiohttp is imported
    if aiohttp is not None and isinstance(exc, aiohttp.ClientError):
        if isinstance(exc, aiohttp.ClientHttpProxyError):
            return Failed.PROXY
        if isinstance(exc, aiohttp.ClientConnectorCertificateError):
            return Failed.CERTIFICATE
        if isinstance(exc, (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError)):
            return Failed.CONNECT
        if isinstance(exc, (aiohttp.SocketTimeoutError, TimeoutError)):  # ServerTimeoutError is one too
            return Failed.TIMEOUT
        return Failed.BROKEN
    if isinstance(exc, TimeoutError):
        return Failed.TIMEOUT
    return None


def _certificate_failure(exc: BaseException) -> bool:
    """Whether a certificate check failed somewhere in ``exc``'s chain (httpx raises ConnectError from it)."""
    seen = 0
    cause: BaseException | None = exc
    while cause is not None and seen < 8:
        if isinstance(cause, ssl.CertificateError):  # SSLCertVerificationError; aiohttp's certificate error too
            return True
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return False


def _proxy_status(exc: BaseException) -> int | None:
    """The HTTP status a proxy refused a tunnel with (None when it gave none, e.g. a SOCKS refusal)."""
    status = getattr(exc, "status", None)  # aiohttp's ClientHttpProxyError
    if isinstance(status, int):
        return status
    match = re.match(r"\s*([1-5][0-9]{2})\b", str(exc))  # httpcore's "403 Forbidden"
    return int(match.group(1)) if match else None


_USERINFO = re.compile(r"(\w+://)[^/@\s]*@")


def reason(exc: BaseException, scrub: Callable[[str], str]) -> str:
    """Why an exchange failed, for a message: the exception's text (scrubbed, no URL credentials) and class.

    The class is the original failure's: an httpx exception that stands for an aiohttp one
    (:func:`httpx_error`, raised ``from`` it) is named as the aiohttp one, so both lanes say the same.
    """
    text = _USERINFO.sub(r"\1***@", scrub(str(exc)))
    text = " ".join(text.split())[:300]
    origin = exc.__cause__ if isinstance(exc, httpx.HTTPError) and isinstance(exc.__cause__, Exception) else exc
    name = type(origin).__name__
    return f"{text} ({name})" if text and text != name else name


def sdk_error(
    failure: Failed, exc: BaseException, *, where: str, path: str, read_timeout: float | None,
    scrub: Callable[[str], str],
) -> errors.RayvisionError:
    """The SDK error for one failed exchange with ``where`` (``host:port``) at ``path``."""
    if failure is Failed.POOL:
        return errors.PoolTimeoutError(f"no free connection to {where} within the pool timeout", path=path)
    if failure is Failed.PROXY:
        status = _proxy_status(exc)
        said = f"HTTP {status}" if status is not None else reason(exc, scrub)
        return errors.ProxyError(f"the proxy refused to carry the request to {where} ({said}); nothing was sent to "
                                 "the service", path=path, status=status)
    if failure is Failed.CERTIFICATE:
        return errors.CertificateError(
            f"the TLS certificate of {where} was not trusted: {reason(exc, scrub)}; nothing was sent. To trust a "
            "private CA pass verify=<CA bundle path or ssl.SSLContext> (or set it on your http_client)", path=path)
    if failure is Failed.CONNECT:
        return errors.ConnectError(f"could not connect to {where}: {reason(exc, scrub)}", path=path)
    if failure is Failed.TIMEOUT:
        return errors.RequestTimeoutError(
            f"no answer from {where} within {read_timeout} s ({type(exc).__name__})", path=path)
    if failure is Failed.BROKEN:
        return errors.TransportError(f"connection to {where} failed: {reason(exc, scrub)}", path=path)
    return errors.MalformedResponseError(f"body could not be read: {scrub(str(exc))}", path=path)


def httpx_error(exc: BaseException) -> httpx.TransportError:
    """An aiohttp failure as the httpx class of the same :class:`Failed` (the httpx transport contract)."""
    failure = failure_of(exc)
    text = str(exc) or type(exc).__name__
    if failure is Failed.PROXY:
        return httpx.ProxyError(f"{_proxy_status(exc) or ''} {getattr(exc, 'message', '')}".strip() or text)
    if failure in (Failed.CONNECT, Failed.CERTIFICATE):
        aiohttp = sys.modules["aiohttp"]
        return (httpx.ConnectTimeout(text) if isinstance(exc, aiohttp.ConnectionTimeoutError)
                else httpx.ConnectError(text))
    if failure is Failed.TIMEOUT:
        return httpx.ReadTimeout(str(exc) or "read timed out")
    return httpx.ReadError(text)
