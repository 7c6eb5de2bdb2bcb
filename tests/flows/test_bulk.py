"""Many tasks at once: poll batching and concurrency, watch events, wait, and cancellation."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from helpers.fakefarm import TASK_INFO, FakeFarm, api_for, other_tasks, task
from rayvision_async import AsyncRayvisionAPI, InvalidInputError, TaskInfo, TaskStatus
from rayvision_async.errors import ParameterError, SignatureInvalidError
from rayvision_async.flows import _bulk
from rayvision_async.flows._bulk import (
    WATCHED_FIELDS,
    PartialPollError,
    TaskEvent,
    TasksNotFoundError,
    WaitTimeoutError,
    Watcher,
)

DONE = {"taskStatus": 25, "doneFrames": 10}


def asked(farm: FakeFarm) -> list[list[int]]:
    """The taskIds of every queryTaskInfo request, in order."""
    return [body["taskIds"] for body in farm.bodies(TASK_INFO)]


# -- poll ---------------------------------------------------------------------------------------------


async def test_poll_10000_ids_in_100_batches() -> None:
    farm = FakeFarm(tasks=[task(i) for i in range(1, 10_001)])
    async with asyncio.timeout(10), api_for(farm) as api:
        result = await api.poll(range(1, 10_001), batch_size=100)
    batches = asked(farm)
    assert len(batches) == 100
    assert all(len(batch) <= 100 and len(set(batch)) == len(batch) for batch in batches)
    assert sorted(i for batch in batches for i in batch) == list(range(1, 10_001))  # each id asked once
    assert len(result) == 10_000
    assert result.missing == frozenset()
    assert list(result.tasks) == list(range(1, 10_001))  # in the order asked
    assert result[4321].id == 4321


async def test_poll_asks_duplicated_ids_once() -> None:
    farm = FakeFarm(tasks=[task(i) for i in range(1, 6)])
    async with asyncio.timeout(10), api_for(farm) as api:
        result = await api.poll([3, 1, 3, 2, 1, 5, 5, 4], batch_size=2)
    assert Counter(i for batch in asked(farm) for i in batch) == Counter({1: 1, 2: 1, 3: 1, 4: 1, 5: 1})
    assert len(asked(farm)) == 3
    assert list(result.tasks) == [3, 1, 2, 5, 4]


async def test_poll_reports_missing_ids() -> None:
    farm = FakeFarm(tasks=[task(1), task(2)])
    async with asyncio.timeout(10), api_for(farm) as api:
        result = await api.poll([1, 404, 2, 405])
    assert set(result.tasks) == {1, 2}
    assert result.missing == {404, 405}


async def test_poll_finds_children_inside_their_parent() -> None:
    parent = task(10, 5, respRenderingTaskList=[task(11, 25), task(12, 5)])
    farm = FakeFarm(tasks=[parent, task(20)])
    async with asyncio.timeout(10), api_for(farm) as api:
        result = await api.poll([11, 12, 20])
    assert result.missing == frozenset()
    assert result[11].task_status is TaskStatus.FINISHED
    assert result[12].task_status is TaskStatus.RENDERING
    assert 10 not in result.tasks  # the parent was not asked for


async def test_poll_of_nothing_sends_nothing() -> None:
    farm = FakeFarm()
    async with api_for(farm) as api:
        result = await api.poll([])
    assert len(result) == 0
    assert farm.calls == []


async def test_poll_rejects_bad_input_before_sending() -> None:
    farm = FakeFarm()
    async with api_for(farm) as api:
        for bad in ("123", [1, "2"], [0], [True]):
            with pytest.raises(InvalidInputError):
                await api.poll(bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError):
            await api.poll([1], batch_size=0)
    assert farm.calls == []


async def test_poll_holds_at_most_the_bulk_share_of_the_slots() -> None:
    farm = FakeFarm(tasks=[task(i) for i in range(1, 2001)], latency=0.01)
    async with asyncio.timeout(10), api_for(farm, max_concurrency=4) as api:
        await api.poll(range(1, 2001), batch_size=100)
        assert farm.peak_in_flight == 3  # batches did run in parallel, never more than bulk_slots(4) == 3
        farm.peak_in_flight = 0
        # two polls at once share the one budget
        await asyncio.gather(api.poll(range(1, 1001), batch_size=50), api.poll(range(1001, 2001), batch_size=50))
        assert farm.peak_in_flight == 3


async def test_a_failed_batch_keeps_every_other_result_in_the_error() -> None:
    farm = FakeFarm(tasks=[task(i) for i in range(1, 101)],
                    fail=lambda path, body: 600 if 1 in body["taskIds"] else None)
    async with asyncio.timeout(10), api_for(farm, max_concurrency=4) as api:
        with pytest.raises(PartialPollError) as caught:
            await api.poll(range(1, 101), batch_size=10)
    error = caught.value
    assert isinstance(error.__cause__, ParameterError)
    assert error.__cause__.code == 600
    assert set(error.failed) == set(range(1, 11))
    assert all(failure is error.__cause__ for failure in error.failed.values())
    assert list(error.result.tasks) == list(range(11, 101))  # the 9 good batches, none lost
    assert error.result.missing == frozenset()
    assert len(farm.calls) == 10
    assert farm.in_flight == 0
    assert "10 of 100 id(s)" in str(error)
    assert "ParameterError" in str(error)


async def test_poll_partial_returns_the_result_with_the_failed_ids() -> None:
    farm = FakeFarm(tasks=[task(i) for i in range(1, 51)],
                    fail=lambda path, body: 600 if 25 in body["taskIds"] else None)
    async with asyncio.timeout(10), api_for(farm) as api:
        result = await api.poll(range(1, 51), batch_size=10, partial=True)
        assert (await api.poll(range(1, 21), batch_size=10, partial=True)).complete
    assert not result.complete
    assert set(result.failed) == set(range(21, 31))
    assert set(result.tasks) == set(range(1, 21)) | set(range(31, 51))


async def test_a_fatal_failure_sends_no_further_batch() -> None:
    farm = FakeFarm(tasks=[task(i) for i in range(1, 101)],
                    latency=lambda path, body: 0.01 if 1 in body["taskIds"] else 0.05,  # refused once 3 are out
                    fail=lambda path, body: 611 if 1 in body["taskIds"] else None)
    before = other_tasks()
    async with asyncio.timeout(10), api_for(farm, max_concurrency=4) as api:
        with pytest.raises(PartialPollError) as caught:
            await api.poll(range(1, 101), batch_size=10)
    assert isinstance(caught.value.__cause__, SignatureInvalidError)
    assert len(farm.calls) == 3  # the batches already in flight (the bulk share of 4 slots), nothing after
    assert len(caught.value.result.tasks) == 20  # the two others in flight finished and are kept
    assert len(caught.value.failed) == 80
    assert other_tasks() == before


# -- watch --------------------------------------------------------------------------------------------


def summary(event: TaskEvent) -> tuple[int, int | None, int | None, frozenset[str]]:
    previous = event.previous_status
    return (event.task_id, None if previous is None else int(previous), int(event.task.task_status or 0),
            event.changes)


async def test_watch_yields_changes_only_until_all_are_terminal() -> None:
    farm = FakeFarm(
        tasks=[task(1, 5), task(2, 0)],
        scripts={1: [{}, DONE],
                 2: [{"taskStatus": 5}, {"doneFrames": 4}, {"taskAlias": "renamed", "renderConsume": 1.5}, DONE]})
    async with asyncio.timeout(10), api_for(farm) as api:
        watcher = api.watch([1, 2], interval=0.01)
        events = [event async for event in watcher]
    everything = frozenset(WATCHED_FIELDS)
    assert [summary(e) for e in events] == [
        (1, None, 5, everything),                      # round 1: both seen for the first time
        (2, None, 0, everything),
        (2, 0, 5, {"task_status"}),                    # round 2: task 1 unchanged, no event
        (1, 5, 25, {"task_status", "done_frames"}),    # round 3: task 1 finishes
        (2, 5, 5, {"done_frames"}),
        (2, 5, 25, {"task_status", "done_frames"}),    # round 5 (round 4 changed an unwatched field only)
    ]
    assert events[3].previous is not None
    assert events[3].previous.done_frames == 0
    assert events[3].is_terminal
    assert not events[4].is_terminal
    assert asked(farm) == [[1, 2], [1, 2], [1, 2], [2], [2]]  # a finished task is no longer asked for
    assert watcher.rounds == 5
    assert watcher.watching == frozenset()
    assert watcher.states[2].task_alias == "renamed"


async def test_watch_until_terminal_false_runs_until_aclose() -> None:
    farm = FakeFarm(tasks=[task(1, 5)], scripts={1: [DONE]})
    events: list[TaskEvent] = []
    async with asyncio.timeout(10), api_for(farm) as api:
        watcher = api.watch([1], interval=0.01, until_terminal=False)

        async def consume() -> None:
            async for event in watcher:
                events.append(event)
        consumer = asyncio.create_task(consume())
        for _ in range(500):  # until well past the round where task 1 finished
            if watcher.rounds >= 6:
                break
            await asyncio.sleep(0.01)
        assert not consumer.done()
        assert [e.task.task_status for e in events] == [TaskStatus.RENDERING, TaskStatus.FINISHED]
        assert farm.count(TASK_INFO) == 2  # nothing left to ask about, so nothing is sent
        await watcher.aclose()
        await consumer  # ends after aclose


async def test_watch_add_mid_watch() -> None:
    farm = FakeFarm(tasks=[task(1, 5), task(2, 25)], scripts={1: [{"doneFrames": 5}, DONE]})
    seen: list[tuple[int, bool]] = []
    async with asyncio.timeout(10), api_for(farm) as api:
        watcher = api.watch([1], interval=0.01)
        async for event in watcher:
            seen.append((event.task_id, event.previous is None))
            if len(seen) == 1:
                watcher.add([2, 1])
                assert watcher.watching == {1, 2}
    assert seen == [(1, True), (1, False), (2, True), (1, False)]  # in the order asked, per round
    assert asked(farm) == [[1], [1, 2], [1]]


async def test_watch_reports_missing_ids() -> None:
    farm = FakeFarm(tasks=[task(1, 5)])
    async with asyncio.timeout(10), api_for(farm) as api:
        async with api.watch([1, 404], interval=0.01) as watcher:
            async for _ in watcher:
                break
        assert watcher.missing == {404}
        assert [event async for event in watcher] == []  # closed


# -- wait ---------------------------------------------------------------------------------------------


async def test_wait_single_id_returns_task_info() -> None:
    farm = FakeFarm(tasks=[task(1, 0)], scripts={1: [{"taskStatus": 5}, {}, DONE]})
    async with asyncio.timeout(10), api_for(farm) as api:
        final = await api.wait(1, interval=0.01, timeout=5)
    assert isinstance(final, TaskInfo)
    assert final.task_status is TaskStatus.FINISHED
    assert final.done_frames == 10
    assert farm.count(TASK_INFO) == 4


async def test_wait_list_returns_dict_in_order() -> None:
    farm = FakeFarm(tasks=[task(1, 5), task(2, 5)], scripts={1: [DONE], 2: [{}, {"taskStatus": 45}]})
    async with asyncio.timeout(10), api_for(farm) as api:
        final = await api.wait([2, 1, 2], interval=0.01)
    assert list(final) == [2, 1]
    assert final[1].task_status is TaskStatus.FINISHED
    assert final[2].task_status is TaskStatus.FAILED


async def test_wait_timeout_carries_last_known_states() -> None:
    farm = FakeFarm(tasks=[task(1, 5), task(2, 5, done=3)], scripts={1: [DONE]}, latency=0.005)
    before = other_tasks()
    async with asyncio.timeout(10), api_for(farm) as api:
        with pytest.raises(WaitTimeoutError) as caught:
            await api.wait([1, 2, 404], interval=0.01, timeout=0.1)
    assert other_tasks() == before
    assert farm.in_flight == 0
    error = caught.value
    assert isinstance(error, TimeoutError)
    assert set(error.last_known) == {1, 2, 404}
    assert error.last_known[1] is not None
    assert error.last_known[1].task_status is TaskStatus.FINISHED
    assert error.last_known[2] is not None
    assert error.last_known[2].done_frames == 3
    assert error.last_known[404] is None
    assert "2 task(s) not finished" in str(error)
    assert "404" in str(error)
    assert farm.count(TASK_INFO) >= 3


async def test_wait_gives_up_on_ids_the_service_never_returns() -> None:
    farm = FakeFarm(tasks=[task(1, 25)])
    async with asyncio.timeout(10), api_for(farm) as api:
        with pytest.raises(TasksNotFoundError) as caught:
            await api.wait([1, 404], interval=0.01)  # no timeout: it must not hang
    assert caught.value.task_ids == {404}
    assert farm.count(TASK_INFO) == 3  # the default: three polls in a row without the id


async def test_watch_aclose_wakes_a_consumer_sleeping_between_rounds() -> None:
    farm = FakeFarm(tasks=[task(1, 5)])
    async with asyncio.timeout(10), api_for(farm) as api:
        watcher = api.watch([1], interval=30, until_terminal=False)
        first_seen = asyncio.Event()

        async def consume() -> int:
            count = 0
            async for _ in watcher:
                count += 1
                first_seen.set()
            return count

        consumer = asyncio.create_task(consume())
        await first_seen.wait()
        await asyncio.sleep(0.05)  # the consumer is now sleeping until the next round, 30 s away
        await watcher.aclose()
        async with asyncio.timeout(1):  # it ends at once, not after the interval
            assert await consumer == 1
    assert farm.count(TASK_INFO) == 1


# -- cancellation ---------------------------------------------------------------------------------------


async def _poll(api: AsyncRayvisionAPI) -> Any:
    return await api.poll(range(1, 101), batch_size=10)


async def _wait(api: AsyncRayvisionAPI) -> Any:
    return await api.wait(range(1, 101), interval=0.01)


async def _watch(api: AsyncRayvisionAPI) -> Any:
    async for _ in api.watch(range(1, 101), interval=0.01, batch_size=10):
        pass


@pytest.mark.parametrize("operation", [_poll, _wait, _watch], ids=["poll", "wait", "watch"])
async def test_cancelling_mid_flight_leaves_no_task(operation: Callable[[Any], Awaitable[Any]]) -> None:
    farm = FakeFarm(tasks=[task(i) for i in range(1, 101)], latency=30)
    before = other_tasks()
    async with api_for(farm, max_concurrency=4) as api:
        running = asyncio.create_task(operation(api))
        async with asyncio.timeout(10):
            await farm.wait_started(TASK_INFO, 1)
            await asyncio.sleep(0.01)  # let the other batches start
            running.cancel()
            with pytest.raises(asyncio.CancelledError):
                await running
    assert len(farm.calls) >= 1
    assert all(call.cancelled for call in farm.calls)
    assert farm.in_flight == 0
    assert other_tasks() == before


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: _bulk._unique_ids("12"), "task_ids must be a list of int"),
        (lambda: _bulk._unique_ids({1: 2}), "task_ids must be a list of int"),
        (lambda: _bulk._unique_ids([1, 0]), r"task_ids\[1\] must be between 1 and 9223372036854775807"),
        (lambda: _bulk._unique_ids([True]), r"task_ids\[0\] must be an int"),
        (lambda: _bulk._check_batch_size(1001), "batch_size must be between 1 and 1000"),
        (lambda: _bulk._check_positive("interval", float("nan"), low=0.001, high=10), "interval must be a number"),
        (lambda: _bulk._check_positive("timeout", True, low=0.001, high=10), "timeout must be a number"),
    ],
)
def test_bulk_argument_checks_use_the_table_kinds(call: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call()
    assert _bulk._unique_ids([3, 1, 3, 2]) == [3, 1, 2]
    assert _bulk._unique_ids(()) == []


# -- watch under failing rounds -----------------------------------------------------------------------



async def _until_task_1_ends(watcher: Watcher) -> list[tuple[int, bool, int]]:
    """(task id, whether its status changed, rounds so far) of each event, until task 1 ends; then closed."""
    seen = []
    async for event in watcher:
        seen.append((event.task_id, event.changes >= {"task_status"}, watcher.rounds))
        if event.task_id == 1 and event.is_terminal:
            break
    await watcher.aclose()
    return seen

async def test_watch_asks_a_failed_batch_again_within_the_round() -> None:
    farm = FakeFarm(tasks=[task(1), task(2)])
    requests = {"n": 0}

    def fail(path: str, body: dict[str, Any]) -> int | None:
        requests["n"] += 1
        if requests["n"] == 2:  # the second round's request fails (a server error after the retries)
            farm.task(1).update(DONE)  # the change happens while the service cannot be read
            return 500
        return None

    farm.fail = fail
    async with asyncio.timeout(10), api_for(farm, max_retries=0) as api:
        watcher = api.watch([1, 2], interval=0.01, until_terminal=False)
        seen = await _until_task_1_ends(watcher)
    assert [item[:2] for item in seen] == [(1, True), (2, True), (1, True)]
    assert seen[-1][2] == 2  # reported by the round whose batch failed, once asked again
    assert requests["n"] == 3
    assert watcher.failed == {}


async def test_watch_keeps_the_last_state_of_a_batch_that_failed_its_round() -> None:
    farm = FakeFarm(tasks=[task(1), task(2)])
    watcher = None

    def fail(path: str, body: dict[str, Any]) -> int | None:
        if watcher is not None and watcher.rounds == 1 and 1 in body["taskIds"]:  # round 2, task 1's batch
            farm.task(1).update(DONE)
            return 500
        return None

    farm.fail = fail
    async with asyncio.timeout(10), api_for(farm, max_retries=0) as api:
        watcher = api.watch([1, 2], interval=0.01, batch_size=1, until_terminal=False)
        seen = await _until_task_1_ends(watcher)
    assert [item[:2] for item in seen] == [(1, True), (2, True), (1, True)]
    assert seen[-1][2] == 3  # not lost: reported by the round after the one that could not read it
    assert len([body for body in farm.bodies(TASK_INFO) if body["taskIds"] == [1]]) == 3 + _bulk.ROUND_RETRIES


async def test_watch_raises_when_a_batch_keeps_failing_with_the_events_first() -> None:
    farm = FakeFarm(tasks=[task(1), task(2)])
    armed = {"on": False}
    farm.fail = lambda path, body: 500 if armed["on"] and 2 in body["taskIds"] else None
    seen: list[int] = []
    async with asyncio.timeout(10), api_for(farm, max_retries=0) as api:
        watcher = api.watch([1, 2], interval=0.01, batch_size=1, until_terminal=False, max_failed_rounds=2)
        async def consume() -> None:
            async for event in watcher:
                seen.append(event.task_id)
                if event.task_id == 2:  # from round 2 on, task 2's batch fails; task 1 changes in round 2
                    armed["on"] = True
                    farm.task(1).update(DONE)

        with pytest.raises(PartialPollError) as caught:
            await consume()
    assert sorted(seen[:2]) == [1, 2]
    assert seen[2:] == [1]  # round 2's event came before the error
    assert set(caught.value.failed) == {2}
    assert watcher.rounds == 3  # rounds 2 and 3 failed for task 2 only: not failed rounds, but task 2 is stuck
    assert "the batches of 1 task(s) failed in 2 round(s) in a row" in "".join(caught.value.__notes__)


async def test_watch_counts_whole_failed_rounds_in_a_row() -> None:
    farm = FakeFarm(tasks=[task(1), task(2)])
    failing_rounds = {2, 4, 5, 6}  # rounds 2 and 4 fail, then 4-6 in a row
    watcher = None
    farm.fail = lambda path, body: 500 if watcher is not None and watcher.rounds + 1 in failing_rounds else None
    async with asyncio.timeout(10), api_for(farm, max_retries=0) as api:
        watcher = api.watch([1, 2], interval=0.01, batch_size=1, until_terminal=False, max_failed_rounds=3)
        with pytest.raises(PartialPollError) as caught:
            async for _ in watcher:
                pass
    assert watcher.rounds == 6
    assert "3 failed round(s) in a row" in "".join(caught.value.__notes__)
    assert len(farm.calls) == 2 * (2 + 4 * (1 + _bulk.ROUND_RETRIES))  # 2 batches; failing rounds retry twice


async def test_a_round_with_one_answered_batch_is_not_a_failed_round() -> None:
    farm = FakeFarm(tasks=[task(i) for i in range(1, 11)])
    watcher = None
    # from round 2 on, every batch but the one of task 10 fails; rounds 2 and 3 still succeed in part
    farm.fail = lambda path, body: 500 if watcher is not None and watcher.rounds >= 1 and 10 not in body["taskIds"] \
        else None
    async with asyncio.timeout(10), api_for(farm, max_retries=0) as api:
        watcher = api.watch(range(1, 11), interval=0.01, batch_size=1, until_terminal=False, max_failed_rounds=3)
        with pytest.raises(PartialPollError) as caught:
            async for _ in watcher:
                pass
    assert watcher.rounds == 4  # failed for nine tasks in rounds 2, 3 and 4: stuck, not a whole failed round
    assert set(caught.value.failed) == set(range(1, 10))
    assert "failed round(s) in a row" not in "".join(caught.value.__notes__)
    assert "the batches of 9 task(s) failed in 3 round(s) in a row" in "".join(caught.value.__notes__)


async def test_watch_raises_at_once_on_a_fatal_failure() -> None:
    farm = FakeFarm(tasks=[task(1)], fail=lambda path, body: 611)
    async with asyncio.timeout(10), api_for(farm) as api:
        with pytest.raises(PartialPollError) as caught:
            async for _ in api.watch([1], interval=0.01):
                pass
    assert isinstance(caught.value.__cause__, SignatureInvalidError)
    assert len(farm.calls) == 1


@pytest.mark.parametrize("options", [{"max_failed_rounds": 0}, {"max_failed_rounds": "3"},
                                     {"missing_rounds": 0}, {"max_failed_rounds": True}])
def test_watch_round_limits_are_checked(options: dict[str, Any]) -> None:
    api = AsyncRayvisionAPI(access_id="id-1234", access_key="key-1234", transport=FakeFarm().transport)
    with pytest.raises(InvalidInputError):
        api.watch([1], **options)
