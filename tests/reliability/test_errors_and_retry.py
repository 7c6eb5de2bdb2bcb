"""Envelope codes → exception classes, the decoder's failures, and the retry matrix."""

from __future__ import annotations

import asyncio
import gzip
import random
import time
from collections.abc import Callable
from typing import Any

import attrs
import httpx
import pytest

from helpers import internals
from helpers.fake_service import FakeService
from rayvision_async import AsyncRayvisionAPI, RetryPolicy, errors
from rayvision_async._retry import NO_RETRY
from rayvision_async.wire._envelope import decode_envelope

ATTEMPTS = 3
FAST = RetryPolicy(attempts=ATTEMPTS)
TASK_INFO = "/api/render/handle/queryTaskInfo/v2"
CREATE = "/api/render/submit/createTask"
OK_DATA = {TASK_INFO: {"items": [{"id": 9}], "pageCount": 1}, CREATE: {"taskIdList": [42]}}


def envelope(code: int, message: str = "msg", **extra: Any) -> httpx.Response:
    return httpx.Response(200, json={"code": code, "message": message, "requestId": "rid-77", **extra})


def scripted(*outcomes: Exception | httpx.Response | Callable[[], Any]) -> FakeService:
    """Plays one scripted outcome per request (a callable makes it then); then answers 200 with ``OK_DATA``."""
    return FakeService(*(outcome if not callable(outcome) else (lambda request, make=outcome: make())
                         for outcome in outcomes), data_by_path=OK_DATA)


def client(transport: httpx.AsyncBaseTransport, retry: RetryPolicy = FAST) -> AsyncRayvisionAPI:
    return AsyncRayvisionAPI("AKIDerrors0001", "errors-secret-key", transport=transport, retry=retry)


async def call(api: AsyncRayvisionAPI, idempotent: bool) -> Any:
    return await (api.query.task_info([1]) if idempotent else api.task.create_task())


# -- codes ---------------------------------------------------------------------------------------

CODES = [(100, errors.FailError), (403, errors.PermissionDeniedError), (605, errors.PermissionDeniedError),
         (404, errors.NotFoundError), (500, errors.ServerError), (600, errors.ParameterError),
         (601, errors.ParameterError), (602, errors.LoginRequiredError),
         (603, errors.IllegalRequestError), (608, errors.RegionMismatchError),
         (610, errors.SignatureExpiredError), (611, errors.SignatureInvalidError), (812, errors.IPProhibitedError),
         (700, errors.NoMoreRecordsError), (999, errors.APIError)]


@pytest.mark.parametrize(("code", "cls"), CODES)
async def test_envelope_code_maps_to_its_class(code: int, cls: type[errors.APIError]) -> None:
    sent = 2 if code == 603 else 1  # a 603 is signed again and resent once (see below)
    transport = scripted(*[envelope(code, f"service says {code}")] * sent)
    async with client(transport, NO_RETRY) as api:
        with pytest.raises(errors.APIError) as caught:
            await api.query.task_info([1])
    exc = caught.value
    assert type(exc) is cls
    assert (exc.code, exc.message, exc.path, exc.request_id) == (code, f"service says {code}", TASK_INFO, "rid-77")
    assert str(code) in str(exc)
    assert "rid-77" in str(exc)
    assert len(transport.requests) == sent


def test_decoder_failures() -> None:
    with pytest.raises(errors.HTTPStatusError) as status:
        decode_envelope(503, b"<html>busy</html>", path="/p", retry_after="7")
    assert (status.value.status_code, status.value.retry_after, status.value.path) == (503, 7.0, "/p")
    fraction = decode_envelope(200, b'{"code": 200, "data": 1.10}', path="/p")
    assert fraction.data == 1.1  # the fast decoding: models turn it into Decimal("1.1")
    assert str(fraction.exact_data()) == "1.10"  # the exact decoding keeps the literal
    assert decode_envelope(200, b'{"code": 200, "serverTime": 1.7E12}', path="/p").server_time_ms == 1_700_000_000_000
    for body in (b"<html>", b"[1, 2]", b'{"message": "no code"}', b'{"code": "200"}', b'{"code": true}',
                 b"\xff\xfe", b"", b"[" * 100_000):
        with pytest.raises(errors.MalformedResponseError) as malformed:
            decode_envelope(200, body, path="/p")
        assert malformed.value.path == "/p"


def test_retry_after_parsing() -> None:
    assert decode_envelope(200, b'{"code": 0}', path="/p").code == 0
    for header, expected in (("1", 1.0), ("2.5", 2.5), ("-3", None), ("soon", None), (None, None)):
        with pytest.raises(errors.HTTPStatusError) as caught:
            decode_envelope(429, b"", path="/p", retry_after=header)
        assert caught.value.retry_after == expected


