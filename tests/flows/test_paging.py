"""Pagination: iter_tasks / iter_frames edge cases, prefetch, closing and cancellation, frame helpers."""

from __future__ import annotations

import asyncio
import gc
import time
from collections import Counter
from typing import Any

import pytest

from helpers.fakefarm import (
    RESTART_FRAMES,
    STOP_FRAMES,
    TASK_FRAMES,
    TASK_LIST,
    FakeFarm,
    api_for,
    frame,
    other_tasks,
    task,
)
from rayvision_async import FrameInfo, InvalidInputError, Page, TaskInfo
from rayvision_async.errors import NoMoreRecordsError, ParameterError


def farm_with(n: int, **knobs: Any) -> FakeFarm:
    return FakeFarm(tasks=[task(i) for i in range(1, n + 1)], **knobs)


async def list_ids(farm: FakeFarm, **options: Any) -> list[int]:
    async with asyncio.timeout(10), api_for(farm) as api:
        return [item.id async for item in api.query.iter_tasks(**options)]


# -- where the listing ends --------------------------------------------------------------------------


@pytest.mark.parametrize("page_end", ["empty", "700"])
async def test_no_items_is_exactly_one_request(page_end: str) -> None:
    farm = farm_with(0, page_end=page_end)
    assert await list_ids(farm) == []
    assert farm.page_numbers(TASK_LIST) == [1]


async def test_one_item() -> None:
    farm = farm_with(1)
    assert await list_ids(farm) == [1]
    assert farm.page_numbers(TASK_LIST) == [1]


@pytest.mark.parametrize("prefetch", [False, True])
async def test_exactly_full_last_page_stops_at_page_count(prefetch: bool) -> None:
    farm = farm_with(200)
    assert await list_ids(farm, page_size=100, prefetch=prefetch) == list(range(1, 201))
    assert farm.page_numbers(TASK_LIST) == [1, 2]  # no third request for an empty page


async def test_partial_last_page() -> None:
    farm = farm_with(250)
    assert await list_ids(farm, page_size=100) == list(range(1, 251))
    assert farm.page_numbers(TASK_LIST) == [1, 2, 3]
    assert [body["pageSize"] for body in farm.bodies(TASK_LIST)] == [100, 100, 100]


async def test_small_page_size_is_sent() -> None:
    farm = farm_with(7)
    assert await list_ids(farm, page_size=3) == list(range(1, 8))
    assert farm.page_numbers(TASK_LIST) == [1, 2, 3]


async def test_code_700_past_the_end_ends_without_page_count() -> None:
    farm = farm_with(200, page_end="700", send_page_count=False)
    assert await list_ids(farm, page_size=100) == list(range(1, 201))
    assert farm.page_numbers(TASK_LIST) == [1, 2, 3]  # the third answered 700: the end, not an error


async def test_code_700_is_an_error_outside_a_pager() -> None:
    farm = farm_with(5, page_end="700")
    async with api_for(farm) as api:
        with pytest.raises(NoMoreRecordsError):
            await api.query.get_task_list(page_num=2)


async def test_empty_page_ends_without_page_count() -> None:
    farm = farm_with(150, send_page_count=False)
    assert await list_ids(farm, page_size=100) == list(range(1, 151))
    assert farm.page_numbers(TASK_LIST) == [1, 2, 3]


async def test_empty_page_ends_even_if_page_count_says_more() -> None:
    def shrink(farm: FakeFarm, path: str, body: dict[str, Any]) -> None:
        if body["pageNum"] == 2:  # the tasks vanish while page count still said 3
            del farm.tasks[100:]
    farm = farm_with(250, before=shrink)
    assert await list_ids(farm, page_size=100) == list(range(1, 101))
    assert farm.page_numbers(TASK_LIST) == [1, 2]


