"""Random careless arguments for any endpoint row: refused before sending, or sent as a well-formed body.

For every generated call exactly one of two things happens: it raises
``InvalidInputError`` and nothing was sent, or exactly one request went out and
its body holds only what the service can read (strings of valid Unicode, ints
within the width of their Java field, lists and objects). Any other exception,
or a body with a float, a bool, a null or an out-of-range int, fails.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.recorder import ENV, LONG_WIRE, baseline, method, recording_client
from rayvision_async.api._row import Endpoint
from rayvision_async.api._table import ENDPOINTS
from rayvision_async.errors import InvalidInputError, RayvisionError

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)

#: Text with lone surrogates and digits of other scripts among ordinary letters.
texts = st.text(st.characters(categories=["Ll", "Lu", "Lo", "Nd", "Cs", "Zs", "Po"]), max_size=8)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, -1, 0, 1, 2000, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True), texts, st.binary(max_size=3),
    st.sampled_from(["task.json", "maya", "windows", "2020-01-01 00:00:00", "2020-02-30 00:00:00", '{"a": NaN}']),
    st.datetimes(timezones=st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=-12))])), st.dates(),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner), st.frozensets(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.one_of(texts, st.integers(-3, 3), st.booleans()), inner, max_size=3)), max_leaves=8)


ints = st.one_of(st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 1, 100, 101, 2000]),
                st.integers(min_value=-(2**70), max_value=2**70))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), ints, st.floats(allow_nan=True, allow_infinity=True), texts),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.one_of(texts, st.integers(-3, 3), st.none()), inner, max_size=3)),
    max_leaves=8)
#: Values close to what each kind of parameter takes: the right shape, the wrong detail.
NEAR: dict[str, st.SearchStrategy[Any]] = {
    "int": ints,
    "Iterable[int]": st.one_of(st.lists(ints, max_size=4), st.tuples(ints), st.frozensets(ints, max_size=3)),
    "int | str": st.one_of(ints, texts, ints.map(str)),
    "Iterable[int | str]": st.lists(st.one_of(ints, texts, ints.map(str)), max_size=3),
    "str": texts,
    "Iterable[str]": st.lists(texts, max_size=3),
    "str | int": st.one_of(texts, ints, st.sampled_from(["maya", "3ds Max", "Octane-Render", 2000, 2020])),
    "Iterable[str | int]": st.lists(st.one_of(texts, ints, st.sampled_from(["maya", "houdini"])), max_size=3),
    "datetime | date | str": st.one_of(
        st.datetimes(timezones=st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=14))])), st.dates(),
        st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\Z")),
    "str | Mapping[str, Any]": st.one_of(
        st.dictionaries(st.one_of(texts, st.integers(-3, 3)), json_values, max_size=3),
        st.dictionaries(texts, json_values, max_size=3).map(lambda doc: json.dumps(doc, ensure_ascii=False))),
    "Mapping[str, Any]": st.fixed_dictionaries({**{key: st.just(value) for key, value in ENV.items()}}).flatmap(
        lambda env: st.sampled_from(sorted(env)).flatmap(
            lambda key: json_values.map(lambda value: {**env, key: value}))),
}


@st.composite
def careless_calls(draw: st.DrawFn) -> tuple[Endpoint, dict[str, Any], str]:
    endpoint = draw(st.sampled_from([e for e in ENDPOINTS if e.params]))
    changed = draw(st.lists(st.sampled_from(endpoint.params), min_size=1, max_size=3, unique=True))
    arguments = {**baseline(endpoint),
                 **{param.name: draw(st.one_of(NEAR[param.kind.annotation], values)) for param in changed}}
    protocol = draw(st.sampled_from(["current", "2018"] if endpoint.legacy_path else ["current"]))
    return endpoint, arguments, protocol


def _wire_problems(value: Any, key: str, where: str, *, long: bool) -> list[str]:
    kind = type(value)
    if kind is dict:
        return [problem for name, child in value.items()
                for problem in _wire_problems(child, name, f"{where}.{name}", long=long or name in LONG_WIRE)]
    if kind is list:
        return [problem for index, child in enumerate(value)
                for problem in _wire_problems(child, key, f"{where}[{index}]", long=long)]
    if kind is str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return [f"{where}: a lone surrogate"]
        return []
    if kind is int:
        low, high = INT64 if long else INT32
        return [] if low <= value <= high else [f"{where}: {value} outside {low}..{high}"]
    return [f"{where}: a {kind.__name__}"]


async def _run(endpoint: Endpoint, arguments: dict[str, Any], protocol: Any) -> None:
    async with recording_client(protocol) as (api, recorder):
        try:
            await method(api, endpoint)(**arguments)
        except InvalidInputError:
            assert recorder.requests == [], f"refused after sending: {endpoint.name}({arguments!r:.200})"
            assert api.requests_sent == 0
            return
        except RayvisionError:
            pass  # sent; the recorder's canned reply need not fit the row's result type
        assert len(recorder.requests) == 1
        body = json.loads(recorder.requests[0].content)
        problems = [problem for name, child in body.items()
                    for problem in _wire_problems(child, name, name, long=name in LONG_WIRE)]
        assert not problems, f"{endpoint.name}({arguments!r:.300}) sent {problems}"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(careless_calls())
def test_careless_calls_are_refused_or_sent_well_formed(call: tuple[Endpoint, dict[str, Any], str]) -> None:
    endpoint, arguments, protocol = call
    asyncio.run(_run(endpoint, arguments, protocol))
