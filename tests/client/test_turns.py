"""The turns (:mod:`rayvision_async._turns`): one big reply per event-loop iteration, single calls first.

Loop iterations are counted by a callback that schedules itself again each time it runs: a callback
scheduled while an iteration runs waits for the next one, so it runs exactly once per iteration.
"""

from __future__ import annotations

import asyncio

import pytest

from helpers.loop_iterations import Iterations
from rayvision_async._turns import Turns


async def test_a_free_turn_is_taken_at_once() -> None:
    turns = Turns()
    iterations = Iterations()
    before = iterations.count
    await turns.take(bulk=True)
    assert iterations.count == before  # no iteration passed
    turns.give()
    iterations.stop()


async def test_the_next_holder_runs_in_a_later_iteration() -> None:
    turns = Turns()
    iterations = Iterations()
    await turns.take(bulk=True)
    started: list[int] = []

    async def other() -> None:
        await turns.take(bulk=True)
        started.append(iterations.count)
        turns.give()

    waiter = asyncio.create_task(other())
    await asyncio.sleep(0)
    assert turns.waiting == 1
    assert not started
    given_in = iterations.count
    turns.give()
    await waiter
    assert started[0] > given_in
    iterations.stop()


async def test_a_turn_given_back_with_nobody_waiting_is_free_only_from_the_next_iteration() -> None:
    turns = Turns()
    iterations = Iterations()
    await turns.take(bulk=False)
    given_in = iterations.count
    turns.give()
    await turns.take(bulk=False)  # in the same iteration it is still taken: this waits for the next
    assert iterations.count > given_in
    turns.give()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    before = iterations.count
    await turns.take(bulk=False)  # free again: at once
    assert iterations.count == before
    turns.give()
    iterations.stop()


async def test_single_calls_go_before_bulk_work_and_each_queue_is_first_come_first_served() -> None:
    turns = Turns()
    await turns.take(bulk=True)
    order: list[str] = []

    async def wants(name: str, *, bulk: bool) -> None:
        await turns.take(bulk=bulk)
        order.append(name)
        turns.give()

    waiters = [asyncio.create_task(wants("bulk 1", bulk=True)), asyncio.create_task(wants("bulk 2", bulk=True)),
               asyncio.create_task(wants("single 1", bulk=False)), asyncio.create_task(wants("single 2", bulk=False))]
    await asyncio.sleep(0)
    assert turns.waiting == 4
    turns.give()
    await asyncio.gather(*waiters)
    assert order == ["single 1", "single 2", "bulk 1", "bulk 2"]


async def test_a_cancelled_waiter_leaves_the_queue() -> None:
    turns = Turns()
    await turns.take(bulk=True)
    waiter = asyncio.create_task(turns.take(bulk=True))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert turns.waiting == 0
    turns.give()
    await asyncio.sleep(0)
    async with asyncio.timeout(1):
        await turns.take(bulk=True)  # the turn is free again, not lost to the cancelled waiter
    turns.give()


async def test_a_waiter_cancelled_after_its_turn_came_passes_it_on() -> None:
    turns = Turns()
    await turns.take(bulk=True)
    first = asyncio.create_task(turns.take(bulk=True))
    got: list[str] = []

    async def second() -> None:
        await turns.take(bulk=True)
        got.append("second")
        turns.give()

    later = asyncio.create_task(second())
    await asyncio.sleep(0)
    turns.give()  # the turn is handed to ``first`` ...
    first.cancel()  # ... which is cancelled before it could run
    with pytest.raises(asyncio.CancelledError):
        await first
    async with asyncio.timeout(1):
        await later
    assert got == ["second"]
