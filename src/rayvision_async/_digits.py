"""Numbers written as text: ASCII digits only, the one rule wherever the SDK reads digits from a str.

``str.isdigit()``, ``int()``, ``float()``, ``Decimal()`` and the regular expression ``\\d`` accept the
digits of every script: Arabic-Indic ``"٤٢"`` and full-width ``"４２"`` read as 42, and ``isdigit()``
also accepts superscripts (``"¹"``) that ``int()`` then refuses with a ``ValueError``; ``int()`` and
``float()`` accept ``"1_000"`` too. The service is a Java service that reads and writes ASCII, so
text that is not ASCII digits is not a number here: arguments holding such text are refused, and
replies holding it are malformed.
"""

from __future__ import annotations

import re

__all__ = ["DECIMAL_TEXT", "INT_TEXT", "int_of", "is_digits"]

#: An optionally signed run of ASCII digits (the whole text; callers strip spaces first where allowed).
INT_TEXT = re.compile(r"[+-]?[0-9]+")
#: A decimal number in ASCII: digits with an optional fraction and exponent (no NaN, Infinity or ``_``).
DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DIGITS = re.compile(r"[0-9]+")


def is_digits(text: str) -> bool:
    """Whether ``text`` is one or more ASCII digits and nothing else (no sign, no spaces)."""
    return _DIGITS.fullmatch(text) is not None


def int_of(value: object, *, max_digits: int = 19) -> int | None:
    """The int written as ``value`` (a str of ASCII digits, spaces around allowed, no sign), else None.

    Ints are returned as they are (never a bool); longer runs than ``max_digits`` are None, so a
    10,000-digit text is never converted.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    return int(text) if len(text) <= max_digits and is_digits(text) else None