# -- the retry matrix ----------------------------------------------------------------------------

HTML_502 = httpx.Response(502, text="<html><body>Bad Gateway</body></html>", headers={"Content-Type": "text/html"})

FAILURES: dict[str, Any] = {
    "connect_error": lambda: httpx.ConnectError("refused"),
    "connect_timeout": lambda: httpx.ConnectTimeout("slow handshake"),
    "read_timeout": lambda: httpx.ReadTimeout("no answer"),
    "reset_after_send": lambda: httpx.ReadError("connection reset by peer"),
    "http_502_html": lambda: HTML_502,
    "http_429": lambda: httpx.Response(429, headers={"Retry-After": "0"}),
    "http_404": lambda: httpx.Response(404, text="not here"),
    "malformed_200": lambda: httpx.Response(200, text="{not json"),
    "corrupt_gzip_200": lambda: httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=b"not gzip"),
    "code_500": lambda: envelope(500),
    "code_600": lambda: envelope(600),
    "code_601": lambda: envelope(601),
    "code_611": lambda: envelope(611),
    "code_403": lambda: envelope(403),
}
OUTCOME_UNKNOWN = (1, errors.RequestOutcomeUnknownError)
# failure → (requests, exception) for (idempotent, non-idempotent)
MATRIX: dict[str, tuple[tuple[int, type[Exception]], tuple[int, type[Exception]]]] = {
    # Scripted is a custom transport: its connect failures cannot prove nothing was sent.
    "connect_error": ((ATTEMPTS, errors.ConnectError), OUTCOME_UNKNOWN),
    "connect_timeout": ((ATTEMPTS, errors.ConnectError), OUTCOME_UNKNOWN),
    "read_timeout": ((ATTEMPTS, errors.RequestTimeoutError), OUTCOME_UNKNOWN),
    "reset_after_send": ((ATTEMPTS, errors.TransportError), OUTCOME_UNKNOWN),
    "http_502_html": ((ATTEMPTS, errors.HTTPStatusError), OUTCOME_UNKNOWN),
    "http_429": ((ATTEMPTS, errors.HTTPStatusError), (ATTEMPTS, errors.HTTPStatusError)),
    "http_404": ((1, errors.HTTPStatusError), (1, errors.HTTPStatusError)),
    "malformed_200": ((ATTEMPTS, errors.MalformedResponseError), OUTCOME_UNKNOWN),
    "corrupt_gzip_200": ((ATTEMPTS, errors.MalformedResponseError), OUTCOME_UNKNOWN),
    "code_500": ((ATTEMPTS, errors.ServerError), (1, errors.ServerError)),
    "code_600": ((1, errors.ParameterError), (1, errors.ParameterError)),
    "code_601": ((1, errors.ParameterError), (1, errors.ParameterError)),
    "code_611": ((1, errors.SignatureInvalidError), (1, errors.SignatureInvalidError)),
    "code_403": ((1, errors.PermissionDeniedError), (1, errors.PermissionDeniedError)),
}


@pytest.mark.parametrize("idempotent", [True, False], ids=["task_info", "create_task"])
@pytest.mark.parametrize("failure", sorted(MATRIX))
async def test_retry_matrix(failure: str, idempotent: bool) -> None:
    requests, expected = MATRIX[failure][0 if idempotent else 1]
    transport = scripted(*[FAILURES[failure]] * (ATTEMPTS + 2))
    async with client(transport) as api:
        with pytest.raises(errors.RayvisionError) as caught:
            await call(api, idempotent)
    assert type(caught.value) is expected
    assert len(transport.requests) == requests
    assert api.requests_sent == requests
    assert caught.value.path == transport.requests[0].url.path  # type: ignore[attr-defined]
    if expected is errors.RequestOutcomeUnknownError:
        assert type(caught.value.__cause__) is MATRIX[failure][0][1]


RETRIED = [(name, idempotent) for name, kinds in sorted(MATRIX.items())
           for idempotent, (requests, _) in zip((True, False), kinds, strict=True) if requests == ATTEMPTS]


@pytest.mark.parametrize(("failure", "idempotent"), RETRIED)
async def test_a_retried_failure_then_success(failure: str, idempotent: bool) -> None:
    transport = scripted(FAILURES[failure], FAILURES[failure])
    async with client(transport) as api:
        result = await call(api, idempotent)
    assert len(transport.requests) == 3
    assert (result.items[0].id if idempotent else result.task_id_list) in (9, (42,))


