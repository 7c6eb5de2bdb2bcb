"""Task records shared between requests, and encoding replies that carry them.

A watch over 100,000 tasks asks for every one of them each round, and most have not changed
since the last round. So each farm has a :class:`TaskRecords` cache (:func:`records_of`) that
keeps, per task, its record's JSON, encoded once, with what it was made from: the family's
``revision`` (which the farm bumps on every change) and the account fields the record shows. A
task whose record depends on the clock (one that is rendering: its ``renderDuration`` grows) is
made anew on every read and never kept.

Operations put :class:`WireRecord` objects in the data they return: :func:`encode_envelope`
splices their JSON into the reply as it is, and :func:`to_plain` turns them into fresh dicts for
:meth:`~rayvision_async.simulator.Simulator.call`, whose callers may change what they get.
"""

from __future__ import annotations

import json
import weakref
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson

from ..farm._model import SimTask
from ._wire import WireContext, started_at, task_wire

if TYPE_CHECKING:
    from ..farm._farm import Farm

__all__ = ["TaskRecords", "WireRecord", "encode_envelope", "records_of", "to_plain"]


class WireRecord:
    """A task's ``TaskInfo`` record as the service sends it, and the fee it shows (as a ``Decimal``)."""

    __slots__ = ("_data", "_json", "fee")

    def __init__(self, data: dict[str, Any] | None, fee: Decimal, encoded: bytes | None = None) -> None:
        self._data = data
        self._json = encoded
        self.fee = fee

    def freeze(self) -> bytes | None:
        """Encode the record and drop the dict; None if orjson cannot encode it (then nothing changes)."""
        try:
            # a copy: orjson's own buffer is costly to keep (allocating the next one then takes ~10 µs, not 1)
            self._json = bytes(memoryview(orjson.dumps(self._data)))
        except TypeError:  # an int beyond 64 bits: json encodes it, orjson does not
            return None
        self._data = None
        return self._json

    def fragment(self) -> orjson.Fragment:
        """The record's JSON, to splice into an encoded reply."""
        if self._json is None:
            self._json = orjson.dumps(self._data)
        return orjson.Fragment(self._json)

    def data(self) -> dict[str, Any]:
        """The record as a dict the caller may keep and change."""
        if self._data is not None:
            return self._data  # made for this read alone, never shared
        assert self._json is not None
        decoded: dict[str, Any] = orjson.loads(self._json)
        return decoded


class TaskRecords:
    """The records of one farm's tasks that do not depend on the clock, kept while they stay valid.

    What is kept holds no object the garbage collector tracks (an int, bytes and a ``Decimal`` per
    task, in a tuple it stops tracking), so a big farm's cache costs the collector nothing.
    """

    def __init__(self) -> None:
        self._owner: tuple[int, str, int] | None = None  # the account fields the kept records show
        # task id → (family revision, JSON, fee), of queryTaskInfo's records and of getTaskList's
        self._kept: tuple[dict[int, tuple[int, bytes, Decimal]], ...] = ({}, {})

    def record(self, task: SimTask, ctx: WireContext, *, listed: bool = False) -> WireRecord:
        """``task``'s record now (getTaskList's if ``listed``): the kept one if nothing it shows has changed."""
        if ctx.owner != self._owner:
            for kept_records in self._kept:
                kept_records.clear()
            self._owner = ctx.owner
        kept_records = self._kept[listed]
        revision = (task.parent or task).revision
        kept = kept_records.get(task.id)
        if kept is not None and kept[0] == revision:
            return WireRecord(None, kept[2], kept[1])
        record = WireRecord(task_wire(task, ctx, listed=listed), task.fee())
        encoded = None if _on_the_clock(task) else record.freeze()
        if encoded is not None:
            kept_records[task.id] = (revision, encoded, record.fee)
        elif kept is not None:
            del kept_records[task.id]
        return record


def _on_the_clock(task: SimTask) -> bool:
    """True if ``task``'s record shows how long something has been rendering so far."""
    if not task.children:
        return task.render_started_at is not None and task.completed_at is None
    return any(started_at(member) is not None and member.completed_at is None for member in (task, *task.children))


_RECORDS: weakref.WeakKeyDictionary[Farm, TaskRecords] = weakref.WeakKeyDictionary()


def records_of(farm: Farm) -> TaskRecords:
    """The record cache of ``farm`` (made on first use, gone with the farm)."""
    records = _RECORDS.get(farm)
    if records is None:
        records = _RECORDS[farm] = TaskRecords()
    return records


def _spliced(value: Any) -> Any:
    if isinstance(value, WireRecord):
        return value.fragment()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _expanded(value: Any) -> Any:
    if isinstance(value, WireRecord):
        return value.data()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode_envelope(envelope: dict[str, Any]) -> bytes:
    """``envelope`` as compact UTF-8 JSON, with the records it holds spliced in."""
    try:
        return orjson.dumps(envelope, default=_spliced)
    except TypeError:  # an int beyond 64 bits (echoed from a request): the standard encoder has no limit
        return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), default=_expanded).encode("utf-8")


def to_plain(value: Any) -> Any:
    """``value`` with every :class:`WireRecord` in it replaced by a fresh dict."""
    if isinstance(value, WireRecord):
        return value.data()
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    return value