async def test_page_shifting_between_calls_yields_each_item_once() -> None:
    def insert_at_head(farm: FakeFarm, path: str, body: dict[str, Any]) -> None:
        if body["pageNum"] == 2:  # a new task is submitted after page 1 was read
            farm.tasks.insert(0, task(9999))
    farm = farm_with(250, before=insert_at_head)
    ids = await list_ids(farm, page_size=100)
    assert [n for n, times in Counter(ids).items() if times > 1] == []
    assert sorted(ids) == list(range(1, 251))  # task 100 came again on page 2 and was skipped
    assert farm.page_numbers(TASK_LIST) == [1, 2, 3]  # no page asked twice


async def test_pages_yields_page_objects() -> None:
    farm = farm_with(250)
    async with asyncio.timeout(10), api_for(farm) as api:
        pages = [page async for page in api.query.iter_tasks(page_size=100).pages()]
    assert all(isinstance(page, Page) for page in pages)
    assert [(page.page_num, len(page), page.page_count, page.total) for page in pages] == [
        (1, 100, 3, 250), (2, 100, 3, 250), (3, 50, 3, 250)]
    assert isinstance(pages[0].items[0], TaskInfo)
    assert pages[0].has_next
    assert not pages[2].has_next


async def test_iter_frames_pages_and_end_page() -> None:
    farm = FakeFarm(frames={7: [frame(1000 + i, 7, i) for i in range(1, 26)]})
    async with asyncio.timeout(10), api_for(farm) as api:
        frames = [f async for f in api.query.iter_frames(7, page_size=10)]
        assert [f.frame_index for f in frames] == [str(i) for i in range(1, 26)]
        assert all(isinstance(f, FrameInfo) for f in frames)
        some = [f.frame_index async for f in api.query.iter_frames(7, page_size=10, start_page=2, end_page=2)]
        assert some == [str(i) for i in range(11, 21)]
    assert farm.page_numbers(TASK_FRAMES) == [1, 2, 3, 2]
    assert {body["taskId"] for body in farm.bodies(TASK_FRAMES)} == {7}


async def test_iter_frames_of_a_task_without_frames() -> None:
    farm = FakeFarm(page_end="700")
    async with asyncio.timeout(10), api_for(farm) as api:
        assert [f async for f in api.query.iter_frames(8)] == []
    assert farm.page_numbers(TASK_FRAMES) == [1]


# -- prefetch ----------------------------------------------------------------------------------------


async def consume_pages(farm: FakeFarm, prefetch: bool) -> dict[int, float]:
    """Read 4 pages, working 50 ms on each; return when the work on each page ended."""
    done: dict[int, float] = {}
    async with asyncio.timeout(10), api_for(farm) as api:
        async for page in api.query.iter_tasks(page_size=10, prefetch=prefetch).pages():
            await asyncio.sleep(0.05)  # the consumer's work
            done[page.page_num or 0] = time.monotonic()
    return done


@pytest.mark.parametrize("prefetch", [True, False])
async def test_prefetch_overlaps_the_next_request_with_the_consumer(prefetch: bool) -> None:
    farm = farm_with(40, latency=0.05)
    done = await consume_pages(farm, prefetch)
    calls = [call for call in farm.calls if call.path == TASK_LIST]
    assert [call.body["pageNum"] for call in calls] == [1, 2, 3, 4]
    for number in (1, 2, 3):
        request = calls[number]  # the request for page number + 1
        if prefetch:  # it started while the consumer still worked on the page before
            assert request.started < done[number]
        else:
            assert request.started >= done[number]
    assert not any(call.cancelled for call in calls)


async def test_breaking_out_cancels_the_prefetch_in_flight() -> None:
    farm = farm_with(30, latency=lambda path, body: 0 if body["pageNum"] == 1 else 30)
    before = other_tasks()
    async with asyncio.timeout(10), api_for(farm) as api:
        pager = api.query.iter_tasks(page_size=10, prefetch=True)
        async with pager:
            async for _ in pager:
                await farm.wait_started(TASK_LIST, 2)  # page 2 is being prefetched
                break
        assert pager.fetched == [1]
        assert [item async for item in pager] == []  # closed: nothing more, and no request
    page2 = farm.calls[1]
    assert page2.body["pageNum"] == 2
    assert page2.cancelled
    assert farm.count(TASK_LIST) == 2
    assert other_tasks() == before


