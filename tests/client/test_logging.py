"""Logging: what is logged at which level, and that no credential or signature ever is."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import time

import httpx
import pytest

from helpers.fake_service import FakeService, Reply
from helpers.texts import texts_of
from rayvision_async import AsyncRayvisionAPI, RetryPolicy, errors

ACCESS_ID = "AKIDlogging0001"
ACCESS_KEY = "logging-secret-key-0001"
FAST = RetryPolicy(attempts=3)
DATA = {"/api/render/handle/queryTaskInfo/v2": {"items": [], "pageCount": 0},
        "/api/render/submit/createTask": {"taskIdList": [1]}}


def capturing(*outcomes: Exception | httpx.Response | None) -> FakeService:
    """Plays scripted failures, then answers 200 (with a request id); its ``signatures`` are every one handed over."""
    return FakeService(*outcomes, answer=lambda request: Reply(DATA[request.url.path], request_id="rid-ok"))


def record_texts(record: logging.LogRecord) -> list[str]:
    texts = [record.getMessage(), str(record.msg), repr(record.args), logging.Formatter().format(record)]
    if record.exc_info and record.exc_info[1] is not None:
        texts += texts_of(record.exc_info[1])
    return texts


async def test_nothing_secret_is_logged_or_raised(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="rayvision_async")
    skew_ms = int((time.time() + 3600) * 1000)
    transport = capturing(
        httpx.ConnectError("refused"), None,  # call 1: retried, then ok
        httpx.Response(200, json={"code": 611, "message": f"signature mismatch for accessId {ACCESS_ID}",
                                  "requestId": "rid-611"}),  # call 2: raised
        httpx.ReadTimeout("slow"),  # call 3 (create_task): outcome unknown
        httpx.Response(200, json={"code": 610, "message": "expired", "serverTime": skew_ms}), None,  # 4: resync
        httpx.ConnectError("a"), httpx.ConnectError("b"), httpx.ConnectError("c"),  # call 5: gives up
        httpx.Response(502, text=f"<html>proxy error {ACCESS_KEY}</html>"),  # call 6 (create_task)
    )
    raised: list[BaseException] = []
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, transport=transport, retry=FAST) as api:
        await api.query.task_info([1])
        for call in (lambda: api.query.task_info([2]), api.task.create_task, lambda: api.query.task_info([3]),
                     lambda: api.query.task_info([4]), api.task.create_task):
            try:
                await call()
            except errors.RayvisionError as exc:
                raised.append(exc)
    for bad_key in ("bad key with spaces", "ключ-секрет-01"):
        with pytest.raises(errors.ConfigurationError) as caught:
            AsyncRayvisionAPI(ACCESS_ID, bad_key)
        assert bad_key not in str(caught.value)
        raised.append(caught.value)

    assert [type(exc) for exc in raised] == [errors.SignatureInvalidError, errors.RequestOutcomeUnknownError,
                                             errors.ConnectError, errors.RequestOutcomeUnknownError,
                                             errors.ConfigurationError, errors.ConfigurationError]
    assert len(transport.signatures) == 10
    assert len(set(transport.signatures)) == 10
    secrets = [ACCESS_KEY, ACCESS_ID, *transport.signatures]
    ours = [r for r in caplog.records if r.name.startswith("rayvision_async")]
    for record in ours:
        for text in record_texts(record):
            for secret in secrets:
                assert secret not in text, f"secret in log record {record.getMessage()!r}"
    for exc in raised:
        for text in texts_of(exc):
            for secret in secrets:
                assert secret not in text, f"secret in {type(exc).__name__}: {text!r}"

    debug = [r.getMessage() for r in ours if r.levelno == logging.DEBUG]
    info = [r.getMessage() for r in ours if r.levelno == logging.INFO]
    assert sum("POST /api/render/handle/queryTaskInfo/v2" in m for m in debug) == 8
    assert sum("POST /api/render/submit/createTask" in m for m in debug) == 2
    assert any("code 200" in m and "rid-ok" in m for m in debug)
    assert any("code 611" in m for m in debug)
    assert sum("could not connect" in m and " of 2 in " in m for m in info) == 3
    assert sum("queryTaskInfo/v2" in m and "retry 1 of 2" in m for m in info) == 2
    assert any("signature expired" in m and "clock offset" in m for m in info)
    assert not [r for r in ours if r.levelno >= logging.WARNING]
    signature_invalid = raised[0]
    assert isinstance(signature_invalid, errors.SignatureInvalidError)
    assert signature_invalid.code == 611
    assert signature_invalid.message == "signature mismatch for accessId ***"


async def test_debug_off_means_no_request_lines(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="rayvision_async")
    transport = capturing(httpx.ConnectError("refused"))
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, transport=transport, retry=FAST) as api:
        await api.query.task_info([1])
    levels = [r.levelno for r in caplog.records if r.name.startswith("rayvision_async")]
    assert levels == [logging.INFO]


def test_the_sdk_leaves_the_root_logger_alone() -> None:
    script = textwrap.dedent(f"""
        import asyncio, logging, httpx
        root = logging.getLogger()
        before = (list(root.handlers), root.level)
        import rayvision_async
        from rayvision_async import AsyncRayvisionAPI, RetryPolicy
        outcomes = [httpx.ConnectError("x")]
        def handler(request):
            if outcomes:
                raise outcomes.pop()
            return httpx.Response(200, json={{"code": 611, "message": "no"}})
        async def main():
            async with AsyncRayvisionAPI({ACCESS_ID!r}, {ACCESS_KEY!r}, transport=httpx.MockTransport(handler),
                                         retry=RetryPolicy(attempts=2)) as api:
                try:
                    await api.query.task_info([1])
                except rayvision_async.errors.SignatureInvalidError:
                    pass
        asyncio.run(main())
        after = (list(root.handlers), root.level)
        sdk = logging.getLogger("rayvision_async")
        print(before == after, before[1], sdk.level, sdk.propagate,
              [type(h).__name__ for h in sdk.handlers if not isinstance(h, logging.NullHandler)])
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", str(logging.WARNING), "0", "True", "[]"]
    assert result.stderr == ""

