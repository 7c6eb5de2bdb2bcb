"""``result_steps``: a big page structured a slice of rows per step, equal to ``result_of`` in one go.

The request loop drives it for big replies, one step per event-loop iteration
(:mod:`rayvision_async._turns`). Whatever the reply, its result or its error is
exactly ``result_of``'s.
"""

from __future__ import annotations

from collections.abc import Generator
from decimal import Decimal
from typing import Any

import pytest

from helpers.wire_json import wire_json
from rayvision_async.api._reply import STEP_ITEMS, has_steps, result_of, result_steps
from rayvision_async.api._table import ROWS
from rayvision_async.errors import MalformedResponseError
from rayvision_async.wire._envelope import decode_envelope

TASK_INFO = ROWS["task_info"]
PATH = "/api/render/handle/queryTaskInfo/v2"


def reply(data: Any) -> bytes:
    return ('{"code":200,"message":"success","data":' + wire_json(data) + ',"requestId":"t"}').encode()


def item(task_id: int, **extra: Any) -> dict[str, Any]:
    return {"id": task_id, "taskAlias": f"A{task_id}", "taskStatus": 5, "renderConsume": Decimal("1.25"),
            "submitDate": 1577765849000 + task_id, "taskKeyValueVo": {"tiles": "1"}, "labels": "{}", **extra}


def run(steps: Generator[None, None, Any]) -> tuple[Any, int]:
    """Drive the generator as the request loop does; (its result, how many times it yielded)."""
    yields = 0
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value, yields
        yields += 1


def both(data: dict[str, Any]) -> tuple[Any, Any, int]:
    envelope = decode_envelope(200, reply(data), path=PATH)
    one_go = result_of(TASK_INFO, envelope.data, path=PATH, exact=envelope.exact_data)
    stepped, yields = run(result_steps(TASK_INFO, envelope.data, path=PATH, exact=envelope.exact_data))
    return one_go, stepped, yields


@pytest.mark.parametrize("rows", [0, 1, STEP_ITEMS, STEP_ITEMS + 1, 100, 1000])
def test_a_page_in_steps_equals_the_page_in_one_go(rows: int) -> None:
    data = {"items": [item(task_id) for task_id in range(1, rows + 1)], "pageNum": 1, "total": rows,
            "userAccountConsume": Decimal("12.5")}
    one_go, stepped, yields = both(data)
    assert stepped == one_go
    assert type(stepped) is type(one_go)
    assert [task.id for task in stepped.items] == list(range(1, rows + 1))
    assert stepped.user_account_consume == Decimal("12.5")
    # one yield after decoding, then one between two slices of STEP_ITEMS rows
    assert yields == 1 + max(0, -(-rows // STEP_ITEMS) - 1)


def test_children_are_structured_with_their_parent() -> None:
    data = {"items": [item(task_id, respRenderingTaskList=[item(10_000 + task_id)]) for task_id in range(1, 80)]}
    one_go, stepped, _ = both(data)
    assert stepped == one_go
    assert stepped.items[5].children[0].id == 10_006


def test_a_float_to_read_exactly_in_any_slice_gives_the_exact_result() -> None:
    rows = [item(task_id) for task_id in range(1, 101)]
    rows[70]["renderConsume"] = Decimal("0.12345678901234567890123")  # beyond a double: the exact decoding
    one_go, stepped, _ = both({"items": rows})
    assert stepped == one_go
    assert stepped.items[70].render_consume == Decimal("0.12345678901234567890123")


def test_a_row_that_does_not_fit_raises_what_result_of_raises() -> None:
    rows = [item(task_id) for task_id in range(1, 101)]
    rows[60]["doneFrames"] = "not a number"
    envelope = decode_envelope(200, reply({"items": rows}), path=PATH)
    with pytest.raises(MalformedResponseError) as one_go:
        result_of(TASK_INFO, envelope.data, path=PATH, exact=envelope.exact_data)
    with pytest.raises(MalformedResponseError) as stepped:
        run(result_steps(TASK_INFO, envelope.data, path=PATH, exact=envelope.exact_data))
    assert str(stepped.value) == str(one_go.value)


def test_a_reply_of_the_wrong_shape_raises_before_any_structuring() -> None:
    with pytest.raises(MalformedResponseError, match="without 'items'"):
        run(result_steps(TASK_INFO, {"total": 3}, path=PATH))
    with pytest.raises(MalformedResponseError, match="data is list"):
        run(result_steps(TASK_INFO, [item(1)] * 100, path=PATH))


def test_only_pages_are_structured_in_steps() -> None:
    assert has_steps(TASK_INFO)
    assert has_steps(ROWS["get_task_list"])
    assert not has_steps(ROWS["query_user_profile"])
