"""Generated structure functions for attrs models (used by :mod:`rayvision_async.models._converter`).

For each model class the generator writes, compiles and caches one Python function that reads each
field from a JSON object (a ``dict``) by its wire key (then its aliases), checks the common cases
inline (``type(v) is int`` for ``int | None``, a dict lookup for a known enum code, …) and calls the
converter's own hook for everything else, so the result is the same as calling the hooks for every
field. The instance is then built without attrs' keyword ``__init__`` when the class has nothing
``__init__`` would run besides setting its fields: a mutable twin of the class is filled by plain
attribute stores and its ``__class__`` set to the model (:func:`_builder`; the slot descriptors
where no twin can stand for the class); otherwise the generated code calls the class.

Which hooks it may skip, and how, is not decided here: the converter declares each shortcut next to
its hooks (``shortcut(t)`` returns a :class:`Shortcut` whose :class:`Inline` kind names one of the
inline checks below), and the generator uses a shortcut only while ``hook`` is the hook the
converter would call anyway.

Inputs that are not exactly a ``dict`` go to ``fallback`` (cattrs' own generated function), which
keeps the behaviour for odd inputs exactly as it was.

A ``str | None`` field marked ``repeated`` keeps a pool of the texts it has seen (at most
:data:`TEXT_POOL_SIZE` per field; later new texts are kept as they come), so equal values of many
records are one string object.

A small model (at most :data:`SHARED_EMPTY_FIELDS` fields, every default None) whose fields all come
out None is one shared instance (``TaskInfo.task_key_value_vo`` is usually all nulls): models are
frozen, so only ``is`` can tell, and a large poll holds one object per task fewer.
"""

from __future__ import annotations

import enum
import itertools
import linecache
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Generic, NamedTuple, TypeVar, get_args, get_origin

import attrs
import cattrs

__all__ = ["FieldSpec", "Inline", "Shortcut", "make_model_structure_fn"]

Hook = Callable[[Any, Any], Any]

_MISSING = object()
_counter = itertools.count()
#: Models with at most this many fields share one instance for "every field None".
SHARED_EMPTY_FIELDS = 8
#: Distinct texts pooled per ``repeated`` field.
TEXT_POOL_SIZE = 1024
#: The largest magnitude of a "compact" int (one 30-bit digit), which CPython compares fastest.
_COMPACT = 2**30 - 1


def _pooled(pool: dict[str, str], text: str) -> str:
    """``text``, remembered in ``pool`` while it has room (the miss path of a ``repeated`` field)."""
    if len(pool) < TEXT_POOL_SIZE:
        pool[text] = text
    return text


class FieldSpec(NamedTuple):
    """How the converter reads one attrs field."""

    field: attrs.Attribute[Any]
    wire: str  #: the wire key
    aliases: tuple[str, ...]  #: other keys accepted when the wire key is absent
    coercer: Hook | None  #: a special hook replacing the type's own, or None
    #: The coercer's results for some exact texts (``"{}"`` → ``()``), read without calling it.
    texts: Mapping[str, Any] | None = None
    #: A text field whose values repeat across records: each distinct value is stored once.
    repeated: bool = False
    #: The type to structure the field as instead of its annotation (an ``int | None`` of a narrower width).
    structure_as: Any = None


class Inline(enum.Enum):
    """The inline checks the generated code knows, each standing for a hook on the values it covers."""

    #: A value of exactly type ``Shortcut.exact`` is returned unchanged.
    IDENTITY = "identity"
    #: An ``int`` is epoch milliseconds: 0 becomes None, anything else a UTC datetime.
    EPOCH_MS = "epoch_ms"
    #: An ``int`` found in the mapping ``Shortcut.exact`` (an enum's member map) is that member.
    ENUM_CODE = "enum_code"
    #: ``Shortcut.exact`` is the hook's own float → result cache: a ``float`` found there is its cached result.
    CACHED_FLOAT = "cached_float"
    #: ``Shortcut.exact`` is ``(int, low, high)``: an ``int`` from ``low`` to ``high`` is returned unchanged
    #: (the generated code may leave some of them to the hook, which returns them unchanged too).
    INT_RANGE = "int_range"
    #: ``Shortcut.exact`` is ``(model, get)``: a value that is not None goes to ``get()``, the model's own
    #: structure function (resolved on first use: models may refer to themselves), called directly.
    INNER = "inner"


class Shortcut(NamedTuple):
    """A converter's declaration that the fast path may do ``inline`` instead of calling ``hook``."""

    inline: Inline
    hook: Hook  #: the hook the shortcut stands for; other values still go to it
    #: IDENTITY: the exact type; ENUM_CODE: the code → member mapping; CACHED_FLOAT: the cache;
    #: INT_RANGE: (int, lowest, highest).
    exact: Any


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


