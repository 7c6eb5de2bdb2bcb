"""Generated structure functions for attrs models (used by :mod:`rayvision_async.models._converter`).

For each model class the generator writes, compiles and caches one Python function that reads each
field from a JSON object (a ``dict``) by its wire key (then its aliases), checks the common cases
inline (``type(v) is int`` for ``int | None``, a dict lookup for a known enum code, …) and calls the
converter's own hook for everything else, so the result is the same as calling the hooks for every
field. The instance is then built without attrs' keyword ``__init__`` (``object.__new__`` and the
slot descriptors) when the class has nothing ``__init__`` would run besides setting its fields;
otherwise the generated code calls the class.

Inputs that are not exactly a ``dict`` go to ``fallback`` (cattrs' own generated function), which
keeps the behaviour for odd inputs exactly as it was.
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from .enums import TolerantIntEnum

__all__ = ["FieldSpec", "make_model_structure_fn"]

Hook = Callable[[Any, Any], Any]

_NONE_TYPE = type(None)
#: Types whose optional hook returns a value of exactly that type unchanged.
_IDENTITY = (int, str, float, bool, Decimal)
_MISSING = object()
_counter = itertools.count()


class FieldSpec(NamedTuple):
    """How the converter reads one attrs field."""

    field: attrs.Attribute[Any]
    wire: str  #: the wire key
    aliases: tuple[str, ...]  #: other keys accepted when the wire key is absent
    coercer: Hook | None  #: a special hook replacing the type's own, or None


def _cattrs_fn(cl: Any, converter: cattrs.Converter, fields: list[FieldSpec]) -> Hook:
    """cattrs' own structure function with the same names and hooks: the path for non-dict inputs."""
    overrides: dict[str, Any] = {"_cattrs_forbid_extra_keys": False, "_cattrs_detailed_validation": False}
    for spec in fields:
        overrides[spec.field.name] = override(rename=spec.wire, struct_hook=spec.coercer)
    generated: Hook = make_dict_structure_fn(cl, converter, **overrides)
    pairs = tuple((alias, spec.wire) for spec in fields for alias in spec.aliases)
    if not pairs:
        return generated

    def structure_with_aliases(value: Any, t: Any) -> Any:
        for alias, wire in pairs:
            if alias in value and wire not in value:
                value = {**value, wire: value[alias]}
        return generated(value, t)

    return structure_with_aliases


def _substitute(t: Any, mapping: Mapping[Any, Any]) -> Any:
    """``t`` with the type variables of a generic model replaced (``tuple[T, ...]`` → ``tuple[X, ...]``)."""
    if isinstance(t, TypeVar):
        return mapping.get(t, t)
    params = getattr(t, "__parameters__", ())
    if params and get_origin(t) is not None:
        return t[tuple(_substitute(p, mapping) for p in params)]
    return t


def _typevar_mapping(cl: Any) -> dict[Any, Any]:
    """Type variable → type for ``cl`` (``Page[X]``) and for the generic bases of a subclass."""
    base = get_origin(cl) or cl
    mapping: dict[Any, Any] = dict(zip(getattr(base, "__parameters__", ()), get_args(cl), strict=False))
    for klass in base.__mro__:
        for orig in getattr(klass, "__orig_bases__", ()):
            params: tuple[Any, ...] = getattr(get_origin(orig), "__parameters__", ())
            if params:
                args = [_substitute(arg, mapping) for arg in get_args(orig)]
                mapping.update(zip(params, args, strict=False))
    return mapping


def _has_typevar(t: Any) -> bool:
    return isinstance(t, TypeVar) or bool(getattr(t, "__parameters__", ()))


def _plain_init(base: type) -> bool:
    """True if ``base.__init__`` only sets slots, so ``object.__new__`` plus the slots is the same."""
    if "__slots__" not in base.__dict__ or hasattr(base, "__attrs_pre_init__") or hasattr(base, "__attrs_post_init__"):
        return False
    fields = attrs.fields(base)
    if any(f.validator is not None or f.converter is not None or not f.init for f in fields):
        return False
    slots = {
        name
        for klass in base.__mro__
        for name in getattr(klass, "__slots__", ())
        if name not in ("__weakref__", "__dict__")
    }
    return slots == {f.name for f in fields}


