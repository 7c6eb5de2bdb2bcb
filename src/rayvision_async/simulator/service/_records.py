"""Task records shared between requests, and encoding replies that carry them.

A watch over 100,000 tasks asks for every one of them each round, and most have not changed
since the last round. So each farm has a :class:`TaskRecords` cache (:func:`records_of`) that
keeps, per task, its record's JSON, encoded once, with what it was made from: the family's
``revision`` (which the farm bumps on every change) and the account fields the record shows. A
task whose record depends on the clock (one that is rendering: its ``renderDuration`` grows) is
made anew on every read and never kept.

A record is made straight as JSON from a template of what many tasks share (:mod:`._encoded`).
Operations put :class:`WireRecords` in the data they return: :func:`encode_envelope` splices
their JSON into the reply as it is, and :func:`to_plain` turns them into fresh dicts for
:meth:`~rayvision_async.simulator.Simulator.call`, whose callers may change what they get.
"""

from __future__ import annotations

import json
import weakref
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson

from ..farm._model import SimTask
from ._encoded import DURATION_HOLE, task_json
from ._wire import WireContext, started_at, task_wire, wire_context

if TYPE_CHECKING:
    from ..farm._farm import Farm

__all__ = ["TaskRecords", "WireRecords", "encode_envelope", "records_of", "to_plain"]


class WireRecords:
    """Task records (``TaskInfo`` items) as the service sends them, and the fee they show in all.

    Each record is its JSON, or a dict where orjson cannot encode it (see :func:`task_json`).
    """

    __slots__ = ("_records", "fee")

    def __init__(self, records: list[bytes | dict[str, Any]], fee: Decimal) -> None:
        self._records = records
        self.fee = fee

    def __len__(self) -> int:
        return len(self._records)

    def head(self, count: int) -> WireRecords:
        """The first ``count`` records (the fee stays that of all of them)."""
        return WireRecords(self._records[:count], self.fee)

    def fragments(self) -> Any:
        """The records to splice into an encoded reply as they are: one JSON list, or a list of fragments and dicts."""
        records = self._records
        if all(type(record) is bytes for record in records):
            return orjson.Fragment(b"[" + b",".join(records) + b"]")  # type: ignore[arg-type]
        fragment = orjson.Fragment
        return [fragment(record) if type(record) is bytes else record for record in records]

    def data(self) -> list[dict[str, Any]]:
        """The records as dicts the caller may keep and change."""
        records: list[dict[str, Any]] = []
        for record in self._records:
            records.append(orjson.loads(record) if isinstance(record, bytes) else record)
        return records


#: A kept record: (family revision, JSON, fee) of a task that does not change by itself; (family revision,
#: JSON before ``renderDuration``, fee, JSON after it, when rendering started) of one rendering now.
_Kept = tuple[int, bytes, Decimal] | tuple[int, bytes, Decimal, bytes, float]


