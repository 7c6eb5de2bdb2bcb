"""The structuring fast path against the plain cattrs path: same result, or both raise alike.

For every attrs model exported by :mod:`rayvision_async.models`, hypothesis builds camelCase wire
documents from the model's fields (right-typed values, nulls, wrong-typed values, unknown enum
codes, unknown extra keys, aliases, nested models) and structures each with the module's converter
(fast path) and with ``make_converter(fast_path=False)``.
"""

from __future__ import annotations

import linecache
import os
import pickle
import subprocess
import sys
import types
import weakref
from datetime import datetime
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rayvision_async.models as models
from rayvision_async.models import Page, TaskInfo, TolerantIntEnum
from rayvision_async.models import _structgen as structgen
from rayvision_async.models._converter import FAST_PATH, make_converter, wire_name
from rayvision_async.models._meta import ALIASES

FAST = make_converter(fast_path=True)
PLAIN = make_converter(fast_path=False)

MODELS: list[Any] = sorted(
    (obj for name in models.__all__ if attrs.has(obj := getattr(models, name)) and obj is not Page),
    key=lambda cls: cls.__name__,
)
MODELS.append(Page[TaskInfo])

_FAMILIES = (TypeError, ValueError, ArithmeticError, LookupError, AttributeError, OSError)

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["", " ", "0", "-1", "12", " 7 ", "1e3", "nan", "true", "x", "{}", "[]", "[1]"]),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(-3, 3), max_size=2),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
)
INT_TEXT = st.integers(-(10**6), 10**13).map(str)


def _union_arms(t: Any) -> tuple[Any, ...] | None:
    return get_args(t) if get_origin(t) in (Union, types.UnionType) else None


def values(t: Any, depth: int) -> st.SearchStrategy[Any]:
    """Values a service might send for a field of type ``t`` (plus junk)."""
    arms = _union_arms(t)
    if arms is not None:
        return st.one_of(*(values(arm, depth) for arm in arms if arm is not type(None)), st.none())
    if t is type(None):
        return st.none()
    if t is bool:
        right: st.SearchStrategy[Any] = st.one_of(st.booleans(), st.sampled_from(["true", "no", "1", "maybe"]))
    elif t is int:
        right = st.one_of(st.integers(), INT_TEXT, st.floats(allow_nan=False).map(float))
    elif t is str:
        right = st.text(max_size=10)
    elif t is float:
        right = st.one_of(st.floats(allow_nan=False), st.integers(-100, 100), INT_TEXT)
    elif t is Decimal:
        right = st.one_of(st.decimals(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False),
                          st.integers(), INT_TEXT)
    elif t is datetime:
        right = st.one_of(st.integers(-(10**13), 10**13), st.just(0), INT_TEXT, st.floats(-1e13, 1e13))
    elif isinstance(t, type) and issubclass(t, TolerantIntEnum):
        right = st.one_of(st.sampled_from([int(m) for m in t]), st.integers(-5, 300),
                          st.integers(-5, 300).map(str), st.just(""))
    elif get_origin(t) is tuple:
        inner = get_args(t)[0]
        right = st.one_of(st.lists(values(inner, depth), max_size=3), st.just(None))
    elif attrs.has(get_origin(t) or t) and depth > 0:
        right = documents(t, depth - 1)
    else:
        right = JUNK
    return st.one_of(right, right, right, JUNK)  # mostly right-typed


def _field_types(cl: Any) -> list[tuple[attrs.Attribute[Any], Any]]:
    base = get_origin(cl) or cl
    mapping = dict(zip(getattr(base, "__parameters__", ()), get_args(cl), strict=False))
    out = []
    for field in attrs.fields(attrs.resolve_types(base)):
        t = field.type
        if get_origin(t) is tuple and get_args(t) and get_args(t)[0] in mapping:
            t = tuple[mapping[get_args(t)[0]], ...]  # type: ignore[misc]
        out.append((field, t))
    return out


