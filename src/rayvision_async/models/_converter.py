"""The one cattrs converter that turns response ``data`` into :mod:`rayvision_async.models` objects.

Rules, all registered once at import time:

* **Names.** Every attrs field is read from the camelCase form of its snake_case name
  (``task_alias`` ← ``taskAlias``), unless its metadata names the wire key (``wire``) or accepts
  spelling variants (``aliases``); see :mod:`rayvision_async.models._meta`.
* **Tolerance.** Missing keys take the field default; unknown keys are ignored; a JSON ``null``
  for a sequence becomes ``()``; an empty string for an optional number, time or enum becomes
  ``None``; unknown enum codes become cached ``UNKNOWN_<code>`` pseudo-members.
* **Times.** Epoch milliseconds (int, float, Decimal or digit string) become timezone-aware UTC
  datetimes; 0 means "not set" and becomes ``None``.
* **Money.** ``Decimal``; floats go through ``str`` so 1.57 becomes ``Decimal("1.57")``.

Anything else that cannot be converted (e.g. ``"abc"`` for an integer) raises, and the exception
propagates to the caller. The structure functions are generated once per type and cached by
cattrs; ``structure()`` does no per-call set-up. A model's function is Python source written by
:mod:`rayvision_async.models._structgen` from the fields and the hooks below.
"""

from __future__ import annotations

import json
import threading
import types
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs

from ._meta import ALIASES, COERCE, WIRE
from ._structgen import FieldSpec, make_model_structure_fn
from .enums import TolerantIntEnum

__all__ = ["converter", "snake_to_camel", "structure", "wire_name"]

T = TypeVar("T")
Hook = Callable[[Any, Any], Any]

_NONE_TYPE = type(None)

#: The converter. Use :func:`structure` rather than calling it directly.
converter = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)


def snake_to_camel(name: str) -> str:
    """The rename rule: ``task_key_value_vo`` → ``taskKeyValueVo``; no underscore → unchanged."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def wire_name(field: attrs.Attribute[Any]) -> str:
    """The wire key of an attrs field: its ``wire`` metadata, else the rename rule."""
    explicit = field.metadata.get(WIRE)
    return explicit if isinstance(explicit, str) else snake_to_camel(field.name)


def structure(data: Any, cl: type[T]) -> T:
    """Build a ``cl`` (a model, ``Page[Model]``, ``tuple[Model, ...]``, …) from decoded JSON data."""
    return converter.structure(data, cl)


# --------------------------------------------------------------------------- scalar conversions


def _to_decimal(value: Any, _: Any = None) -> Any:
    kind = type(value)
    if kind is Decimal:
        return value
    if kind is float:
        return Decimal(repr(value))
    if kind is bool:
        raise TypeError(f"expected a number for a money amount, got {value!r}")
    try:
        return Decimal(value.strip() if kind is str else value)
    except InvalidOperation:
        raise ValueError(f"expected a number for a money amount, got {value!r}") from None


def _to_datetime(value: Any, _: Any = None) -> datetime:
    kind = type(value)
    if kind is int or kind is float:
        return datetime.fromtimestamp(value / 1000, UTC)
    if kind is str:
        text = value.strip()
        if text.isdigit() or (text[:1] == "-" and text[1:].isdigit()):
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
        whole = _integral(value)
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
        return repr(value)
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
        return Decimal(repr(value))
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
        if text.isdigit() or (text[:1] == "-" and text[1:].isdigit()):
            return int(text)
        return value
    if isinstance(value, float | Decimal) and (whole := _integral(value)) is not None:
        return whole
    return _opt_str(value, str)


def _time_or_str(value: Any, _: Any) -> datetime | str | None:
    """For time fields of undocumented format: epoch milliseconds → datetime, other text kept."""
    if isinstance(value, str):
        text = value.strip()
        if not (text.isdigit() or (text[:1] == "-" and text[1:].isdigit())):
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
        if text in ("{}", "[]"):  # the common case, without the JSON parser
            return ()
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


_COERCERS: dict[str, Hook] = {"labels": _labels}

_OPTIONAL_SCALARS: dict[Any, Hook] = {
    int: _opt_int,
    str: _opt_str,
    float: _opt_float,
    bool: _opt_bool,
    Decimal: _opt_decimal,
    datetime: _opt_datetime,
}

_OPTIONAL_PAIRS: dict[frozenset[Any], Hook] = {
    frozenset({int, str}): _int_or_str,
    frozenset({datetime, str}): _time_or_str,
}


# --------------------------------------------------------------------------- hook factories


def _lazy(inner: Any) -> Callable[[], Hook]:
    """Resolve ``inner``'s hook on first use (models may refer to themselves)."""
    cell: list[Hook] = []
    lock = threading.Lock()

    def get() -> Hook:
        if not cell:
            with lock:
                if not cell:
                    cell.append(converter.get_structure_hook(inner))
        return cell[0]

    return get


