"""Every parameter of every endpoint row refuses careless values before anything is sent.

The catalogue is generated from the endpoint table: each parameter gets the
careless values of its kind (by the annotation its stub shows), so a new row
or parameter is covered as soon as it exists, and a new kind of parameter
fails :func:`test_every_kind_has_a_catalogue` until it gets one. Both path sets
are tried. Every refusal must be an ``InvalidInputError`` with zero requests
sent; a baseline call per row shows that the same call with good values does
reach the (recording) server, so a refusal is the bad value's doing.

The integer widths are the service's (a Java service): a field the protocol
documents type ``Long`` — and the ids, which the SDK treats as ``Long`` — takes
any signed 64-bit value and nothing wider; every other integer field is an
``Integer`` (signed 32-bit).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from helpers.recorder import ENV, GOOD_BY_ANNOTATION, LONG_WIRE, baseline, method, recording_client
from rayvision_async.api._row import REQUIRED, Endpoint, Param, Send
from rayvision_async.api._table import ENDPOINTS
from rayvision_async.errors import InvalidInputError, RayvisionError

LONG_MAX = 2**63 - 1
INT_MAX = 2**31 - 1
NAN, INF = float("nan"), float("inf")
SURROGATE = "lone \ud800 surrogate"

def _deep(depth: int) -> Any:
    value: Any = {}
    for _ in range(depth):
        value = {"a": value}
    return value


Factory = Callable[[], Any]
INT_BAD: list[tuple[str, Factory]] = [
    ("true", lambda: True), ("false", lambda: False), ("float", lambda: 1.0), ("nan", lambda: NAN),
    ("inf", lambda: INF), ("text", lambda: "x"), ("bytes", lambda: b"1"), ("list", lambda: [1]),
    ("decimal", lambda: Decimal(1)), ("negative", lambda: -1), ("2**63", lambda: LONG_MAX + 1),
    ("2**70", lambda: 2**70), ("below-long", lambda: -(2**63) - 1), ("10**5000", lambda: 10**5000),
    ("object", object),
]
INT_LIST_BAD: list[tuple[str, Factory]] = [
    ("text", lambda: "12"), ("int", lambda: 5), ("bytes", lambda: b"\x01"), ("mapping", lambda: {1: 1}),
    ("bool-item", lambda: [1, True]), ("float-item", lambda: [1.5]), ("nan-item", lambda: [NAN]),
    ("none-item", lambda: [None]), ("text-item", lambda: ["x"]), ("negative-item", lambda: [-1]),
    ("2**63-item", lambda: [LONG_MAX + 1]), ("2**70-item", lambda: [1, 2**70]),
    ("100001-items", lambda: [1] * 100_001), ("endless", lambda: itertools.count(1)),
]
TEXT_BAD: list[tuple[str, Factory]] = [
    ("int", lambda: 5), ("true", lambda: True), ("float", lambda: 1.5), ("nan", lambda: NAN), ("bytes", lambda: b"x"),
    ("list", lambda: ["x"]), ("surrogate", lambda: SURROGATE), ("5000-chars", lambda: "x" * 5000),
]
TEXT_LIST_BAD: list[tuple[str, Factory]] = [
    ("text", lambda: "x"), ("int-item", lambda: [1]), ("none-item", lambda: [None]), ("bytes-item", lambda: [b"x"]),
    ("surrogate-item", lambda: ["ok", SURROGATE]), ("long-item", lambda: ["x" * 5000]),
    ("mapping", lambda: {"x": 1}), ("endless", lambda: itertools.repeat("x")),
    ("100001-items", lambda: ["x"] * 100_001),
]
BAD_BY_ANNOTATION: dict[str, list[tuple[str, Factory]]] = {
    "int": INT_BAD,
    "str": TEXT_BAD,
    "bool": [("text", lambda: "yes"), ("int", lambda: 1), ("nan", lambda: NAN)],
    "float": [("nan", lambda: NAN), ("inf", lambda: INF), ("text", lambda: "1"), ("true", lambda: True)],
    "Iterable[int]": INT_LIST_BAD,
    # An int also taken as int text ("12", as the official SDK's int(x)): no digit strings here.
    "int | str": [(label, make) for label, make in INT_BAD if label != "text"] + [
        ("letters", lambda: "x"), ("surrogate", lambda: SURROGATE), ("5000-chars", lambda: "x" * 5000)],
    "Iterable[int | str]": [
        ("text", lambda: "12"), ("bool-item", lambda: [True]), ("float-item", lambda: [1.5]),
        ("2**70-item", lambda: [2**70]), ("none-item", lambda: [None]), ("surrogate-item", lambda: [SURROGATE]),
        ("empty-item", lambda: [""]), ("long-item", lambda: ["x" * 300]), ("negative-item", lambda: [-1]),
        ("endless", lambda: itertools.count(1)), ("100001-items", lambda: [1] * 100_001)],
    "Iterable[str]": TEXT_LIST_BAD,
    "str | int": [
        ("unknown", lambda: "photoshop"), ("surrogate", lambda: SURROGATE), ("float", lambda: 2000.0),
        ("true", lambda: True), ("2**70", lambda: 2**70), ("list", lambda: [2000]), ("bytes", lambda: b"maya"),
    ],
    "Iterable[str | int]": [
        ("text", lambda: "maya"), ("unknown-item", lambda: ["maya", "photoshop"]), ("bool-item", lambda: [True]),
        ("surrogate-item", lambda: [SURROGATE]), ("2**70-item", lambda: [2**70]),
        ("endless", lambda: itertools.repeat("maya")), ("1000-items", lambda: ["maya"] * 1000),
    ],
    "datetime | date | str": [
        ("int", lambda: 12345), ("feb-30", lambda: "2020-02-30 00:00:00"), ("iso-t", lambda: "2020-01-01T00:00:00"),
        ("surrogate", lambda: SURROGATE), ("true", lambda: True), ("nan", lambda: NAN),
        ("aware-max", lambda: dt.datetime.max.replace(tzinfo=dt.UTC)),
        ("aware-min", lambda: dt.datetime.min.replace(tzinfo=dt.timezone(dt.timedelta(hours=14)))),
    ],
    "str | Mapping[str, Any]": [
        ("text-nan", lambda: '{"a": NaN}'), ("text-infinity", lambda: "[-Infinity]"), ("nan", lambda: {"a": NAN}),
        ("inf", lambda: {"a": [INF]}), ("int-key", lambda: {1: "x"}), ("none-key", lambda: {"a": {None: 1}}),
        ("set", lambda: {"a": {1, 2}}), ("bytes", lambda: {"a": b"x"}), ("surrogate", lambda: {"a": SURROGATE}),
        ("surrogate-key", lambda: {SURROGATE: 1}), ("text-surrogate", lambda: '{"a": "\udfff"}'),
        ("deep", lambda: _deep(50_000)), ("text-deep", lambda: "[" * 100_000), ("int", lambda: 5),
        ("list", lambda: ["{}"]), ("not-json", lambda: "{not json"),
    ],
    "Mapping[str, Any]": [
        ("list", lambda: [ENV]), ("text", lambda: json.dumps(ENV)), ("cg-id-2**70", lambda: {**ENV, "cgId": 2**70}),
        ("cg-id-2**31", lambda: {**ENV, "cgId": INT_MAX + 1}), ("cg-id-float", lambda: {**ENV, "cgId": 2000.0}),
        ("plugin-2**40", lambda: {**ENV, "pluginIds": [2**40]}),
        ("plugins-endless", lambda: {**ENV, "pluginIds": itertools.count(1)}),
        ("cg-name-surrogate", lambda: {**ENV, "cgName": SURROGATE}),
        ("edit-name-long", lambda: {**ENV, "editName": "x" * 5000}), ("int-key", lambda: {**ENV, 5: 1}),
        ("layer-nan", lambda: {**ENV, "renderLayerType": NAN}), ("project-path-int", lambda: {**ENV, "projectPath": 1}),
    ],
}
def bad_values(param: Param) -> Iterator[tuple[str, Factory]]:
    """The careless values of ``param``: its kind's catalogue, the width bound, and None if it is required."""
    yield from BAD_BY_ANNOTATION[param.kind.annotation]
    if param.kind.annotation in ("int", "int | str") and param.wire not in LONG_WIRE:
        yield "2**31", lambda: INT_MAX + 1
    if param.kind.annotation == "Iterable[int]" and param.wire not in LONG_WIRE:
        yield "2**31-item", lambda: [INT_MAX + 1]
    if param.default is REQUIRED:
        yield "none", lambda: None