def _compact(low: int, high: int) -> str:
    """Source of the inline range check of an int ``v``: ``low <= v <= high`` within the compact ints.

    CPython compares single-digit (compact) ints fastest; an int beyond them within ``low..high`` fails
    this check and goes to the hook, which applies the field's whole width and returns it.
    """
    return f"{max(int(low), -_COMPACT)} <= v <= {min(int(high), _COMPACT)}"


def _first_inner_call(ns: dict[str, Any], i: int, inner: Any, get: Callable[[], Hook]) -> Hook:
    """A hook for field ``i`` that resolves the inner model's function and puts it in its place in ``ns``."""

    def first_call(value: Any, _: Any) -> Any:
        hook = get()
        ns[f"_h{i}"], ns[f"_t{i}"] = hook, inner  # later calls go straight to the model's function
        return hook(value, inner)

    return first_call


_OBJECT_SETATTR: Any = object.__setattr__


def _builder(base: type) -> type | None:
    """A mutable twin of ``base`` (same bases, same slots) whose instances may become ``base`` instances.

    The generated code fills a twin instance with plain attribute stores (CPython's quickest way to
    write a slot) and then sets its ``__class__`` to ``base``: the instance is then exactly what
    ``base(...)`` makes. CPython allows that only between classes of the same layout, which a class
    with a ``__weakref__`` slot beside other slots never has (the models have none), and the twin
    must not inherit a ``__setattr__`` (a model derived from another frozen model): None then, and
    the slots are written through their descriptors.
    """
    slots = base.__dict__.get("__slots__")
    if not isinstance(slots, tuple) or base.__weakrefoffset__:
        return None
    bases = tuple(klass for klass in base.__bases__ if klass is not Generic) or (object,)  # Page[T] too
    try:
        twin = type(f"{base.__name__}Builder", bases, {"__slots__": slots, "__module__": base.__module__})
        if twin.__setattr__ is not _OBJECT_SETATTR:
            return None  # a frozen base model's __setattr__ would refuse the stores (and a custom one slow them)
        object.__setattr__(object.__new__(twin), "__class__", base)
    except TypeError:
        return None
    return twin


def _slot_setter(base: type, name: str) -> Any:
    for klass in base.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name].__set__
    raise AttributeError(name)  # pragma: no cover - _plain_init checked the slots