def _enum_hook(cls: type[TolerantIntEnum], optional: bool) -> Hook:
    members = cls._value2member_map_  # pseudo-members are added to this same dict

    def structure_enum(value: Any, _: Any) -> Any:
        if value is None and optional:
            return None
        try:
            return members[value]
        except (KeyError, TypeError):
            if optional and value == "":
                return None
            return cls(value)

    return structure_enum


def _union_arms(t: Any) -> tuple[Any, ...] | None:
    if get_origin(t) in (Union, types.UnionType):
        return get_args(t)
    return None


def _is_optional(t: Any) -> bool:
    arms = _union_arms(t)
    if arms is None or _NONE_TYPE not in arms:
        return False
    others = frozenset(arms) - {_NONE_TYPE}
    return len(others) == 1 or others in _OPTIONAL_PAIRS


def _optional_hook(t: Any) -> Hook:
    others = frozenset(get_args(t)) - {_NONE_TYPE}
    if len(others) > 1:
        return _OPTIONAL_PAIRS[others]
    (inner,) = others
    scalar = _OPTIONAL_SCALARS.get(inner)
    if scalar is not None:
        return scalar
    if isinstance(inner, type) and issubclass(inner, TolerantIntEnum):
        return _enum_hook(inner, optional=True)
    get = _lazy(inner)

    def structure_optional(value: Any, _: Any) -> Any:
        return None if value is None else get()(value, inner)

    return structure_optional


def _is_var_tuple(t: Any) -> bool:
    args = get_args(t)
    return get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _var_tuple_hook(t: Any) -> Hook:
    inner = get_args(t)[0]
    get = _lazy(inner)

    def structure_tuple(value: Any, _: Any) -> tuple[Any, ...]:
        if value is None:
            return ()
        if type(value) is not list and isinstance(value, str | bytes | Mapping):
            raise TypeError(f"expected a JSON array for {t}, got {type(value).__name__}")
        hook = get()
        return tuple([hook(item, inner) for item in value])

    return structure_tuple


def _is_enum(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, TolerantIntEnum)


def _is_model(t: Any) -> bool:
    origin = get_origin(t) or t
    return isinstance(origin, type) and attrs.has(origin)


def _model_hook(cl: Any) -> Hook:
    fields: list[FieldSpec] = []
    for field in attrs.fields(attrs.resolve_types(get_origin(cl) or cl)):
        coerce = field.metadata.get(COERCE)
        coercer = _COERCERS[coerce] if coerce is not None else None
        fields.append(FieldSpec(field, wire_name(field), tuple(field.metadata.get(ALIASES, ())), coercer))
    return make_model_structure_fn(cl, converter, fields, _OPTIONAL_SCALARS, _is_optional)


converter.register_structure_hook(Decimal, _to_decimal)
converter.register_structure_hook(datetime, _to_datetime)
converter.register_structure_hook(bool, _to_bool)
converter.register_structure_hook_factory(_is_enum, lambda t: _enum_hook(t, optional=False))
converter.register_structure_hook_factory(_is_optional, _optional_hook)
converter.register_structure_hook_factory(_is_var_tuple, _var_tuple_hook)
converter.register_structure_hook_factory(_is_model, _model_hook)

#: Thumbnail paths: the service answers a list of paths, the documents also show a bare "SUCCESS".
PATHS_OR_TEXT = tuple[str, ...] | str


def _paths_or_text(value: Any, _: Any) -> tuple[str, ...] | str:
    if isinstance(value, str):
        return value
    return () if value is None else tuple(str(item) for item in value)


converter.register_structure_hook_func(lambda t: t == PATHS_OR_TEXT, _paths_or_text)
