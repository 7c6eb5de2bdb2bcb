"""The one cattrs converter that turns response ``data`` into :mod:`rayvision_async.models` objects.

Rules, all registered once at import time:

* **Names.** Every attrs field is read from the camelCase form of its snake_case name
  (``task_alias`` ← ``taskAlias``), unless its metadata names the wire key (``wire``) or accepts
  spelling variants (``aliases``); see :mod:`rayvision_async.models._meta`.
* **Tolerance.** Missing keys take the field default; unknown keys are ignored; a JSON ``null``
  for a sequence becomes ``()``; an empty string for an optional number, time or enum becomes
  ``None``; unknown enum codes become ``UNKNOWN_<code>`` pseudo-members (a bounded cache).
* **Times.** Epoch milliseconds (int, float, Decimal or digit string) become timezone-aware UTC
  datetimes; 0 means "not set" and becomes ``None``. Fields marked ``coerce="service_time"`` carry
  "yyyy-MM-dd HH:mm:ss" text in the service's zone instead and become aware datetimes in that zone
  (:data:`~rayvision_async._service_time.SERVICE_TZ`, UTC+8).
* **Money.** ``Decimal``; floats go through ``repr`` so 1.57 becomes ``Decimal("1.57")``. A float that
  may not be what the service sent (see :mod:`._numbers`) raises :class:`InexactNumberError` inside
  :func:`structure_reply`, which then structures the reply's exact decoding; :func:`structure` takes
  such floats as they are.
* **Ranges.** Values the service cannot send are refused: an int beyond its Java field (``Long``,
  or ``Integer`` for fields declared with ``width``, see :mod:`._meta`), money that is not finite or
  not below :data:`~rayvision_async._service_ints.MONEY_LIMIT`, a float that is not finite, numbers
  written as text in anything but ASCII digits, enum codes beyond 32 bits.

Anything else that cannot be converted (e.g. ``"abc"`` for an integer) raises, and the exception
propagates to the caller. The structure functions are generated once per type and cached by
cattrs; ``structure()`` does no per-call set-up. A model's function is Python source written by
:mod:`rayvision_async.models._structgen` from the fields and the hooks below (the *fast path*).

The fast path may skip a hook only where this module declares how (:data:`_OPTIONAL_SCALARS`, each
scalar's hook with its :class:`~._structgen.Inline` shortcut, and :func:`_shortcut` for enums);
the generator reads that declaration and re-derives nothing.

Environment: ``RAYVISION_STRUCTURE_FAST_PATH=0`` (read once, at import) turns the fast path off, so
models are structured by cattrs' own generated functions with the same names and hooks. The results
are the same (``tests/models/test_fast_path.py`` checks it); only the speed differs (about 2×).
:func:`make_converter` builds a converter either way.
"""

from __future__ import annotations

import functools
import os
import threading
import types
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from .._arguments import checked_binding
from .._service_ints import INT64
from ..errors import InvalidInputError
from ._base import PATHS_OR_TEXT
from ._meta import ALIASES, COERCE, REPEATED, WIDTH, WIRE
from ._numbers import InexactNumberError, lenient, money_cache
from ._scalars import (
    _COERCERS,
    _OPTIONAL_PAIRS,
    _OPTIONAL_SCALARS,
    INT_TYPES,
    _req_int,
    _to_bool,
    _to_datetime,
    _to_decimal,
)
from ._structgen import FieldSpec, Inline, Shortcut, make_model_structure_fn
from .enums import TolerantIntEnum

__all__ = ["FAST_PATH", "InexactNumberError", "converter", "make_converter", "snake_to_camel", "structure",
           "structure_reply", "unstructure", "wire_name"]

T = TypeVar("T")
Hook = Callable[[Any, Any], Any]

_NONE_TYPE = type(None)

#: Whether models use the generated fast path (``RAYVISION_STRUCTURE_FAST_PATH=0`` turns it off).
FAST_PATH = os.environ.get("RAYVISION_STRUCTURE_FAST_PATH", "1").strip().lower() not in ("0", "false", "no", "off")


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
    try:
        return converter.structure(data, cl)
    except InexactNumberError:
        with lenient():  # no exact decoding to turn to: take every float as it is
            return converter.structure(data, cl)


def structure_reply(data: Any, cl: type[T], exact: Callable[[], Any]) -> T:
    """:func:`structure` for a reply's fast decoding ``data``; ``exact()`` decodes it exactly, if needed.

    ``exact`` is called only when a hook distrusts a float (see :mod:`._numbers`), and its data,
    which holds no floats from numbers, is then structured instead.
    """
    try:
        return converter.structure(data, cl)
    except InexactNumberError:
        return structure(exact(), cl)


