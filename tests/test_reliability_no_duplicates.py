"""Creating and changing calls are never sent twice once they may have reached the server.

Every non-idempotent endpoint is hit by a failure that strikes after the farm did the work (an
answer slower than the read timeout, a connection reset, an HTML 5xx page, truncated JSON). The
server counts what it received and what it carried out: exactly one of each, and the caller is
told the outcome is unknown. By contrast a connection that could not be opened is retried until
the call gets through, and the work is still done once. Both over real loopback HTTP with the
default transport and in process through ``SimulatorTransport``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from rayvision_async import AsyncRayvisionAPI, RetryPolicy, Timeouts, errors
from rayvision_async.api._table import ENDPOINTS
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport, serve
from rayvision_async.simulator.service import FaultKind

ACCESS_ID = "AKIDnoduplicates0001"
ACCESS_KEY = "no-duplicates-secret-0001"
READ_TIMEOUT = 0.25
SLOW = 0.5
RETRY = RetryPolicy(attempts=5)  # would retry at once, if allowed
ENV = {"cgId": 2000, "cgName": "Maya", "cgVersion": "2018", "renderLayerType": 0, "editName": "env-dup",
       "renderSystem": 1, "pluginIds": []}
Call = Callable[[AsyncRayvisionAPI, int], Awaitable[Any]]

#: Every endpoint the table marks as creating or changing work, and a call to it on ``task_id``.
CALLS: dict[str, Call] = {
    "create_task": lambda api, task_id: api.task.create_task(count=2),
    "submit_task": lambda api, task_id: api.task.submit_task(task_id),
    "restart_failed_frames": lambda api, task_id: api.query.restart_failed_frames([task_id]),
    "restart_frame": lambda api, task_id: api.query.restart_frame(task_id, select_all=1),
    "add_label": lambda api, task_id: api.tag.add_label("dup-check"),
    "add_render_env": lambda api, task_id: api.env.add_render_env(ENV),
}
KINDS: list[FaultKind] = ["slow", "reset", "http_5xx", "malformed_json"]


def test_the_calls_cover_every_non_idempotent_endpoint() -> None:
    assert set(CALLS) == {endpoint.name for endpoint in ENDPOINTS if not endpoint.idempotent}


def new_sim(operation: str) -> tuple[Simulator, int]:
    """A simulator and the id of a task in the state ``operation`` needs (made via the farm API)."""
    farm = Farm(speed=0.0, require_task_json=False, default_frames="1-3", failure_rate=0.5)
    task_id = farm.create_tasks(1)[0].id
    if operation != "submit_task":
        farm.submit(task_id)
        farm.advance(3600)  # analysed and rendered, some frames failed
    return Simulator(ACCESS_ID, ACCESS_KEY, farm=farm), task_id


async def _instant(seconds: float) -> None:
    await asyncio.sleep(0)


@asynccontextmanager
async def client(sim: Simulator, mode: str, retry: RetryPolicy = RETRY) -> AsyncIterator[AsyncRayvisionAPI]:
    timeout = Timeouts(read=READ_TIMEOUT, connect=2.0)
    if mode == "loopback":
        async with serve(sim) as url, AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, domain=sim.domain, base_url=url,
                                                        timeout=timeout, retry=retry) as api:
            yield api
    else:
        transport = SimulatorTransport(sim, sleep=_instant)
        async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, transport=transport, timeout=timeout,
                                     retry=retry) as api:
            yield api


def assert_outcome_unknown(exc: BaseException, path: str) -> None:
    assert type(exc) is errors.RequestOutcomeUnknownError
    assert exc.path == path
    assert "may have been processed" in str(exc)
    assert "not retried" in str(exc)
    assert isinstance(exc.__cause__, errors.RayvisionError)


@pytest.mark.parametrize("mode", ["loopback", "in_process"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("operation", sorted(CALLS))
async def test_a_failure_after_processing_is_never_retried(operation: str, kind: FaultKind, mode: str) -> None:
    sim, task_id = new_sim(operation)
    fault = sim.inject(operation, kind, after_processing=True, delay=SLOW if kind == "slow" else None)
    assert fault.processes
    async with client(sim, mode) as api, asyncio.timeout(60):
        with pytest.raises(errors.RequestOutcomeUnknownError) as caught:
            await CALLS[operation](api, task_id)
        assert api.requests_sent == 1
        if mode == "loopback" and kind == "slow":
            await asyncio.sleep(SLOW - READ_TIMEOUT + 0.05)  # the late answer lands: still nothing resent
    assert sim.counts[operation] == 1
    assert sim.processed[operation] == 1
    path = next(endpoint.path for endpoint in ENDPOINTS if endpoint.name == operation)
    assert_outcome_unknown(caught.value, path)
    cause = caught.value.__cause__
    expected = {"slow": errors.RequestTimeoutError, "reset": errors.TransportError,
                "http_5xx": errors.HTTPStatusError, "malformed_json": errors.MalformedResponseError}[kind]
    assert type(cause) is expected
    assert not sim.internal_errors


@pytest.mark.parametrize("mode", ["loopback", "in_process"])
async def test_a_reset_before_processing_is_still_not_retried_once_sent(mode: str) -> None:
    # The server read the request and dropped it unprocessed, but the client cannot tell that from
    # a reset after processing: it must not guess.
    sim, _ = new_sim("create_task")
    sim.inject("create_task", "reset", after_processing=False)
    async with client(sim, mode) as api:
        with pytest.raises(errors.RequestOutcomeUnknownError):
            await api.task.create_task()
    assert (sim.counts["create_task"], sim.processed["create_task"]) == (1, 0)


@pytest.mark.parametrize("operation", sorted(CALLS))
async def test_a_connect_failure_is_retried_and_processed_once(operation: str) -> None:
    sim, task_id = new_sim(operation)
    sim.inject(operation, "reset", before_sending=True, times=3)
    async with client(sim, "in_process") as api:
        await CALLS[operation](api, task_id)
        assert api.requests_sent == 4
    assert sim.counts[operation] == 4  # three refused before sending, then the one that got through
    assert sim.processed[operation] == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.real_backoff
async def test_a_refused_connection_is_retried_over_loopback() -> None:
    """Nothing listens at first (a real ECONNREFUSED); the server starts while the client backs off."""
    sim, _ = new_sim("create_task")
    port = _free_port()
    retry = RetryPolicy(attempts=20, initial_delay=0.05, max_delay=0.05)
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, domain=sim.domain, base_url=f"http://127.0.0.1:{port}",
                                 timeout=Timeouts(read=5.0, connect=2.0), retry=retry) as api:
        call = asyncio.create_task(api.task.create_task())
        async with asyncio.timeout(30):
            for _ in range(3000):
                if api.requests_sent >= 2 or call.done():
                    break
                await asyncio.sleep(0.01)
            assert not call.done()
            async with serve(sim, port=port):
                created = await call
        assert api.requests_sent >= 2
    assert len(created.task_id_list) == 1
    assert sim.counts["create_task"] == 1  # the refused attempts never reached it
    assert sim.processed["create_task"] == 1


@pytest.mark.parametrize("mode", ["loopback", "in_process"])
@pytest.mark.parametrize("kind", ["slow", "reset"])
@pytest.mark.parametrize("processed", [True, False])
async def test_submit_task_json_settles_an_unknown_submit_by_reading_the_task(
        mode: str, kind: FaultKind, processed: bool) -> None:
    if kind == "slow" and not processed:
        pytest.skip("a slow answer always follows processing")
    sim, _ = new_sim("submit_task")
    sim.inject("submit_task", kind, after_processing=processed, delay=SLOW if kind == "slow" else None)
    before = set(sim.farm.tasks)
    async with client(sim, mode) as api:
        task_id = await api.submit_task_json({"task_info": {"input_cg_file": "D:/a.max", "cg_id": "2001"}})
    assert set(sim.farm.tasks) - before == {task_id}
    for operation in ("create_task", "upload_json_content"):
        assert (sim.counts[operation], sim.processed[operation]) == (1, 1), operation
    # the SDK read the task after the unknown outcome: submitted (once), or not yet, and then submitted it
    # (and read it back)
    assert sim.counts["task_info"] == (1 if processed else 2)
    assert (sim.counts["submit_task"], sim.processed["submit_task"]) == ((1, 1) if processed else (2, 1))
    assert sim.farm.tasks[task_id].submitted_at is not None
