"""Numbers from the fast JSON decoder: money floats to exact ``Decimal``, and when a float cannot be trusted.

Replies are decoded by orjson (:mod:`rayvision_async.wire._envelope`), which gives a JSON number with
a fraction or an exponent as a ``float``, and an integer beyond 64 bits as a ``float`` too. The
converter's hooks turn those back into what the service sent:

* **Money** (``Decimal`` fields): ``Decimal(repr(f))``. ``repr`` is the shortest text that reads back
  as the same double, and any decimal literal of at most 15 significant digits reads back as
  itself, so ``6.7`` on the wire is ``Decimal("6.7")`` (trailing zeros of the literal are not kept:
  ``6.70`` becomes ``Decimal("6.7")``, the same amount; nor is the sign of a zero: ``-0.0`` is
  ``Decimal("0.0")``). Results are shared through a bounded cache, so the thousands of ``0.0``
  amounts of a large poll are one object.
* **Untrusted floats.** A float whose shortest repr has more than 15 significant digits may stand for
  a longer literal (``0.12345678901234567890``) whose digits the double dropped; an integer field
  receiving a float of magnitude 2**53 or more may have been an integer literal orjson rounded; a
  text field receiving a float wants the literal's own spelling (``"1.10"``, not ``"1.1"``). The hooks raise
  :class:`InexactNumberError` for these, and the caller structures the reply again from the exact
  decoding (``Envelope.exact_data``: the standard library with ``parse_float=Decimal``), which has
  no floats to distrust. Data that has no exact decoding behind it (a caller's own ``json.loads``
  output given to :func:`~rayvision_async.models._converter.structure`) is structured leniently
  instead (:func:`lenient`): the float is taken as it is, as it always was.

Not detected: a literal of 16 or more significant digits whose double has a short repr
(``6.70000000000000001`` reads as ``6.7``); the digits past double precision are lost, as in any
JSON reader that uses doubles (the official SDK reads every amount as a ``float``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from decimal import Decimal

from .._service_ints import MONEY_LIMIT

__all__ = ["EXACT_FLOAT_DIGITS", "InexactNumberError", "float_money", "float_text", "lenient", "money_cache",
           "trusted_float", "trusted_int"]

#: Significant digits every double reproduces exactly (``sys.float_info.dig``).
EXACT_FLOAT_DIGITS = 15
#: Integers up to this magnitude are exact as doubles.
_EXACT_INT = 2**53
#: Distinct money amounts kept; past that, new amounts are converted but not kept.
_CACHE_SIZE = 4096

_state = threading.local()
#: float → its money Decimal, for every cached amount. 0.0 and -0.0 are one key: a zero amount is
#: ``Decimal("0.0")`` whatever its sign (the most common amount of all, read without a call).
money_cache: dict[float, Decimal] = {0.0: Decimal("0.0")}


class InexactNumberError(ValueError):
    """A float from the fast decoder may not be the number the service sent; structure the exact decoding."""


@contextlib.contextmanager
def lenient() -> Iterator[None]:
    """Within this block (this thread), untrusted floats are taken as they are instead of raising."""
    before = getattr(_state, "lenient", False)
    _state.lenient = True
    try:
        yield
    finally:
        _state.lenient = before


def _distrust(value: object, why: str) -> None:
    if not getattr(_state, "lenient", False):
        raise InexactNumberError(f"{value!r} {why}")


def significant_digits(text: str) -> int:
    """Significant digits of a float's repr (``'1.2345e-05'`` → 5, ``'100.0'`` → 1)."""
    mantissa = text.partition("e")[0].lstrip("-").replace(".", "")
    return len(mantissa.strip("0"))


def _trusted_text(text: str) -> bool:
    # Sixteen digits take at least 17 characters: a repr always has a "." or an exponent besides its digits.
    return len(text) <= 16 or significant_digits(text) <= EXACT_FLOAT_DIGITS


def trusted_float(value: float, text: str) -> str:
    """``text`` (``repr(value)``) if its digits can be trusted, else raise (unless lenient)."""
    if not _trusted_text(text):
        _distrust(value, f"has more than {EXACT_FLOAT_DIGITS} significant digits")
    return text


def trusted_int(value: float) -> float:
    """``value`` if an integer field may take it as it is, else raise (unless lenient)."""
    if not -_EXACT_INT < value < _EXACT_INT:
        _distrust(value, "is beyond 2**53: the integer sent may have been rounded")
    return value


def float_text(value: float) -> str:
    """A number sent where text is due: only the exact decoding has the literal's spelling (lenient: repr)."""
    _distrust(value, "stands for a text: its spelling is in the exact decoding")
    return repr(value)


def float_money(value: float) -> Decimal:
    """The ``Decimal`` of a money float: the literal the service sent (see the module docstring)."""
    money = money_cache.get(value)
    if money is not None:
        return money
    if not -MONEY_LIMIT < value < MONEY_LIMIT:  # also NaN and ±inf: never cached, never an amount
        if abs(value) == MONEY_LIMIT:  # the double of a literal just below the limit: the exact one decides
            _distrust(value, "may stand for an amount just below the money limit")
        raise ValueError(f"a money amount beyond any account ({MONEY_LIMIT:.0e})")
    text = repr(value)
    trusted = _trusted_text(text)
    if not trusted:
        _distrust(value, f"has more than {EXACT_FLOAT_DIGITS} significant digits")
    money = Decimal(text)
    # Only trusted amounts are kept: the structure functions read the cache without asking the hook.
    if trusted and len(money_cache) < _CACHE_SIZE:
        money_cache[value] = money
    return money
