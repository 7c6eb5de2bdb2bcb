"""Settings users expect: default_headers, httpx.Timeout, RAYVISION_BASE_URL / RAYVISION_LOG, close(),
with_raw_response, the top-level names, and network errors that name the host and the reason."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import rayvision_async
from helpers.fake_service import FakeService, Reply
from rayvision_async import AsyncRayvisionAPI, RawResponse, RetryPolicy, Timeouts, errors

ACCESS_ID = "AKIDknobs00001"
ACCESS_KEY = "knobs-secret-key-00001"
SERVER_TIME = 1_767_225_600_000  # 2026-01-01T00:00:00Z
TASK_INFO_OK = {"code": 200, "message": "success", "requestId": "rid-knobs-1", "serverTime": SERVER_TIME,
                "data": {"items": [{"id": 7, "taskStatus": 10}], "pageCount": 1}}


def recording(body: dict[str, Any] | None = None, status: int = 200) -> FakeService:
    """Records requests and answers each with ``status`` and ``body``."""
    return FakeService(answer=lambda request: httpx.Response(status, json=body or TASK_INFO_OK))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RAYVISION_API_ACCESS_ID", "RAYVISION_API_KEY", "RAYVISION_BASE_URL", "RAYVISION_LOG"):
        monkeypatch.delenv(name, raising=False)


def client(transport: httpx.AsyncBaseTransport, **options: Any) -> AsyncRayvisionAPI:
    return AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, platform="2", transport=transport, **options)


# -- default_headers -----------------------------------------------------------------------------------------


async def test_default_headers_go_on_every_request_and_may_replace_the_user_agent() -> None:
    transport = recording()
    async with client(transport, default_headers={"X-Team": "lighting", "user-agent": "pipeline/2.1"}) as api:
        await api.query.task_info([7])
        await api.with_options(max_retries=0).query.task_info([8])
    for request in transport.requests:
        assert request.headers["X-Team"] == "lighting"
        assert request.headers.get_list("User-Agent") == ["pipeline/2.1"]
        assert request.headers["accessId"] == ACCESS_ID


@pytest.mark.parametrize("headers", [
    {"signature": "x"}, {"accessId": "AKIDother0001"}, {"UTCTimestamp": "1"}, {"Content-Type": "text/plain"},
    {"nonce": "1"}, {"Host": "elsewhere"}, {"Accept-Encoding": "br"},
    {"bad name": "x"}, {"X-Ok": "line\r\nbreak"}, {"X-Ok": 5}, {5: "x"},
    {"X-Ok": "é"}, ["X-Ok", "x"],
], ids=repr)
def test_default_headers_may_not_touch_signed_or_framing_headers(headers: Any) -> None:
    transport = recording()
    with pytest.raises(errors.ConfigurationError, match="default_headers"):
        client(transport, default_headers=headers)
    assert transport.requests == []


# -- timeouts ------------------------------------------------------------------------------------------------


async def test_an_httpx_timeout_is_accepted_by_the_client_and_by_with_options() -> None:
    transport = recording()
    async with client(transport, timeout=httpx.Timeout(5.0, connect=2.0, pool=None)) as api:
        await api.query.task_info([7])
        await api.with_options(timeout=httpx.Timeout(1.5)).query.task_info([7])
    first, second = (request.extensions["timeout"] for request in transport.requests)
    assert first == {"connect": 2.0, "read": 5.0, "write": 5.0, "pool": None}
    assert second == {"connect": 1.5, "read": 1.5, "write": 1.5, "pool": 1.5}
    assert Timeouts.coerce(httpx.Timeout(None)) == Timeouts(read=None, connect=None, pool=None)


def test_an_httpx_timeout_that_cannot_be_honoured_is_an_error() -> None:
    with pytest.raises(errors.ConfigurationError, match="write timeout"):
        client(recording(), timeout=httpx.Timeout(5.0, write=1.0))
    with pytest.raises(errors.ConfigurationError, match="read timeout"):
        client(recording(), timeout=httpx.Timeout(-1.0))


# -- the environment -----------------------------------------------------------------------------------------


async def test_base_url_comes_from_the_environment_unless_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAYVISION_BASE_URL", "http://127.0.0.1:8765")
    transport = recording()
    async with client(transport) as from_env, client(transport, base_url="https://other.example") as explicit:
        await from_env.query.task_info([7])
        await explicit.query.task_info([7])
    assert [str(request.url.copy_with(path="/")) for request in transport.requests] == [
        "http://127.0.0.1:8765/", "https://other.example/"]
    monkeypatch.setenv("RAYVISION_BASE_URL", "ftp://127.0.0.1")
    with pytest.raises(errors.ConfigurationError, match="RAYVISION_BASE_URL"):
        client(transport)


@pytest.fixture
def sdk_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("rayvision_async")
    handlers, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


@pytest.mark.parametrize(("value", "level"), [("debug", logging.DEBUG), ("INFO", logging.INFO)])
async def test_rayvision_log_sends_the_sdk_log_to_stderr(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], sdk_logger: logging.Logger,
    value: str, level: int,
) -> None:
    monkeypatch.setenv("RAYVISION_LOG", value)
    transport = recording(status=503)
    async with client(transport, retry=RetryPolicy(attempts=2)) as api, client(transport) as second:
        with pytest.raises(errors.HTTPStatusError):
            await api.query.task_info([7])
        del second
    assert sdk_logger.level == level
    assert len(sdk_logger.handlers) == len(set(sdk_logger.handlers))
    stderr = capfd.readouterr().err
    assert "retry 1 of 1" in stderr
    assert ("queryTaskInfo" in stderr and "headers=" in stderr) is (level == logging.DEBUG)
    assert ACCESS_KEY not in stderr
    assert stderr.count("retry 1 of 1") == 1  # one handler, however many clients were built
    assert logging.getLogger().handlers == [] or all(  # the root logger is left as it was
        not getattr(handler, "_rayvision_from_environment", False) for handler in logging.getLogger().handlers)


def test_a_bad_rayvision_log_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAYVISION_LOG", "verbose")
    with pytest.raises(errors.ConfigurationError, match="RAYVISION_LOG"):
        client(recording())


# -- close, raw responses, names ----------------------------------------------------------------------------


async def test_close_is_aclose() -> None:
    transport = recording()
    api = client(transport)
    await api.close()
    assert api.is_closed
    assert transport.closed
    with pytest.raises(errors.ClientClosedError):
        await api.query.task_info([7])


async def test_with_raw_response_gives_request_id_server_time_and_status() -> None:
    transport = recording(status=203)
    async with client(transport) as api:
        raw = await api.with_raw_response.query.task_info([7])
        plain = await api.query.task_info([7])
        assert api.requests_sent == 2  # the view shares the connection
    assert isinstance(raw, RawResponse)
    assert (raw.http_status, raw.code, raw.message, raw.request_id) == (203, 200, "success", "rid-knobs-1")
    assert raw.server_time_ms == SERVER_TIME
    assert raw.server_time is not None
    assert raw.server_time.isoformat() == "2026-01-01T00:00:00+00:00"
    assert raw.parse() == plain
    assert "rid-knobs-1" in repr(raw)


async def test_with_raw_response_offers_single_request_endpoints_only() -> None:
    transport = FakeService(Reply({"taskIdList": [42]}), Reply(code=600, message="bad parameter"))
    async with client(transport) as api:
        raw = await api.with_raw_response.task.create_task(count=1)
        assert raw.parse().task_id_list == (42,)
        assert raw.request_id is None
        assert raw.server_time is None
        assert "get_task_list" in dir(api.with_raw_response.query)
        with pytest.raises(AttributeError, match="single-request"):
            api.with_raw_response.query.iter_tasks  # noqa: B018 - a pager makes many requests
        with pytest.raises(errors.ParameterError):
            await api.with_raw_response.query.task_info([7])


async def test_a_task_without_an_id_is_a_malformed_reply() -> None:
    transport = recording({"code": 200, "message": "ok", "data": {"items": [{"taskStatus": 10}]}})
    async with client(transport, retry=RetryPolicy(attempts=2)) as api:
        with pytest.raises(errors.MalformedResponseError, match="TaskInfoPage"):
            await api.query.task_info([7])
    assert len(transport.requests) == 2  # an unreadable reply to an idempotent call is retried


def test_the_bulk_names_are_importable_from_the_top_level() -> None:
    from rayvision_async.flows import _bulk

    for name in ("PollResult", "TaskEvent", "WaitTimeoutError", "TasksNotFoundError"):
        assert getattr(rayvision_async, name) is getattr(_bulk, name)
        assert name in rayvision_async.__all__
    assert rayvision_async.TaskEvent.previous_status.fget.__annotations__["return"] == "TaskStatus | None"


# -- network errors name the host and the reason -------------------------------------------------------------


async def test_a_refused_connection_names_host_port_and_reason() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, base_url=f"http://127.0.0.1:{port}", max_retries=0) as api:
        with pytest.raises(errors.ConnectError) as caught:
            await api.query.task_info([7])
    message = str(caught.value)
    assert f"could not connect to 127.0.0.1:{port}: " in message
    assert "refused" in message.lower() or "connect call failed" in message.lower()


@pytest.mark.parametrize(("exc", "error", "expected"), [
    (httpx.ConnectError("[Errno -2] Name or service not known"), errors.ConnectError,
     "could not connect to task.renderbus.com:443: [Errno -2] Name or service not known (ConnectError)"),
    (httpx.ReadError(""), errors.TransportError, "connection to task.renderbus.com:443 failed: ReadError"),
    (httpx.ReadTimeout("timed out"), errors.RequestTimeoutError,
     "no answer from task.renderbus.com:443 within 30.0 s (ReadTimeout)"),
    (httpx.ProxyError("proxy http://ops:proxy-pw-9@10.0.0.1:3128 refused"), errors.ProxyError,
     "the proxy refused to carry the request to task.renderbus.com:443 (proxy http://***@10.0.0.1:3128 refused "
     "(ProxyError)); nothing was sent to the service"),
    (httpx.ConnectError(f"echo {ACCESS_KEY}"), errors.ConnectError,
     "could not connect to task.renderbus.com:443: echo *** (ConnectError)"),
], ids=["dns", "reset", "timeout", "proxy-credentials", "secret"])
async def test_transport_failures_name_host_and_reason(exc: Exception, error: type[Exception], expected: str) -> None:
    async with client(FakeService(exc), max_retries=0) as api:
        with pytest.raises(error) as caught:
            await api.query.task_info([7])
    assert expected in str(caught.value)


async def test_a_raw_response_never_shows_a_secret() -> None:
    echo = {**TASK_INFO_OK, "message": f"ok for {ACCESS_KEY}", "requestId": f"rid-{ACCESS_KEY}"}
    async with client(recording(echo)) as api:
        raw = await api.with_raw_response.query.task_info([7])
    assert ACCESS_KEY not in repr(raw)
    assert raw.message == "ok for ***"
    assert raw.request_id == "rid-***"