def _cases() -> list[Any]:
    return [pytest.param(endpoint, id=endpoint.name) for endpoint in ENDPOINTS]


def _protocol_cases() -> list[Any]:
    return [pytest.param(endpoint, protocol, id=f"{endpoint.name}-{protocol}")
            for protocol in ("current", "2018") for endpoint in ENDPOINTS
            if protocol == "current" or endpoint.legacy_path is not None]


def _param_cases() -> list[Any]:
    return [pytest.param(endpoint, param, protocol, id=f"{endpoint.name}.{param.name}-{protocol}")
            for protocol in ("current", "2018") for endpoint in ENDPOINTS for param in endpoint.params
            if protocol == "current" or endpoint.legacy_path is not None]


def test_every_kind_has_a_catalogue() -> None:
    kinds = {param.kind.annotation for endpoint in ENDPOINTS for param in endpoint.params}
    assert kinds <= BAD_BY_ANNOTATION.keys() & GOOD_BY_ANNOTATION.keys(), kinds - BAD_BY_ANNOTATION.keys()


@pytest.mark.parametrize(("endpoint", "protocol"), _protocol_cases())
async def test_the_baseline_call_reaches_the_server(endpoint: Endpoint, protocol: Any) -> None:
    """The good call each refusal below is derived from: one request goes out."""
    async with recording_client(protocol) as (api, recorder):
        try:
            await method(api, endpoint)(**baseline(endpoint))
        except InvalidInputError:
            raise
        except RayvisionError:
            pass  # the recorder's one canned reply need not fit every row's result type
        assert len(recorder.requests) == 1


