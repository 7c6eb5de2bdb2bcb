"""Reliability over real loopback HTTP with the default transport: deadlines, size caps, event loops,
closing with calls in flight, echoed secrets, unvouched transports and the client's settings.

Each test failed on 0.1.0 (see the CHANGELOG's Fixed list).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import resource
import time
import traceback
import warnings
from typing import Any

import httpx
import pytest

from helpers import internals
from helpers.fake_service import FakeService, Reply
from rayvision_async import AsyncRayvisionAPI, ConfigurationError, RetryPolicy, Timeouts, errors
from rayvision_async.simulator import Farm, Simulator, serve
from rayvision_async.wire import AiohttpTransport

ACCESS_ID = "AKIDloopbackreliability1"
ACCESS_KEY = "loopback-reliability-secret-1"


def with_locals(error: BaseException) -> str:
    """The SDK's frames of the traceback (and its chain) as a tool that prints every frame's locals shows them."""
    shown: list[str] = []
    link: traceback.TracebackException | None = traceback.TracebackException.from_exception(
        error, capture_locals=True)
    while link is not None:
        frames = [frame for frame in link.stack if "rayvision_async" in frame.filename]
        shown.extend(traceback.StackSummary.from_list(frames).format())
        shown.extend(link.format_exception_only())
        link = link.__cause__ or link.__context__
    return "".join(shown)


def simulator() -> Simulator:
    return Simulator(ACCESS_ID, ACCESS_KEY, farm=Farm(speed=0.0, require_task_json=False))


def client(sim: Simulator, url: str, **options: Any) -> AsyncRayvisionAPI:
    return AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, domain=sim.domain, base_url=url, **options)


# -- 3: a total deadline per attempt ---------------------------------------------------------------


async def test_a_trickling_reply_ends_at_the_attempts_total_deadline() -> None:
    sim = simulator()
    sim.inject("task_info", "trickle", delay=0.2, times=10)  # one byte every 0.2 s: never a read timeout
    async with serve(sim) as url, client(sim, url, timeout=Timeouts(read=1.0, total=1.5),
                                         retry=RetryPolicy(attempts=2, initial_delay=0)) as api:
        started = time.monotonic()
        with pytest.raises(errors.RequestTimeoutError, match="total timeout"):
            await api.query.task_info([1])
        elapsed = time.monotonic() - started
    assert 2 * 1.5 <= elapsed < 2 * 1.5 + 1.5  # attempts x total deadline (+ scheduling slack)
    assert sim.counts["task_info"] == 2


async def test_the_total_deadline_can_be_set_per_call() -> None:
    sim = simulator()
    sim.inject("task_info", "trickle", delay=0.1, times=1)
    async with serve(sim) as url, client(sim, url, max_retries=0) as api:
        started = time.monotonic()
        with pytest.raises(errors.RequestTimeoutError):
            await api.with_options(timeout=Timeouts(read=5.0, total=0.5)).query.task_info([1])
        assert time.monotonic() - started < 2.0


# -- 4: a cap on the decoded body ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["oversized", "gzip_bomb"])
async def test_a_huge_or_inflating_reply_is_malformed_and_bounded_in_memory(kind: str) -> None:
    sim = simulator()
    size = 4 * 2**20 if kind == "oversized" else 256 * 2**20
    sim.inject("task_info", kind, size=size, times=1)
    gc.collect()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    async with serve(sim) as url, client(sim, url, max_retries=0, max_response_bytes=2**20) as api:
        with pytest.raises(errors.MalformedResponseError, match="larger than"):
            await api.query.task_info([1])
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert grown_mib < 64  # the whole body is never held (a 256 MiB bomb took the process to 1 GB)


async def test_a_reply_within_the_cap_is_read() -> None:
    sim = simulator()
    async with serve(sim) as url, client(sim, url, max_response_bytes=2**20) as api:
        await api.query.task_info([1])


# -- 10: another event loop --------------------------------------------------------------------------


def test_a_client_used_from_a_second_event_loop_refuses_before_sending() -> None:
    sim = simulator()

    async def run(api_holder: list[AsyncRayvisionAPI]) -> Any:
        async with serve(sim) as url:
            if not api_holder:
                api_holder.append(client(sim, url))
            else:  # the first loop's server is gone; this loop has its own at another port
                internals.channel(api_holder[0])._base_url = url
            created = await api_holder[0].task.create_task()
            await internals.inner(api_holder[0]).aclose()
            return created

    holder: list[AsyncRayvisionAPI] = []
    asyncio.run(run(holder))
    with pytest.raises(ConfigurationError, match="another event loop"):
        asyncio.run(run(holder))
    assert sim.processed["create_task"] == 1  # the second call was never sent


# -- 11: aclose with calls in flight -----------------------------------------------------------------


async def test_aclose_with_calls_in_flight_opens_nothing_and_leaves_no_socket() -> None:
    sim = simulator()
    sim.inject("task_info", "slow", delay=0.5, after_processing=True, times=10)
    transport = AiohttpTransport()
    async with serve(sim) as url:
        api = client(sim, url, transport=transport, max_retries=5, timeout=Timeouts(read=0.2))
        gc.collect()  # only this test's objects below
        calls = [asyncio.ensure_future(api.query.task_info([1])) for _ in range(10)]
        await asyncio.sleep(0.1)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            await api.aclose()
            outcomes = await asyncio.gather(*calls, return_exceptions=True)
            await asyncio.sleep(0.6)
            gc.collect()
        sent_at_close = sim.counts["task_info"]
        await asyncio.sleep(0.3)
        assert sim.counts["task_info"] == sent_at_close  # no retry went out after aclose
    assert all(isinstance(outcome, errors.ClientClosedError) for outcome in outcomes)
    assert transport.open_connections == 0
    assert not [str(w.message) for w in caught if "Unclosed" in str(w.message)]


# -- 12: a hostile server echoing secrets -------------------------------------------------------------


def echo(code: int = 600) -> FakeService:
    """Echoes the request's access id and signature back in requestId and message, then fails."""

    def answer(request: httpx.Request) -> Reply:
        echoed = f"{request.headers['accessId']}/{request.headers['signature']}"
        return Reply(None, code=code, message=f"bad {echoed}", request_id=f"rid-{echoed}",
                     server_time=int(time.time() * 1000))

    return FakeService(answer=answer)


