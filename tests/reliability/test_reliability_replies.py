"""Replies that must not become results: wrong shapes, null data, no ids, and the unknown outcome.

Every reply is checked against its endpoint's declared result shape. A mismatch is
:class:`MalformedResponseError`, retried for idempotent calls; for a call that creates or changes
work it is :class:`RequestOutcomeUnknownError` (the work may exist), never an empty result and never
:class:`InvalidInputError` (which means nothing was sent). Each test here failed on 0.1.0, where
such data structured into an empty model.
"""

from __future__ import annotations

import json
from typing import Any, get_origin

import httpx
import pytest

from api.test_endpoint_wire import CASES as WIRE_CASES
from api.test_endpoint_wire_query import CASES as QUERY_CASES
from helpers.fake_service import FakeService, Reply
from rayvision_async import AsyncRayvisionAPI, RetryPolicy, TasksNotFoundError, errors
from rayvision_async.api._reply import check_shape
from rayvision_async.api._table import ROWS
from rayvision_async.models import Page

ACCESS_ID = "AKIDrepliesreliability01"
ACCESS_KEY = "replies-reliability-secret"
RETRY = RetryPolicy(attempts=3, initial_delay=0)


def wrong_types(returns: Any, good: Any) -> list[Any]:
    """JSON values of another type than ``good`` (the documented reply)."""
    if isinstance(good, dict):
        return ["unexpected text", [good], 7]
    if isinstance(good, list):
        return ["unexpected text", {"items": good}, 7]
    return []


def shape_cases() -> list[Any]:
    out = []
    for cases in (WIRE_CASES, QUERY_CASES):
        for name, items in cases.items():
            endpoint = ROWS[name]
            item = items[0]
            for data in wrong_types(endpoint.returns, item.reply):
                try:
                    check_shape(endpoint, data, path="/p")
                except errors.MalformedResponseError:
                    out.append(pytest.param(endpoint.group, name, item, data, id=f"{name}-{type(data).__name__}"))
    return out


SHAPE_CASES = shape_cases()


def replies(*datas: Any) -> FakeService:
    """Answers each request with the next scripted ``data`` (then the last one again); a callable gets the body."""

    def reply(data: Any) -> Any:
        if callable(data):
            return lambda request: Reply(data(json.loads(request.content)))
        return Reply(data)

    return FakeService(*(reply(data) for data in datas), repeat_last=True)


def client(transport: httpx.AsyncBaseTransport, retry: RetryPolicy = RETRY) -> AsyncRayvisionAPI:
    return AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, transport=transport, retry=retry)


def declares_a_shape(name: str) -> bool:
    try:
        check_shape(ROWS[name], 7, path="/p")
    except errors.MalformedResponseError:
        return True
    return False


def test_the_catalogue_covers_every_endpoint_that_declares_a_shape() -> None:
    shaped = {name for name in ROWS if declares_a_shape(name)}
    assert len(shaped) >= 25
    assert {param.values[1] for param in SHAPE_CASES} == shaped


@pytest.mark.parametrize(("group", "name", "item", "data"), SHAPE_CASES)
async def test_a_reply_of_the_wrong_json_type_is_never_a_result(group: str, name: str, item: Any, data: Any) -> None:
    transport = replies(data)
    endpoint = ROWS[name]
    async with client(transport) as api:
        method = getattr(getattr(api, group), item.via or name)
        expected = errors.MalformedResponseError if endpoint.idempotent else errors.RequestOutcomeUnknownError
        with pytest.raises(expected) as caught:
            await method(*item.args, **item.kwargs)
    if endpoint.idempotent:
        assert len(transport.requests) == RETRY.attempts  # retried like an unreadable body
    else:
        assert len(transport.requests) == 1  # may have been processed: never repeated
        assert isinstance(caught.value.__cause__, errors.MalformedResponseError)
    assert not isinstance(caught.value, errors.InvalidInputError)


@pytest.mark.parametrize("data", [None, "text", [], {}, {"taskIdList": []}, {"taskIdList": None}],
                         ids=["null", "text", "list", "empty", "no-ids", "null-ids"])
async def test_create_task_without_task_ids_is_an_unknown_outcome(data: Any) -> None:
    transport = replies(data)
    async with client(transport) as api:
        with pytest.raises(errors.RequestOutcomeUnknownError, match="outcome unknown"):
            await api.task.create_task()
    assert len(transport.requests) == 1


async def test_null_data_on_an_idempotent_call_is_retried_until_a_good_reply() -> None:
    good = {"items": [{"id": 5, "taskStatus": 25}], "pageCount": 1, "pageNum": 1, "total": 1, "size": 1}
    transport = replies(None, "text", good)
    async with client(transport) as api:
        page = await api.query.task_info([5])
    assert [task.id for task in page.items] == [5]
    assert len(transport.requests) == 3


async def test_submit_task_json_reports_a_shapeless_create_as_unknown_not_as_bad_input() -> None:
    transport = replies(["created?"])
    async with client(transport) as api:
        with pytest.raises(errors.RequestOutcomeUnknownError):
            await api.submit_task_json({"software_config": {"cg_name": "Maya"}, "task_info": {}})
    assert len(transport.requests) == 1


async def test_wait_never_calls_existing_tasks_missing_when_replies_are_shapeless() -> None:
    transport = replies("text")
    async with client(transport, RetryPolicy(attempts=1)) as api:
        with pytest.raises(Exception) as caught:  # noqa: PT011 - the point is which one it is not
            await api.wait([1, 2], interval=0.01)
    assert not isinstance(caught.value, TasksNotFoundError)
    assert isinstance(caught.value.__cause__, errors.MalformedResponseError)


async def test_poll_retries_a_shapeless_batch_and_completes() -> None:
    def page(body: dict[str, Any]) -> Any:
        return {"items": [{"id": i, "taskStatus": 5} for i in body["taskIds"]], "pageCount": 1, "pageNum": 1,
                "total": len(body["taskIds"]), "size": 100}

    transport = replies(page, "text", [], page)
    async with client(transport) as api:
        result = await api.poll(range(1, 301))
    assert result.complete
    assert result.missing == frozenset()
    assert list(result.tasks) == list(range(1, 301))
    assert len(transport.requests) == 5


def returns_a_page(name: str) -> bool:
    returns = ROWS[name].returns
    origin = get_origin(returns) or returns
    return isinstance(origin, type) and issubclass(origin, Page)


PAGE_CASES = [pytest.param(ROWS[name].group, name, items[0], id=name)
              for cases in (WIRE_CASES, QUERY_CASES) for name, items in cases.items() if returns_a_page(name)]


def test_every_page_endpoint_is_covered() -> None:
    assert len(PAGE_CASES) >= 5


@pytest.mark.parametrize(("group", "name", "item"), PAGE_CASES)
async def test_an_object_without_items_is_not_an_empty_page(group: str, name: str, item: Any) -> None:
    transport = replies({"pageCount": 1, "pageNum": 1, "total": 3, "size": 10})
    async with client(transport) as api:
        method = getattr(getattr(api, group), item.via or name)
        with pytest.raises(errors.MalformedResponseError, match="without 'items'"):
            await method(*item.args, **item.kwargs)
    assert len(transport.requests) == RETRY.attempts


async def test_a_page_with_null_items_is_still_an_empty_page() -> None:
    transport = replies({"items": None, "pageCount": 0, "pageNum": 1, "total": 0, "size": 10})
    async with client(transport) as api:
        assert (await api.query.task_info([5])).items == ()