@checked_binding()
def unstructure(obj: Any) -> Any:
    """The service's form of a model (or a tuple/dict of models): the inverse of :func:`structure`.

    Models become dicts keyed by wire name (camelCase, or the field's ``wire`` metadata), with every
    field, ``None`` included; times become epoch milliseconds, enums their int codes, tuples lists.
    Money stays ``Decimal`` (the models' type). ``structure(unstructure(m),
    type(m)) == m`` for every model ``m``. An object that fails when read (a mapping whose items
    raise) is an :class:`~rayvision_async.errors.InvalidInputError`.
    """
    try:
        return converter.unstructure(obj)
    except Exception as exc:
        raise InvalidInputError(f"a {type(obj).__name__} cannot be unstructured: {type(exc).__name__}") from exc


# --------------------------------------------------------------------------- hook factories


def _lazy(conv: cattrs.Converter, inner: Any) -> Callable[[], Hook]:
    """Resolve ``inner``'s hook on first use (models may refer to themselves)."""
    cell: list[Hook] = []
    lock = threading.Lock()

    def get() -> Hook:
        if not cell:
            with lock:
                if not cell:
                    cell.append(conv.get_structure_hook(inner))
        return cell[0]

    return get


@functools.cache
def _enum_hook(cls: type[TolerantIntEnum], optional: bool) -> Hook:
    members = cls._value2member_map_  # the defined codes; unknown ones go through cls() (a bounded cache)

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
    """Whether ``t`` is handled by :func:`_optional_hook` (whose hook maps ``None`` to ``None``)."""
    arms = _union_arms(t)
    if arms is None or _NONE_TYPE not in arms:
        return False
    others = frozenset(arms) - {_NONE_TYPE}
    return len(others) == 1 or others in _OPTIONAL_PAIRS


def _optional_hook(conv: cattrs.Converter, t: Any) -> Hook:
    others = frozenset(get_args(t)) - {_NONE_TYPE}
    if len(others) > 1:
        return _OPTIONAL_PAIRS[others]
    (inner,) = others
    scalar = _OPTIONAL_SCALARS.get(inner)
    if scalar is not None:
        return scalar[0]
    if _is_enum(inner):
        return _enum_hook(inner, optional=True)
    get = _lazy(conv, inner)
    resolved: list[Hook] = []  # the inner hook once known: one call per value instead of two

    def structure_optional(value: Any, _: Any) -> Any:
        if value is None:
            return None
        if not resolved:
            resolved.append(get())
        return resolved[0](value, inner)

    return structure_optional


def _shortcut(conv: cattrs.Converter, t: Any) -> Shortcut | None:
    """The inline shortcut the fast path may use for a field of type ``t``, read from the table above.

    A required ``int`` has one (its range), and ``X | None``: a scalar's declared
    :class:`~._structgen.Inline` (an int's with the range of its width, a money amount's with the
    money cache); for a :class:`TolerantIntEnum`, a lookup of int codes in the enum's own member map
    (unknown codes go to the hook, whose pseudo-members live in a bounded cache); for a model, its
    own structure function (``None`` stays None, as :func:`_optional_hook` does). The generator
    checks that ``hook`` is the converter's hook.
    """
    if t is int:  # a required int (``TaskInfo.id``): a Java long
        return Shortcut(Inline.INT_RANGE, _req_int, (int, *INT64))
    arms = _union_arms(t)
    if arms is None or len(arms) != 2 or _NONE_TYPE not in arms:
        return None
    inner = arms[0] if arms[1] is _NONE_TYPE else arms[1]
    scalar = _OPTIONAL_SCALARS.get(inner)
    if scalar is not None:
        hook, inline, width = scalar
        if inline is None:
            return None
        if inline is Inline.CACHED_FLOAT:
            return Shortcut(inline, hook, money_cache)
        if inline is Inline.INT_RANGE:
            return Shortcut(inline, hook, (int, *width))
        return Shortcut(inline, hook, inner)
    if _is_enum(inner):
        return Shortcut(Inline.ENUM_CODE, _enum_hook(inner, optional=True), inner._value2member_map_)
    if _is_model(inner):
        return Shortcut(Inline.INNER, conv.get_structure_hook(t), (inner, _lazy(conv, inner)))
    return None


def _is_var_tuple(t: Any) -> bool:
    args = get_args(t)
    return get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _var_tuple_hook(conv: cattrs.Converter, t: Any) -> Hook:
    inner = get_args(t)[0]
    get = _lazy(conv, inner)

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


