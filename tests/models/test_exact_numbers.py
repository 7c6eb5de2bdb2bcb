"""Replies are decoded by orjson (floats), yet money stays the exact amount the service sent.

The documents' amounts (``tests/data/spec_examples.json``, read here with ``parse_float=Decimal`` so
every literal keeps its digits) and generated ones go through the SDK's real reply path:
``decode_envelope`` → ``result_of`` with the envelope's exact decoding behind it.
"""

from __future__ import annotations

import json
import math
import typing
from decimal import Decimal
from typing import Any, get_args, get_origin

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rayvision_async.models as models
from helpers.spec_data import DATA
from helpers.wire_json import wire_json
from rayvision_async._service_ints import MONEY_LIMIT
from rayvision_async.api._reply import result_of
from rayvision_async.api._table import ENDPOINTS, ROWS
from rayvision_async.models import FrameInfo, TaskInfo, TaskInfoPage
from rayvision_async.models import _numbers as numbers
from rayvision_async.models._converter import structure, structure_reply, wire_name
from rayvision_async.models._meta import ALIASES
from rayvision_async.wire._envelope import decode_envelope, exact_loads

PATH = "/api/render/handle/queryTaskInfo/v2"


def reply(data: Any) -> bytes:
    return ('{"version":"1.0.0","result":true,"message":"success","code":200,"data":' + wire_json(data)
            + ',"serverTime":1577765849000,"requestId":"t"}').encode()


def through_sdk(data: Any, returns: Any) -> Any:
    """``data`` as the SDK's reply path structures it: orjson decoding, exact decoding behind it."""
    envelope = decode_envelope(200, reply(data), path=PATH)
    return structure_reply(envelope.data, returns, envelope.exact_data)


def _money_models() -> dict[str, type]:
    """Wire key (and aliases) of every Decimal field → a model that has it."""
    found: dict[str, type] = {}
    for name in models.__all__:
        cls = getattr(models, name)
        if not (isinstance(cls, type) and attrs.has(cls)) or getattr(cls, "__parameters__", ()):
            continue  # not a model, or a generic one (Page[T])
        hints = typing.get_type_hints(cls)
        for field in attrs.fields(cls):
            arms = get_args(hints[field.name]) if get_origin(hints[field.name]) else (hints[field.name],)
            if Decimal in arms:
                for key in (wire_name(field), *field.metadata.get(ALIASES, ())):
                    found.setdefault(key, cls)
    return found


MONEY_MODELS = _money_models()
EXAMPLES = json.loads((DATA / "spec_examples.json").read_text(encoding="utf-8"), parse_float=Decimal)["examples"]


def _money_literals(value: Any) -> list[tuple[str, Any]]:
    """(key, amount) for every number under a money key, at any depth."""
    out: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in MONEY_MODELS and isinstance(item, Decimal | int) and not isinstance(item, bool):
                out.append((key, item))
            out.extend(_money_literals(item))
    elif isinstance(value, list):
        for item in value:
            out.extend(_money_literals(item))
    return out


DOCUMENT_AMOUNTS = sorted({(key, str(amount)) for example in EXAMPLES for key, amount in
                           _money_literals(example["payload"])})


def test_the_documents_have_fractional_amounts() -> None:
    fractional = [text for _, text in DOCUMENT_AMOUNTS if "." in text]
    assert len(fractional) >= 15, DOCUMENT_AMOUNTS


@pytest.mark.parametrize(("key", "text"), DOCUMENT_AMOUNTS, ids=[f"{k}={t}" for k, t in DOCUMENT_AMOUNTS])
def test_every_documented_amount_is_exact(key: str, text: str) -> None:
    model = MONEY_MODELS[key]
    required = {wire_name(f): 1 for f in attrs.fields(model) if f.default is attrs.NOTHING}  # TaskInfo.id
    result = through_sdk({**required, key: Decimal(text)}, model)
    field = next(f.name for f in attrs.fields(model) if key in (wire_name(f), *f.metadata.get(ALIASES, ())))
    value = getattr(result, field)
    assert type(value) is Decimal
    assert value == Decimal(text)


