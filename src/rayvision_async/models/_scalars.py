"""The scalar conversions of the one converter: wire values (numbers, texts, epoch milliseconds,
service wall-clock times, labels) to Python values, each tolerant in the documented ways.

Used by :mod:`._converter` (the hooks) and its fast path; nothing here knows about models.

Values outside the service's ranges raise (so the reply is malformed): an int beyond the width of its
Java field (:data:`~rayvision_async._service_ints.INT64`, or ``INT32`` for the fields declared so), a
money amount that is not finite or not below :data:`~rayvision_async._service_ints.MONEY_LIMIT`, a
float that is not finite, and numbers written as text in anything but ASCII digits
(:mod:`rayvision_async._digits`).
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from .._digits import DECIMAL_TEXT, INT_TEXT
from .._service_ints import FLOAT_LIMIT, INT32, INT64, MONEY_LIMIT, Width
from .._service_time import SERVICE_TZ
from ._numbers import float_money, float_text, trusted_int
from ._structgen import Hook, Inline


def _money(amount: Decimal) -> Decimal:
    """``amount`` if it is a finite amount below :data:`MONEY_LIMIT`, else ValueError."""
    if not amount.is_finite() or not -MONEY_LIMIT < amount < MONEY_LIMIT:
        raise ValueError(f"a money amount beyond any account ({MONEY_LIMIT:.0e})")
    return amount


def _to_decimal(value: Any, _: Any = None) -> Any:
    kind = type(value)
    if kind is Decimal:
        return _money(value)
    if kind is float:
        return float_money(value)
    if kind is bool:
        raise TypeError(f"expected a number for a money amount, got {value!r}")
    if kind is str:
        text = value.strip()
        if not DECIMAL_TEXT.fullmatch(text):
            raise ValueError(f"expected a number for a money amount, got {value[:40]!r}")
        return _money(Decimal(text))
    if kind is int:
        if not -MONEY_LIMIT < value < MONEY_LIMIT:
            raise ValueError(f"a money amount beyond any account ({MONEY_LIMIT:.0e})")
        return Decimal(value)
    try:
        return _money(Decimal(value))
    except InvalidOperation:
        raise ValueError(f"expected a number for a money amount, got {type(value).__name__}") from None


def _is_int_text(text: str) -> bool:
    """Whether ``text`` (already stripped) is an optionally signed run of ASCII digits."""
    return INT_TEXT.fullmatch(text) is not None


#: Characters of the longest int text read (a Java long has 19 digits; more is out of range anyway).
_MAX_INT_TEXT = 25


def _to_datetime(value: Any, _: Any = None) -> datetime:
    kind = type(value)
    if kind is int or kind is float:
        return datetime.fromtimestamp(value / 1000, UTC)
    if kind is str:
        text = value.strip()
        if len(text) <= _MAX_INT_TEXT and _is_int_text(text):
            return datetime.fromtimestamp(int(text) / 1000, UTC)
        if not DECIMAL_TEXT.fullmatch(text):  # ASCII only: float() reads "١٢" and "1_0" too
            raise ValueError(f"expected epoch milliseconds, got {value[:40]!r}")
        return datetime.fromtimestamp(float(text) / 1000, UTC)
    if kind is bool:
        raise TypeError(f"expected epoch milliseconds, got {value!r}")
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(float(value) / 1000, UTC)


#: Digits allowed in an integer written as a decimal number (``1e5``): the same bound the JSON decoder
#: puts on integer literals. ``Decimal("1e99999999")`` is 14 bytes on the wire, but turning it into an
#: ``int`` would take minutes and gigabytes, blocking the event loop.
_MAX_INT_DIGITS = 4300


def _integral(value: float | Decimal) -> int | None:
    """``value`` as an int if it is a finite whole number of sane size, else None."""
    if type(value) is Decimal and (not value.is_finite() or value.adjusted() >= _MAX_INT_DIGITS):
        return None
    try:
        floor = value.__floor__()
    except (OverflowError, ValueError):  # float inf / nan
        return None
    return floor if value == floor else None


def _to_int(value: Any, width: Width) -> int:
    """``value`` as an int within ``width``; anything else raises (never an int of unbounded size)."""
    kind = type(value)
    if kind is str:
        text = value.strip()
        if len(text) > _MAX_INT_TEXT or not _is_int_text(text):
            raise ValueError(f"expected an integer in ASCII digits, got {value[:40]!r}")
        number = int(text)
    elif kind is float or kind is Decimal:
        whole = _integral(trusted_int(value) if kind is float else value)
        if whole is None:
            raise ValueError(f"expected an integer, got {value!r}")
        number = whole
    else:
        number = int(value)
    if not width[0] <= number <= width[1]:
        raise ValueError(f"an integer beyond {width[0]}..{width[1]}, the width of its field")
    return number


def _to_bool(value: Any, _: Any = None) -> bool:
    if type(value) is bool:
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "1", "yes", "y", "on"):
            return True
        if text in ("false", "0", "no", "n", "off", ""):
            return False
        raise ValueError(f"expected a boolean, got {value!r}")
    return bool(value)


_LONG_LOW, _LONG_HIGH = INT64
_INT_LOW, _INT_HIGH = INT32


def _req_int(value: Any, _: Any) -> int:
    """A required int (e.g. ``TaskInfo.id``, a task id in a list): a Java long, never None."""
    if type(value) is int and _LONG_LOW <= value <= _LONG_HIGH:
        return value
    if value is None or type(value) is bool:
        raise TypeError(f"expected an integer, got {value!r}")
    return _to_int(value, INT64)


def _opt_int(value: Any, _: Any) -> int | None:
    """An optional int of a ``Long`` field (or one the documents do not type)."""
    if value is None or (type(value) is int and _LONG_LOW <= value <= _LONG_HIGH):
        return value
    if value == "":
        return None
    return _to_int(value, INT64)


def _opt_int32(value: Any, _: Any) -> int | None:
    """An optional int of a field the protocol documents type ``Integer`` (a Java int)."""
    if value is None or (type(value) is int and _INT_LOW <= value <= _INT_HIGH):
        return value
    if value == "":
        return None
    return _to_int(value, INT32)


def _opt_str(value: Any, _: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is float:
        return float_text(value)
    return str(value)


def _opt_float(value: Any, _: Any) -> float | None:
    if value is None:
        return None
    if value == "":
        return None
    if type(value) is str and not DECIMAL_TEXT.fullmatch(value.strip()):
        raise ValueError(f"expected a number in ASCII digits, got {value[:40]!r}")
    if isinstance(value, int) and not -FLOAT_LIMIT <= value <= FLOAT_LIMIT:  # float() of a huge int overflows
        raise ValueError("a number beyond the float limit")
    number = value if type(value) is float else float(value)
    if not -FLOAT_LIMIT <= number <= FLOAT_LIMIT:  # NaN and the infinities fail too
        raise ValueError(f"expected a finite number of magnitude at most {FLOAT_LIMIT:g}")
    return number


def _opt_bool(value: Any, _: Any) -> bool | None:
    if value is None or type(value) is bool:
        return value
    if value == "":
        return None
    return _to_bool(value)


def _opt_decimal(value: Any, _: Any) -> Any:
    if value is None:
        return None
    kind = type(value)
    if kind is Decimal:
        return _money(value)
    if kind is float:
        return float_money(value)
    if kind is str and not value.strip():
        return None
    return _to_decimal(value)


def _opt_datetime(value: Any, _: Any) -> datetime | None:
    if value is None or value == 0 or value == "":
        return None
    if type(value) is int:
        return datetime.fromtimestamp(value / 1000, UTC)
    if type(value) is str and value.strip() in ("", "0"):
        return None
    return _to_datetime(value)


def _int_or_str(value: Any, _: Any) -> int | str | None:
    """For fields of undocumented type: an int (a Java long) when the value is integral, else its string.

    Digits in a str beyond a long stay the str they are; a JSON number beyond a long is malformed.
    """
    if value is None:
        return value
    if type(value) is bool:
        return "true" if value else "false"  # as a text field holds it: a bool is no int here
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= _MAX_INT_TEXT and _is_int_text(text) and _LONG_LOW <= (number := int(text)) <= _LONG_HIGH:
            return number
        return value
    if type(value) is float:
        trusted_int(value)
    if isinstance(value, float | Decimal) and (whole := _integral(value)) is not None:
        value = whole
    if isinstance(value, int):
        if not _LONG_LOW <= value <= _LONG_HIGH:
            raise ValueError(f"an integer beyond {_LONG_LOW}..{_LONG_HIGH}, the width of a Java long")
        return value
    return _opt_str(value, str)


def _time_or_str(value: Any, _: Any) -> datetime | str | None:
    """For time fields of undocumented format: epoch milliseconds → datetime, other text kept."""
    if isinstance(value, str):
        text = value.strip()
        if not _is_int_text(text):
            return value or None
    return _opt_datetime(value, datetime)


def _labels(value: Any, _: Any) -> tuple[str, ...]:
    """Label names from a list, or from the JSON string some versions send (``"{}"``, ``"[…]"``)."""
    if value is None:
        return ()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return ()
        if text[0] not in "[{":
            return (text,)
        if text in _LABEL_TEXTS:  # the common case, without the JSON parser
            return _LABEL_TEXTS[text]
        try:
            value = json.loads(text)
        except ValueError:
            return (text,)
    if isinstance(value, Mapping):
        value = list(value.values())
    if not isinstance(value, list | tuple):
        return (str(value),)
    names: list[str] = []
    for item in value:
        if isinstance(item, Mapping):
            name = item.get("labelName", item.get("name", item.get("label")))
            if name is not None:
                names.append(str(name))
        elif item is not None:
            names.append(str(item))
    return tuple(names)


def _service_time(value: Any, _: Any) -> datetime | None:
    """Wall-clock text of the service ("2018-11-09 18:27:40", UTC+8) → an aware datetime in that zone.

    Text with an offset is converted to the zone; epoch milliseconds (an int or digits) are read as
    elsewhere; ``None``, ``""`` and 0 are "not set".
    """
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not _is_int_text(text):
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(f"expected 'yyyy-MM-dd HH:mm:ss' text, got {value!r}") from None
            if moment.tzinfo is None or moment.utcoffset() is None:
                return moment.replace(tzinfo=SERVICE_TZ)
            return moment.astimezone(SERVICE_TZ)
    epoch = _opt_datetime(value, datetime)
    return None if epoch is None else epoch.astimezone(SERVICE_TZ)


#: ``_labels``'s results for the texts the service usually sends (the fast path reads them directly).
_LABEL_TEXTS: Mapping[str, tuple[str, ...]] = types.MappingProxyType({"{}": (), "[]": ()})

#: Special hooks by ``coerce`` metadata name: (hook, its results for some exact texts).
_COERCERS: dict[str, tuple[Hook, Mapping[str, Any] | None]] = {
    "labels": (_labels, _LABEL_TEXTS),
    "service_time": (_service_time, None),
}

#: The type an ``int | None`` field of each width is structured as (``width`` metadata, see ``_meta``):
#: plain ``int`` is a Java long; ``INT32`` fields are the protocol's ``Integer`` ones.
INT_TYPES: Mapping[Width, Any] = types.MappingProxyType({INT64: int, INT32: Annotated[int, INT32]})

#: The one declaration of the ``X | None`` scalar hooks and of the inline check the fast path may do
#: instead of calling each (see :class:`~._structgen.Inline`; None: always the hook). Editing a hook's
#: behaviour for the value its shortcut covers means editing its shortcut here too; the differential
#: test catches a mismatch.
_OPTIONAL_SCALARS: dict[Any, tuple[Hook, Inline | None, Any]] = {
    int: (_opt_int, Inline.INT_RANGE, INT64),  # an int within the width is returned as is
    INT_TYPES[INT32]: (_opt_int32, Inline.INT_RANGE, INT32),
    str: (_opt_str, Inline.IDENTITY, None),
    float: (_opt_float, None, None),  # every float is checked: NaN and infinities are refused
    bool: (_opt_bool, Inline.IDENTITY, None),
    Decimal: (_opt_decimal, Inline.CACHED_FLOAT, None),  # a float from the money cache (amounts in range)
    datetime: (_opt_datetime, Inline.EPOCH_MS, None),  # an int is epoch milliseconds, 0 is None
}

_OPTIONAL_PAIRS: dict[frozenset[Any], Hook] = {
    frozenset({int, str}): _int_or_str,
    frozenset({datetime, str}): _time_or_str,
}
