"""Bulk work is fair: it holds a share of the slots, and its big replies are structured one step per loop iteration.

* The bulk lane (``poll``/``watch``/``wait``) takes a slot of the bulk budget before a connection slot;
  a single call made meanwhile finds a free slot (``bulk_slots``: all but an eighth, at least one).
* A big reply is decoded and structured in turns (:mod:`rayvision_async._turns`): no two steps of
  big-reply work in one event-loop iteration, and one reply finished before the next is decoded.
* A watch round merges its results in slices, with the loop running between them.

Assertions are about order and counts (requests in flight, loop iterations), never about time.
"""

from __future__ import annotations

import asyncio
from enum import IntEnum
from typing import Any

import pytest

import rayvision_async._caller as caller_module
import rayvision_async._request as request_module
from helpers import internals
from helpers.fakefarm import TASK_INFO, FakeFarm, api_for, task
from helpers.loop_iterations import Iterations
from rayvision_async import InvalidInputError, Timeouts
from rayvision_async._request import bulk_slots
from rayvision_async.api import _reply
from rayvision_async.errors import PoolTimeoutError
from rayvision_async.flows import _bulk
from rayvision_async.flows._bulk import PartialPollError

BULK_HOLD = 0.3  # seconds a bulk batch stays in flight where a test needs it to


def is_bulk(body: dict[str, Any]) -> bool:
    return len(body.get("taskIds", ())) > 1  # the tests' single calls ask one id


@pytest.mark.parametrize(("slots", "bulk"), [(1, 1), (2, 1), (4, 3), (8, 7), (16, 14), (32, 28), (100, 88)])
def test_bulk_work_holds_all_but_an_eighth_of_the_slots(slots: int, bulk: int) -> None:
    assert bulk_slots(slots) == bulk


async def test_a_single_call_gets_a_slot_while_a_poll_holds_its_whole_budget() -> None:
    farm = FakeFarm(tasks=[task(i) for i in range(1, 301)],
                    latency=lambda path, body: BULK_HOLD if is_bulk(body) else 0.0)
    async with asyncio.timeout(10), api_for(farm, max_concurrency=4) as api:
        connection = internals.connection(api)
        polling = asyncio.create_task(api.poll(range(1, 301), batch_size=100))
        await farm.wait_started(TASK_INFO, 3)
        assert connection.bulk.locked()  # the poll holds every slot of its budget ...
        assert not connection.semaphore.locked()  # ... which leaves a connection slot free
        page = await api.query.task_info([7])
        assert [item.id for item in page.items] == [7]
        bulk_calls = [call for call in farm.calls if is_bulk(call.body)]
        assert len(bulk_calls) == 3
        assert all(call.ended is None for call in bulk_calls)  # the single call was answered meanwhile
        result = await polling
    assert list(result.tasks) == list(range(1, 301))
    assert farm.peak_in_flight == 4


async def test_concurrent_polls_share_one_budget_and_leave_the_rest_to_single_calls() -> None:
    farm = FakeFarm(tasks=[task(i) for i in range(1, 601)],
                    latency=lambda path, body: BULK_HOLD if is_bulk(body) else 0.0)
    async with asyncio.timeout(10), api_for(farm, max_concurrency=8) as api:  # bulk_slots(8) == 7
        polls = [asyncio.create_task(api.poll(range(start, start + 300), batch_size=50)) for start in (1, 301)]
        await farm.wait_started(TASK_INFO, 7)
        for _ in range(3):
            await asyncio.sleep(0)
        assert farm.in_flight == 7  # twelve batches wait, but only the budget's seven are in flight
        singles = await asyncio.gather(*(api.query.task_info([task_id]) for task_id in (5, 305)))
        assert [page.items[0].id for page in singles] == [5, 305]
        assert all(call.ended is None for call in farm.calls if is_bulk(call.body))
        results = await asyncio.gather(*polls)
    assert [len(result) for result in results] == [300, 300]
    bulk_peak = 0
    for call in farm.calls:
        if is_bulk(call.body):
            overlapping = sum(1 for other in farm.calls if is_bulk(other.body) and other.started <= call.started
                              and (other.ended is None or other.ended > call.started))
            bulk_peak = max(bulk_peak, overlapping)
    assert bulk_peak == 7


async def test_bulk_work_waits_for_its_budget_within_the_pool_timeout() -> None:
    farm = FakeFarm(tasks=[task(i) for i in range(1, 101)], latency=lambda path, body: 1.0 if is_bulk(body) else 0.0)
    async with asyncio.timeout(10), api_for(farm, max_concurrency=2) as api:  # a budget of one slot
        holding = asyncio.create_task(api.poll(range(1, 51)))
        await farm.wait_started(TASK_INFO, 1)
        impatient = api.with_options(timeout=Timeouts(pool=0.05))
        with pytest.raises(PartialPollError) as caught:
            await impatient.poll(range(51, 101))
        assert isinstance(caught.value.__cause__, PoolTimeoutError)
        assert (await api.query.task_info([3])).items[0].id == 3  # single calls never wait on the budget
        assert len(await holding) == 50
    assert farm.count(TASK_INFO) == 2


