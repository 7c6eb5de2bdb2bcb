"""P3: decode and structure one 100-task getTaskList page, the SDK against msgspec.

The page is the bytes the bench server sends (:func:`server.task_list_page`): the usage
document's queryTaskInfo/v2 example item with varied ids, statuses, money and times. The SDK
path is what every call does: ``decode_envelope`` (orjson) then
``structure_reply(data, Page[TaskInfo], envelope.exact_data)`` (the exact decoding is used only for
a float that cannot be trusted). The yardstick is ``msgspec.json.decode`` of the
same bytes straight into ``msgspec.Struct`` mirrors of the envelope, the page and TaskInfo
(camelCase names, money as ``Decimal``, times as epoch-ms ``int``, statuses as ``int``).
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import msgspec

import server
from rayvision_async.models import Page, TaskInfo
from rayvision_async.models._converter import structure, structure_reply
from rayvision_async.wire._envelope import decode_envelope

__all__ = ["MsEnvelope", "run_p3", "time_call", "time_calls"]

_clock = time.thread_time


class MsTaskKeyValue(msgspec.Struct, rename="camel"):
    tiles: str | None = None
    all_camera: str | None = None
    renderable_camera: str | None = None


class MsTaskInfo(msgspec.Struct, rename="camel"):
    """TaskInfo's fields, one for one (checked against the attrs model at import)."""

    id: int | None = None
    task_alias: str | None = None
    scene_name: str | None = None
    task_status: int | None = None
    status_text: str | None = None
    pre_task_status: int | None = None
    pre_status_text: str | None = None
    total_frames: int | None = None
    abort_frames: int | None = None
    executing_frames: int | None = None
    done_frames: int | None = None
    failed_frames: int | None = None
    frames_range: str | None = None
    project_name: str | None = None
    render_consume: Decimal | None = None
    task_arrears: Decimal | None = None
    user_account_consume: Decimal | None = None
    coupon_consume: Decimal | None = None
    qy_coupon_consume: Decimal | None = None
    submit_date: int | None = None
    start_time: int | None = None
    completed_date: int | None = None
    render_duration: int | None = None
    user_id: int | None = None
    user_name: str | None = None
    producer: str | None = None
    task_level: int | None = None
    task_user_level: int | None = None
    task_limit: int | None = None
    task_over_time: int | None = None
    over_time_stop: int | None = None
    is_over_time: int | None = None
    output_file_name: str | None = None
    location_output: str | None = None
    munu_task_id: str | None = None
    munu_task_ids: str | None = None
    layer_parent_id: int | None = None
    layer_name: str | None = None
    cg_id: int | None = None
    task_key_value_vo: MsTaskKeyValue | None = None
    key_value: str | None = None
    is_open: int | None = None
    task_type: str | None = None
    task_type_text: str | None = None
    render_camera: str | None = None
    clone_parent_id: int | None = None
    clone_original_id: int | None = None
    share_main_capital: int | None = None
    task_ram: int | None = None
    is_delete: int | None = None
    channel: int | None = None
    remark: str | None = None
    labels: str | list[str] | None = None
    waiting_count: int | None = None
    stop_type: int | None = None
    resp_rendering_task_list: list[MsTaskInfo] | None = None


class MsPage(msgspec.Struct, rename="camel"):
    items: list[MsTaskInfo] = []
    page_num: int | None = None
    page_count: int | None = None
    total: int | None = None
    size: int | None = None


class MsEnvelope(msgspec.Struct, rename="camel"):
    code: int
    version: str | None = None
    result: bool | None = None
    message: str | None = None
    data: MsPage | None = None
    server_time: int | None = None
    request_id: str | None = None


_missing = {f.name for f in attrs.fields(TaskInfo)} ^ set(MsTaskInfo.__struct_fields__)
assert not _missing, f"MsTaskInfo and TaskInfo differ in {sorted(_missing)}"

_PATH = "/api/render/handle/getTaskList/v2"
_DECODER = msgspec.json.Decoder(MsEnvelope)


def _loops_for(fn: Callable[[], Any], min_time: float) -> int:
    loops = 1
    while True:  # bounded: loops doubles until one batch lasts min_time
        started = _clock()
        for _ in range(loops):
            fn()
        if _clock() - started >= min_time or loops >= 1 << 20:
            return loops
        loops *= 2


def time_calls(calls: dict[str, Callable[[], Any]], *, min_time: float, repeats: int) -> dict[str, float]:
    """Best seconds per call of each function, over ``repeats`` rounds of batches of at least ``min_time``.

    The rounds interleave the functions (one batch of each per round), so a change of machine load
    during the run falls on all of them alike. Time is this thread's CPU time (``time.thread_time``):
    the work is pure CPU, and other processes' load on a shared machine does not count in it.
    """
    loops = {name: _loops_for(fn, min_time) for name, fn in calls.items()}
    best = dict.fromkeys(calls, float("inf"))
    gc.collect()
    for _ in range(repeats):
        for name, fn in calls.items():
            count = loops[name]
            started = _clock()
            for _ in range(count):
                fn()
            best[name] = min(best[name], (_clock() - started) / count)
    return best


def time_call(fn: Callable[[], Any], *, min_time: float, repeats: int) -> float:
    """Best seconds per call of ``fn`` over ``repeats`` batches of at least ``min_time`` seconds."""
    return time_calls({"fn": fn}, min_time=min_time, repeats=repeats)["fn"]


def _measure(page: bytes, *, min_time: float, repeats: int) -> dict[str, float]:
    envelope = decode_envelope(200, page, path=_PATH)
    data = envelope.data
    sdk = structure(data, Page[TaskInfo])
    fast = _DECODER.decode(page)
    assert fast.data is not None
    assert [t.id for t in sdk.items] == [t.id for t in fast.data.items]
    assert [t.render_consume for t in sdk.items] == [t.render_consume for t in fast.data.items]
    tasks = sum(1 + len(t.children) for t in sdk.items)

    def sdk_total() -> Any:
        envelope = decode_envelope(200, page, path=_PATH)
        return structure_reply(envelope.data, Page[TaskInfo], envelope.exact_data)

    calls: dict[str, Callable[[], Any]] = {
        "sdk_total": sdk_total,
        "sdk_decode": lambda: decode_envelope(200, page, path=_PATH),
        "sdk_structure": lambda: structure(data, Page[TaskInfo]),
        "json_loads_plain": lambda: json.loads(page),
        "msgspec_total": lambda: _DECODER.decode(page),
        "msgspec_untyped": lambda: msgspec.json.decode(page),
    }
    result = {name: seconds * 1e6 for name, seconds in time_calls(calls, min_time=min_time, repeats=repeats).items()}
    result["tasks"] = tasks
    result["bytes"] = len(page)
    result["ratio"] = result["sdk_total"] / result["msgspec_total"]
    return result


def run_p3(*, quick: bool = False) -> dict[str, dict[str, float]]:
    """µs per page for every step, for the flat 100-task page and a page whose tasks have children."""
    min_time, repeats = (0.05, 5) if quick else (0.1, 9)
    return {
        "flat": _measure(server.task_list_page(100), min_time=min_time, repeats=repeats),
        "children": _measure(server.task_list_page(100, children=2), min_time=min_time, repeats=repeats),
    }


if __name__ == "__main__":
    for variant, numbers in run_p3(quick=True).items():
        print(variant, {key: round(value, 1) for key, value in numbers.items()})
