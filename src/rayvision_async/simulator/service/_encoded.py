"""A task record's JSON, written straight from a template of its profile: no dict is made.

Most of a ``TaskInfo`` record is the same for many tasks: the task's settings and the account's
fields (its :class:`~._wire.TaskProfile`), and, for tasks at the same stage (analysed or not,
started or not, finished or not, with child tasks or not), which values are null. So the record
of one profile at one stage is made once by :func:`~._wire.task_record` itself, with a marker in
place of each value of the task's own, encoded, and cut at the markers into a ``bytes`` format
(:class:`_Format`); a task's record is that format filled with its values. A record made this
way costs about 4 µs on the benchmark machine, where making and encoding its dict of 56 keys
cost about 8 µs.

:func:`task_json` gives exactly the bytes ``orjson.dumps(task_wire(task, ctx, listed=listed))``
gives (tests compare the two over tasks in every state), or None where it cannot (a profile
orjson cannot encode, or one whose text holds a marker): then the caller makes the dict.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

import orjson

from ..farm._model import SimTask
from ._wire import (
    ANALYSED,
    SIM_ID_PREFIX,
    TaskProfile,
    TaskState,
    WireContext,
    _labels,
    output_file_name,
    status_text,
    task_profile,
    task_record,
    task_state,
)

__all__ = ["DURATION_HOLE", "task_json"]

_FIELDS = TaskState._fields
_ID, _ZERO_PADDED_ID = _FIELDS.index("id"), len(_FIELDS)  # the second: the id in 10 digits (munuTaskId)
_DURATION = _FIELDS.index("duration")
#: What :func:`task_json` writes for ``renderDuration`` when asked to leave it out: JSON never holds it raw.
DURATION_HOLE = b"\x00"
#: Fields written with ``%d`` (ints); the others are written as encoded JSON (``bytes``).
_INTS = {_FIELDS.index(name) for name in ("id", "status", "total", "stopped", "executing", "done", "failed",
                                           "submitted", "started", "completed", "duration", "is_delete")}
_MARK = [f"\x01{number}\x01" for number in range(len(_FIELDS) + 1)]
_MARKER = re.compile(rb'("?)\\u0001(\d+)\\u0001("?)')
_MAX_PROFILES = 1024

# A stage's bits: which of a task's values are fixed (null, or a constant) rather than its own.
_ANALYSED, _NOT_SUBMITTED, _NOT_STARTED, _NOT_COMPLETED, _HAS_CHILDREN = 1, 2, 4, 8, 16
_STAGES = 32


class _Format:
    """The record of one profile at one stage: a ``bytes`` format, and which values fill its holes.

    ``holed``: the same format with ``renderDuration`` filled by any ``bytes`` (None if it has no such hole).
    """

    __slots__ = ("holed", "pick", "text")

    def __init__(self, text: bytes, pick: Callable[[tuple[Any, ...]], Any], holed: bytes | None) -> None:
        self.text = text
        self.pick = pick
        self.holed = holed


_MARKED = TaskState._make(_MARK[: len(_FIELDS)])


def _state_at(stage: int, scene_name: str) -> TaskState:
    """A state whose every value not fixed by ``stage`` is a marker."""
    started = stage & _NOT_STARTED == 0
    return _MARKED._replace(
        status_text=status_text(_MARKED.status),
        pre_status=ANALYSED if stage & _ANALYSED else None,
        pre_status_text=status_text(ANALYSED) if stage & _ANALYSED else None,
        submitted=None if stage & _NOT_SUBMITTED else _MARKED.submitted,
        started=_MARKED.started if started else None,
        completed=None if stage & _NOT_COMPLETED else _MARKED.completed,
        duration=_MARKED.duration if started else None,
        output_file_name=output_file_name(_MARKED.id, scene_name) if started else None,
        sim_id=SIM_ID_PREFIX + _MARK[_ZERO_PADDED_ID] if started else "",
        is_open=1 if stage & _HAS_CHILDREN else 0,
        children=_MARKED.children if stage & _HAS_CHILDREN else None,
    )


def _format(profile: tuple[Any, ...], stage: int) -> _Format | None:
    """The format of ``profile`` at ``stage`` (None if orjson cannot encode it or its text holds a marker)."""
    if any(isinstance(value, str) and "\x01" in value for value in profile):
        return None  # a marker's character in the task's settings: the markers could not be told apart
    state = _state_at(stage, profile[0])
    record = task_record(TaskProfile._make(profile), state)
    try:
        encoded = orjson.dumps(record)
    except TypeError:  # an int beyond 64 bits
        return None
    expected = sum(1 for value in record.values() if isinstance(value, str) and "\x01" in value)
    found = list(_MARKER.finditer(encoded))
    if len(found) != expected:
        return None
    parts: list[bytes] = []
    fields: list[int] = []
    duration_part: int | None = None
    end = 0
    for match in found:
        quote_before, field, quote_after = match.group(1), int(match.group(2)), match.group(3)
        parts.append(encoded[end : match.start()].replace(b"%", b"%%"))
        if field == _ZERO_PADDED_ID:
            parts += quote_before, b"%010d", quote_after
            field = _ID
        elif quote_before and quote_after:  # the whole value
            if field == _DURATION:
                duration_part = len(parts)
            parts.append(b"%d" if field in _INTS else b"%s")
        else:  # in a text: an int
            parts += quote_before, b"%d", quote_after
        fields.append(field)
        end = match.end()
    parts.append(encoded[end:].replace(b"%", b"%%"))
    text = b"".join(parts)
    holed = None
    if duration_part is not None:
        parts[duration_part] = b"%s"
        holed = b"".join(parts)
    return _Format(text, operator.itemgetter(*fields), holed)


_FORMATS: dict[tuple[Any, ...], list[_Format | Literal[False] | None]] = {}  # False: not made yet
_NULL = b"null"
_FEES: dict[Decimal, bytes] = {}  # many tasks cost the same


def _fee_json(fee: Decimal) -> bytes:
    encoded = _FEES.get(fee)
    if encoded is None:
        if len(_FEES) >= _MAX_PROFILES:
            _FEES.clear()
        encoded = _FEES[fee] = orjson.dumps(float(fee))
    return encoded


def task_json(task: SimTask, ctx: WireContext, listed: bool = False, *,
              holed: bool = False) -> tuple[bytes, Decimal] | None:
    """``task``'s record as JSON (getTaskList's if ``listed``) and the fee it shows; None if only a dict will do.

    ``holed``: with :data:`DURATION_HOLE` for its ``renderDuration`` (a task rendering now, without child
    tasks: the rest of its record stays as it is until the task changes); None if it has no such value.
    """
    profile = task_profile(task, ctx, listed)
    formats = _FORMATS.get(profile)
    if formats is None:
        if len(_FORMATS) >= _MAX_PROFILES:
            _FORMATS.clear()
        formats = _FORMATS[profile] = [False] * _STAGES
    counts, status, started, ended, analysed = task_state(task, ctx)
    submitted, completed, children = task.submitted_at, task.completed_at, task.children
    stage = _HAS_CHILDREN if children else 0
    if analysed:
        stage |= _ANALYSED
    if submitted is None:
        stage |= _NOT_SUBMITTED
        submitted_ms = None
    else:
        submitted_ms = round(submitted * 1000)
    if started is None:
        stage |= _NOT_STARTED
        started_ms = duration = None
    else:
        started_ms = round(started * 1000)
        duration = None if ended is None else int(max(ended - started, 0))
    if completed is None:
        stage |= _NOT_COMPLETED
        completed_ms = None
    else:
        completed_ms = round(completed * 1000)
    format_ = formats[stage]
    if format_ is False:
        format_ = formats[stage] = _format(profile, stage)
    if format_ is None:
        return None
    children_json = None
    if children:
        encoded_children = []
        for child in children:
            child_json = task_json(child, ctx, listed)
            if child_json is None:
                return None
            encoded_children.append(child_json[0])
        children_json = b"[" + b",".join(encoded_children) + b"]"
    fee = task.fee()
    fee_json = _FEES.get(fee) or _fee_json(fee)
    total, _waiting, executing, done, failed, stopped = counts
    labels = task.labels
    values = (  # in TaskState's order (the fields a stage fixes are None)
        task.id, orjson.dumps(task.alias), status, None, None, None, total, stopped, executing, done, failed,
        fee_json, submitted_ms, started_ms, completed_ms, duration, None, None, None, children_json,
        0 if task.deleted else 1, orjson.dumps(_labels(labels)) if labels else b'"{}"',
    )
    if holed:
        if format_.holed is None or duration is None or children:
            return None
        holed_values = (*values[:_DURATION], DURATION_HOLE, *values[_DURATION + 1:])
        return format_.holed % format_.pick(holed_values), fee
    return format_.text % format_.pick(values), fee
