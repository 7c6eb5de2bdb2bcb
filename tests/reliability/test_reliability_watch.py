"""``watch`` over 10,000 tasks to the end over real loopback HTTP while a fifth of the requests fail.

The simulator is served by :func:`serve`; a seeded :class:`FaultPlan` hits about 20 % of the
requests with every fault kind (as in ``test_reliability_faults.py``), and the client keeps its
default retry policy (three attempts), so a batch now and then fails even after its retries. The
farm moves while the watch runs: after every polling round a driver advances the clock (so
200 submitted tasks analyse and render, some frames failing) and stops or abandons the next
1,000 of the others, until every task is terminal. The watch must reach the end (no
``PartialPollError``), and every task's terminal event must appear exactly once, with the status
the farm has.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import Callable

import pytest

from rayvision_async import AsyncRayvisionAPI, TaskStatus, Timeouts
from rayvision_async.simulator import Farm, FaultPlan, Simulator, serve
from rayvision_async.simulator.service import FaultKind

ACCESS_ID = "AKIDreliabilitywatch01"
ACCESS_KEY = "reliability-watch-secret-01"
TASKS = 10_000
RENDERED = TASKS // 100  # submitted: they analyse and render frames; the others are abandoned
CHUNK = 1_000  # others ended per round
#: ``RAYVISION_WATCH_SEEDS=1,2,3`` runs other seeds.
SEEDS = [int(seed) for seed in os.environ.get("RAYVISION_WATCH_SEEDS", "20261203").split(",")]
MAX_RESPONSE_BYTES = 2 * 2**20
KINDS: dict[FaultKind, float] = {"http_5xx": 2.0, "reset": 2.0, "slow": 1.0, "malformed_json": 1.0, "latency": 1.0,
                                 "error": 1.0, "wrong_shape": 1.0, "null_data": 1.0, "empty_body": 1.0,
                                 "trickle": 0.5, "oversized": 0.5, "gzip_bomb": 0.5, "clock_skew": 0.5,
                                 "garbage_time": 0.5}


def build_farm(seed: int) -> tuple[Farm, list[int], list[int], list[int]]:
    """10,000 created tasks (all ids, the rendered ones, the others): every 100th is submitted and renders
    two frames (a fifth of frames fail)."""
    farm = Farm(speed=0.0, seed=seed, require_task_json=False, default_frames="1-2", failure_rate=0.2)
    ids = [task.id for task in farm.create_tasks(TASKS)]
    rendered = ids[::TASKS // RENDERED]
    for task_id in rendered:
        farm.submit(task_id)
    chosen = set(rendered)
    return farm, ids, rendered, [task_id for task_id in ids if task_id not in chosen]


async def drive(farm: Farm, rendered: list[int], others: list[int], watcher_rounds: Callable[[], int]) -> None:
    """After every polling round: 40 simulated seconds pass and the next 1,000 others are abandoned; after
    the second round a tenth of the rendered tasks are stopped."""
    seen = 0
    while True:
        await asyncio.sleep(0.005)
        now = watcher_rounds()
        if now == seen:
            continue
        seen = now
        farm.advance(40)
        chunk, others[:] = others[:CHUNK], others[CHUNK:]
        farm.abandon(chunk)
        if now == 2:
            farm.stop(rendered[::10])


@pytest.mark.parametrize("seed", SEEDS)
async def test_watch_10000_tasks_to_the_end_under_faults(seed: int) -> None:
    farm, ids, rendered, others = build_farm(seed)
    plan = FaultPlan(seed=seed, rate=0.2, kinds=KINDS, slow_delay=1.2, latency=(0.01, 0.1),
                     http_statuses=(502, 503, 504), trickle_delay=0.05, oversized=3 * MAX_RESPONSE_BYTES,
                     gzip_bomb=64 * MAX_RESPONSE_BYTES)
    sim = Simulator(ACCESS_ID, ACCESS_KEY, farm=farm, faults=plan)
    terminal: Counter[int] = Counter()
    events = 0
    async with serve(sim) as url, AsyncRayvisionAPI(
            ACCESS_ID, ACCESS_KEY, domain=sim.domain, base_url=url, max_response_bytes=MAX_RESPONSE_BYTES,
            timeout=Timeouts(read=0.5, connect=5.0, pool=60.0, total=0.8),
            # one retry per request: batches then fail after their retries often enough (a few in every
            # round) that the asking again within a round is exercised whatever order requests arrive in
            max_retries=1) as api:
        watcher = api.watch(ids, interval=0.2)
        driver = asyncio.create_task(drive(farm, rendered, others, lambda: watcher.rounds))
        started = time.perf_counter()
        try:
            async with asyncio.timeout(300):
                async for event in watcher:
                    events += 1
                    if event.is_terminal:
                        terminal[event.task_id] += 1
        finally:
            driver.cancel()
        elapsed = time.perf_counter() - started

    assert set(terminal) == set(ids)  # every task ended, and was reported
    assert set(terminal.values()) == {1}  # exactly once
    assert watcher.watching == frozenset()
    assert watcher.lost == set()
    final = {task_id: int(farm.tasks[task_id].status()) for task_id in ids}
    assert {task_id: int(state.task_status) for task_id, state in watcher.states.items()
            if state.task_status is not None} == final
    assert {TaskStatus(code) for code in final.values()} >= {TaskStatus.STOP, TaskStatus.ABANDON, TaskStatus.FINISHED,
                                                             TaskStatus.FINISHED_HAS_FAILED}
    faults = [fault for _, fault in plan.history if fault is not None]
    assert 0.1 <= len(faults) / len(plan.history) <= 0.3
    assert not sim.internal_errors
    assert watcher.asked_again > 0  # batches did fail after their retries, and were asked again in their round
    print(f"\nwatch of {TASKS:,} tasks under faults (seed {seed}): {elapsed:.1f} s, {watcher.rounds} rounds, "
          f"{api.requests_sent} requests, {len(faults)} faults injected, {watcher.asked_again} ids asked again "
          f"within their round, {events} events")
