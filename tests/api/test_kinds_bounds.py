"""The argument kinds' bounds, one table for all: integer widths, list and text caps, strict JSON, valid Unicode."""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import json
from typing import Any

import pytest

from rayvision_async.api import _kinds as kinds
from rayvision_async.errors import InvalidInputError


def test_integer_kinds_are_bounded_by_their_java_width() -> None:
    assert kinds.INT32 == (-(2**31), 2**31 - 1)
    assert kinds.INT64 == (-(2**63), 2**63 - 1)
    plain, long = kinds.integer(), kinds.integer(1, width=kinds.INT64)
    assert plain.check(2**31 - 1, "n") == 2**31 - 1
    assert plain.check(-(2**31), "n") == -(2**31)
    assert long.check(2**63 - 1, "n") == 2**63 - 1
    for kind, value in [(plain, 2**31), (plain, -(2**31) - 1), (long, 2**63), (long, 0), (kinds.integer(0), 2**31)]:
        with pytest.raises(InvalidInputError, match="must be between"):
            kind.check(value, "n")
    assert kinds.integer(5, 2**40).check(2**31 - 1, "n") == 2**31 - 1  # a bound wider than the field is clamped
    with pytest.raises(InvalidInputError):
        kinds.integer(5, 2**40).check(2**31, "n")


def test_a_huge_int_is_refused_with_a_short_message() -> None:
    with pytest.raises(InvalidInputError) as caught:
        kinds.integer().check(10**5000, "n")  # str() of it would raise ValueError (more than 4300 digits)
    assert len(str(caught.value)) < 200
    with pytest.raises(InvalidInputError):
        kinds.choice((0, 1), "int").check(10**5000, "flag")


def test_an_endless_iterator_is_refused_after_reading_one_item_past_the_cap() -> None:
    source = itertools.count(1)
    with pytest.raises(InvalidInputError, match="at most 3 items"):
        kinds.list_of(kinds.integer(), max_items=3).check(source, "ids")
    assert next(source) == 5  # 1..4 read, nothing more
    with pytest.raises(InvalidInputError, match=f"at most {kinds.MAX_LIST_ITEMS} items"):
        kinds.list_of(kinds.integer()).check(itertools.count(1), "ids")
    with pytest.raises(InvalidInputError, match="got 4"):
        kinds.list_of(kinds.integer(), max_items=3).check([1, 2, 3, 4], "ids")  # a sized list: refused unread


def test_texts_are_capped_and_valid_unicode() -> None:
    text = kinds.text()
    assert text.check("x" * kinds.MAX_TEXT_CHARS, "t") == "x" * kinds.MAX_TEXT_CHARS
    assert text.check("渲染 😀", "t") == "渲染 😀"
    with pytest.raises(InvalidInputError, match="at most"):
        text.check("x" * (kinds.MAX_TEXT_CHARS + 1), "t")
    for broken in ("\ud800", "a\udfffb", "\udc00\ud800"):
        with pytest.raises(InvalidInputError, match="lone surrogate"):
            text.check(broken, "t")


class Mode(str, enum.Enum):  # noqa: UP042 - the mixin whose str() is "Mode.WINDOWS", not its value
    WINDOWS = "windows"


def test_str_enum_members_go_out_as_their_text() -> None:
    assert type(kinds.text().check(Mode.WINDOWS, "t")) is str
    assert kinds.text().check(Mode.WINDOWS, "t") == "windows"
    assert kinds.choice(("windows", "linux"), "str").check(Mode.WINDOWS, "os") == "windows"


@pytest.mark.parametrize("value", [1.0, 0.0, True])
def test_a_choice_of_ints_takes_ints_only(value: Any) -> None:
    with pytest.raises(InvalidInputError):
        kinds.choice((0, 1), "int").check(value, "flag")


@pytest.mark.parametrize(
    "value",
    ['{"a": NaN}', '{"a": -Infinity}', "[Infinity]", {"a": float("nan")}, {"a": [float("inf")]},
     {1: "x"}, {"a": {None: 1}}, {"a": {(1, 2): 1}}, {"a": {1, 2}}, {"\ud800": 1}, {"a": "\udfff"},
     '"\ud800"', "[" * 100_000],
)
def test_json_text_is_strict(value: Any) -> None:
    with pytest.raises(InvalidInputError):
        kinds.json_text(value, "content")


def test_json_text_is_capped() -> None:
    with pytest.raises(InvalidInputError, match="longer than"):
        kinds.json_text(" " * kinds.MAX_JSON_CHARS + "{}", "content")
    with pytest.raises(InvalidInputError, match="longer than"):
        kinds.json_text({"a": "x" * kinds.MAX_JSON_CHARS}, "content")


def test_json_text_accepts_any_mapping_and_keeps_unicode() -> None:
    class Frozen(dict[str, Any]):
        pass

    from types import MappingProxyType

    text = kinds.json_text(MappingProxyType({"name": "渲染", "frames": (1, 2), "nested": Frozen(a=None)}), "c")
    assert json.loads(text) == {"name": "渲染", "frames": [1, 2], "nested": {"a": None}}
    assert "渲染" in text
    assert kinds.json_text('{"big": 123456789012345678901234567890}', "c")  # JSON numbers have no width


def test_times_are_zero_padded_and_refused_out_of_range() -> None:
    assert kinds.TIME.check(dt.datetime(5, 1, 2, 3, 4, 5), "t") == "0005-01-02 03:04:05"
    assert kinds.TIME.check(dt.date(99, 12, 31), "t") == "0099-12-31 00:00:00"
    with pytest.raises(InvalidInputError, match="out of range"):
        kinds.TIME.check(dt.datetime.max.replace(tzinfo=dt.UTC), "t")
