"""Decode the service's response envelope.

Every answer is ``{"version", "result", "message", "code", "data",
"serverTime", "requestId"}``. This module turns response bytes into an
:class:`Envelope` or one of the SDK's typed errors; nothing else escapes it.
JSON floats are decoded as :class:`~decimal.Decimal`, so money keeps the exact
digits the service sent.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import attrs

from ..errors import HTTPStatusError, MalformedResponseError

__all__ = ["Envelope", "decode_envelope", "parse_retry_after"]

_decode = json.JSONDecoder(parse_float=Decimal).decode


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


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds; None if absent or not a number."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


#: ``serverTime`` is a Java ``long`` of epoch milliseconds; anything outside that range is no time at all.
_LONG = 2**63


def _optional_int(value: Any) -> int | None:
    # Check a Decimal's exponent before int(): Decimal("1e99999999") is a 14-byte body that would take
    # minutes and gigabytes to turn into an int, and a huge serverTime overflows the clock resync.
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() < 19 \
            and value == value.to_integral_value():
        value = int(value)
    if type(value) is int and -_LONG <= value < _LONG:
        return value
    return None


def decode_envelope(status: int, content: bytes, *, path: str, retry_after: str | None = None) -> Envelope:
    """Decode one HTTP response into an :class:`Envelope`.

    Raises :class:`HTTPStatusError` for a non-2xx status and
    :class:`MalformedResponseError` for a body that is not a JSON envelope.
    """
    if not 200 <= status < 300:
        raise HTTPStatusError(status, path=path, retry_after=parse_retry_after(retry_after))
    try:
        payload = _decode(content.decode("utf-8"))
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
    )
