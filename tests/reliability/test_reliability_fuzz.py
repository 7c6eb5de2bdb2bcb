"""Fuzzing the response path: only the SDK's typed errors (or a result) ever come out.

``decode_envelope`` gets arbitrary bytes, text, truncated envelopes, wrong types, deep nesting,
huge numbers, NaN/Infinity tokens and invalid UTF-8; ``result_of`` gets envelope data built from
the models' own keys with arbitrary values; the whole client gets such bodies from its transport.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from typing import Any

import attrs
import httpx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rayvision_async import AsyncRayvisionAPI, RetryPolicy, errors, models
from rayvision_async.api._reply import result_of
from rayvision_async.api._table import ENDPOINTS
from rayvision_async.models._converter import wire_name
from rayvision_async.wire._envelope import Envelope, decode_envelope

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}
STRUCTURED = ["task_info", "get_task_list", "task_frames", "query_user_profile", "get_transfer_config",
              "get_raysync_user_key", "create_task", "get_frame_thumbnail", "get_render_env", "platforms"]
DECODER_ERRORS = (errors.MalformedResponseError, errors.HTTPStatusError)
VALID = json.dumps({"version": "2.0.0", "result": True, "message": "success", "code": 200,
                    "data": {"items": [{"id": 19097, "taskStatus": 5, "sceneName": "a.max", "renderConsume": 1.5}],
                             "pageCount": 1, "total": 1}, "serverTime": 1700000000000, "requestId": "r-1"}).encode()
# In process, exponents stay at 1e99999 (a quarter second as an int, should a regression try): the
# 1e999999999 case, which would hang the loop for minutes, runs in a subprocess with a timeout below.
NUMBERS = ["0", "-1", "7", "1.5", "-0.0", "1e3", "1E+400", "1e99999", "-1e99999", "1e-99999999", "9" * 4000,
           "NaN", "Infinity", "-Infinity", "123456789012345678901234567890", "4.2e18", "1.0"]


def _keys() -> list[str]:
    found: set[str] = {"code", "message", "data", "serverTime", "requestId", "x"}
    for name in models.__all__:
        cls = getattr(models, name)
        if attrs.has(cls):
            found.update(wire_name(field) for field in attrs.fields(cls))
    return sorted(found)


KEYS = _keys()
literals = st.sampled_from(["true", "false", "null", '""', '"x"', '"12"', "{}", "[]"])
tokens = st.one_of(st.sampled_from(NUMBERS), literals, st.text(max_size=8).map(json.dumps))
raw_json = st.recursive(
    tokens,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=6).map(
            lambda pairs: "{" + ",".join(f"{json.dumps(key)}:{value}" for key, value in pairs.items()) + "}"),
    ),
    max_leaves=30,
)


def check_envelope(status: int, content: bytes) -> Envelope | None:
    failure: errors.MalformedResponseError | errors.HTTPStatusError | None = None
    try:
        envelope = decode_envelope(status, content, path="/fuzz", retry_after="1")
    except DECODER_ERRORS as exc:  # anything else escaping fails the test
        failure = exc
    if failure is not None:
        assert failure.path == "/fuzz"
        assert "/fuzz" in str(failure)
        return None
    assert 200 <= status < 300
    assert type(envelope.code) is int
    assert type(envelope.message) is str
    assert envelope.request_id is None or type(envelope.request_id) is str
    assert envelope.server_time_ms is None or (type(envelope.server_time_ms) is int
                                               and -(2**63) <= envelope.server_time_ms < 2**63)
    return envelope


@SETTINGS
@given(st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode)),
       st.sampled_from([200, 200, 204, 302, 404, 500, 502]))
@example(b"\xff\xfe{", 200)
@example(b'{"code":200,"message":"\xc3\x28"}', 200)  # invalid UTF-8 inside a string
@example(b'{"code":200,"message":"\\ud800"}', 200)  # a lone surrogate escape
@example(b"\xef\xbb\xbf" + VALID, 200)  # a UTF-8 byte-order mark
@example(b"[" * 100_000 + b"]" * 100_000, 200)
@example(b'{"code":200,"data":' + b'{"a":' * 50_000 + b"1" + b"}" * 50_001, 200)
def test_decoding_arbitrary_bytes(content: bytes, status: int) -> None:
    check_envelope(status, content)


@SETTINGS
@given(st.integers(0, len(VALID)), st.sampled_from([b"", b"}", b"]", b"\x00", b"\xff", b",", b'"']))
def test_decoding_truncated_envelopes(cut: int, tail: bytes) -> None:
    envelope = check_envelope(200, VALID[:cut] + tail)
    if cut < len(VALID) and tail == b"":
        assert envelope is None  # a strict prefix of an object is never a whole object


@SETTINGS
@given(st.dictionaries(st.sampled_from(["code", "message", "data", "serverTime", "requestId", "result"]), raw_json,
                       max_size=6), st.sampled_from(STRUCTURED))
@example({"code": "200", "data": "{}"}, "task_info")
@example({"code": "true"}, "task_info")
@example({"code": "200.0"}, "task_info")
@example({"code": "610", "serverTime": "1e99999"}, "task_info")
@example({"code": "200", "serverTime": "9" * 4000, "data": '{"items":[{"id":1e99999}]}'}, "task_info")
@example({"code": "200", "data": '[{"fileSize":1e99999,"lastModify":NaN}]'}, "get_render_env")
def test_decoding_and_structuring_envelopes_with_wrong_types(fields: dict[str, str], name: str) -> None:
    content = ("{" + ",".join(f"{json.dumps(key)}:{value}" for key, value in fields.items()) + "}").encode()
    envelope = check_envelope(200, content)
    if envelope is not None:
        structure(name, envelope.data)


def structure(name: str, data: Any) -> None:
    endpoint = BY_NAME[name]
    failure: errors.MalformedResponseError | None = None
    try:
        result = result_of(endpoint, data, path=endpoint.path)
    except errors.MalformedResponseError as exc:  # anything else escaping fails the test
        failure = exc
    if failure is None:
        assert result is not None or endpoint.returns is None
    else:
        assert failure.path == endpoint.path
        assert str(failure).startswith((f"malformed response from {endpoint.path}: data does not fit ",
                                        f"malformed response from {endpoint.path}: data is ",
                                        f"malformed response from {endpoint.path}: the reply holds no task ids"))


@SETTINGS
@given(raw_json, st.sampled_from(STRUCTURED))
@example('{"items":[{"id":1e99999}]}', "task_info")
@example('{"items":[{"taskStatus":1e99999,"submitDate":1e99999,"renderConsume":-1e99999}]}', "get_task_list")
@example('{"items":[{"frameStatus":NaN,"frameType":Infinity,"frameIndex":1e99999}]}', "task_frames")
@example('{"items":[{"labels":"' + "[" * 5000 + '"}]}', "get_task_list")  # labels decoded from a JSON string
@example('{"resqEngines":[{"resqEngineAccounts":{"password":1}}]}', "get_transfer_config")
def test_structuring_fuzzed_data(raw: str, name: str) -> None:
    envelope = check_envelope(200, f'{{"code":200,"data":{raw}}}'.encode())
    if envelope is not None:
        structure(name, envelope.data)


# -- the whole client ------------------------------------------------------------------------------


async def _call_with_body(content: bytes, status: int) -> Any:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=content))
    async with AsyncRayvisionAPI("AKIDfuzz0001", "fuzz-secret-0001", transport=transport,
                                 retry=RetryPolicy(attempts=2)) as api:
        return await api.query.task_info([1])


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["code", "message", "data", "serverTime", "requestId"]), raw_json, max_size=5),
       st.sampled_from([200, 200, 429, 500, 503]))
@example({"code": "610", "serverTime": "1e99999"}, 200)
@example({"code": "610", "serverTime": "9" * 4000}, 200)
@example({"code": "610", "serverTime": "-4.2e18"}, 200)
@example({"code": "610", "serverTime": "1e30"}, 200)
def test_the_client_raises_only_typed_errors(fields: dict[str, str], status: int) -> None:
    content = ("{" + ",".join(f"{json.dumps(key)}:{value}" for key, value in fields.items()) + "}").encode()
    failure: errors.RayvisionError | None = None
    try:
        asyncio.run(_call_with_body(content, status))
    except errors.RayvisionError as exc:  # anything else escaping fails the test
        failure = exc
    if failure is not None:
        assert isinstance(failure, errors.APIError | errors.MalformedResponseError | errors.HTTPStatusError), failure


def test_huge_exponents_are_rejected_in_bounded_time() -> None:
    """``1e999999999`` is 11 bytes; as an int it would hold the event loop for minutes (run apart, with a timeout)."""
    script = textwrap.dedent("""
        import time
        from rayvision_async.api._reply import result_of
        from rayvision_async.api._table import ENDPOINTS
        from rayvision_async.wire._envelope import decode_envelope
        from rayvision_async.errors import MalformedResponseError
        task_info = next(e for e in ENDPOINTS if e.name == "task_info")
        started = time.perf_counter()
        envelope = decode_envelope(200, b'{"code":610,"serverTime":1e999999999,"data":{"items":[{"id":1e999999999}]}}',
                                   path="/x")
        assert envelope.server_time_ms is None
        try:
            result_of(task_info, envelope.data, path="/x")
        except MalformedResponseError:
            pass
        print(round(time.perf_counter() - started, 3))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 5.0