def test_a_real_gzip_body_is_decoded() -> None:
    response = httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(b'{"code": 200}'))
    assert decode_envelope(response.status_code, response.content, path="/p").code == 200


# -- waits ---------------------------------------------------------------------------------------


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(delay: float, *args: Any) -> None:
        recorded.append(delay)
        await real_sleep(0)

    monkeypatch.setattr("rayvision_async._request.asyncio.sleep", fake_sleep)
    return recorded


@pytest.mark.real_backoff
@pytest.mark.parametrize(("header", "cap", "expected"), [("1", 30.0, 1.0), ("999", 30.0, 30.0), ("999", 5.0, 5.0),
                                                         ("0", 30.0, 0.0)])
async def test_retry_after_is_honoured_up_to_the_cap(sleeps: list[float], header: str, cap: float,
                                                     expected: float) -> None:
    transport = scripted(httpx.Response(429, headers={"Retry-After": header}))
    policy = RetryPolicy(attempts=2, initial_delay=0.01, max_delay=0.01, retry_after_cap=cap)
    async with client(transport, policy) as api:
        await api.task.create_task()
    assert sleeps == [expected]
    assert len(transport.requests) == 2


@pytest.mark.real_backoff
async def test_backoff_without_retry_after_stays_under_the_ceiling(sleeps: list[float]) -> None:
    transport = scripted(httpx.ConnectError("x"), httpx.ConnectError("x"), httpx.ConnectError("x"))
    policy = RetryPolicy(attempts=4, initial_delay=0.5, multiplier=3, max_delay=1.0)
    async with client(transport, policy) as api:
        await api.query.task_info([1])
    assert len(sleeps) == 3
    assert all(0 <= delay <= ceiling for delay, ceiling in zip(sleeps, (0.5, 1.0, 1.0), strict=True))


@pytest.mark.real_backoff
def test_retry_policy_delay_bounds() -> None:
    policy = RetryPolicy(initial_delay=0.25, multiplier=2.0, max_delay=4.0)
    rng = random.Random(1234)
    for retry in range(1, 9):
        ceiling = min(4.0, 0.25 * 2.0 ** (retry - 1))
        samples = [policy.delay(retry, rng=rng) for _ in range(200)]
        assert all(0.0 <= sample <= ceiling for sample in samples)
        assert max(samples) > 0.8 * ceiling  # full jitter: the whole range is used
        assert min(samples) < 0.2 * ceiling
    assert policy.delay(1, retry_after=12.0) == 12.0
    assert policy.delay(1, retry_after=1e6) == policy.retry_after_cap


