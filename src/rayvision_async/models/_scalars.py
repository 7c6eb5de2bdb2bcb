"""The scalar conversions of the one converter: wire values (numbers, texts, epoch milliseconds,
service wall-clock times, labels) to Python values, each tolerant in the documented ways.

Used by :mod:`._converter` (the hooks) and its fast path; nothing here knows about models.
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .._service_time import SERVICE_TZ
from ._numbers import float_money, float_text, trusted_int
from ._structgen import Hook, Inline


def _to_decimal(value: Any, _: Any = None) -> Any:
    kind = type(value)
    if kind is Decimal:
        return value
    if kind is float:
        return float_money(value)
    if kind is bool:
        raise TypeError(f"expected a number for a money amount, got {value!r}")
    try:
        return Decimal(value.strip() if kind is str else value)
    except InvalidOperation:
        raise ValueError(f"expected a number for a money amount, got {value!r}") from None


def _is_int_text(text: str) -> bool:
    """Whether ``text`` (already stripped) is an optionally negative run of digits."""
    return text.isdigit() or (text[:1] == "-" and text[1:].isdigit())


def _to_datetime(value: Any, _: Any = None) -> datetime:
    kind = type(value)
    if kind is int or kind is float:
        return datetime.fromtimestamp(value / 1000, UTC)
    if kind is str:
        text = value.strip()
        if _is_int_text(text):
            return datetime.fromtimestamp(int(text) / 1000, UTC)
        try:
            return datetime.fromtimestamp(float(text) / 1000, UTC)
        except ValueError:
            raise ValueError(f"expected epoch milliseconds, got {value!r}") from None
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


def _to_int(value: Any) -> int:
    kind = type(value)
    if kind is str:
        return int(value.strip())
    if kind is float or kind is Decimal:
        whole = _integral(trusted_int(value) if kind is float else value)
        if whole is None:
            raise ValueError(f"expected an integer, got {value!r}")
        return whole
    return int(value)


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


def _req_int(value: Any, _: Any) -> int:
    """A required int (e.g. ``TaskInfo.id``, a task id in a list): bounded like the optional one, never None."""
    if type(value) is int:
        return value
    if value is None or type(value) is bool:
        raise TypeError(f"expected an integer, got {value!r}")
    return _to_int(value)


def _opt_int(value: Any, _: Any) -> int | None:
    if value is None or type(value) is int:
        return value
    if value == "":
        return None
    return _to_int(value)


def _opt_str(value: Any, _: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is float:
        return float_text(value)
    return str(value)


def _opt_float(value: Any, _: Any) -> float | None:
    if value is None or type(value) is float:
        return value
    if value == "":
        return None
    return float(value)


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
        return value
    if kind is float:
        return float_money(value)
    if kind is int:
        return Decimal(value)
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
    """For fields of undocumented type: an int when the value is integral, else its string."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _is_int_text(text):
            return int(text)
        return value
    if type(value) is float:
        trusted_int(value)
    if isinstance(value, float | Decimal) and (whole := _integral(value)) is not None:
        return whole
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

#: The one declaration of the ``X | None`` scalar hooks and of the inline check the fast path may do
#: instead of calling each (see :class:`~._structgen.Inline`). Editing a hook's behaviour for the value
#: its shortcut covers means editing its shortcut here too; the differential test catches a mismatch.
_OPTIONAL_SCALARS: dict[Any, tuple[Hook, Inline]] = {
    int: (_opt_int, Inline.IDENTITY),  # an int is returned as is
    str: (_opt_str, Inline.IDENTITY),
    float: (_opt_float, Inline.IDENTITY),
    bool: (_opt_bool, Inline.IDENTITY),
    Decimal: (_opt_decimal, Inline.CACHED_FLOAT),  # a Decimal as is, a float from the money cache
    datetime: (_opt_datetime, Inline.EPOCH_MS),  # an int is epoch milliseconds, 0 is None
}

_OPTIONAL_PAIRS: dict[frozenset[Any], Hook] = {
    frozenset({int, str}): _int_or_str,
    frozenset({datetime, str}): _time_or_str,
}
