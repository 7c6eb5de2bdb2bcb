"""Required fields (``TaskInfo.id``, the service always sends it) and the bounded int hook they share with
ids in lists."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from rayvision_async.models import CreatedTasks, TaskInfo
from rayvision_async.models._converter import make_converter, structure


def test_a_task_without_an_id_is_malformed_on_both_structuring_paths() -> None:
    for conv in (make_converter(fast_path=True), make_converter(fast_path=False)):
        with pytest.raises(KeyError, match="id"):
            conv.structure({"taskStatus": 10}, TaskInfo)
        with pytest.raises(KeyError, match="id"):
            conv.structure({"id": 1, "respRenderingTaskList": [{"taskStatus": 10}]}, TaskInfo)


def test_required_ints_are_bounded_like_optional_ones() -> None:
    started = time.perf_counter()
    for huge in (Decimal("1e999999999"), Decimal("1e5000")):
        with pytest.raises(ValueError, match="expected an integer"):
            structure({"taskIdList": [huge]}, CreatedTasks)
        with pytest.raises(ValueError, match="expected an integer"):
            structure({"id": huge}, TaskInfo)
    assert time.perf_counter() - started < 1.0
    with pytest.raises(ValueError, match="expected an integer"):
        structure({"taskIdList": [42.5]}, CreatedTasks)  # no silent truncation to 42
    with pytest.raises(TypeError):
        structure({"id": None}, TaskInfo)
    assert structure({"taskIdList": ["42", 43.0, Decimal(44)]}, CreatedTasks).task_id_list == (42, 43, 44)
