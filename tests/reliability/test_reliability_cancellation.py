"""Cancelling ``poll``, ``watch``, a prefetching pager or a single call mid-flight leaks nothing.

The simulator runs in its own thread and event loop (``run_server``), so every task in the test's
loop belongs to the client or to the test, and latency faults keep requests in flight for
seconds. After each cancellation: no task left behind, every request slot (the client's
semaphore) free again, no aiohttp connection still "acquired", the client still works, and after
``aclose()`` the default transport holds no connection at all.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest

from helpers import internals
from rayvision_async import AsyncRayvisionAPI, RetryPolicy, Timeouts
from rayvision_async._request import bulk_slots
from rayvision_async.simulator import Farm, FaultPlan, Simulator, run_server
from rayvision_async.wire import AiohttpTransport

ACCESS_ID = "AKIDcancellation0001"
ACCESS_KEY = "cancellation-secret-0001"
HOLD = 3.0  # seconds a delayed request stays in flight
CONCURRENCY = 4
BULK = bulk_slots(CONCURRENCY)  # what a poll or watch may hold of them (3)


@contextmanager
def threaded_server(sim: Simulator) -> Iterator[str]:
    """Serve ``sim`` from another thread's event loop; yields the base URL."""
    stop = threading.Event()
    lines: queue.Queue[str] = queue.Queue()
    thread = threading.Thread(target=run_server, args=(sim,), kwargs={"port": 0, "stop": stop, "out": lines.put},
                              daemon=True)
    thread.start()
    try:
        banner = lines.get(timeout=30)
        yield banner.splitlines()[0].rsplit(" ", 1)[1]
    finally:
        stop.set()
        thread.join(timeout=30)
        assert not thread.is_alive()


def new_sim() -> tuple[Simulator, list[int]]:
    farm = Farm(speed=0.0, require_task_json=False)
    ids = [task.id for task in farm.create_tasks(1000)]
    for task_id in ids[:40]:
        farm.submit(task_id)  # listed by get_task_list
    # Only these two operations are delayed; query_user_profile stays fast to show the client still works.
    plan = FaultPlan(seed=1, rate=1.0, kinds=["latency"], latency=(HOLD, HOLD), operations=["task_info"])
    return Simulator(ACCESS_ID, ACCESS_KEY, farm=farm, faults=plan), ids


@asynccontextmanager
async def session() -> AsyncIterator[tuple[Simulator, AsyncRayvisionAPI, list[int]]]:
    sim, ids = new_sim()
    with threaded_server(sim) as url:
        api = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, domain=sim.domain, base_url=url, max_concurrency=CONCURRENCY,
                                timeout=Timeouts(read=30.0), retry=RetryPolicy(attempts=1))
        assert isinstance(internals.inner(api), AiohttpTransport)  # the default transport
        async with api:
            yield sim, api, ids
        assert internals.inner(api).open_connections == 0


def acquired(api: AsyncRayvisionAPI) -> int:
    session: Any = getattr(internals.inner(api), "_session", None)
    return 0 if session is None else len(session.connector._acquired)


async def until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(2000):  # 20 s at most
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for: {what}")


async def cancel_in_flight(
    sim: Simulator, api: AsyncRayvisionAPI, operation: str, in_flight: int, work: Callable[[], Coroutine[Any, Any, Any]]
) -> float:
    """Run ``work`` until ``in_flight`` requests to ``operation`` reached the server, cancel it, check for leaks."""
    ours = asyncio.current_task()
    before = asyncio.all_tasks()
    received = sim.counts[operation]
    loop = asyncio.get_running_loop()
    runner: asyncio.Task[Any] = asyncio.create_task(work())
    await until(lambda: sim.counts[operation] >= received + in_flight, f"{in_flight} {operation} in flight")
    assert not runner.done()
    assert acquired(api) >= 1
    started = loop.time()
    runner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await runner
    took = loop.time() - started
    assert took < HOLD  # the cancellation did not wait for the delayed answers
    for _ in range(3):
        await asyncio.sleep(0)
    assert asyncio.all_tasks() - before - {runner, ours} == set()
    assert internals.connection(api).semaphore._value == CONCURRENCY  # every request slot was given back
    assert internals.connection(api).bulk._value == BULK  # and every slot of the bulk budget
    await until(lambda: acquired(api) == 0, "no connection left acquired")
    profile = await api.user.query_user_profile()  # the client is still usable
    assert profile.user_id is not None
    assert acquired(api) == 0
    return took


