"""The request signature: the official SDK's vectors byte for byte, the body encoder, nonces, properties."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.spec_data import sign_vectors
from rayvision_async.errors import InvalidInputError
from rayvision_async.wire import SigningTransport
from rayvision_async.wire._signing import (
    SIGNED_HEADER_NAMES,
    BodyEncodingError,
    encode_body,
    flatten,
    make_nonce,
    sign,
    sign_request,
    string_to_sign,
)

VECTORS: list[dict[str, Any]] = sign_vectors()
BY_NAME = {vector["name"]: vector for vector in VECTORS}


def test_vector_file_is_complete() -> None:
    assert len(VECTORS) >= 10
    assert len(BY_NAME) == len(VECTORS), "vector names must be unique"
    for vector in VECTORS:
        assert vector["string_to_sign"].startswith(f"[POST]{vector['domain']}:{vector['path']}&")
        assert json.loads(vector["wire_body"]) == vector["body"]


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_vector_string_to_sign_and_signature(name: str) -> None:
    v = BY_NAME[name]
    wire = v["wire_body"].encode("utf-8")
    text = string_to_sign(v["domain"], v["path"], v["headers"], json.loads(wire))
    assert text == v["string_to_sign"]
    assert sign(v["access_key"], text) == v["signature"]
    assert sign_request(v["access_key"], v["domain"], v["path"], v["headers"], wire) == v["signature"]


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_encode_body_bytes_resign_identically(name: str) -> None:
    v = BY_NAME[name]
    wire = encode_body(v["body"])
    assert wire.isascii()
    assert json.loads(wire) == v["body"]
    assert sign_request(v["access_key"], v["domain"], v["path"], v["headers"], wire) == v["signature"]


def test_protocol_document_example_matches_the_document() -> None:
    v = BY_NAME["protocol_doc_worked_example"]
    assert v["string_to_sign"] == v["expected_string_to_sign_from_doc"]
    assert sign_request(v["access_key"], v["domain"], v["path"], v["headers"], v["wire_body"].encode()) == \
        v["expected_signature_from_doc"]


def test_empty_content_signs_headers_only() -> None:
    v = BY_NAME["empty_body_queryUserProfile"]
    assert v["body"] == {}
    assert sign_request(v["access_key"], v["domain"], v["path"], v["headers"], b"") == v["signature"]


def test_signature_depends_on_domain_path_key_and_headers() -> None:
    v = BY_NAME["sdk_default_queryPlatforms_zone1"]
    wire = v["wire_body"].encode()
    base = sign_request(v["access_key"], v["domain"], v["path"], v["headers"], wire)
    assert base == v["signature"]
    variants = [
        sign_request(v["access_key"] + "x", v["domain"], v["path"], v["headers"], wire),
        sign_request(v["access_key"], v["domain"].upper(), v["path"], v["headers"], wire),
        sign_request(v["access_key"], v["domain"], v["path"] + "/v2", v["headers"], wire),
        sign_request(v["access_key"], v["domain"], v["path"], {**v["headers"], "nonce": "118861"}, wire),
        sign_request(v["access_key"], v["domain"], v["path"], v["headers"], b'{"zone":2}'),
    ]
    assert base not in variants
    assert len(set(variants)) == len(variants)


def test_sign_request_rejects_a_non_object_body() -> None:
    with pytest.raises(BodyEncodingError):
        sign_request("key", "d", "/p", {}, b"[1, 2]")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"flag": True}, "body.flag"),
        ({"flag": False}, "body.flag"),
        ({"none": None}, "body.none"),
        ({"price": 1.5}, "body.price"),
        ({"ids": [1, 2, True]}, "body.ids[2]"),
        ({"outer": {"inner": [{"x": 0.0}]}}, "body.outer.inner[0].x"),
        ({"pair": (1, 2)}, "body.pair"),
        ({"pair": (1, None)}, "body.pair"),
        ({"ids": [(1, True)]}, "body.ids[0]"),
        ({"nested": {1: "int key"}}, "body.nested"),
        ({"blob": b"bytes"}, "body.blob"),
        ({"ids": {1, 2}}, "body.ids"),
        ({"taskId": 2**63}, "body.taskId"),
        ({"taskId": -(2**63) - 1}, "body.taskId"),
        ({"ids": [1, 2**70]}, "body.ids[1]"),
        ({"name": "lone \ud800 surrogate"}, "body.name"),
        ({"outer": {"k\udfff": "v"}}, "body.outer"),
        ({"ids": [["\udc00"]]}, "body.ids[0][0]"),
    ],
)
def test_encode_body_rejects_values_it_cannot_sign(body: dict[str, Any], where: str) -> None:
    with pytest.raises(BodyEncodingError, match=re.escape(where)):
        encode_body(body)
    assert issubclass(BodyEncodingError, TypeError)
    assert issubclass(BodyEncodingError, InvalidInputError)  # one of the SDK's own errors


def test_a_list_of_ints_is_flattened_and_checked_like_any_other_list() -> None:
    ids = [7, -(2**63), 2**63 - 1, 0, 7]  # the signer takes a list of plain ints in one go
    assert list(flatten(ids, "taskIds")) == [(f"taskIds{index}", str(value)) for index, value in enumerate(ids)]
    assert list(flatten([7, "8", True], "k")) == [("k0", "7"), ("k1", "8"), ("k2", "True")]
    assert json.loads(encode_body({"taskIds": ids})) == {"taskIds": ids}
    with pytest.raises(BodyEncodingError, match=re.escape("body.taskIds[2]")):
        encode_body({"taskIds": [1, 2, 2**63]})


def test_encode_body_sends_the_whole_64_bit_range() -> None:
    body = {"low": -(2**63), "high": 2**63 - 1, "text": "渲染😀"}
    assert json.loads(encode_body(body)) == body


def test_encode_body_refuses_a_body_nested_too_deeply() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(BodyEncodingError, match="nested too deeply"):
        encode_body({"deep": deep})


def test_encode_body_is_compact_ascii_json() -> None:
    body = {"editName": "渲染环境-é😀", "ids": [1, [2, 3]], "nested": {"a": "", "b": -7}}
    wire = encode_body(body)
    assert wire == json.dumps(body, separators=(",", ":")).encode("ascii")
    assert b" " not in wire
    assert json.loads(wire) == body


def test_nonces_are_six_random_digits() -> None:
    nonces = [make_nonce() for _ in range(300)]
    assert all(re.fullmatch(r"[1-9]\d{5}", nonce) for nonce in nonces)
    assert len(set(nonces)) >= 295


def test_signer_headers_are_fresh_per_attempt() -> None:
    signer = SigningTransport(
        httpx.MockTransport(lambda request: httpx.Response(200)),  # not sent through
        access_id="AKIDexample", access_key="secret-key", domain="task.renderbus.com", platform="2")
    first, second = signer.signed_headers(), signer.signed_headers()
    assert tuple(first) == SIGNED_HEADER_NAMES
    assert (first["channel"], first["version"], first["platform"]) == ("4", "2.0.0", "2")
    assert re.fullmatch(r"\d{6}", first["nonce"])
    assert first["nonce"] != second["nonce"]
    assert re.fullmatch(r"\d{10}", first["UTCTimestamp"])


# -- properties ------------------------------------------------------------------------------------

# Keys of letters only: names with digits or dots could collide once flattened ("a0" vs "a": [..]).
KEYS = st.text(st.characters(categories=["Lu", "Ll", "Lo"]), min_size=1, max_size=6)
SCALARS = st.one_of(st.text(max_size=12), st.integers(min_value=-(2**63), max_value=2**63 - 1))  # the wire's range
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4)),
    max_leaves=20,
)
BODIES = st.dictionaries(KEYS, VALUES, max_size=6)
HEADERS = {"accessId": "AKIDprop", "channel": "4", "platform": "2", "UTCTimestamp": "1700000000",
           "nonce": "123456", "version": "2.0.0"}


def _reordered(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _reordered(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reordered(child) for child in value]
    return value


@settings(max_examples=150, deadline=None)
@given(body=BODIES)
def test_signature_is_derived_from_the_wire_body(body: dict[str, Any]) -> None:
    wire = encode_body(body)
    text = string_to_sign("task.renderbus.com", "/api/x", HEADERS, body)
    assert sign_request("k3y", "task.renderbus.com", "/api/x", HEADERS, wire) == sign("k3y", text)
    assert string_to_sign("task.renderbus.com", "/api/x", HEADERS, json.loads(wire)) == text
    reordered = _reordered(body)
    assert string_to_sign("task.renderbus.com", "/api/x", HEADERS, reordered) == text
    assert sign_request("k3y", "task.renderbus.com", "/api/x", HEADERS, encode_body(reordered)) == sign("k3y", text)


@settings(max_examples=100, deadline=None)
@given(body=BODIES, extra=SCALARS)
def test_changing_a_top_level_value_changes_the_string_to_sign(body: dict[str, Any], extra: Any) -> None:
    key = "zzzExtra"
    changed = {**body, key: extra}
    other = {**body, key: [extra, extra]}
    assert string_to_sign("d", "/p", HEADERS, changed) != string_to_sign("d", "/p", HEADERS, other)


def _by_the_rule(headers: dict[str, str], body: dict[str, Any]) -> str:
    """The string to sign, built leaf by leaf as the module docstring states the rule (the reference)."""
    pairs: dict[str, str] = {}
    for key, value in {**headers, **body}.items():
        pairs.update(flatten(value, key))
    return "[POST]d:/p&" + "&".join(f"{key}={pairs[key]}" for key in sorted(pairs))


# Keys whose leaves sort among each other's ("ids" and "ids1x", "a" and "a1"), or share a name ("ids0").
CLASHING_KEYS = st.sampled_from(["ids", "ids1x", "ids0", "ids99", "a", "a1", "b%", "z", "UTCTimestamp", "nonce"])
ID_LISTS = st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=130)


@settings(max_examples=300, deadline=None)
@given(body=st.dictionaries(CLASHING_KEYS, st.one_of(ID_LISTS, SCALARS, st.lists(SCALARS, max_size=3)), max_size=5))
def test_lists_of_ids_sign_as_the_rule_says_whatever_keys_sit_beside_them(body: dict[str, Any]) -> None:
    # lists of ints take a quicker path (one format per list): it must give exactly the rule's string
    assert string_to_sign("d", "/p", HEADERS, body) == _by_the_rule(HEADERS, body)


def test_a_batch_of_ids_signs_as_the_rule_says() -> None:
    body = {"taskIds": list(range(190_000, 190_100)), "taskIds1x": "between taskIds19 and taskIds2"}
    for signed in ({"taskIds": body["taskIds"]}, body, {"ids": [5]}):
        assert string_to_sign("d", "/p", HEADERS, signed) == _by_the_rule(HEADERS, signed)


# -- the quick readers (orjson) against the standard ones (json) ----------------------------------------

def _signed_by_the_standard_reader(content: bytes) -> str:
    return sign("k3y", string_to_sign("d", "/p", HEADERS, json.loads(content) if content else {}))


ANY_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True), st.integers(min_value=-(2**70), max_value=2**70),
              st.text(max_size=8)),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=4), children,
                                                                                max_size=4)),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(body=st.dictionaries(st.one_of(CLASHING_KEYS, st.text(max_size=4)), ANY_JSON, max_size=5))
def test_a_body_signs_as_the_standard_reader_reads_it(body: dict[str, Any]) -> None:
    # orjson reads ints beyond 64 bits as floats and refuses NaN: sign_request must sign what json.loads reads
    content = json.dumps(body).encode()
    assert sign_request("k3y", "d", "/p", HEADERS, content) == _signed_by_the_standard_reader(content)


@pytest.mark.parametrize("content", [
    b'{"ids":[1,2],"big":123456789012345678901234567890}', b'{"ids":[-9223372036854775809]}',
    b'{"x":NaN,"ids":[1]}', b'{"x":"\\ud800"}', b'{"x":1e400}', b'{"x":1.0}', b'{"x":true,"y":null}',
    '{"x":"é"}'.encode("utf-16"), b'{"a":1,"a":2}', b'{"ids":[18446744073709551615]}', b""])
def test_texts_the_two_readers_differ_on_sign_as_the_standard_reader_reads_them(content: bytes) -> None:
    def outcome(sign_it: Any) -> tuple[str, Any]:
        try:
            return "signed", sign_it()
        except Exception as exc:  # a lone surrogate cannot be signed by either path
            return "raised", type(exc)

    assert outcome(lambda: sign_request("k3y", "d", "/p", HEADERS, content)) == outcome(
        lambda: _signed_by_the_standard_reader(content))


@pytest.mark.parametrize("content", [b"[1]", b'"x"', b"7"])
def test_a_body_that_is_not_an_object_is_refused_by_either_reader(content: bytes) -> None:
    with pytest.raises(BodyEncodingError):
        sign_request("k3y", "d", "/p", HEADERS, content)


@settings(max_examples=300, deadline=None)
@given(body=BODIES)
def test_encode_body_gives_the_standard_encoders_bytes(body: dict[str, Any]) -> None:
    assert encode_body(body) == json.dumps(body, separators=(",", ":")).encode("ascii")


def test_encode_body_escapes_every_control_character_and_del_as_the_standard_encoder_does() -> None:
    body = {"text": "".join(map(chr, range(128))), "ids": [0, -(2**63), 2**63 - 1], "é": "ü"}
    assert encode_body(body) == json.dumps(body, separators=(",", ":")).encode("ascii")
    ascii_only = {"text": "".join(map(chr, range(128)))}  # DEL (127) is ASCII, yet escaped
    assert encode_body(ascii_only) == json.dumps(ascii_only, separators=(",", ":")).encode("ascii")