def _endpoint_of(path: str | None) -> Any:
    for row in ENDPOINTS:
        if path in (row.path, row.legacy_path) or (path and path + "/v2" in (row.path, row.legacy_path)):
            return row
    return None


WITH_MONEY = [e for e in EXAMPLES if _money_literals(e["payload"]) and _endpoint_of(e["path"]) is not None
              and isinstance(e["payload"], dict) and "data" in e["payload"]]


def test_examples_with_money_are_mapped() -> None:
    assert len(WITH_MONEY) >= 10


@pytest.mark.parametrize("example", WITH_MONEY, ids=[f"{e['doc']}:L{e['line']}" for e in WITH_MONEY])
def test_whole_examples_equal_their_exact_decoding(example: dict[str, Any]) -> None:
    row = _endpoint_of(example["path"])
    data = example["payload"]["data"]
    envelope = decode_envelope(200, reply(data), path=row.path)
    fast = result_of(row, envelope.data, path=row.path, exact=envelope.exact_data)
    exact = result_of(row, exact_loads(reply(data))["data"], path=row.path)
    assert fast == exact


#: Amounts of 1 to 15 significant digits, written plainly (``-0.00123``) or with an exponent (``1.5E-7``).
short_amounts = st.builds(
    lambda digits, exponent, negative, plain: (("-" if negative else "")
                                               + (format(Decimal(digits).scaleb(exponent), "f") if plain
                                                  else f"{digits}e{exponent}")),
    st.integers(1, 10**15 - 1), st.integers(-12, 6), st.booleans(), st.booleans(),
).filter(lambda text: abs(Decimal(text)) < MONEY_LIMIT)  # larger amounts are malformed (test_reply_ranges.py)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(short_amounts)
def test_generated_amounts_of_up_to_15_digits_are_exact(text: str) -> None:
    task = through_sdk({"id": 1, "renderConsume": Decimal(text), "couponConsume": Decimal(text)}, TaskInfo)
    assert task.render_consume == Decimal(text)
    assert task.coupon_consume == Decimal(text)


def test_the_money_of_a_float_is_the_literal_not_the_binary_value() -> None:
    task = through_sdk({"id": 1, "renderConsume": Decimal("6.7"), "taskArrears": Decimal("0.1")}, TaskInfo)
    assert str(task.render_consume) == "6.7"  # Decimal(6.7) is 6.70000000000000017763568394002504646778106689453125
    assert str(task.task_arrears) == "0.1"


long_amounts = st.builds(lambda digits, scale: format(Decimal(digits).scaleb(-scale), "f"),
                         st.integers(10**15, 10**25), st.integers(1, 20)).filter(
                             lambda text: abs(Decimal(text)) < MONEY_LIMIT)


@settings(max_examples=400, deadline=None)
@given(long_amounts)
def test_longer_amounts_fall_back_to_the_exact_decoding(text: str) -> None:
    task = through_sdk({"id": 1, "renderConsume": Decimal(text)}, TaskInfo)
    shortest = repr(float(text))
    if numbers.significant_digits(shortest) > numbers.EXACT_FLOAT_DIGITS or abs(float(text)) == MONEY_LIMIT:
        # detected (or a double at the money limit, whose literal may be below it): the exact decoding
        assert task.render_consume == Decimal(text)
    else:  # the documented limit: the double has a short repr, the digits past it are lost
        assert task.render_consume == Decimal(shortest)
        assert abs(task.render_consume - Decimal(text)) <= abs(Decimal(text)) * Decimal("1e-15")


def test_a_long_amount_is_exact_in_a_whole_page() -> None:
    item = {"id": 7, "renderConsume": Decimal("0.12345678901234567890123"), "couponConsume": Decimal("0.5")}
    page = through_sdk({"items": [item, {"id": 8}], "userAccountConsume": Decimal("12.5")}, TaskInfoPage)
    assert page.items[0].render_consume == Decimal("0.12345678901234567890123")
    assert page.items[0].coupon_consume == Decimal("0.5")
    assert page.user_account_consume == Decimal("12.5")