async def test_big_replies_are_structured_one_step_per_loop_iteration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_module, "BIG_REPLY", 1)  # every reply is big
    monkeypatch.setattr(_reply, "STEP_ITEMS", 10)  # a 50-task page: decoded, then 5 steps
    real_steps = _reply.result_steps
    marks: list[tuple[int, int]] = []  # (reply, loop iteration) at the decoding and at every step
    iterations: Iterations | None = None

    def recording(row: Any, data: Any, *, path: str, exact: Any) -> Any:
        assert iterations is not None
        number = len({reply for reply, _ in marks})
        marks.append((number, iterations.count))  # made right after the reply was decoded
        inner = real_steps(row, data, path=path, exact=exact)
        while True:
            try:
                next(inner)
            except StopIteration as done:
                return done.value
            yield
            marks.append((number, iterations.count))

    monkeypatch.setattr(caller_module, "result_steps", recording)
    farm = FakeFarm(tasks=[task(i) for i in range(1, 1001)], latency=0.01)  # 20 replies, 16 arriving together
    async with asyncio.timeout(10), api_for(farm, max_concurrency=18) as api:  # bulk_slots(18) == 16
        iterations = Iterations()
        result = await api.poll(range(1, 1001), batch_size=50)
        iterations.stop()
    assert list(result.tasks) == list(range(1, 1001))
    assert len({reply for reply, _ in marks}) == 20
    assert all(sum(1 for reply, _ in marks if reply == number) == 6 for number in range(20))  # decode + 5 steps
    seen = [iteration for _, iteration in marks]
    assert len(seen) == len(set(seen))  # never two steps of big-reply work in one loop iteration
    order = [reply for reply, _ in marks]
    assert order == sorted(order)  # each reply finished before the next was decoded


async def test_a_single_call_structures_its_big_reply_before_waiting_bulk_replies(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_module, "BIG_REPLY", 1)
    turns_taken: list[bool] = []
    real_take = request_module.Turns.take

    async def take(self: Any, *, bulk: bool) -> None:
        await real_take(self, bulk=bulk)
        turns_taken.append(bulk)

    monkeypatch.setattr(request_module.Turns, "take", take)
    farm = FakeFarm(tasks=[task(i) for i in range(1, 801)], latency=lambda path, body: 0.01 if is_bulk(body) else 0)
    async with asyncio.timeout(10), api_for(farm, max_concurrency=9) as api:
        connection = internals.connection(api)
        polling = asyncio.create_task(api.poll(range(1, 801), batch_size=50))
        for _ in range(10_000):  # until bulk replies queue for their turns
            if connection.turns.waiting >= 3:
                break
            await asyncio.sleep(0)
        assert connection.turns.waiting >= 3
        single = asyncio.create_task(api.query.task_info([799]))
        await single
        waiting_when_done = connection.turns.waiting
        await polling
    assert single.result().items[0].id == 799
    assert waiting_when_done > 0  # it did not wait for the bulk replies queued before it
    assert turns_taken.count(False) == 1


async def test_a_watch_round_merges_its_results_with_the_loop_running(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_bulk, "SLICE", 10)
    farm = FakeFarm(tasks=[task(i) for i in range(1, 301)])
    async with asyncio.timeout(10), api_for(farm) as api:
        watcher = api.watch(range(1, 301), interval=0.01)
        seen: set[int] = set()
        merged = asyncio.Event()

        async def probe() -> None:
            while not merged.is_set():
                seen.add(len(watcher.states))
                await asyncio.sleep(0)

        probing = asyncio.create_task(probe())
        first = await watcher.__anext__()
        merged.set()
        await probing
        await watcher.aclose()
    assert first.task_id == 1
    assert len(watcher.states) == 300
    assert any(0 < count < 300 for count in seen)  # other coroutines ran while the round was merged


class Kind(IntEnum):
    SEVEN = 7


@pytest.mark.parametrize("ids", [
    [1, 2, 3], (5, 4, 5), range(1, 1000), [], [Kind.SEVEN, 8], [2**63 - 1], [True], [0], [-1], [2**63], ["1"],
    [1.0], [None], [1, "2"], range(0, 3), range(1, 10 * 100_000 + 2), [1] * (10 * 100_000 + 1),
])
def test_a_list_of_ids_checked_at_c_speed_has_the_outcome_of_the_check_per_id(ids: Any) -> None:
    def outcome(value: Any) -> Any:
        try:
            return _bulk._TASK_IDS.check(value, "task_ids")
        except InvalidInputError as error:
            return str(error).replace("got more", "got 1000001")  # an iterator's count is not known up front

    fast = outcome(ids)
    per_id = outcome(iter(list(ids)))  # an iterator never takes the fast path
    assert fast == per_id
    if isinstance(fast, list):
        assert all(type(task_id) is int for task_id in fast)
