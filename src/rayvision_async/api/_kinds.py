"""Parameter kinds of the endpoint table: check a Python argument, return its wire value.

Each :class:`Kind` knows the annotation the generated stub shows for it and a
``check(value, name)`` that returns the value to put on the wire or raises
:class:`~rayvision_async.errors.InvalidInputError` — before any request is
sent. Wire values are only ``str``, ``int``, lists and dicts (see
:func:`rayvision_async.wire._signing.encode_body`).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import attrs

from .._service_time import SERVICE_TZ
from ..errors import InvalidInputError

__all__ = ["DCC_IDS", "Kind", "dcc_id"]


@attrs.frozen
class Kind:
    """How one parameter is typed (``annotation``, for the stub) and checked (``check``)."""

    annotation: str
    check: Callable[[Any, str], Any] = attrs.field(repr=False)


def _bad(name: str, expected: str, value: Any) -> InvalidInputError:
    return InvalidInputError(f"{name} must be {expected}, got {type(value).__name__} {_short(value)}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _as_int(value: Any, name: str, low: int | None, high: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(name, "an int", value)
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidInputError(f"{name} must be {span}, got {value}")
    return int(value)


def integer(low: int | None = None, high: int | None = None) -> Kind:
    """An int (never a bool) in ``[low, high]``; IntEnum members are sent as plain ints."""
    return Kind("int", lambda v, n: _as_int(v, n, low, high))


def _as_number(value: Any, name: str, low: float, high: float) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:  # NaN fails too
        raise InvalidInputError(f"{name} must be a number from {low:g} to {high:g}, got {value!r}")
    return value


def number(low: float, high: float) -> Kind:
    """An int or float (never a bool, never NaN) in ``[low, high]``, returned as given."""
    return Kind("float", lambda v, n: _as_number(v, n, low, high))


def _as_str(value: Any, name: str, nonempty: bool, max_len: int | None) -> str:
    if not isinstance(value, str):
        raise _bad(name, "a str", value)
    if nonempty and not value.strip():
        raise InvalidInputError(f"{name} must not be empty")
    if max_len is not None and len(value) > max_len:
        raise InvalidInputError(f"{name} must be at most {max_len} characters")
    return str(value)


def text(*, nonempty: bool = False, max_len: int | None = None) -> Kind:
    """A str; ``nonempty`` rejects blank strings."""
    return Kind("str", lambda v, n: _as_str(v, n, nonempty, max_len))


def _as_list(value: Any, name: str, item: Kind, nonempty: bool, max_items: int | None) -> list[Any]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise _bad(name, f"a list of {item.annotation}", value)
    check = item.check
    items = []
    for index, element in enumerate(value):
        try:
            items.append(check(element, name))
        except InvalidInputError:
            # Formatted only for the bad element (never per item: a 100,000-id poll checks every id).
            check(element, f"{name}[{index}]")
            raise
    if nonempty and not items:
        raise InvalidInputError(f"{name} must not be empty")
    if max_items is not None and len(items) > max_items:
        raise InvalidInputError(f"{name} may hold at most {max_items} items, got {len(items)}")
    return items


def list_of(item: Kind, *, nonempty: bool = True, max_items: int | None = None) -> Kind:
    """A list (any iterable but str/bytes/mapping) of ``item``; empty only if ``nonempty`` is False."""
    return Kind(f"Iterable[{item.annotation}]", lambda v, n: _as_list(v, n, item, nonempty, max_items))


def choice(values: Collection[Any], annotation: str) -> Kind:
    """One of ``values`` (compared by equality; bools never match ints)."""
    allowed = tuple(values)

    def check(value: Any, name: str) -> Any:
        if isinstance(value, bool) or value not in allowed:
            raise InvalidInputError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {_short(value)}")
        return int(value) if isinstance(value, enum.IntEnum) else value

    return Kind(annotation, check)


def _as_flag(value: Any, name: str) -> str:
    if not isinstance(value, bool):
        raise _bad(name, "a bool", value)
    return "true" if value else "false"


#: A bool, sent as the string "true"/"false" (how the official SDK sends ``cloneTask``).
BOOL_AS_TEXT = Kind("bool", _as_flag)

_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_TIME_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def _as_time(value: Any, name: str) -> str:
    if isinstance(value, dt.datetime):
        moment: dt.datetime = value
        if moment.tzinfo is not None and moment.utcoffset() is not None:
            moment = moment.astimezone(SERVICE_TZ)
        return moment.strftime(_TIME_FORMAT)
    if isinstance(value, dt.date):
        return value.strftime(_TIME_FORMAT.split(" ")[0]) + " 00:00:00"
    if isinstance(value, str) and _TIME_PATTERN.fullmatch(value):
        try:
            dt.datetime.strptime(value, _TIME_FORMAT)
        except ValueError:
            raise InvalidInputError(f"{name} is not a valid time: {value!r}") from None
        return value
    raise _bad(name, "a datetime, a date or a 'YYYY-MM-DD HH:MM:SS' string", value)


#: A point in time, sent as "yyyy-MM-dd HH:mm:ss" wall-clock text in the service's zone (UTC+8,
#: :data:`~rayvision_async._service_time.SERVICE_TZ`). An aware datetime is converted to that zone
#: first; a naive datetime is taken to be in the service's zone already and sent as given; a date
#: is its midnight there; a "YYYY-MM-DD HH:MM:SS" string is sent as given.
TIME = Kind("datetime | date | str", _as_time)


def _as_json_text(value: Any, name: str) -> str:
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            raise InvalidInputError(f"{name} is not valid JSON text") from None
        return value
    if isinstance(value, Mapping):
        try:
            return json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"{name} cannot be serialized to JSON: {exc}") from None
    raise _bad(name, "a JSON str or a mapping", value)


#: A JSON document, given as text or as a mapping; sent as JSON text.
JSON_TEXT = Kind("str | Mapping[str, Any]", _as_json_text)

#: The official SDK's 18 DCC names (``DCC_ID_MAPPINGS`` of rayvision_api 3.0.4.3) and their ``cgId``.
_DCC_NAMES: Mapping[str, int] = {
    "maya": 2000, "3ds max": 2001, "lightwave": 2002, "arnold": 2003, "houdini": 2004, "cinema4d": 2005,
    "softimage": 2006, "blender": 2007, "vr_standalone": 2008, "mr_standalone": 2009, "sketchup": 2010,
    "vue": 2011, "keyshot": 2012, "clarisse": 2013, "octane_render": 2014, "nuke": 2015, "katana": 2016,
    "unreal engine": 2020,
}
#: Other spellings of those names (keys already in canonical form, see :func:`_dcc_key`).
_DCC_SPELLINGS: Mapping[str, str] = {
    "3dsmax": "3ds max", "max": "3ds max", "cinema 4d": "cinema4d", "c4d": "cinema4d",
    "vray standalone": "vr_standalone", "vr standalone": "vr_standalone",
    "mentalray standalone": "mr_standalone", "mental ray standalone": "mr_standalone",
    "octane render": "octane_render", "octane": "octane_render", "octanerender": "octane_render",
    "unreal": "unreal engine", "unrealengine": "unreal engine", "ue": "unreal engine",
}


def _dcc_key(name: str) -> str:
    """Lower case, ``_``/``-`` read as spaces, runs of spaces collapsed."""
    return " ".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


#: DCC names accepted where the official SDK takes a software name, with their ``cgId``: the
#: official 18 names and their spelling variants (case, spaces, ``_`` or ``-`` do not matter).
DCC_IDS: Mapping[str, int] = {
    **{_dcc_key(name): cg_id for name, cg_id in _DCC_NAMES.items()},
    **{_dcc_key(alias): _DCC_NAMES[name] for alias, name in _DCC_SPELLINGS.items()},
}


def dcc_id(value: Any, name: str) -> int:
    """The ``cgId`` of a DCC name ("maya", "3ds Max", "octane_render", …) or of an int cgId."""
    if isinstance(value, str):
        key = _dcc_key(value)
        if key in DCC_IDS:
            return DCC_IDS[key]
        raise InvalidInputError(f"{name}: unknown DCC {value!r}; known: {', '.join(sorted(DCC_IDS))}")
    if isinstance(value, int) and not isinstance(value, bool) and value in DCC_IDS.values():
        return int(value)
    raise _bad(name, "a DCC name such as 'maya' or a known cgId", value)


DCC = Kind("str | int", dcc_id)


def _as_dcc_list(value: Any, name: str) -> list[str]:
    return [str(item) for item in _as_list(value, name, DCC, True, None)]


#: Several DCCs, sent as cgId strings (the official SDK's ``cgIds``).
DCC_LIST = Kind("Iterable[str | int]", _as_dcc_list)


def _int_from_text(value: Any) -> Any:
    """An int-like str (``"0"``, ``" 12 "``) as its int; anything else unchanged, for the inner kind to judge."""
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] == "-" else text
        if digits.isascii() and digits.isdigit() and len(digits) <= 20:
            return int(text)
    return value


def int_text_ok(kind: Kind) -> Kind:
    """``kind`` (an int kind), also given as an int-like str and then sent as the int (the official ``int(x)``)."""
    return Kind(f"{kind.annotation} | str", lambda v, n: kind.check(_int_from_text(v), n))


def _as_int_or_text(value: Any, name: str, low: int) -> int | str:
    if isinstance(value, str):
        return _as_str(value, name, True, 255)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(name, "an int or a str", value)
    return _as_int(value, name, low, None)


def int_or_text(low: int = 1) -> Kind:
    """An id given as an int (at least ``low``) or a non-empty str, sent as given (the official SDK passes it)."""
    return Kind("int | str", lambda v, n: _as_int_or_text(v, n, low))


_RENDER_ENV_FIELDS: Mapping[str, Kind] = {
    "cgId": integer(1),
    "cgName": text(nonempty=True),
    "cgVersion": text(nonempty=True),
    "editName": text(nonempty=True),
    "renderSystem": int_text_ok(choice((0, 1), "int")),  # the usage doc writes "0"; the schema wants an int
    "pluginIds": list_of(integer(1), nonempty=False),
}
_RENDER_ENV_OPTIONAL: Mapping[str, Kind] = {
    "renderLayerType": integer(0),
    "projectPath": text(),
}


def _as_render_env(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad(name, "a mapping of render-environment fields", value)
    unknown = set(value) - set(_RENDER_ENV_FIELDS) - set(_RENDER_ENV_OPTIONAL)
    if unknown:
        raise InvalidInputError(f"{name} has unknown fields: {', '.join(sorted(map(str, unknown)))}")
    out: dict[str, Any] = {}
    for key, kind in {**_RENDER_ENV_FIELDS, **_RENDER_ENV_OPTIONAL}.items():
        if key in value and value[key] is not None:
            out[key] = kind.check(value[key], f"{name}[{key!r}]")
        elif key in _RENDER_ENV_FIELDS:
            raise InvalidInputError(f"{name} is missing {key!r}")
    return out


#: A render environment: cgId, cgName, cgVersion, editName, renderSystem (0 linux / 1 windows; "0"/"1" are
#: sent as ints), pluginIds.
RENDER_ENV = Kind("Mapping[str, Any]", _as_render_env)
