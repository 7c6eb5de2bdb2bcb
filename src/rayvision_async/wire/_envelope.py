"""Decode the service's response envelope.

Every answer is ``{"version", "result", "message", "code", "data",
"serverTime", "requestId"}``. This module turns response bytes into an
:class:`Envelope` or one of the SDK's typed errors; nothing else escapes it.

Two decoders, one answer:

* **fast** (every reply): ``orjson``. JSON numbers with a fraction or exponent
  arrive as ``float``; the models turn a money float into ``Decimal(repr(f))``,
  which is exactly the literal the service sent whenever it has at most 15
  significant digits (every double round-trips 15 decimal digits).
* **exact** (:meth:`Envelope.exact_data`): the standard library with
  ``parse_float=Decimal`` and unbounded integers, the decoder the SDK always used.
  A model hook that receives a float which may not be what the service sent
  (money whose shortest repr has more than 15 significant digits, an integer
  beyond 2**53 that orjson turned into a float) raises
  :class:`~rayvision_async.models._converter.InexactNumberError`, and the reply
  is structured again from the exact decoding. A body orjson refuses (``NaN``,
  a lone surrogate, nesting past 1024 levels, a byte-order mark) goes to the
  exact decoder too, so odd bodies are judged exactly as before.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import attrs
import orjson

from .._digits import DECIMAL_TEXT
from ..errors import HTTPStatusError, MalformedResponseError, ProxyError, RedirectError

__all__ = ["Envelope", "RawReply", "decode_envelope", "exact_loads", "parse_retry_after", "status_error"]

_exact_decode = json.JSONDecoder(parse_float=Decimal).decode
_fast_decode = orjson.loads
_FAST_FAILS = orjson.JSONDecodeError


@attrs.frozen
class RawReply:
    """One HTTP response as the channel read it: status, decoded body bytes and the headers (byte pairs)."""

    status: int
    content: bytes = attrs.field(repr=lambda content: f"<{len(content)} bytes>")
    headers: Sequence[tuple[bytes, bytes]] = attrs.field(default=(), repr=False, eq=False)

    @property
    def retry_after(self) -> str | None:
        """The ``Retry-After`` header, several values joined by ``", "`` (None when absent)."""
        values = [value.decode("latin-1") for name, value in self.headers if name.lower() == b"retry-after"]
        return ", ".join(values) if values else None


def exact_loads(content: bytes) -> Any:
    """The standard decoder: JSON floats as :class:`~decimal.Decimal`, integers of any size exact."""
    return _exact_decode(content.decode("utf-8"))


@attrs.frozen(slots=True)
class Envelope:
    """One decoded response: the service's ``code`` and ``message``, and its ``data``.

    Its repr shows only the code and the server time: the message, the request id and the data
    are the server's text, which may echo a secret (errors carry scrubbed copies).
    """

    code: int
    message: str = attrs.field(repr=False)
    data: Any = attrs.field(repr=False)
    server_time_ms: int | None
    request_id: str | None = attrs.field(repr=False)
    #: The HTTP status of the reply that carried it (2xx: other statuses never become an envelope).
    http_status: int = 200
    #: The body, for :meth:`exact_data` (a reference to the reply's bytes, not a copy).
    content: bytes = attrs.field(default=b"", repr=False, eq=False)
    #: The reply's HTTP headers as the transport gave them: ``(name, value)`` byte pairs, in order.
    headers: Sequence[tuple[bytes, bytes]] = attrs.field(default=(), repr=False, eq=False)

    def exact_data(self) -> Any:
        """``data`` decoded again by the exact decoder (money as ``Decimal`` of the literal sent)."""
        payload = exact_loads(self.content)
        return payload.get("data") if isinstance(payload, dict) else None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds; None if absent or not a number."""
    if value is None or not DECIMAL_TEXT.fullmatch(value.strip()):  # ASCII (no "inf", "nan", "1_0")
        return None
    seconds = float(value)
    return seconds if seconds >= 0 else None


#: ``serverTime`` is a Java ``long`` of epoch milliseconds; anything outside that range is no time at all.
_LONG = 2**63
#: Whole floats below this magnitude are exact integers.
_EXACT = 2**53


def _optional_int(value: Any) -> int | None:
    # Check a Decimal's exponent before int(): Decimal("1e99999999") is a 14-byte body that would take
    # minutes and gigabytes to turn into an int, and a huge serverTime overflows the clock resync.
    whole_decimal = isinstance(value, Decimal) and value.is_finite() and value.adjusted() < 19 \
        and value == value.to_integral_value()
    whole_float = type(value) is float and value.is_integer() and -_EXACT < value < _EXACT  # 1.7E12 from orjson
    if whole_decimal or whole_float:
        value = int(value)
    if type(value) is int and -_LONG <= value < _LONG:
        return value
    return None


