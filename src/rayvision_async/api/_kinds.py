"""Parameter kinds of the endpoint table: check a Python argument, return its wire value.

Each :class:`Kind` knows the annotation the generated stub shows for it and a
``check(value, name)`` that returns the value to put on the wire or raises
:class:`~rayvision_async.errors.InvalidInputError` — before any request is
sent. Wire values are only ``str``, ``int``, lists and dicts (see
:func:`rayvision_async.wire._signing.encode_body`).

Every kind is bounded, from one table (:mod:`rayvision_async._service_ints`):
an int by the width of its Java field (``Integer`` unless the row says
``Long``), a list by :data:`MAX_LIST_ITEMS` (counted while it is read), a text
by :data:`MAX_TEXT_CHARS`; and no text may hold a lone surrogate (it is not
valid Unicode, so it can be neither encoded nor signed).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

import attrs

from .._service_ints import INT32, INT64, MAX_JSON_CHARS, MAX_LIST_ITEMS, MAX_TEXT_CHARS, Width
from .._service_time import SERVICE_TZ
from ..errors import InvalidInputError

__all__ = ["DCC_IDS", "INT32", "INT64", "MAX_JSON_CHARS", "MAX_LIST_ITEMS", "MAX_TEXT_CHARS", "Kind",
           "check_unicode", "dcc_id", "is_empty_of", "json_text", "read_items", "read_mapping"]

_SURROGATE = re.compile("[\ud800-\udfff]")


@attrs.frozen
class Kind:
    """How one parameter is typed (``annotation``, for the stub) and checked (``check``).

    ``int_range``: for a kind that accepts exactly the plain ints in ``[low, high]`` (``integer``), those
    bounds, so a list of them is checked at C speed (``list_of``).
    """

    annotation: str
    check: Callable[[Any, str], Any] = attrs.field(repr=False)
    int_range: tuple[int, int] | None = attrs.field(default=None, repr=False)


def _bad(name: str, expected: str, value: Any) -> InvalidInputError:
    return InvalidInputError(f"{name} must be {expected}, got {type(value).__name__} {_short(value)}")


def _short(value: Any) -> str:
    if isinstance(value, int) and abs(value) >= 10**30:
        return f"an int of {value.bit_length()} bits"  # repr() refuses ints of more than 4300 digits
    try:
        text = repr(value)
    except Exception:  # a caller's object whose repr fails must not hide the real error
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= 60 else text[:57] + "..."


def check_unicode(text: str, name: str) -> None:
    """Raise InvalidInputError if ``text`` holds a lone surrogate (not encodable as UTF-8, not signable)."""
    if not text.isascii() and _SURROGATE.search(text):
        raise InvalidInputError(f"{name} holds a lone surrogate: it is not valid Unicode text")


def _as_int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(name, "an int", value)
    if not low <= value <= high:
        raise InvalidInputError(f"{name} must be between {low} and {high}, got {_short(value)}")
    return int(value)


def integer(low: int | None = None, high: int | None = None, *, width: Width = INT32) -> Kind:
    """An int (never a bool) in ``[low, high]`` and within ``width`` (the Java field's: INT32 or INT64).

    IntEnum members are sent as plain ints.
    """
    lowest = width[0] if low is None else max(low, width[0])
    highest = width[1] if high is None else min(high, width[1])
    return Kind("int", lambda v, n: _as_int(v, n, lowest, highest), (lowest, highest))


def _as_number(value: Any, name: str, low: float, high: float) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:  # NaN fails too
        raise InvalidInputError(f"{name} must be a number from {low:g} to {high:g}, got {_short(value)}")
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
    check_unicode(value, name)
    return str.__str__(value)  # the text itself, also for a (str, Enum) member whose str() is "Cls.name"


def text(*, nonempty: bool = False, max_len: int | None = MAX_TEXT_CHARS) -> Kind:
    """A str of valid Unicode, at most ``max_len`` characters; ``nonempty`` rejects blank strings."""
    return Kind("str", lambda v, n: _as_str(v, n, nonempty, max_len))


def read_items(value: Iterable[Any], name: str) -> Iterator[Any]:
    """The items of a caller's iterable; an error raised while reading it is an InvalidInputError."""
    try:
        iterator = iter(value)
    except Exception as exc:
        raise InvalidInputError(f"{name} cannot be read: {type(exc).__name__}: {_short_text(exc)}") from exc
    while True:
        try:
            element = next(iterator)
        except StopIteration:
            return
        except Exception as exc:
            raise InvalidInputError(f"{name} cannot be read: {type(exc).__name__}: {_short_text(exc)}") from exc
        yield element


def read_mapping(value: Mapping[Any, Any], name: str) -> dict[Any, Any]:
    """A caller's mapping as a plain dict; an error raised while reading it is an InvalidInputError."""
    try:
        return dict(value.items())
    except InvalidInputError:
        raise
    except Exception as exc:
        raise InvalidInputError(f"{name} cannot be read: {type(exc).__name__}: {_short_text(exc)}") from exc


def _short_text(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:
        return "(no message)"
    return text if len(text) <= 80 else text[:77] + "..."


def _as_list(value: Any, name: str, item: Kind, nonempty: bool, max_items: int) -> list[Any]:
    plain = type(value) in (list, tuple, range)  # the usual cases, without the slower ABC checks below
    if not plain and (isinstance(value, (str, bytes, bytearray, Mapping)) or not isinstance(value, Iterable)):
        raise _bad(name, f"a list of {item.annotation}", value)
    size = len(value) if plain or isinstance(value, Collection) else None
    if size is not None and size > max_items:
        raise InvalidInputError(f"{name} may hold at most {max_items} items, got {size}")
    bounds = item.int_range
    if bounds is not None and size and plain and set(map(type, value)) == {int} \
            and bounds[0] <= min(value) and max(value) <= bounds[1]:
        return list(value)  # plain ints in range (a poll's 100,000 ids): the result of the loop below, at C speed
    check = item.check
    items: list[Any] = []
    source = value if plain else read_items(value, name)  # these cannot fail when read
    for index, element in enumerate(source):
        if index == max_items:  # an iterator: stop reading at the cap (an endless one never ends)
            raise InvalidInputError(f"{name} may hold at most {max_items} items, got more")
        try:
            items.append(check(element, name))
        except InvalidInputError:
            # Formatted only for the bad element (never per item: a 100,000-id poll checks every id).
            check(element, f"{name}[{index}]")
            raise
    if nonempty and not items:
        raise InvalidInputError(f"{name} must not be empty")
    return items


def list_of(item: Kind, *, nonempty: bool = True, max_items: int = MAX_LIST_ITEMS) -> Kind:
    """A list (any iterable but str/bytes/mapping) of at most ``max_items`` ``item``s; empty only if allowed."""
    return Kind(f"Iterable[{item.annotation}]", lambda v, n: _as_list(v, n, item, nonempty, max_items))


def choice(values: Collection[Any], annotation: str) -> Kind:
    """One of ``values`` (compared by equality; bools never match ints)."""
    allowed = tuple(values)

    def check(value: Any, name: str) -> Any:
        # Only a str or an int (never a bool) can match: 1.0 or Decimal(1) equal 1, but would go out as a float.
        if isinstance(value, bool) or not isinstance(value, (str, int)) or value not in allowed:
            raise InvalidInputError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {_short(value)}")
        return int(value) if isinstance(value, int) else str.__str__(value)

    return Kind(annotation, check)


def _as_flag(value: Any, name: str) -> str:
    if not isinstance(value, bool):
        raise _bad(name, "a bool", value)
    return "true" if value else "false"


#: A bool, sent as the string "true"/"false" (how the official SDK sends ``cloneTask``).
BOOL_AS_TEXT = Kind("bool", _as_flag)

_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
#: ASCII digits only: ``\d`` (and ``strptime``) would take full-width or Arabic-Indic digits, sent as written.
_TIME_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")


def _wall_clock(moment: dt.datetime) -> str:
    # Not strftime: "%Y" is not zero-padded below the year 1000 on every platform.
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}")


def _as_time(value: Any, name: str) -> str:
    if isinstance(value, dt.datetime):
        moment: dt.datetime = value
        if moment.tzinfo is not None and moment.utcoffset() is not None:
            try:
                moment = moment.astimezone(SERVICE_TZ)
            except OverflowError:
                raise InvalidInputError(f"{name} is out of range in the service's time zone: {value}") from None
        return _wall_clock(moment)
    if isinstance(value, dt.date):
        return _wall_clock(dt.datetime(value.year, value.month, value.day))
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


def _not_json(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")


def _plain_json(value: Any, name: str) -> Any:
    """``value`` as plain dicts and lists, refusing what JSON cannot hold as given (a non-str key)."""
    if isinstance(value, Mapping):
        plain: dict[str, Any] = {}
        for key, child in read_mapping(value, name).items():
            if not isinstance(key, str):
                raise InvalidInputError(f"{name} has a key that is not a str: {_short(key)}")
            plain[key] = _plain_json(child, f"{name}[{_short(key)}]")
        return plain
    if isinstance(value, (list, tuple)):
        return [_plain_json(child, f"{name}[{index}]") for index, child in enumerate(read_items(value, name))]
    return value


def json_text(value: Any, name: str) -> str:
    """JSON text for ``value`` (a JSON str, checked, or a mapping, serialized); strict JSON only.

    Refused: text that is not JSON, NaN and ±Infinity (Python's json module
    accepts and writes them; JSON has no such values), keys that are not
    strings (``json.dumps`` would silently turn ``1`` or ``True`` into text),
    values JSON cannot hold, nesting too deep to parse, lone surrogates, and
    documents longer than :data:`MAX_JSON_CHARS`.
    """
    if isinstance(value, str):
        _check_json_size(value, name)
        check_unicode(value, name)
        try:
            json.loads(value, parse_constant=_not_json)
        except (ValueError, RecursionError):
            raise InvalidInputError(f"{name} is not valid JSON text (NaN and Infinity are not JSON)") from None
        return str(value)
    if isinstance(value, Mapping):
        try:
            text = json.dumps(_plain_json(value, name), ensure_ascii=False, allow_nan=False)
        except RecursionError:
            raise InvalidInputError(f"{name} is nested too deeply") from None
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"{name} cannot be serialized to JSON: {exc}") from None
        _check_json_size(text, name)
        check_unicode(text, name)
        return text
    raise _bad(name, "a JSON str or a mapping", value)


def _check_json_size(text: str, name: str) -> None:
    if len(text) > MAX_JSON_CHARS:
        raise InvalidInputError(f"{name} is longer than {MAX_JSON_CHARS} characters")



#: A JSON document, given as text or as a mapping; sent as JSON text.
JSON_TEXT = Kind("str | Mapping[str, Any]", json_text)

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
        raise InvalidInputError(f"{name}: unknown DCC {_short(value)}; known: {', '.join(sorted(DCC_IDS))}")
    if isinstance(value, int) and not isinstance(value, bool) and value in DCC_IDS.values():
        return int(value)
    raise _bad(name, "a DCC name such as 'maya' or a known cgId", value)


DCC = Kind("str | int", dcc_id)


def _as_dcc_list(value: Any, name: str) -> list[str]:
    return [str(item) for item in _as_list(value, name, DCC, True, 100)]


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
        # The id's digits, sent as the text given: ASCII digits only ("¹" and "１" are no id).
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 19 and low <= int(text) <= INT64[1]):
            raise InvalidInputError(f"{name} must be an id (an int from {low}, or its ASCII digits), "
                                    f"got {_short(value)}")
        return str.__str__(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(name, "an int or its digits", value)
    return _as_int(value, name, max(low, INT64[0]), INT64[1])  # an id: a Java long


def int_or_text(low: int = 1) -> Kind:
    """An id given as an int (at least ``low``) or its ASCII digits as a str, sent as given (as the official SDK
    passes it)."""
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
    value = read_mapping(value, name)
    unknown = set(value) - set(_RENDER_ENV_FIELDS) - set(_RENDER_ENV_OPTIONAL)
    if unknown:
        raise InvalidInputError(f"{name} has unknown fields: {', '.join(sorted(map(_short, unknown)))[:300]}")
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


def is_empty_of(kind: Kind, value: Any) -> bool:
    """Whether ``value`` is the empty value of ``kind``'s own type: ``""`` for a text or a time, an empty list or
    tuple for a list, 0 for an int (never a bool, never an empty value of another type)."""
    if kind.annotation.startswith("Iterable["):
        return type(value) in (list, tuple) and not value
    if "str" in kind.annotation.split(" | ") and type(value) is str and not value:
        return True
    return kind.annotation.split(" | ")[0] == "int" and type(value) is int and value == 0
