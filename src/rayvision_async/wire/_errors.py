"""One map from a failed exchange to the SDK's errors, for httpx's exceptions and aiohttp's alike.

The default transport's lean lane raises aiohttp's exceptions, the httpx path
raises httpx's (any ``httpx.AsyncBaseTransport`` must), and both arrive here.
:func:`failure_of` names what happened in the transport's own terms:

==============  ===================================================  =========================
failure         httpx                                                aiohttp
==============  ===================================================  =========================
``POOL``        ``PoolTimeout``                                      —
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
transport contract. ``CONNECT`` and ``POOL`` mean the request was never sent.
"""

from __future__ import annotations

import enum
import re
import sys
from collections.abc import Callable

import httpx

from .. import errors

__all__ = ["Failed", "failure_of", "httpx_error", "reason", "sdk_error"]


class Failed(enum.Enum):
    """What went wrong in one exchange, in the transport's terms."""

    POOL = "pool"  # no free connection within the pool timeout: nothing was sent
    CONNECT = "connect"  # the connection could not be made: nothing was sent
    TIMEOUT = "timeout"  # no (complete) answer in time: the request may have been processed
    BROKEN = "broken"  # the connection failed after it was made: the request may have been processed
    UNREADABLE = "unreadable"  # the body could not be decoded (or is over the cap)


def failure_of(exc: BaseException) -> Failed | None:
    """The failure an httpx or aiohttp exception stands for (None: not a transport failure)."""
    if isinstance(exc, httpx.HTTPError):
        if isinstance(exc, httpx.PoolTimeout):
            return Failed.POOL
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
        if isinstance(exc, (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError)):
            return Failed.CONNECT
        if isinstance(exc, (aiohttp.SocketTimeoutError, TimeoutError)):  # ServerTimeoutError is one too
            return Failed.TIMEOUT
        return Failed.BROKEN
    if isinstance(exc, TimeoutError):
        return Failed.TIMEOUT
    return None


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
    if failure is Failed.CONNECT:
        aiohttp = sys.modules["aiohttp"]
        return (httpx.ConnectTimeout(text) if isinstance(exc, aiohttp.ConnectionTimeoutError)
                else httpx.ConnectError(text))
    if failure is Failed.TIMEOUT:
        return httpx.ReadTimeout(str(exc) or "read timed out")
    return httpx.ReadError(text)