async def test_cancelling_poll_mid_flight() -> None:
    async with session() as (sim, api, ids):
        await cancel_in_flight(sim, api, "task_info", BULK, lambda: api.poll(ids))
        assert sim.counts["task_info"] == BULK  # no batch was started after the cancellation


async def test_cancelling_watch_mid_flight() -> None:
    async def consume() -> None:
        async with api.watch(ids[:250], interval=0.01, batch_size=50) as watcher:
            async for _ in watcher:
                pass

    async with session() as (sim, api, ids):
        await cancel_in_flight(sim, api, "task_info", BULK, consume)


async def test_cancelling_a_single_call_mid_flight() -> None:
    async with session() as (sim, api, ids):
        await cancel_in_flight(sim, api, "task_info", 1, lambda: api.query.task_info(ids[:5]))


async def test_cancelling_a_consumer_awaiting_a_prefetched_page() -> None:
    items: list[Any] = []

    async def consume() -> None:
        async for task in api.query.iter_tasks(page_size=10, prefetch=True):
            items.append(task)
            if len(items) == 10:
                sim.inject("get_task_list", "latency", delay=HOLD, times=10)  # before the prefetch is sent

    async with session() as (sim, api, _):
        await cancel_in_flight(sim, api, "get_task_list", 2, consume)
        assert len(items) == 10  # page 1 was consumed; page 2 (prefetched) was in flight when cancelled
        assert sim.counts["get_task_list"] == 2  # page 3 was never asked for


async def test_cancelling_a_consumer_inside_async_with_pager_cancels_the_prefetch() -> None:
    started = asyncio.Event()

    async def consume() -> None:
        async with api.query.iter_tasks(page_size=10, prefetch=True) as pager:
            async for _ in pager:
                sim.inject("get_task_list", "latency", delay=HOLD, times=10)
                started.set()
                await asyncio.Event().wait()  # busy with the first item while page 2 is prefetched

    async with session() as (sim, api, _):
        await cancel_in_flight(sim, api, "get_task_list", 2, consume)
        assert started.is_set()


async def test_cancelling_calls_in_flight_and_queued_for_a_slot() -> None:
    async with session() as (sim, api, ids):
        ours = asyncio.current_task()
        before = asyncio.all_tasks()
        busy = [asyncio.create_task(api.query.task_info([task_id])) for task_id in ids[:CONCURRENCY]]
        await until(lambda: sim.counts["task_info"] >= CONCURRENCY, "every request slot busy")
        queued = asyncio.create_task(api.query.task_info(ids[-1:]))
        await asyncio.sleep(0.05)
        assert not queued.done()
        assert internals.connection(api).semaphore.locked()
        for task in (queued, *busy):
            task.cancel()
        results = await asyncio.gather(queued, *busy, return_exceptions=True)
        assert all(isinstance(result, asyncio.CancelledError) for result in results)
        for _ in range(3):
            await asyncio.sleep(0)
        assert asyncio.all_tasks() - before - {ours} == set()
        assert internals.connection(api).semaphore._value == CONCURRENCY
        await until(lambda: acquired(api) == 0, "no connection left acquired")
        assert sim.counts["task_info"] == CONCURRENCY  # the queued call never sent anything
        assert (await api.user.query_user_profile()).user_id is not None