@st.composite
def _document(draw: st.DrawFn, cl: Any, depth: int) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for field, t in _field_types(cl):
        keys = [wire_name(field), *field.metadata.get(ALIASES, ())]
        for key in draw(st.lists(st.sampled_from(keys), unique=True, max_size=len(keys))):
            doc[key] = draw(values(t, depth))
    known = {key for field, _ in _field_types(cl) for key in (wire_name(field), field.name)}
    extra = draw(st.dictionaries(st.text(min_size=1, max_size=6).filter(lambda k: k not in known), JUNK,
                                 max_size=3))
    return {**extra, **doc}


def documents(cl: Any, depth: int = 2) -> st.SearchStrategy[Any]:
    return _document(cl, depth)


def _outcome(conv: Any, doc: Any, cl: Any) -> tuple[str, Any]:
    try:
        result = conv.structure(doc, cl)
    except Exception as exc:  # any failure is compared by family
        family = next((kind for kind in _FAMILIES if isinstance(exc, kind)), type(exc))
        return "raised", family
    return "ok", (type(result), repr(result))


def test_the_module_converter_uses_the_fast_path() -> None:
    assert FAST_PATH  # the test run does not set RAYVISION_STRUCTURE_FAST_PATH=0
    hook = FAST.get_structure_hook(TaskInfo)
    assert hook.__code__.co_filename.startswith("<rayvision_async structure TaskInfo")
    assert not PLAIN.get_structure_hook(TaskInfo).__code__.co_filename.startswith("<rayvision_async")


@pytest.mark.parametrize("cl", MODELS, ids=lambda cl: repr(cl).rsplit(".", 1)[-1].rstrip("'>"))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_fast_path_matches_plain_cattrs(cl: Any, data: st.DataObject) -> None:
    doc = data.draw(st.one_of(documents(cl), documents(cl), documents(cl), JUNK), label="document")
    assert _outcome(FAST, doc, cl) == _outcome(PLAIN, doc, cl)


def test_environment_switch_turns_the_fast_path_off() -> None:
    code = ("from rayvision_async.models._converter import FAST_PATH, converter\n"
            "from rayvision_async.models import TaskInfo\n"
            "hook = converter.get_structure_hook(TaskInfo)\n"
            "print(FAST_PATH, hook.__code__.co_filename.startswith('<rayvision_async'))\n")
    env = {**os.environ, "RAYVISION_STRUCTURE_FAST_PATH": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# -- how the fast path builds an instance: a mutable twin that becomes the model -----------------------

@pytest.mark.parametrize("cl", MODELS, ids=lambda cl: repr(cl).rsplit(".", 1)[-1].rstrip("'>"))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_a_structured_model_is_an_ordinary_frozen_instance_of_its_class(cl: Any, data: st.DataObject) -> None:
    doc = data.draw(documents(cl), label="document")
    try:
        result = FAST.structure(doc, cl)
    except Exception:  # what the fast path refuses, plain cattrs refuses alike (the test above)
        return
    model = get_origin(cl) or cl
    assert type(result) is model
    first = attrs.fields(model)[0].name
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(result, first, None)
    assert pickle.loads(pickle.dumps(result)) == result
    assert attrs.evolve(result) == result


def test_a_model_is_filled_by_plain_stores_into_its_twin() -> None:
    hook = FAST.get_structure_hook(TaskInfo)
    assert structgen._builder(TaskInfo) is not None
    assert "inst.__class__ = _cl" in "".join(linecache.getlines(hook.__code__.co_filename))
    assert not hasattr(TaskInfo(id=1), "__weakref__")  # no weakref slot: 8 bytes less per model, and the twin allowed


@attrs.frozen(kw_only=True)
class WithWeakref(models.ServiceModel):
    name: str | None = None
    count: int | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class DerivedPage(Page[TaskInfo]):
    extra: int | None = None


@pytest.mark.parametrize("cl", [WithWeakref, DerivedPage])
def test_a_model_the_twin_cannot_stand_for_is_written_through_its_slots(cl: type) -> None:
    # a __weakref__ slot gives another layout; a frozen base model's __setattr__ would refuse the stores
    assert structgen._builder(cl) is None
    fields = {"name": "x", "count": 3} if cl is WithWeakref else {"extra": 3, "items": [{"id": 5}]}
    result = make_converter(fast_path=True).structure(fields, cl)
    assert type(result) is cl
    assert result == make_converter(fast_path=False).structure(fields, cl)
    if cl is WithWeakref:
        assert weakref.ref(result)() is result
