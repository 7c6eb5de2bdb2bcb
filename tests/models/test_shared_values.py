"""Values a large poll would hold many copies of are stored once (the structure fast path)."""

from __future__ import annotations

import orjson
import pytest

from rayvision_async.models import TaskInfo, TaskKeyValue
from rayvision_async.models import _structgen as structgen
from rayvision_async.models._converter import FAST_PATH, make_converter, structure

pytestmark = pytest.mark.skipif(not FAST_PATH, reason="shared values are the fast path's "
                                                      "(RAYVISION_STRUCTURE_FAST_PATH=0)")


def decoded(text: str) -> TaskInfo:
    """A TaskInfo from its own orjson decoding (every string a new object, as on the wire)."""
    return structure(orjson.loads(text), TaskInfo)


def test_an_all_null_small_model_is_one_shared_instance() -> None:
    first = decoded('{"id": 1, "taskKeyValueVo": {"tiles": null, "allCamera": null, "renderableCamera": null}}')
    second = decoded('{"id": 2, "taskKeyValueVo": {}}')
    assert first.task_key_value_vo is second.task_key_value_vo
    assert first.task_key_value_vo == TaskKeyValue()
    given = decoded('{"id": 3, "taskKeyValueVo": {"tiles": "4"}}').task_key_value_vo
    assert given is not first.task_key_value_vo
    assert given == TaskKeyValue(tiles="4")


def test_repeated_texts_are_stored_once_and_other_texts_as_they_come() -> None:
    first = decoded('{"id": 1, "userName": "ding625yutao", "taskAlias": "2W1"}')
    second = decoded('{"id": 2, "userName": "ding625yutao", "taskAlias": "2W1"}')
    assert first.user_name == second.user_name == "ding625yutao"
    assert first.user_name is second.user_name  # user_name is marked repeated
    assert first.task_alias == second.task_alias
    assert first.task_alias is not second.task_alias  # task_alias is not


def test_a_full_text_pool_keeps_new_texts_as_they_come(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(structgen, "TEXT_POOL_SIZE", 3)
    conv = make_converter()
    names = [conv.structure(orjson.loads(f'{{"id": 1, "userName": "user{n}"}}'), TaskInfo).user_name for n in range(10)]
    assert names == [f"user{n}" for n in range(10)]
    late = [conv.structure(orjson.loads('{"id": 1, "userName": "user9"}'), TaskInfo).user_name for _ in range(2)]
    assert late[0] == late[1] == "user9"
    assert late[0] is not late[1]  # not pooled: the pool was full
    early = [conv.structure(orjson.loads('{"id": 1, "userName": "user0"}'), TaskInfo).user_name for _ in range(2)]
    assert early[0] is early[1]
