"""A 10,000-task ``poll`` over real loopback HTTP while a fifth of the requests fail.

The client uses its default transport (aiohttp under httpx) against the simulator's loopback
server. A seeded :class:`FaultPlan` hits about 20 % of the requests with HTML 5xx pages, TCP
resets, answers slower than the read timeout, truncated JSON and latency; the server's clock is
also 20 minutes ahead of the client's, so the first requests are refused with a genuine 610 and
the client must resynchronise its clock while dozens of batches are in flight.

Plan-drawn ``clock_skew`` faults (a 610 whose ``serverTime`` is off from the server's own clock)
are deliberately not mixed in: the retry rules resynchronise at most once per call, so a call
hit by two of them fails by design (see ``test_a_second_610_is_raised``), and with concurrent
batches whether two land on one call depends on arrival order. The genuine skew below is the
realistic 610 and is deterministic.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from rayvision_async import AsyncRayvisionAPI, RetryPolicy, Timeouts
from rayvision_async.models import TaskStatus
from rayvision_async.simulator import Farm, FaultPlan, Simulator, serve
from rayvision_async.simulator.service import FaultKind
from rayvision_async.wire import AiohttpTransport

ACCESS_ID = "AKIDreliabilityfaults01"
ACCESS_KEY = "reliability-faults-secret-01"
TASKS = 10_000
SEED = 20_240_611
READ_TIMEOUT = 1.0
SLOW_REPLY = 2.5  # beyond the read timeout
SERVER_CLOCK_AHEAD = 1200.0  # beyond the 300 s signature window: the first requests get a real 610
KINDS: dict[FaultKind, float] = {"http_5xx": 2.0, "reset": 2.0, "slow": 1.0, "malformed_json": 1.0, "latency": 1.0}


def build_farm() -> tuple[Farm, list[int]]:
    """10,000 tasks made through the farm's API (no HTTP), in several statuses."""
    farm = Farm(speed=0.0, require_task_json=False)
    ids = [task.id for task in farm.create_tasks(TASKS)]
    for task_id in ids[::50]:
        farm.submit(task_id)  # analysing
    farm.stop(ids[::100])  # half of the submitted ones are stopped
    farm.abandon(ids[3::7])
    return farm, ids


async def test_a_10000_task_poll_is_complete_and_correct_under_faults() -> None:
    farm, ids = build_farm()
    expected = {task_id: int(farm.tasks[task_id].status()) for task_id in ids}
    assert len(set(expected.values())) >= 4  # waiting, analysing, stopped, abandoned
    plan = FaultPlan(seed=SEED, rate=0.2, kinds=KINDS, slow_delay=SLOW_REPLY, latency=(0.01, 0.1),
                     http_statuses=(502, 503, 504), after_processing_rate=0.5)
    sim = Simulator(ACCESS_ID, ACCESS_KEY, farm=farm, faults=plan, clock_skew=SERVER_CLOCK_AHEAD)
    retry = RetryPolicy(attempts=8, initial_delay=0.01, max_delay=0.05, retry_after_cap=0.05)

    async with serve(sim) as url:
        api = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, domain=sim.domain, base_url=url,
                                timeout=Timeouts(read=READ_TIMEOUT, connect=5.0, pool=60.0), retry=retry)
        inner = api._channel.inner
        assert isinstance(inner, AiohttpTransport)  # the default transport
        async with api:
            started = time.perf_counter()
            async with asyncio.timeout(120):
                result = await api.poll(ids)
            elapsed = time.perf_counter() - started
            assert inner.open_connections <= api.max_concurrency
        assert inner.open_connections == 0

    # complete and correct: every id, each with the farm's status, nothing missing
    assert result.missing == frozenset()
    assert list(result.tasks) == ids
    got = {task_id: result.tasks[task_id].task_status for task_id in ids}
    assert all(isinstance(status, TaskStatus) for status in got.values())
    assert {task_id: int(status) for task_id, status in got.items() if status is not None} == expected
    assert all(result.tasks[task_id].id == task_id for task_id in ids[::997])

    # the faults really happened, at about the planned rate, and every kind was seen
    faults = [fault for _, fault in plan.history if fault is not None]
    kinds = Counter(fault.kind for fault in faults)
    skew_refusals = sum(1 for record in sim.requests if record.code == 610)
    batches = TASKS // 100
    assert set(kinds) == set(KINDS), kinds
    assert len(plan.history) == sim.counts["task_info"]  # the plan drew for every request
    assert 0.1 <= len(faults) / len(plan.history) <= 0.3
    assert 1 <= skew_refusals <= api.max_concurrency  # one wave of 610s, then the clock is right
    assert abs(api._channel.signer.clock_offset - SERVER_CLOCK_AHEAD) < 60
    # over loopback every attempt reaches the server: the client's count and the server's agree
    assert api.requests_sent == sim.counts["task_info"]
    retries = api.requests_sent - batches
    # every request the client saw fail (a fault other than latency, or a 610) was sent again, once
    failed = sum(1 for record in sim.requests if record.fault not in (None, "latency") or record.code == 610)
    assert retries >= failed  # more only if the noisy machine itself made a reply miss the read timeout
    assert not sim.internal_errors
    print(f"\n10,000-task poll under faults: {elapsed:.2f} s, {api.requests_sent} requests for {batches} batches "
          f"({retries} retries), {len(faults)} faults injected {dict(kinds)}, {skew_refusals} real 610s resynced")