@pytest.mark.parametrize("prefetch", [False, True])
async def test_cancelling_the_consumer_leaves_no_task(prefetch: bool) -> None:
    farm = farm_with(30, latency=lambda path, body: 0 if body["pageNum"] == 1 else 30)
    before = other_tasks()
    async with api_for(farm) as api:
        async def consume() -> None:
            async for _ in api.query.iter_tasks(page_size=10, prefetch=prefetch):
                pass
        consumer = asyncio.create_task(consume())
        async with asyncio.timeout(10):
            await farm.wait_started(TASK_LIST, 2)
            await asyncio.sleep(0.01)  # the consumer is now awaiting page 2
            consumer.cancel()
            with pytest.raises(asyncio.CancelledError):
                await consumer
    assert farm.calls[1].cancelled
    assert farm.in_flight == 0
    assert other_tasks() == before


async def test_cancelling_the_consumer_at_work_inside_async_with_cancels_the_prefetch() -> None:
    farm = farm_with(30, latency=lambda path, body: 0 if body["pageNum"] == 1 else 30)
    before = other_tasks()
    async with api_for(farm) as api:
        async def consume() -> None:
            async with api.query.iter_tasks(page_size=10, prefetch=True) as pager:
                async for _ in pager:
                    await asyncio.sleep(30)  # busy with the first item while page 2 is prefetched
        consumer = asyncio.create_task(consume())
        async with asyncio.timeout(10):
            await farm.wait_started(TASK_LIST, 2)
            consumer.cancel()
            with pytest.raises(asyncio.CancelledError):
                await consumer
    assert farm.calls[1].cancelled
    assert other_tasks() == before


async def test_failed_prefetch_is_raised_when_its_page_is_reached() -> None:
    farm = farm_with(30, fail=lambda path, body: 600 if body.get("pageNum") == 2 else None)
    seen: list[int] = []
    async with asyncio.timeout(10), api_for(farm) as api:
        async def consume() -> None:
            async for item in api.query.iter_tasks(page_size=10, prefetch=True):
                seen.append(item.id or 0)
        with pytest.raises(ParameterError):
            await consume()
    assert seen == list(range(1, 11))


# -- the official SDK's frame helpers ------------------------------------------------------------------


async def test_get_all_frames_keyed_by_frame_index() -> None:
    frames = [frame(5000 + i, 3, i) for i in range(1, 251)]
    farm = FakeFarm(frames={3: frames})
    async with asyncio.timeout(10), api_for(farm) as api:
        result = await api.query.get_all_frames(3)
    assert list(result) == [str(i) for i in range(1, 251)]
    assert result["17"].id == 5017
    assert isinstance(result["17"], FrameInfo)
    assert farm.page_numbers(TASK_FRAMES) == [1, 2, 3]


async def test_get_custome_frames_posts_the_frame_ids() -> None:
    # The official rule: a frame is picked when its frameIndex text is one of the strings, exactly.
    # Frames of task 3 (ids are not their indices): "1".."3", a part-frame "0-1" and a frame "2-4[1]".
    indices = ["1", "2", "3", "0-1", "2-4[1]", "10"]
    farm = FakeFarm(frames={3: [frame(900 + n, 3, index) for n, index in enumerate(indices)]})
    async with asyncio.timeout(10), api_for(farm) as api:
        await api.query.get_custome_frames(3, ["1", "2-4[1]"])
    # "1" is not "0-1"; "2-4[1]" is that frame, not frames 2, 3 and 4
    assert farm.bodies(RESTART_FRAMES) == [{"taskId": 3, "selectAll": 0, "ids": [900, 904]}]