async def test_echoed_secrets_are_scrubbed_from_errors_logs_and_chains(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="rayvision_async")
    transport = echo()
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, transport=transport) as api:
        with pytest.raises(errors.ParameterError) as caught:
            await api.query.task_info([1])
    error = caught.value
    text = " ".join([str(error), repr(error), error.message, str(error.request_id), caplog.text,
                     with_locals(error)])
    assert transport.signatures
    for secret in (ACCESS_ID, ACCESS_KEY, *transport.signatures):
        assert secret not in text
    assert "***" in str(error.request_id)


async def test_no_signed_request_hangs_in_a_transport_errors_chain() -> None:
    failing = FakeService(lambda request: httpx.ReadError("peer reset", request=request))
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, transport=failing, max_retries=0) as api:
        with pytest.raises(errors.TransportError) as caught:
            await api.query.task_info([1])
    chain: list[BaseException] = []
    link: BaseException | None = caught.value
    while link is not None:
        chain.append(link)
        link = link.__cause__ or link.__context__
    assert not any(isinstance(item, httpx.HTTPError) for item in chain)
    assert failing.signatures
    assert failing.signatures[0] not in with_locals(caught.value)


# -- 8: a transport the SDK cannot vouch for ------------------------------------------------------------


def forwards_then_lies(inner: httpx.AsyncBaseTransport) -> FakeService:
    """Delivers each request, then reports a connect timeout (as httpx-aiohttp does for a reset after sending)."""

    async def forward(request: httpx.Request) -> Exception:
        response = await inner.handle_async_request(request)
        await response.aread()
        return httpx.ConnectTimeout("connect timed out (really: reset after sending)", request=request)

    return FakeService(answer=lambda request: forward)


async def test_a_foreign_transport_never_duplicates_a_creating_call() -> None:
    sim = simulator()
    async with serve(sim) as url:
        inner = AiohttpTransport()
        api = client(sim, url, transport=forwards_then_lies(inner), max_retries=5)
        async with api:
            with pytest.raises(errors.RequestOutcomeUnknownError):
                await api.task.create_task()
            with pytest.raises(errors.ConnectError):  # an idempotent call may still be retried
                await api.query.task_info([1])
        await inner.aclose()
    assert sim.processed["create_task"] == 1
    assert sim.processed["task_info"] == 6


# -- 13: settings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:99999", "http://127.0.0.1:0", "http://host:port",
                                      "http://127.0.0.1:-1", "https://[::1]:70000"])
def test_a_base_url_with_an_impossible_port_is_refused(base_url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, base_url=base_url)


async def test_requests_sent_counts_the_views_too() -> None:
    sim = simulator()
    async with serve(sim) as url, client(sim, url) as api:
        await api.query.task_info([1])
        await api.with_options(max_retries=0).query.task_info([1])
        await api.with_options(timeout=5.0).with_options(max_retries=1).task.create_task()
        assert api.requests_sent == 3 == sum(sim.counts.values())
