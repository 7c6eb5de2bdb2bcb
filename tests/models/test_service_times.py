"""Progress-image times (loadTaskProcessImg): the service's wall-clock text becomes aware datetimes in its zone.

The protocol documents show them as "2018-11-09 18:27:40" without an offset; the service writes
them in China Standard Time (UTC+8), as it reads the task-list time filters.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from helpers.spec_data import load_examples
from rayvision_async.models import GrabInfo, TaskProgress
from rayvision_async.models._converter import structure

CST = timezone(timedelta(hours=8))


def test_task_progress_times() -> None:
    progress = structure({"startTime": "2018-11-09 18:27:40", "endTime": "2018-11-09 18:29:32",
                          "completedTime": "2020-01-03 10:02:55"}, TaskProgress)
    assert progress.start_time == datetime(2018, 11, 9, 18, 27, 40, tzinfo=CST)
    assert progress.start_time is not None
    assert progress.start_time.utcoffset() == timedelta(hours=8)
    assert progress.start_time.astimezone(UTC) == datetime(2018, 11, 9, 10, 27, 40, tzinfo=UTC)
    assert progress.end_time == datetime(2018, 11, 9, 18, 29, 32, tzinfo=CST)
    assert progress.completed_time == datetime(2020, 1, 3, 10, 2, 55, tzinfo=CST)


def test_grab_info_times_in_rows() -> None:
    block = {"frameIndex": "0", "startTime": "2018-11-09 18:28:26", "endTime": "2018-11-09 18:29:32"}
    progress = structure({"grabInfo": [[block]]}, TaskProgress)
    (cell,) = progress.grab_info[0]
    assert cell.start_time == datetime(2018, 11, 9, 18, 28, 26, tzinfo=CST)
    assert cell.end_time is not None
    assert cell.end_time - cell.start_time == timedelta(seconds=66)  # frameUsed "66" in the document


@pytest.mark.parametrize(("raw", "expected"), [
    (None, None),
    ("", None),
    ("  ", None),
    ("0", None),
    (0, None),
    ("2018-11-09 18:28", datetime(2018, 11, 9, 18, 28, tzinfo=CST)),
    ("2018-11-09T18:28:26.5", datetime(2018, 11, 9, 18, 28, 26, 500000, tzinfo=CST)),
    ("2018-11-09 10:28:26+00:00", datetime(2018, 11, 9, 18, 28, 26, tzinfo=CST)),  # an offset is honoured
    (1541759306000, datetime(2018, 11, 9, 18, 28, 26, tzinfo=CST)),  # epoch milliseconds, as elsewhere
    ("1541759306000", datetime(2018, 11, 9, 18, 28, 26, tzinfo=CST)),
])
def test_accepted_spellings(raw: Any, expected: datetime | None) -> None:
    got = structure({"startTime": raw}, GrabInfo).start_time
    assert got == expected
    if got is not None:
        assert got.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("raw", ["yesterday", "2018-13-01 00:00:00", True, [1]])
def test_other_values_raise(raw: Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        structure({"startTime": raw}, GrabInfo)


def test_the_documents_example_structures() -> None:
    """Every loadTaskProcessImg example of the documents (from tests/data) gives service-zone datetimes."""
    examples = [e for e in load_examples() if e.path and e.path.endswith("loadTaskProcessImg")]
    assert examples
    for example in examples:
        progress = structure(example.data, TaskProgress)
        times = [progress.start_time, progress.end_time, progress.completed_time]
        times += [t for row in progress.grab_info for cell in row for t in (cell.start_time, cell.end_time)]
        present = [t for t in times if t is not None]
        assert present, example.id
        assert all(t.tzinfo is not None and t.utcoffset() == timedelta(hours=8) for t in present), example.id
