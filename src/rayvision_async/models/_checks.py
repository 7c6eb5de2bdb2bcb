"""A model built by hand gets the converter's types, or an :class:`~rayvision_async.errors.InvalidInputError`.

The converter only ever builds models from values its hooks made, so a structured model is right by
construction (and the fast path builds it without calling ``__init__``). A model built by hand
(``TaskInfo(id=1, total_frames=10)`` in a test, ``attrs.evolve``) is checked here instead: each field
takes what its annotation says and what the converter could have made — an ``int`` within the
width of its Java field (never a bool), a finite ``float``, a ``Decimal`` money amount below the money
limit, a ``datetime``, an enum member, a tuple of the item type, a model. Texts are not limited: the
service's own texts have no length the SDK knows. A keyword that is no field, or a surplus positional
argument, is an :class:`InvalidInputError` too, not a ``TypeError``.

:func:`install` wraps a class's attrs-generated ``__init__``; it is applied to every model (and to
the SDK's other public attrs records) where they are defined.
"""

from __future__ import annotations

import collections.abc as abc
import functools
import inspect
import types
import typing
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from .._service_ints import FLOAT_LIMIT, INT64, MONEY_LIMIT, Width
from ..errors import InvalidInputError
from ._meta import WIDTH

__all__ = ["install"]

Check = Callable[[Any], bool]


def _entries_fit(value: abc.Mapping[Any, Any], keys: Check, items: Check) -> bool:
    try:
        return all(keys(key) and items(item) for key, item in value.items())
    except Exception:  # a mapping that fails when read fits nothing
        return False


def _always(value: Any) -> bool:
    return True


def _int_within(width: Width) -> Check:
    low, high = width
    return lambda value: isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _finite_float(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and -FLOAT_LIMIT <= value <= FLOAT_LIMIT


def _money(value: Any) -> bool:
    return isinstance(value, Decimal) and value.is_finite() and -MONEY_LIMIT < value < MONEY_LIMIT


def _instance_of(cls: type) -> Check:
    return lambda value: isinstance(value, cls)


def _check_for(hint: Any, width: Width | None = None) -> Check:
    """The check of one field type (``width``: the field's int range when it has one)."""
    if hint is Any or isinstance(hint, typing.TypeVar):
        return _always
    if hint is None or hint is type(None):
        return lambda value: value is None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        arms = [_check_for(arm, width) for arm in args]
        return lambda value: any(arm(value) for arm in arms)
    if origin is typing.Annotated:
        return _check_for(args[0], width)
    if origin is typing.Literal:  # the same type too: True == 1, but a bool is no int code (nor an int a bool)
        return lambda value: any(type(value) is type(arg) and value == arg for arg in args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _check_for(args[0], width)
            return lambda value: isinstance(value, tuple) and all(item(element) for element in value)
        return _instance_of(tuple)
    if origin in (dict, abc.Mapping) and len(args) == 2:
        keys, items = _check_for(args[0]), _check_for(args[1])
        return lambda value: isinstance(value, abc.Mapping) and _entries_fit(value, keys, items)
    if origin in (frozenset, set) and len(args) == 1:
        item = _check_for(args[0])
        return lambda value: isinstance(value, origin) and all(item(element) for element in value)
    if origin is not None:  # another generic: its class
        return _instance_of(origin)
    if hint is bool:
        return lambda value: type(value) is bool
    if hint is int:
        return _int_within(width or INT64)
    if hint is float:
        return _finite_float
    if hint is Decimal:
        return _money
    if hint is datetime or isinstance(hint, type):
        return _instance_of(hint)
    return _always  # a form this module does not know: left to the converter's own rules


def _shown(value: Any) -> str:
    if isinstance(value, int | float | Decimal | bool) and not (isinstance(value, int) and abs(value) > 10**30):
        return f"{type(value).__name__} {value!r}"
    return f"a {type(value).__name__}"


def install(cls: type) -> type:
    """Make ``cls(...)`` check its arguments against its fields (see the module docstring); returns ``cls``.

    The checks are built when the class is first constructed by hand, not when it is defined: importing
    the models costs nothing for them.
    """
    init = cls.__init__  # type: ignore[misc]
    name = cls.__name__
    prepared: list[tuple[inspect.Signature, dict[str, tuple[str, Check]]]] = []

    def prepare() -> tuple[inspect.Signature, dict[str, tuple[str, Check]]]:
        fields = attrs.fields(attrs.resolve_types(cls))
        checks = {field.alias or field.name: (_type_name(field.type, field.metadata.get(WIDTH)),
                                              _check_for(field.type, field.metadata.get(WIDTH)))
                  for field in fields if field.init}
        prepared.append((inspect.signature(init), checks))
        return prepared[0]

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        signature, checks = prepared[0] if prepared else prepare()
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError as exc:
            raise InvalidInputError(f"{name}(): {exc}") from None
        for key, value in bound.arguments.items():
            entry = checks.get(key)
            if entry is not None and not entry[1](value):
                raise InvalidInputError(f"{name}.{key} must be {entry[0]}, got {_shown(value)}")
        init(self, *args, **kwargs)

    cls.__init__ = __init__  # type: ignore[misc]
    return cls


def _type_name(hint: Any, width: Width | None) -> str:
    text = getattr(hint, "__name__", None) if not typing.get_args(hint) else None
    text = text or str(hint).replace("typing.", "").replace("decimal.", "").replace("datetime.", "")
    low, high = width or INT64
    return text + (f" (ints from {low} to {high})" if "int" in text.split(" | ") else "")