#: ``Proxy-Status`` error types (RFC 9209, section 2.3) that say the proxy never passed the request on.
_NOT_FORWARDED = frozenset({
    "dns_timeout", "dns_error", "destination_not_found", "destination_unavailable", "destination_ip_prohibited",
    "destination_ip_unroutable", "connection_refused", "connection_timeout", "connection_limit_reached",
    "tls_protocol_error", "tls_certificate_error", "http_request_error", "http_request_denied",
    "proxy_internal_response", "proxy_configuration_error", "proxy_loop_detected"})
_PROXY_STATUS_ERROR = re.compile(r";\s*error\s*=\s*\"?([a-z_]+)")
#: ``host[:port]`` of a redirect's ``Location``: a DNS name or IPv4 address, or an IPv6 literal in brackets.
_AUTHORITY = re.compile(r"(?:[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,126}|\[[0-9A-Fa-f:.]{2,45}\])"
                        r"(?::[0-9]{1,5})?")


def _header(headers: Sequence[tuple[bytes, bytes]], name: bytes) -> str | None:
    values = [value.decode("latin-1") for key, value in headers if key.lower() == name]
    return ", ".join(values) if values else None


def _location(headers: Sequence[tuple[bytes, bytes]], scrub: Callable[[str], str]) -> str | None:
    """Where a redirect points, as ``host[:port]`` only (no user info, path or query); None when unreadable."""
    value = _header(headers, b"location")
    if value is None:
        return None
    try:
        authority = urllib.parse.urlsplit(value.strip()).netloc.rpartition("@")[2]
    except ValueError:
        return None
    if not authority:
        return "the same host (a relative Location)"
    return scrub(authority) if _AUTHORITY.fullmatch(authority) else None


def status_error(
    status: int, *, path: str, headers: Sequence[tuple[bytes, bytes]] = (), retry_after: str | None = None,
    scrub: Callable[[str], str] = str, followed: bool = False,
) -> HTTPStatusError | ProxyError:
    """The error for a reply whose status is not 2xx.

    A 3xx is a :class:`RedirectError` naming where it pointed (never followed).
    A 407, or a ``Proxy-Status`` error saying the proxy did not pass the request
    on (RFC 9209), is a :class:`ProxyError`: nothing reached the service. Any
    other status is an :class:`HTTPStatusError`. ``scrub`` removes secrets from
    the redirect's host name (a hostile server may echo them there); ``followed``
    says a caller's transport followed the redirect.
    """
    if 300 <= status < 400:
        return RedirectError(status, path=path, location=_location(headers, scrub), followed=followed)
    if status == 407:
        return ProxyError(f"HTTP 407 from {path}: a proxy asked for authentication (configure its credentials); "
                          "nothing was sent to the service", path=path, status=status)
    proxy_status = _header(headers, b"proxy-status")
    if proxy_status is not None:
        refused = [kind for kind in _PROXY_STATUS_ERROR.findall(proxy_status) if kind in _NOT_FORWARDED]
        if refused:
            return ProxyError(f"HTTP {status} from {path}: a proxy did not pass the request on ({refused[0]}); "
                              "nothing was sent to the service", path=path, status=status)
    return HTTPStatusError(status, path=path, retry_after=parse_retry_after(retry_after))


def decode_envelope(
    status: int, content: bytes, *, path: str, retry_after: str | None = None,
    headers: Sequence[tuple[bytes, bytes]] = (), scrub: Callable[[str], str] = str,
) -> Envelope:
    """Decode one HTTP response into an :class:`Envelope` (``headers`` are kept for raw responses).

    Raises :func:`status_error` for a non-2xx status and
    :class:`MalformedResponseError` for a body that is not a JSON envelope.
    """
    if not 200 <= status < 300:
        raise status_error(status, path=path, headers=headers, retry_after=retry_after, scrub=scrub)
    try:
        payload = _fast_decode(content)
    except (_FAST_FAILS, RecursionError):
        # What orjson refuses, the standard decoder decides: odd bodies behave exactly as before.
        try:
            payload = exact_loads(content)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise MalformedResponseError(f"body is not JSON ({len(content)} bytes)", path=path) from None
    if not isinstance(payload, dict):
        raise MalformedResponseError("body is not a JSON object", path=path)
    code = payload.get("code")
    if type(code) is not int:
        raise MalformedResponseError("envelope has no integer 'code'", path=path)
    message = payload.get("message")
    request_id = payload.get("requestId")
    return Envelope(
        code=code,
        message=message if isinstance(message, str) else "",
        data=payload.get("data"),
        server_time_ms=_optional_int(payload.get("serverTime")),
        request_id=request_id if isinstance(request_id, str) else None,
        http_status=status,
        content=content,
        headers=headers,
    )
