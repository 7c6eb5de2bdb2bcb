"""The signer middleware: an ``httpx.AsyncBaseTransport`` that signs every request it is handed.

It wraps any inner transport and, for every request (so for every attempt,
retries included), stamps a fresh timestamp and random nonce and signs the
request from its wire body bytes.
"""

from __future__ import annotations

import logging
import re
import time
from collections import deque
from collections.abc import Iterable
from typing import Any, NoReturn, SupportsIndex

import httpx

from .. import _settings as settings
from .. import errors
from .._arguments import checked_binding
from .._unpicklable import refuse
from ._signing import NonceSource, sign_request

__all__ = ["SigningTransport", "log_attempt"]

logger = logging.getLogger("rayvision_async")

_REDACTED_HEADERS = frozenset({"accessid", "signature"})
#: The ``version`` and ``channel`` headers: ASCII digits and dots.
_HEADER_NUMBER = re.compile(r"[0-9]{1,4}(\.[0-9]{1,4}){0,3}")


def log_attempt(path: str, headers: Iterable[tuple[str, str]], size: int) -> None:
    """The DEBUG line of one signed attempt: header names in lower case, the access id and signature as ``***``."""
    shown = {}
    for name, value in headers:
        key = name.lower()
        shown[key] = "***" if key in _REDACTED_HEADERS else value
    logger.debug("POST %s headers=%s body=%d bytes", path, shown, size)


class SigningTransport(httpx.AsyncBaseTransport):
    """Signs every request, then hands it to ``inner``.

    ``domain`` is the string that is signed (the constructor's domain verbatim,
    ``host[:port]``), which need not be the URL's host: requests to a loopback
    simulator are signed for the domain the simulator expects.
    """

    @checked_binding(errors.ConfigurationError)
    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        access_id: str,
        access_key: str,
        domain: str,
        platform: str | int,
        version: str = "2.0.0",
        channel: str = "4",
    ) -> None:
        if not callable(getattr(inner, "handle_async_request", None)):
            raise errors.ConfigurationError("inner must be an httpx.AsyncBaseTransport")
        access_id = settings.credential(access_id, "access id")
        access_key = settings.credential(access_key, "access key")
        domain = settings.checked_domain(domain)
        platform = settings.checked_platform(platform)
        for name, value in (("version", version), ("channel", channel)):
            if not isinstance(value, str) or not _HEADER_NUMBER.fullmatch(value):
                raise errors.ConfigurationError(f"{name} must be a number such as '2.0.0' or '4'")
        self._inner = inner
        self._access_id = access_id
        self._access_key = access_key
        self._domain = domain
        self._platform = platform
        self._version = version
        self._channel = channel
        self._language = "0" if "renderbus" in domain.lower() else "1"
        self._nonce = NonceSource()
        #: Seconds added to the local clock for ``UTCTimestamp`` (set by :meth:`resync`).
        self.clock_offset = 0.0
        #: The signatures of the latest requests, scrubbed from server texts like the credentials.
        self._signatures: deque[str] = deque(maxlen=256)

    def __repr__(self) -> str:
        return f"SigningTransport(domain={self._domain!r}, platform={self._platform!r}, inner={self._inner!r})"

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        refuse(self)  # it holds the access key: never pickled

    def __deepcopy__(self, memo: dict[int, Any]) -> NoReturn:
        refuse(self)

    def scrub(self, text: str) -> str:
        """``text`` (e.g. a server's message) with the access id and access key replaced by ``***``."""
        return errors.scrub(text, (self._access_id, self._access_key, *self._signatures))

    def scrub_optional(self, text: str | None) -> str | None:
        """:meth:`scrub` for a text the server may leave out (e.g. ``requestId``)."""
        return None if text is None else self.scrub(text)

    def resync(self, server_time_ms: int) -> float:
        """Adopt the offset between the service's clock and ours; returns the new offset in seconds.

        The request loop calls it only with a plausible ``serverTime``
        (:func:`rayvision_async._retry.plausible_server_time`).
        """
        self.clock_offset = server_time_ms / 1000.0 - time.time()
        return self.clock_offset

    def signed_headers(self) -> dict[str, str]:
        """The six signed protocol headers for a new attempt (fresh timestamp and nonce)."""
        return {
            "accessId": self._access_id,
            "channel": self._channel,
            "platform": self._platform,
            "UTCTimestamp": str(int(time.time() + self.clock_offset)),
            "nonce": self._nonce(),
            "version": self._version,
        }

    def sign_attempt(self, path: str, content: bytes) -> dict[str, str]:
        """The nine headers the signer sets on one attempt at ``path`` with wire body ``content``, in order.

        The six signed ones (fresh timestamp and nonce), ``signature``, ``Content-Type`` and
        ``languageFlag``; the signature is remembered for :meth:`scrub`. Both lanes of the channel
        (httpx objects, or the lean lane straight to aiohttp) sign through here.
        """
        headers = self.signed_headers()
        signature = sign_request(self._access_key, self._domain, path, headers, content)
        headers["signature"] = signature
        self._signatures.append(signature)
        headers["Content-Type"] = "application/json"
        headers["languageFlag"] = self._language
        return headers

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        headers = self.sign_attempt(request.url.path, content)
        merged = request.headers
        for name, value in headers.items():  # cheaper than Headers.update (no Headers built, no pops)
            merged[name] = value
        if logger.isEnabledFor(logging.DEBUG):
            log_attempt(request.url.path, request.headers.items(), len(content))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
