"""Stale keep-alive connections: a creating call never goes out on a connection the server may have closed.

The loopback server closes connections idle for 1 s, like a server or proxy with a short idle
timeout. Calls that pause about that long between them find their pooled connection being closed
just as they send; for ``create_task`` that used to be reported "outcome unknown" although the
server never saw the request (``benchmarks/stale_keepalive.py`` measures the rate before/after).
"""

from __future__ import annotations

import asyncio
import random

from rayvision_async import AsyncRayvisionAPI, RequestOutcomeUnknownError
from rayvision_async.simulator import Farm, Simulator, serve

ACCESS_ID = "AKIDkeepalivetests0001"
ACCESS_KEY = "keepalive-tests-secret-01"
SERVER_IDLE = 1.0  # twice the 0.5 s within which a creating call may reuse a connection


async def test_creating_calls_after_idle_pauses_are_never_falsely_unknown() -> None:
    sim = Simulator(ACCESS_ID, ACCESS_KEY, farm=Farm(speed=0.0, require_task_json=False))
    rng = random.Random(3)
    unknown = 0
    async with (serve(sim, keepalive_timeout=SERVER_IDLE) as url,
                AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, domain=sim.domain, base_url=url) as api):

        async def lane() -> None:
            nonlocal unknown
            for _ in range(5):
                try:
                    await api.task.create_task()
                except RequestOutcomeUnknownError:
                    unknown += 1
                await asyncio.sleep(SERVER_IDLE * rng.uniform(0.97, 1.03))
                await api.query.task_info([1])  # idempotent calls keep using the shared pool

        async with asyncio.timeout(60):
            await asyncio.gather(*(lane() for _ in range(10)))
    assert unknown == 0
    assert sim.processed["create_task"] == 50  # each processed once: none lost, none duplicated


async def test_a_retry_never_reuses_a_connection_that_sat_idle() -> None:
    from rayvision_async.wire import AiohttpTransport

    sim = Simulator(ACCESS_ID, ACCESS_KEY, farm=Farm(speed=0.0, require_task_json=False))
    transport = AiohttpTransport()
    async with (serve(sim) as url,
                AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, domain=sim.domain, base_url=url, transport=transport) as api):
        await api.query.task_info([1])
        assert transport._fresh_session is None  # a first attempt of a read uses the shared pool
        sim.inject("task_info", "reset", times=1)
        await api.query.task_info([1])  # reset, then retried
        assert transport._fresh_session is not None  # the retry asked for a fresh connection
    assert sim.counts["task_info"] == 3