async def test_a_range_string_is_not_expanded() -> None:
    farm = FakeFarm(frames={3: [frame(900 + i, 3, i) for i in range(1, 9)]})
    async with asyncio.timeout(10), api_for(farm) as api:
        with pytest.raises(InvalidInputError, match=r"'3-5\[2\]'.*'1', '2', '3'"):
            await api.query.get_custome_frames(3, ["3-5[2]"])
    assert farm.count(RESTART_FRAMES) == 0


async def test_frame_number_to_stop_matches_part_frames_exactly() -> None:
    farm = FakeFarm(frames={5: [frame(70, 5, "0-1"), frame(71, 5, "1-1"), frame(72, 5, "1")]})
    async with asyncio.timeout(10), api_for(farm) as api:
        await api.query.frame_number_to_stop(5, ["1-1", "7"])
        await api.query.frame_number_to_stop(5, "1")  # one string is one index, not its characters
    assert farm.bodies(STOP_FRAMES) == [{"taskId": 5, "selectAll": 0, "ids": [71]},
                                        {"taskId": 5, "selectAll": 0, "ids": [72]}]


async def test_frames_sharing_an_index_are_all_picked() -> None:
    farm = FakeFarm(frames={3: [frame(1, 3, "5"), frame(2, 3, "6"), frame(3, 3, "5")]})
    async with asyncio.timeout(10), api_for(farm) as api:
        await api.query.get_custom_frames(3, ["5"])
    assert farm.bodies(RESTART_FRAMES) == [{"taskId": 3, "selectAll": 0, "ids": [1, 3]}]


async def test_get_custom_frames_with_no_match_sends_nothing() -> None:
    farm = FakeFarm(frames={3: [frame(900 + i, 3, i) for i in range(1, 15)]})
    async with asyncio.timeout(10), api_for(farm) as api:
        with pytest.raises(InvalidInputError) as caught:
            await api.query.get_custom_frames(3, ["50-60"])
    message = str(caught.value)
    assert "'50-60'" in message
    assert "14 frame indices" in message
    assert "'1', '2', '3', '4', '5', '6', '7', '8', '9', '10', …" in message
    assert "'11'" not in message
    assert farm.count(RESTART_FRAMES) == 0


async def test_get_custom_frames_of_a_task_without_frames() -> None:
    farm = FakeFarm(frames={3: []})
    async with asyncio.timeout(10), api_for(farm) as api:
        with pytest.raises(InvalidInputError, match="task 3 has no frames"):
            await api.query.get_custom_frames(3, ["1"])
    assert farm.count(RESTART_FRAMES) == 0


@pytest.mark.parametrize("specs", [[], [6], ["6", 7], [""], b"6", {"6": 1}])
async def test_frame_strings_that_could_never_match_are_refused_before_listing(specs: Any) -> None:
    farm = FakeFarm(frames={3: [frame(906, 3, 6)]})
    async with asyncio.timeout(10), api_for(farm) as api:
        with pytest.raises(InvalidInputError, match="frame ind"):
            await api.query.get_custom_frames(3, specs)
    assert farm.count(TASK_FRAMES) == 0


async def test_an_abandoned_failing_prefetch_logs_nothing() -> None:
    """Breaking out without closing leaves the prefetch to finish alone; its error is not reported."""
    farm = FakeFarm(tasks=[task(i) for i in range(1, 201)],
                    fail=lambda path, body: 500 if body.get("pageNum") == 2 else None)
    reported: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        async with asyncio.timeout(10), api_for(farm, max_retries=0) as api:
            async for _ in api.query.iter_tasks(page_size=100, prefetch=True):
                break  # no async with: the prefetch of page 2 is left running
            await farm.wait_started(TASK_LIST, 2)
            await asyncio.sleep(0.05)
            gc.collect()
    finally:
        loop.set_exception_handler(None)
    assert reported == []