def _slot_setter(base: type, name: str) -> Any:
    for klass in base.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name].__set__
    raise AttributeError(name)  # pragma: no cover - _plain_init checked the slots


def make_model_structure_fn(
    cl: Any,
    converter: cattrs.Converter,
    fields: list[FieldSpec],
    optional_hooks: Mapping[Any, Hook],
    is_optional: Callable[[Any], bool],
) -> Hook:
    """The structure function for model ``cl`` (a class or a parametrised generic class).

    ``fields`` says how to read each attrs field; the other hooks come from ``converter``.
    ``optional_hooks`` maps ``X`` to the converter's hook for ``X | None``, so the generator knows
    which hooks it may short-cut; ``is_optional`` says which types have a hook that maps ``None`` to
    ``None``.
    """
    fallback = _cattrs_fn(cl, converter, fields)
    base = get_origin(cl) or cl
    mapping = _typevar_mapping(cl)
    types = [_substitute(spec.field.type, mapping) for spec in fields]
    if any(_has_typevar(t) for t in types):
        return fallback
    plain = _plain_init(base)
    ns: dict[str, Any] = {"_cl": base, "_fallback": fallback, "_M": _MISSING, "_new": object.__new__,
                          "_dict": dict, "_fromts": datetime.fromtimestamp, "_UTC": UTC}
    lines = ["def structure(o, _=None):", "    if type(o) is not _dict:", "        return _fallback(o, _)",
             "    get = o.get"]
    if plain:
        lines.append("    inst = _new(_cl)")
    for i, ((field, wire, aliases, coercer), t) in enumerate(zip(fields, types, strict=True)):
        hook = coercer if coercer is not None else converter.get_structure_hook(t)
        ns[f"_h{i}"], ns[f"_t{i}"], ns[f"_d{i}"] = hook, t, field.default
        skip_none = coercer is None and field.default is None and is_optional(t)
        if aliases or not skip_none:
            lines.append(f"    v = get({wire!r}, _M)")
            lines.extend(f"    if v is _M: v = get({alias!r}, _M)" for alias in aliases)
        else:
            lines.append(f"    v = get({wire!r})")
        if not skip_none:
            lines.append(f"    v = _d{i} if v is _M else _h{i}(v, _t{i})")
        else:
            if aliases:
                lines.append("    if v is _M: v = None")
            inner = next(a for a in get_args(t) if a is not _NONE_TYPE) if len(get_args(t)) == 2 else None
            if inner in _IDENTITY and hook is optional_hooks.get(inner):
                ns[f"_k{i}"] = inner
                lines.append(f"    if v is not None and type(v) is not _k{i}: v = _h{i}(v, _t{i})")
            elif inner is datetime and hook is optional_hooks.get(inner):
                lines.append("    if v is not None:")
                # the hook's own int branch: 0 means "not set", else epoch milliseconds
                lines.append(f"        if type(v) is not int: v = _h{i}(v, _t{i})")
                lines.append("        else: v = _fromts(v / 1000, _UTC) if v else None")
            elif isinstance(inner, type) and issubclass(inner, TolerantIntEnum):
                ns[f"_e{i}"] = inner._value2member_map_  # unknown codes are added to this same dict
                lines.append("    if v is not None:")
                lines.append(f"        m = _e{i}.get(v) if type(v) is int else None")
                lines.append(f"        v = _h{i}(v, _t{i}) if m is None else m")
            else:
                lines.append(f"    if v is not None: v = _h{i}(v, _t{i})")
        if plain:
            ns[f"_s{i}"] = _slot_setter(base, field.name)
            lines.append(f"    _s{i}(inst, v)")
        else:
            lines.append(f"    v{i} = v")
    if plain:
        lines.append("    return inst")
    else:
        args = ", ".join(f"{spec.field.alias}=v{i}" for i, spec in enumerate(fields))
        lines.append(f"    return _cl({args})")
    source = "\n".join(lines) + "\n"
    filename = f"<rayvision_async structure {base.__qualname__} #{next(_counter)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), ns)  # source generated above from field metadata
    fn: Hook = ns["structure"]
    return fn