@pytest.mark.parametrize(("endpoint", "param", "protocol"), _param_cases())
async def test_careless_values_are_refused_before_sending(endpoint: Endpoint, param: Param, protocol: Any) -> None:
    slipped: list[str] = []
    async with recording_client(protocol) as (api, recorder):
        call = method(api, endpoint)
        for label, make in bad_values(param):
            value = make()
            if param.send is Send.IF_TRUTHY and isinstance(value, (bool, float, str, bytes)) and not value:
                continue  # a falsy value is "not given" for these, as in the official SDK: nothing goes out wrong
            try:
                await call(**{**baseline(endpoint), param.name: value})
            except InvalidInputError:
                pass
            except Exception as exc:  # any other error is what this test looks for
                slipped.append(f"{label}: raised {type(exc).__name__}")
            else:
                slipped.append(f"{label}: accepted")
            if recorder.requests:
                slipped.append(f"{label}: {len(recorder.requests)} request(s) sent")
                recorder.requests.clear()
        assert api.requests_sent == len([s for s in slipped if "request(s) sent" in s])
    assert not slipped, f"{endpoint.name}({param.name}=…) let careless values through: {slipped}"


@pytest.mark.parametrize("endpoint", _cases())
async def test_unknown_keywords_and_extra_positionals_are_refused(endpoint: Endpoint) -> None:
    async with recording_client() as (api, recorder):
        call = method(api, endpoint)
        good = baseline(endpoint)
        with pytest.raises(InvalidInputError, match="bogus"):
            await call(**good, bogus=1)
        with pytest.raises(InvalidInputError, match="positional"):
            await call(*([1] * (len(endpoint.params) + 1)))
        assert recorder.requests == []


def _widest_cases() -> list[Any]:
    return [pytest.param(endpoint, param, id=f"{endpoint.name}.{param.name}") for endpoint in ENDPOINTS
            for param in endpoint.params if param.wire in LONG_WIRE
            and param.kind.annotation in ("int", "int | str", "Iterable[int]")]


@pytest.mark.parametrize(("endpoint", "param"), _widest_cases())
async def test_the_widest_long_is_sent(endpoint: Endpoint, param: Param) -> None:
    """A Long field takes the whole signed 64-bit range: the bound refuses only what cannot go out."""
    value: Any = [LONG_MAX] if param.kind.annotation.startswith("Iterable") else LONG_MAX
    selection = {"select_all": 0} if param.wire == "ids" else {}  # frame ids are sent only when selecting
    async with recording_client() as (api, recorder):
        try:
            await method(api, endpoint)(**{**baseline(endpoint), **selection, param.name: value})
        except InvalidInputError:
            raise
        except RayvisionError:
            pass  # the canned reply need not fit the row's result type
        assert len(recorder.requests) == 1
    body = json.loads(recorder.requests[0].content)
    assert body[param.wire] == value
