"""The careless calls the issue names (issue 20), each refused with the SDK's error and nothing sent.

Before: ``check_plugins="no"`` and an int ``project_name`` were sent, superscript digits in ``cg_id``
raised a ``ValueError``, a ``Pager`` over a sync function and ``Watcher(None)`` failed with a
``TypeError`` only when iterated, and the task.json helpers given the wrong kinds raised
``AttributeError``. The generated catalogue (``test_careless_catalogue.py``) covers every public
callable; these are the named ones, spelled out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from rayvision_async import (
    AsyncRayvisionAPI,
    InvalidInputError,
    Page,
    Pager,
    Watcher,
    append_to_task,
    append_to_upload,
    stringify_modifiable_params,
    update_task_info,
)
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport

TASK = {"software_config": {"cg_name": "Maya", "cg_version": "2020", "plugins": {}},
        "task_info": {"cg_id": "2000", "platform": "2", "project_name": "careless", "ram": "64"}}
HARDWARE = {"model": "Default", "ram": "64GB", "gpuNum": None}


@pytest.fixture
async def api() -> Any:
    sim = Simulator(farm=Farm(speed=0))
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain,
                                 transport=SimulatorTransport(sim)) as client:
        yield client


def with_info(**info: Any) -> dict[str, Any]:
    task = json.loads(json.dumps(TASK))
    task["task_info"].update(info)
    return task


CALLS: dict[str, Callable[[AsyncRayvisionAPI], Any]] = {
    "check_plugins-no": lambda api: api.submit_analysis(TASK, hardware=HARDWARE, check_plugins="no"),
    "check_plugins-1": lambda api: api.check_analysis(TASK, hardware=HARDWARE, check_plugins=1),
    "int-project-name": lambda api: api.submit_analysis(with_info(project_name=7), hardware=HARDWARE),
    "superscript-cg-id": lambda api: api.check_analysis(with_info(cg_id="\u00b2\u2070\u2070\u2070"), hardware=HARDWARE),
    "superscript-task-id": lambda api: api.submit_analysis(with_info(task_id="\u00b9"), hardware=HARDWARE),
    "superscript-task-id-argument": lambda api: api.submit_task_json({"task_info": {}}, task_id="\u00b9"),
    "full-width-time": lambda api: api.query.get_task_list(start_time="２０２０-０１-０１ ００:００:００"),
    "int-producer": lambda api: api.submit_analysis(TASK, hardware=HARDWARE, producer=5),
    "hostile-hardware": lambda api: api.check_analysis(TASK, hardware={"ram": object()}),
    "status-list-text": lambda api: api.query.get_task_list(status_list="25"),
    "search-keyword-dict": lambda api: api.query.get_task_list(search_keyword={}),
    "frames-overlong": lambda api: api.query.get_custom_frames(7, ["1" * 5000]),
    "superscript-hardware-config-id": lambda api: api.task.edit_task_hardware_config(
        [7], ["\u00b9"], model="m", gpuNum="1", ram="64GB"),
    "text-hardware-config-id": lambda api: api.task.edit_task_hardware_config(
        [7], ["abc"], model="m", gpuNum="1", ram="64GB"),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
async def test_the_named_careless_calls_are_refused_before_sending(api: AsyncRayvisionAPI,
                                                                    call: Callable[[AsyncRayvisionAPI], Any]) -> None:
    with pytest.raises(InvalidInputError):
        await call(api)
    assert api.requests_sent == 0


async def test_a_pager_over_a_sync_function_is_refused_at_its_first_page() -> None:
    calls: list[int] = []

    def fetch(number: int) -> Page[Any]:  # a sync function: it returns a page, not an awaitable
        calls.append(number)
        return Page(items=(), page_num=number)

    pager = Pager(fetch)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="awaitable"):
        await pager.next_page()
    with pytest.raises(InvalidInputError):
        Pager(None)  # type: ignore[arg-type]


async def test_watcher_of_none_is_refused_at_once() -> None:
    with pytest.raises(InvalidInputError, match="poll_batch"):
        Watcher(None, [1], interval=1, until_terminal=True, batch_size=10)  # type: ignore[arg-type]

    async def not_a_poll(ids: list[int], size: int) -> Any:
        return {"tasks": {}}

    watcher = Watcher(not_a_poll, [1], interval=0.01, until_terminal=True, batch_size=10)
    with pytest.raises(InvalidInputError, match="PollResult"):
        await anext(watcher)


@pytest.mark.parametrize("call", [
    lambda: append_to_task("task.json", {}),
    lambda: append_to_task({"task_info": {}}, ["not", "a", "mapping"]),
    lambda: append_to_task({"task_info": {}}, {"a": 1}, cover="no"),
    lambda: append_to_upload(["asset"], ["D:/a.mb"]),
    lambda: append_to_upload({}, {"D:/a.mb": 1}),
    lambda: append_to_upload({}, ["a\ud800.mb"]),
    lambda: update_task_info(None, {}),
    lambda: update_task_info({"task_info": {}}, {1: 2}),
    lambda: stringify_modifiable_params(42),
    lambda: append_to_task({"task_info": {}}, {}, surplus=True),
], ids=["task-str", "additional-list", "cover-str", "upload-list", "paths-mapping", "path-surrogate",
        "task-none", "int-key", "task-int", "unknown-keyword"])
def test_the_task_json_helpers_refuse_wrong_kinds(call: Callable[[], Any]) -> None:
    with pytest.raises(InvalidInputError):
        call()