def _plain_model_fn(cl: Any, conv: cattrs.Converter, fields: list[FieldSpec]) -> Hook:
    """cattrs' own structure function with the same names and hooks (the path without the fast path)."""
    overrides: dict[str, Any] = {"_cattrs_forbid_extra_keys": False, "_cattrs_detailed_validation": False}
    for spec in fields:
        hook = spec.coercer if spec.structure_as is None else conv.get_structure_hook(spec.structure_as)
        overrides[spec.field.name] = override(rename=spec.wire, struct_hook=hook)
    generated: Hook = make_dict_structure_fn(cl, conv, **overrides)
    pairs = tuple((alias, spec.wire) for spec in fields for alias in spec.aliases)
    if not pairs:
        return generated

    def structure_with_aliases(value: Any, t: Any) -> Any:
        for alias, wire in pairs:
            if alias in value and wire not in value:
                value = {**value, wire: value[alias]}
        return generated(value, t)

    return structure_with_aliases


def _model_hook(conv: cattrs.Converter, fast_path: bool, cl: Any) -> Hook:
    fields: list[FieldSpec] = []
    for field in attrs.fields(attrs.resolve_types(get_origin(cl) or cl)):
        coerce = field.metadata.get(COERCE)
        coercer, texts = _COERCERS[coerce] if coerce is not None else (None, None)
        width = field.metadata.get(WIDTH)
        structure_as = None if width is None else INT_TYPES[width] | None  # an ``int | None`` of that width
        fields.append(FieldSpec(field, wire_name(field), tuple(field.metadata.get(ALIASES, ())), coercer, texts,
                                bool(field.metadata.get(REPEATED)), structure_as))
    plain = _plain_model_fn(cl, conv, fields)
    if not fast_path:
        return plain
    return make_model_structure_fn(cl, conv, fields, fallback=plain, shortcut=functools.partial(_shortcut, conv),
                                   maps_none=_is_optional)



def _paths_or_text(value: Any, _: Any) -> tuple[str, ...] | str:
    if isinstance(value, str):
        return value
    return () if value is None else tuple(str(item) for item in value)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _epoch_ms(value: datetime) -> int | float:
    """Epoch milliseconds of ``value`` (naive means UTC): an int, a float only below a millisecond."""
    micros = (value if value.tzinfo is not None else value.replace(tzinfo=UTC)) - _EPOCH
    whole, rest = divmod(micros // _MICROSECOND, 1000)
    return whole if not rest else whole + rest / 1000


def _model_unstructure_fn(conv: cattrs.Converter, cl: Any) -> Callable[[Any], dict[str, Any]]:
    """A model → ``{wire name: unstructured value}`` for every field; values dispatch on their class."""
    pairs = tuple((field.name, wire_name(field)) for field in attrs.fields(get_origin(cl) or cl))
    unstructure_value = conv.unstructure

    def unstructure_model(obj: Any) -> dict[str, Any]:
        return {wire: unstructure_value(getattr(obj, name)) for name, wire in pairs}

    return unstructure_model


def _register_unstructure(conv: cattrs.Converter) -> None:
    """The inverse rules: models by wire name, times to epoch ms, enums to codes, sequences to lists."""
    unstructure_value = conv.unstructure
    conv.register_unstructure_hook(datetime, _epoch_ms)
    conv.register_unstructure_hook_factory(_is_enum, lambda _t: int)
    conv.register_unstructure_hook_factory(_is_model, functools.partial(_model_unstructure_fn, conv))
    conv.register_unstructure_hook_func(
        lambda t: t in (tuple, list), lambda value: [unstructure_value(item) for item in value])
    conv.register_unstructure_hook(dict, lambda value: {key: unstructure_value(item) for key, item in value.items()})


def make_converter(*, fast_path: bool = FAST_PATH) -> cattrs.Converter:
    """A converter with every rule of this module; ``fast_path=False`` leaves models to cattrs' generator.

    The module's :data:`converter` is the one built at import; tests build others to compare.
    """
    conv = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)
    conv.register_structure_hook(int, _req_int)
    conv.register_structure_hook(Decimal, _to_decimal)
    conv.register_structure_hook(datetime, _to_datetime)
    conv.register_structure_hook(bool, _to_bool)
    conv.register_structure_hook_factory(_is_enum, lambda t: _enum_hook(t, optional=False))
    conv.register_structure_hook_factory(_is_optional, functools.partial(_optional_hook, conv))
    conv.register_structure_hook_factory(_is_var_tuple, functools.partial(_var_tuple_hook, conv))
    conv.register_structure_hook_factory(_is_model, functools.partial(_model_hook, conv, fast_path))
    conv.register_structure_hook_func(lambda t: t == PATHS_OR_TEXT, _paths_or_text)
    _register_unstructure(conv)
    return conv


#: The converter. Use :func:`structure` rather than calling it directly.
converter = make_converter()