class TaskRecords:
    """The records of one farm's tasks, kept while nothing they show changes.

    A task rendering now (without child tasks) shows the clock only in its ``renderDuration``: its
    record is kept in two parts, and the duration written between them at each read. What is kept
    holds no object the garbage collector tracks (ints, bytes, a float and a ``Decimal`` per task, in a
    tuple it stops tracking), so a big farm's cache costs the collector nothing.
    """

    def __init__(self) -> None:
        self._owner: tuple[int, str, int] | None = None  # the account fields the kept records show
        self._kept: tuple[dict[int, _Kept], ...] = ({}, {})  # by task id: queryTaskInfo's records, getTaskList's

    def records(self, tasks: list[SimTask], ctx: WireContext, *, listed: bool = False) -> WireRecords:
        """The records of ``tasks`` now (getTaskList's if ``listed``): kept ones where nothing they show changed."""
        self._owned_by(ctx)
        kept_record = self._kept[listed].get
        now = ctx.now
        records: list[bytes | dict[str, Any]] = []
        fees: list[Decimal] = []
        keep, fee_of = records.append, fees.append
        for task in tasks:
            kept = kept_record(task.id)
            if kept is not None and kept[0] == (task.parent or task).revision:
                if len(kept) == 3:
                    keep(kept[1])
                else:  # rendering: only its renderDuration moved
                    keep(b"%b%d%b" % (kept[1], int(max(now - kept[4], 0)), kept[3]))
                fee_of(kept[2])
            else:
                record, fee = self._made(task, ctx, listed)
                keep(record)
                fee_of(fee)
        return WireRecords(records, sum(fees, Decimal(0)))

    def keep(self, tasks: list[SimTask], ctx: WireContext) -> None:
        """Make and keep the queryTaskInfo records of ``tasks`` now (their families just settled: the records stay
        valid until the tasks change again), so the first read of a finished task costs what later ones do."""
        self._owned_by(ctx)
        for task in tasks:
            self._made(task, ctx, False)

    def _owned_by(self, ctx: WireContext) -> None:
        """Forget every kept record if the account fields they show are not ``ctx``'s."""
        if ctx.owner != self._owner:
            for kept_records in self._kept:
                kept_records.clear()
            self._owner = ctx.owner

    def _made(self, task: SimTask, ctx: WireContext, listed: bool) -> tuple[bytes | dict[str, Any], Decimal]:
        """``task``'s record made now and its fee, kept for later where it can be."""
        kept_records = self._kept[listed]
        revision = (task.parent or task).revision
        if not _on_the_clock(task):
            made = task_json(task, ctx, listed)
            if made is not None:
                kept_records[task.id] = (revision, *made)
                return made
        elif not task.children and (holed := task_json(task, ctx, listed, holed=True)) is not None:
            head, hole, tail = holed[0].partition(DURATION_HOLE)
            started = task.render_started_at
            if hole and DURATION_HOLE not in tail and started is not None:
                kept_records[task.id] = (revision, head, holed[1], tail, started)
                return b"%b%d%b" % (head, int(max(ctx.now - started, 0)), tail), holed[1]
        kept_records.pop(task.id, None)
        made = task_json(task, ctx, listed)
        if made is None:  # a record only a dict holds
            return task_wire(task, ctx, listed=listed), task.fee()
        return made


def _on_the_clock(task: SimTask) -> bool:
    """True if ``task``'s record shows how long something has been rendering so far."""
    if not task.children:
        return task.render_started_at is not None and task.completed_at is None
    return any(started_at(member) is not None and member.completed_at is None for member in (task, *task.children))


_RECORDS: weakref.WeakKeyDictionary[Farm, TaskRecords] = weakref.WeakKeyDictionary()


def records_of(farm: Farm) -> TaskRecords:
    """The record cache of ``farm`` (made on first use, gone with the farm).

    From then on the farm's render engine hands it the families that settle (their work ended) at the
    end of each run, whose records it makes then: a record is made when its task changes, as a real
    service writes its row, not when a watch first reads it.
    """
    records = _RECORDS.get(farm)
    if records is None:
        records = _RECORDS[farm] = TaskRecords()
        farm_ref = weakref.ref(farm)

        def keep_settled(tasks: list[SimTask], instant: float) -> None:
            settled_on = farm_ref()
            if settled_on is not None:
                records.keep(tasks, wire_context(settled_on, now=instant))

        farm.engine.on_settled = keep_settled
    return records


def _spliced(value: Any) -> Any:
    if isinstance(value, WireRecords):
        return value.fragments()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _expanded(value: Any) -> Any:
    if isinstance(value, WireRecords):
        return value.data()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def encode_envelope(envelope: dict[str, Any]) -> bytes:
    """``envelope`` as compact UTF-8 JSON, with the records it holds spliced in."""
    try:
        return orjson.dumps(envelope, default=_spliced)
    except TypeError:  # an int beyond 64 bits (echoed from a request): the standard encoder has no limit
        return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), default=_expanded).encode("utf-8")


def to_plain(value: Any) -> Any:
    """``value`` with every :class:`WireRecords` in it replaced by a list of fresh dicts."""
    if isinstance(value, WireRecords):
        return value.data()
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    return value
