"""Fair bulk work under faults: two polls at once and single calls beside them, over real loopback HTTP.

The bulk lane, its budget, the turns and the stepped structuring are on the path of every
reply here (the simulator's 100-task pages are far above ``BIG_REPLY``). A seeded
:class:`FaultPlan` hits about a fifth of the requests (5xx, resets, slow and malformed replies,
wrong shapes, 610s). Both polls must return every task with the farm's status, every single call
its task, and afterwards every slot, every slot of the bulk budget and the turn must be free.
"""

from __future__ import annotations

import asyncio

import pytest

from helpers import internals
from rayvision_async import AsyncRayvisionAPI, RetryPolicy, Timeouts
from rayvision_async._turns import Turns
from rayvision_async.simulator import Farm, FaultPlan, Simulator, serve
from rayvision_async.simulator.service import FaultKind

ACCESS_ID = "AKIDreliabilityfair01"
ACCESS_KEY = "reliability-fairness-secret-01"
TASKS = 6_000
KINDS: dict[FaultKind, float] = {"http_5xx": 2.0, "reset": 2.0, "slow": 1.0, "malformed_json": 1.0, "latency": 2.0,
                                 "error": 1.0, "wrong_shape": 1.0, "null_data": 1.0, "empty_body": 1.0,
                                 "clock_skew": 0.5}


@pytest.mark.parametrize("seed", [7, 8])
async def test_two_polls_and_single_calls_are_complete_and_correct_under_faults(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = {True: 0, False: 0}
    real_take = Turns.take

    async def take(self: Turns, *, bulk: bool) -> None:
        await real_take(self, bulk=bulk)
        taken[bulk] += 1

    monkeypatch.setattr(Turns, "take", take)
    farm = Farm(speed=0.0, require_task_json=False)
    ids = [task.id for task in farm.create_tasks(TASKS)]
    for task_id in ids[::40]:
        farm.submit(task_id)
    farm.abandon(ids[5::9])
    expected = {task_id: int(farm.tasks[task_id].status()) for task_id in ids}
    plan = FaultPlan(seed=seed, rate=0.2, kinds=KINDS, slow_delay=2.0, latency=(0.01, 0.08),
                     http_statuses=(502, 503), after_processing_rate=0.5)
    sim = Simulator(ACCESS_ID, ACCESS_KEY, farm=farm, faults=plan)
    retry = RetryPolicy(attempts=9, initial_delay=0.01, max_delay=0.05, retry_after_cap=0.05)
    half = TASKS // 2
    async with serve(sim) as url:
        api = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, domain=sim.domain, base_url=url, max_concurrency=16,
                                timeout=Timeouts(read=1.0, connect=5.0, pool=60.0, total=1.5), retry=retry)
        async with api, asyncio.timeout(120):
            polls = [asyncio.create_task(api.poll(ids[:half])), asyncio.create_task(api.poll(ids[half:]))]
            singles = []
            while not all(poll.done() for poll in polls):
                singles.append(asyncio.create_task(api.query.task_info([ids[len(singles) * 97 % TASKS]])))
                await asyncio.sleep(0.02)
            results = [await poll for poll in polls]
            pages = await asyncio.gather(*singles)
            connection = internals.connection(api)
            for _ in range(3):
                await asyncio.sleep(0)
            assert connection.semaphore._value == 16  # every slot given back
            assert connection.bulk._value == connection.bulk_slots == 14  # every slot of the bulk budget
            assert connection.turns.waiting == 0
            async with asyncio.timeout(1):
                await connection.turns.take(bulk=True)  # and the turn is free
            connection.turns.give()

    assert [list(result.tasks) for result in results] == [ids[:half], ids[half:]]
    assert all(not result.missing and result.complete for result in results)
    got = {task_id: int(task.task_status) for result in results for task_id, task in result.tasks.items()
           if task.task_status is not None}
    assert got == expected
    assert singles
    assert all(page.items[0].id == ids[index * 97 % TASKS] for index, page in enumerate(pages))
    assert sum(1 for _, fault in plan.history if fault is not None) >= 10  # the faults did happen
    assert taken[True] >= TASKS // 100  # every good batch reply was big: decoded and structured in turns
    assert taken[False] == 0  # a single task's reply is small: no turn
    assert not sim.internal_errors
