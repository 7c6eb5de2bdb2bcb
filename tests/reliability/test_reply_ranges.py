"""Reply values outside the service's ranges are malformed, not results (issue 20, item 7).

The service is a Java service: an int field holds a Java ``long`` at most, an ``Integer`` field (as the
protocol documents type it) a Java ``int``, a money amount no more than any account, and numbers it
writes as text are ASCII digits. A reply saying otherwise is :class:`MalformedResponseError` (retried
for a call that reads), or for a call that creates work :class:`RequestOutcomeUnknownError`; and once
``submit_task_json`` has created a task it never raises :class:`InvalidInputError` ("nothing was sent").
Each test here failed before: a 400-digit task id, ``2**63`` user ids, ``2**31`` frame counts and
money beyond 10**15 became results, and full-width digits read as numbers.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rayvision_async import (
    AsyncRayvisionAPI,
    InvalidInputError,
    RequestOutcomeUnknownError,
    RetryPolicy,
    TaskStatus,
    errors,
)
from rayvision_async._service_ints import INT32, INT64, MONEY_LIMIT
from rayvision_async.models import CreatedTasks, FrameInfo, TaskInfo, UserProfile
from rayvision_async.models._converter import structure

ID, KEY = "AKIDreplyranges01", "reply-ranges-secret"


def body(data: Any) -> bytes:
    """An envelope around ``data``, with the number literals :func:`raw` marks written as they are."""
    return json.dumps({"code": 200, "message": "success", "data": data, "requestId": "r"}).replace(
        '"@@', "").replace('@@"', "").encode()


def raw(text: str) -> str:
    """A JSON number literal written as is into the body (``raw("1e400")``)."""
    return f"@@{text}@@"


class Answers(httpx.AsyncBaseTransport):
    def __init__(self, answer: Callable[[httpx.Request], bytes]) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        return httpx.Response(200, content=self.answer(request), headers={"Content-Type": "application/json"})


def client(answer: Callable[[httpx.Request], bytes], **options: Any) -> tuple[AsyncRayvisionAPI, Answers]:
    transport = Answers(answer)
    return AsyncRayvisionAPI(ID, KEY, transport=transport, max_retries=options.pop("max_retries", 0),
                             **options), transport


TASK = {"id": 7, "taskStatus": 25, "totalFrames": 10, "userId": 100150764, "renderConsume": 0.54}


def task_with(**fields: Any) -> dict[str, Any]:
    return {"items": [{**TASK, **fields}], "pageCount": 1}


OUT_OF_RANGE_TASKS = [
    pytest.param({"id": raw("9" * 400)}, id="400-digit-task-id"),
    pytest.param({"id": 2**63}, id="task-id-2**63"),
    pytest.param({"id": -(2**63) - 1}, id="task-id-below-long"),
    pytest.param({"userId": 2**63}, id="user-id-2**63"),
    pytest.param({"userId": raw("1" * 25)}, id="user-id-25-digits"),
    pytest.param({"userId": "\uff11\uff12"}, id="user-id-full-width-text"),
    pytest.param({"totalFrames": 2**31}, id="integer-field-2**31"),
    pytest.param({"doneFrames": -(2**31) - 1}, id="integer-field-below-int"),
    pytest.param({"cgId": 2**40}, id="cg-id-2**40"),
    pytest.param({"taskRam": "\u0664\u0662"}, id="arabic-indic-digits"),
    pytest.param({"totalFrames": "\u00b9"}, id="superscript-digit"),
    pytest.param({"renderConsume": raw("1e15")}, id="money-1e15"),
    pytest.param({"renderConsume": raw("-1e300")}, id="money-minus-1e300"),
    pytest.param({"couponConsume": raw("9" * 400)}, id="money-400-digits"),
    pytest.param({"taskArrears": "NaN"}, id="money-nan-text"),
    pytest.param({"taskArrears": "\uff15"}, id="money-full-width"),
    pytest.param({"taskStatus": 2**40}, id="status-code-2**40"),
    pytest.param({"submitDate": "\u0661\u0665\u0667\u0667"}, id="epoch-arabic-indic"),
    pytest.param({"respRenderingTaskList": [{"id": 2**64}]}, id="child-task-id-2**64"),
]


@pytest.mark.parametrize("fields", OUT_OF_RANGE_TASKS)
async def test_a_value_beyond_the_services_range_is_malformed(fields: dict[str, Any]) -> None:
    api, transport = client(lambda _: body(task_with(**fields)))
    async with api:
        with pytest.raises(errors.MalformedResponseError):
            await api.query.task_info([7])
    assert len(transport.requests) == 1


@pytest.mark.parametrize("fields", [
    {"id": 2**63 - 1}, {"id": -(2**63)}, {"userId": 2**63 - 1}, {"totalFrames": 2**31 - 1},
    {"doneFrames": -(2**31)}, {"renderConsume": raw("999999999999999.9")}, {"couponConsume": raw("-1e14")},
    {"taskStatus": 2**31 - 1}, {"totalFrames": " 12 "}, {"renderConsume": "0.50"},
])
async def test_the_edges_of_each_range_are_results(fields: dict[str, Any]) -> None:
    api, _ = client(lambda _: body(task_with(**fields)))
    async with api:
        page = await api.query.task_info([7])
    assert page.items[0].id == fields.get("id", 7)


async def test_a_read_retries_a_malformed_reply_then_takes_the_good_one() -> None:
    replies = iter([task_with(totalFrames=2**31), task_with()])
    api, transport = client(lambda _: body(next(replies)), retry=RetryPolicy(attempts=3, initial_delay=0))
    async with api:
        page = await api.query.task_info([7])
    assert page.items[0].total_frames == 10
    assert len(transport.requests) == 2


@pytest.mark.parametrize("ids", [[raw("9" * 400)], [2**63], [raw("1" * 30), 5]])
async def test_a_created_task_id_beyond_a_long_is_an_unknown_outcome(ids: list[Any]) -> None:
    api, transport = client(lambda _: body({"taskIdList": ids, "aliasTaskIdList": ["a"], "userId": 1}),
                            max_retries=2)
    async with api:
        with pytest.raises(RequestOutcomeUnknownError):
            await api.task.create_task()
    assert len(transport.requests) == 1  # a creating call is never repeated


def test_the_limits_are_the_service_ints_table() -> None:
    assert structure({"id": INT64[1], "totalFrames": INT32[1]}, TaskInfo).total_frames == INT32[1]
    assert structure({"id": 1, "renderConsume": str(MONEY_LIMIT - 1)}, TaskInfo).render_consume == MONEY_LIMIT - 1
    for bad in ({"id": INT64[1] + 1}, {"id": 1, "totalFrames": INT32[1] + 1},
                {"id": 1, "renderConsume": MONEY_LIMIT}, {"id": 1, "renderConsume": -MONEY_LIMIT}):
        with pytest.raises(ValueError):  # noqa: PT011 - result_of turns any structuring error into malformed
            structure(bad, TaskInfo)


def test_other_models_keep_their_widths() -> None:
    assert structure({"id": 2**62, "taskId": 2**62, "frameRam": 2**31 - 1}, FrameInfo).task_id == 2**62
    with pytest.raises(ValueError):  # noqa: PT011
        structure({"frameRam": 2**31}, FrameInfo)
    with pytest.raises(ValueError):  # noqa: PT011
        structure({"averageCpu": float("nan")}, FrameInfo)
    with pytest.raises(ValueError):  # noqa: PT011
        structure({"userId": 2**64}, UserProfile)
    assert structure({"taskIdList": [1, 2**63 - 1]}, CreatedTasks).task_id_list == (1, 2**63 - 1)
    with pytest.raises(ValueError):  # noqa: PT011
        TaskStatus(2**31)
    with pytest.raises(ValueError):  # noqa: PT011
        TaskStatus(10**400)
    assert TaskStatus(2**31 - 1).name == f"UNKNOWN_{2**31 - 1}"


# -- after a task was created, submit_task_json never says "nothing was sent" ----------------------------


def submit_answers(created: Any) -> Callable[[httpx.Request], bytes]:
    def answer(request: httpx.Request) -> bytes:
        if request.url.path.endswith("/createTask"):
            return body({"taskIdList": created, "aliasTaskIdList": ["2W1"], "userId": 1})
        return body(None)

    return answer


@pytest.mark.parametrize("created", [[0], [-5], [raw("9" * 400)], [2**63], [-(2**63)], [], None, ["\u00b9"]])
async def test_submit_task_json_never_says_nothing_was_sent_after_create(created: Any) -> None:
    api, transport = client(submit_answers(created))
    async with api:
        with pytest.raises(RequestOutcomeUnknownError) as raised:
            await api.submit_task_json({"task_info": {"frames": "1-2[1]"}})
    assert not isinstance(raised.value, InvalidInputError)
    assert [r.url.path.rsplit("/", 1)[1] for r in transport.requests] == ["createTask"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(created=st.one_of(st.integers(-(2**70), 2**70), st.text(max_size=4), st.none(), st.booleans(),
                         st.floats(allow_nan=False, allow_infinity=False), st.decimals(allow_nan=False,
                                                                                       allow_infinity=False)))
def test_any_created_id_gives_a_task_or_an_unknown_outcome(created: Any) -> None:
    async def run() -> None:
        data = [created] if not isinstance(created, Decimal) else [raw(str(created))]
        api, transport = client(submit_answers(data))
        async with api:
            try:
                task_id = await api.submit_task_json({"task_info": {"frames": "1-2[1]"}})
            except InvalidInputError as exc:  # pragma: no cover - the failure this test guards against
                raise AssertionError(f"InvalidInputError after createTask was sent: {exc}") from exc
            except (RequestOutcomeUnknownError, errors.MalformedResponseError):
                return
            assert 1 <= task_id <= INT64[1]
            assert [r.url.path.rsplit("/", 1)[1] for r in transport.requests] == ["createTask", "taskJsonFile",
                                                                                  "task"]

    asyncio.run(run())