@pytest.mark.parametrize("fields", [
    {"attempts": 0}, {"attempts": 21}, {"attempts": 1.5}, {"attempts": "3"}, {"attempts": True},
    {"initial_delay": -0.1}, {"max_delay": -1}, {"multiplier": 0.5}, {"retry_after_cap": -1},
    {"initial_delay": float("nan")},
])
def test_retry_policy_validation(fields: dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        RetryPolicy(**fields)


def test_retry_policy_is_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        FAST.attempts = 5  # type: ignore[misc]
    assert RetryPolicy(attempts=1) == NO_RETRY


# -- 610: clock skew -----------------------------------------------------------------------------


def skewed_610(skew_s: float = 3600.0) -> httpx.Response:
    return envelope(610, "signature expired", serverTime=int((time.time() + skew_s) * 1000))


@pytest.mark.parametrize("idempotent", [True, False], ids=["task_info", "create_task"])
async def test_610_resyncs_the_clock_and_retries_once(idempotent: bool) -> None:
    transport = scripted(skewed_610())
    async with client(transport, NO_RETRY) as api:
        await call(api, idempotent)
        await call(api, idempotent)
    stamps = [int(r.headers["UTCTimestamp"]) for r in transport.requests]
    assert len(stamps) == 3
    assert abs(stamps[0] - time.time()) < 5
    assert abs(stamps[1] - (time.time() + 3600)) < 5
    assert abs(stamps[2] - stamps[1]) < 5  # the offset is kept for later calls
    assert transport.requests[0].headers["nonce"] != transport.requests[1].headers["nonce"]


async def test_a_second_610_is_raised_when_no_attempt_is_left() -> None:
    transport = scripted(skewed_610(), skewed_610(7200))
    async with client(transport, NO_RETRY) as api:
        with pytest.raises(errors.SignatureExpiredError) as caught:
            await api.query.task_info([1])
    assert len(transport.requests) == 2
    assert caught.value.code == 610


@pytest.mark.parametrize("idempotent", [True, False], ids=["task_info", "create_task"])
async def test_a_second_610_is_retried_within_the_attempt_budget(idempotent: bool) -> None:
    transport = scripted(skewed_610(), skewed_610(7200), skewed_610(-60))
    async with client(transport, RetryPolicy(attempts=3, initial_delay=0)) as api:
        await call(api, idempotent)
    assert len(transport.requests) == 4
    assert abs(internals.signer(api).clock_offset + 60) < 5


GARBAGE_SERVER_TIMES = [None, 0, -5, 2**63, -(2**63), int(time.time() * 1_000_000), "soon", 1.5e12,
                        int((time.time() + 10 * 365 * 86400) * 1000)]


@pytest.mark.parametrize("server_time", GARBAGE_SERVER_TIMES)
@pytest.mark.parametrize("idempotent", [True, False], ids=["task_info", "create_task"])
async def test_an_unusable_server_time_is_never_adopted(server_time: Any, idempotent: bool) -> None:
    extra = {} if server_time is None else {"serverTime": server_time}
    transport = scripted(envelope(610, "signature expired", **extra))
    async with client(transport, RetryPolicy(attempts=2, initial_delay=0)) as api:
        await call(api, idempotent)  # refused before processing: retried on the budget, even a creating call
        assert internals.signer(api).clock_offset == 0.0
    stamps = [int(r.headers["UTCTimestamp"]) for r in transport.requests]
    assert len(stamps) == 2
    assert all(abs(stamp - time.time()) < 5 for stamp in stamps)


async def test_610_without_a_usable_server_time_is_raised_when_attempts_run_out() -> None:
    transport = scripted(envelope(610, "signature expired"), envelope(610, "signature expired", serverTime=0))
    async with client(transport, RetryPolicy(attempts=2, initial_delay=0)) as api:
        with pytest.raises(errors.SignatureExpiredError):
            await api.task.create_task()
    assert len(transport.requests) == 2


async def test_the_clock_offset_belongs_to_one_client() -> None:
    first, second = scripted(skewed_610()), scripted()
    async with client(first, NO_RETRY) as one, client(second, NO_RETRY) as other:
        await one.query.task_info([1])
        await other.query.task_info([1])
        assert abs(internals.signer(one).clock_offset - 3600) < 5
        assert internals.signer(other).clock_offset == 0.0
    assert abs(int(second.requests[0].headers["UTCTimestamp"]) - time.time()) < 5


# -- 603: refused by the protocol check (a replayed nonce among others) -------------------------------


@pytest.mark.parametrize("idempotent", [True, False], ids=["task_info", "create_task"])
async def test_a_603_is_signed_again_and_resent_once_for_free(idempotent: bool) -> None:
    transport = scripted(envelope(603, "illegal_protocol"))
    async with client(transport, NO_RETRY) as api:  # no attempt budget: the resend is free
        result = await call(api, idempotent)
    assert (result.items[0].id if idempotent else result.task_id_list) in (9, (42,))
    first, second = transport.requests
    assert first.headers["nonce"] != second.headers["nonce"]
    assert first.headers["signature"] != second.headers["signature"]
    assert first.content == second.content


@pytest.mark.parametrize("idempotent", [True, False], ids=["task_info", "create_task"])
async def test_a_second_603_is_raised_whatever_the_attempt_budget(idempotent: bool) -> None:
    transport = scripted(*[envelope(603, "illegal_protocol")] * 4)
    async with client(transport, RetryPolicy(attempts=4, initial_delay=0)) as api:
        with pytest.raises(errors.IllegalRequestError) as caught:
            await call(api, idempotent)
    assert len(transport.requests) == 2
    assert (caught.value.code, caught.value.request_id) == (603, "rid-77")


def test_the_testing_switch_zeroes_every_delay_and_restores() -> None:
    from rayvision_async import _retry as retry

    policy = RetryPolicy(initial_delay=1.0, max_delay=4.0)
    with retry.no_backoff(False):
        assert policy.delay(1, retry_after=3.0) == 3.0
        with retry.no_backoff():
            assert policy.delay(3) == 0.0
            assert policy.delay(1, retry_after=3.0) == 0.0
        assert policy.delay(1, retry_after=3.0) == 3.0


def test_timeout_error_is_a_deprecated_alias_of_request_timeout_error() -> None:
    assert issubclass(errors.RequestTimeoutError, errors.TransportError)
    assert not issubclass(errors.RequestTimeoutError, TimeoutError)  # the builtin, as before the rename
    with pytest.warns(DeprecationWarning, match="RequestTimeoutError"):
        alias = errors.TimeoutError
    assert alias is errors.RequestTimeoutError
    assert "TimeoutError" not in errors.__all__
    with pytest.raises(AttributeError):
        _ = errors.NoSuchError  # type: ignore[attr-defined]