def test_an_integer_beyond_53_bits_stays_exact() -> None:
    # Up to a Java long (beyond it the reply is malformed: tests/test_reply_ranges.py).
    task = through_sdk({"id": 2**63 - 1, "userId": 2**62 + 1, "layerParentId": -(2**63)}, TaskInfo)
    assert task.id == 2**63 - 1
    assert task.user_id == 2**62 + 1
    assert task.layer_parent_id == -(2**63)


def test_a_number_in_a_text_field_keeps_its_spelling() -> None:
    task = through_sdk({"id": 1, "taskAlias": Decimal("1.10"), "remark": Decimal("2.50E+3")}, TaskInfo)
    assert task.task_alias == "1.10"
    assert task.remark == "2.50E+3"


def test_zero_amounts_are_one_shared_zero_whatever_their_sign() -> None:
    task = through_sdk({"id": 1, "renderConsume": Decimal("-0.0"), "taskArrears": Decimal("0.0")}, TaskInfo)
    assert task.render_consume == 0
    assert task.task_arrears is task.render_consume
    assert str(task.task_arrears) == "0.0"


def test_repeated_amounts_share_one_object_and_the_cache_is_bounded() -> None:
    first = through_sdk({"id": 1, "renderConsume": Decimal("3.21")}, TaskInfo).render_consume
    second = through_sdk({"id": 1, "renderConsume": Decimal("3.21")}, TaskInfo).render_consume
    assert first is second
    for cents in range(numbers._CACHE_SIZE + 100):
        numbers.float_money(float(f"{cents}.25"))
    assert len(numbers.money_cache) <= numbers._CACHE_SIZE


def test_structure_of_plain_float_data_takes_long_floats_as_they_are() -> None:
    """Without an exact decoding behind it, ``structure`` reads a float through ``repr``, as it always did."""
    frame = structure({"feeAmount": 0.30000000000000004, "frameIndex": 1.5}, FrameInfo)
    assert frame.fee_amount == Decimal("0.30000000000000004")
    assert frame.frame_index == "1.5"


def test_a_long_float_taken_leniently_is_not_cached_for_replies() -> None:
    long = 0.12345678901234568  # what orjson makes of 0.1234567890123456789
    assert structure({"id": 1, "renderConsume": long}, TaskInfo).render_consume == Decimal("0.12345678901234568")
    assert long not in numbers.money_cache
    task = through_sdk({"id": 1, "renderConsume": Decimal("0.1234567890123456789")}, TaskInfo)
    assert task.render_consume == Decimal("0.1234567890123456789")


def test_raw_results_come_from_the_exact_decoding() -> None:
    row = ROWS["get_render_log"]
    envelope = decode_envelope(200, reply({"fee": Decimal("0.20"), "lines": ["a"]}), path=row.path)
    assert type(envelope.data["fee"]) is float  # the fast decoding
    raw = result_of(row, envelope.data, path=row.path, exact=envelope.exact_data)
    assert raw == {"fee": Decimal("0.20"), "lines": ["a"]}
    assert str(raw["fee"]) == "0.20"


@pytest.mark.parametrize("body", [b'{"code":200,"data":{"renderConsume":NaN}}',
                                  b'{"code":200,"data":{"remark":"\\ud800"}}'])
def test_bodies_orjson_refuses_are_read_by_the_standard_decoder(body: bytes) -> None:
    envelope = decode_envelope(200, body, path=PATH)
    assert envelope.code == 200
    value = next(iter(envelope.data.values()))
    assert (isinstance(value, float) and math.isnan(value)) or value == "\ud800"


def test_significant_digits() -> None:
    assert numbers.significant_digits("100.0") == 1
    assert numbers.significant_digits("-0.000123") == 3
    assert numbers.significant_digits("1.2345678901234567e-05") == 17
    assert numbers.significant_digits("1e+16") == 1
