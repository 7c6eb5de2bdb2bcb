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
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs
import orjson

from .._digits import DECIMAL_TEXT
from ..errors import HTTPStatusError, MalformedResponseError

__all__ = ["Envelope", "RawReply", "decode_envelope", "exact_loads", "parse_retry_after"]

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


def decode_envelope(
    status: int, content: bytes, *, path: str, retry_after: str | None = None,
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> Envelope:
    """Decode one HTTP response into an :class:`Envelope` (``headers`` are kept for raw responses).

    Raises :class:`HTTPStatusError` for a non-2xx status and
    :class:`MalformedResponseError` for a body that is not a JSON envelope.
    """
    if not 200 <= status < 300:
        raise HTTPStatusError(status, path=path, retry_after=parse_retry_after(retry_after))
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