def make_model_structure_fn(
    cl: Any,
    converter: cattrs.Converter,
    fields: list[FieldSpec],
    *,
    fallback: Hook,
    shortcut: Callable[[Any], Shortcut | None],
    maps_none: Callable[[Any], bool],
) -> Hook:
    """The structure function for model ``cl`` (a class or a parametrised generic class).

    ``fields`` says how to read each attrs field; the other hooks come from ``converter``.
    ``fallback`` structures inputs that are not a ``dict`` (and generic models). ``shortcut(t)`` is
    the converter's declared inline shortcut for field type ``t`` (or None); ``maps_none(t)`` says
    which types have a hook that maps ``None`` to ``None``.
    """
    base = get_origin(cl) or cl
    mapping = _typevar_mapping(cl)
    types = [_substitute(spec.field.type, mapping) if spec.structure_as is None else spec.structure_as
             for spec in fields]
    if any(_has_typevar(t) for t in types):
        return fallback
    plain = _plain_init(base)
    builder = _builder(base) if plain else None
    shared_empty = plain and 0 < len(fields) <= SHARED_EMPTY_FIELDS and all(spec.field.default is None
                                                                            for spec in fields)
    ns: dict[str, Any] = {"_cl": base, "_fallback": fallback, "_M": _MISSING, "_new": object.__new__,
                          "_dict": dict, "_fromts": datetime.fromtimestamp, "_UTC": UTC}
    lines = ["def structure(o, _=None):", "    if type(o) is not _dict:", "        return _fallback(o, _)",
             "    get = o.get"]
    if plain and not shared_empty:
        lines.append("    inst = _new(_cl)" if builder is None else "    inst = _new(_B)")
    # Required fields last, as cattrs reads them, so a document failing twice fails the same way on both paths.
    order = sorted(range(len(fields)), key=lambda n: fields[n].field.default is attrs.NOTHING)
    for i in order:
        (field, wire, aliases, coercer, texts, repeated, _), t = fields[i], types[i]
        hook = coercer if coercer is not None else converter.get_structure_hook(t)
        ns[f"_h{i}"], ns[f"_t{i}"], ns[f"_d{i}"] = hook, t, field.default
        skip_none = coercer is None and field.default is None and maps_none(t)
        if aliases or not skip_none:
            lines.append(f"    v = get({wire!r}, _M)")
            lines.extend(f"    if v is _M: v = get({alias!r}, _M)" for alias in aliases)
        else:
            lines.append(f"    v = get({wire!r})")
        if field.default is attrs.NOTHING:  # a required field: its absence is an error, never a default
            ns[f"_w{i}"] = wire
            lines.append(f"    if v is _M: raise KeyError(_w{i})")
            cut = shortcut(t)
            if cut is not None and cut.hook is hook and cut.inline is Inline.INT_RANGE:
                ns[f"_k{i}"], low, high = cut.exact
                lines.append(f"    if type(v) is not _k{i} or not {_compact(low, high)}: v = _h{i}(v, _t{i})")
            else:
                lines.append(f"    v = _h{i}(v, _t{i})")
        elif not skip_none and texts:
            ns[f"_q{i}"], ns["_str"] = texts.get, str
            lines.append(f"    if v is _M: v = _d{i}")
            lines.append("    else:")
            lines.append(f"        m = _q{i}(v, _M) if type(v) is _str else _M")
            lines.append(f"        v = _h{i}(v, _t{i}) if m is _M else m")
        elif not skip_none:
            lines.append(f"    v = _d{i} if v is _M else _h{i}(v, _t{i})")
        else:
            if aliases:
                lines.append("    if v is _M: v = None")
            cut = shortcut(t)
            if cut is not None and cut.hook is not hook:
                cut = None  # the converter calls another hook for this type: no shortcut
            if cut is not None and cut.inline is Inline.IDENTITY and repeated and cut.exact is str:
                pool: dict[str, str] = {}
                ns[f"_k{i}"], ns[f"_p{i}"], ns[f"_g{i}"], ns["_pooled"] = str, pool, pool.get, _pooled
                lines.append(f"    if type(v) is _k{i}:")
                lines.append(f"        w = _g{i}(v)")
                lines.append(f"        v = _pooled(_p{i}, v) if w is None else w")
                lines.append(f"    elif v is not None: v = _h{i}(v, _t{i})")
            elif cut is not None and cut.inline is Inline.IDENTITY:
                ns[f"_k{i}"] = cut.exact
                lines.append(f"    if type(v) is not _k{i} and v is not None: v = _h{i}(v, _t{i})")
            elif cut is not None and cut.inline is Inline.INT_RANGE:
                ns[f"_k{i}"], low, high = cut.exact
                # Compared with single-digit (compact) ints, the fastest comparison CPython does; an int
                # beyond them (rare for counts and flags) is left to the hook, which applies the width.
                lines.append(f"    if type(v) is not _k{i}:")
                lines.append(f"        if v is not None: v = _h{i}(v, _t{i})")
                lines.append(f"    elif not {_compact(low, high)}: v = _h{i}(v, _t{i})")
            elif cut is not None and cut.inline is Inline.EPOCH_MS:
                lines.append("    if v is not None:")
                lines.append(f"        if type(v) is not int: v = _h{i}(v, _t{i})")
                lines.append("        else: v = _fromts(v / 1000, _UTC) if v else None")
            elif cut is not None and cut.inline is Inline.ENUM_CODE:
                ns[f"_e{i}"] = cut.exact.get
                lines.append("    if v is not None:")
                lines.append(f"        m = _e{i}(v) if type(v) is int else None")
                lines.append(f"        v = _h{i}(v, _t{i}) if m is None else m")
            elif cut is not None and cut.inline is Inline.INNER:
                ns[f"_h{i}"] = _first_inner_call(ns, i, *cut.exact)
                lines.append(f"    if v is not None: v = _h{i}(v, _t{i})")
            elif cut is not None and cut.inline is Inline.CACHED_FLOAT:
                ns[f"_c{i}"], ns["_float"] = cut.exact.get, float
                lines.append("    if type(v) is _float:")
                lines.append(f"        m = _c{i}(v)")
                lines.append(f"        v = _h{i}(v, _t{i}) if m is None else m")
                lines.append(f"    elif v is not None: v = _h{i}(v, _t{i})")
            else:
                lines.append(f"    if v is not None: v = _h{i}(v, _t{i})")
        if plain and builder is None:
            ns[f"_s{i}"] = _slot_setter(base, field.name)
        if plain and not shared_empty:
            lines.append(f"    _s{i}(inst, v)" if builder is None else f"    inst.{field.name} = v")
        else:
            lines.append(f"    v{i} = v")
    if shared_empty:
        ns["_empty"] = base()
        lines.append("    if " + " and ".join(f"v{i} is None" for i in range(len(fields))) + ":")
        lines.append("        return _empty")
        if builder is None:
            lines.append("    inst = _new(_cl)")
            lines.extend(f"    _s{i}(inst, v{i})" for i in range(len(fields)))
        else:
            lines.append("    inst = _new(_B)")
            lines.extend(f"    inst.{spec.field.name} = v{i}" for i, spec in enumerate(fields))
    if builder is not None:
        ns["_B"] = builder
        lines.append("    inst.__class__ = _cl")
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
