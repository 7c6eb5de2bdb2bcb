"""Every key of every documented example response appears in the simulator's answer to the same call.

The cases are generated from ``tests/data/spec_examples.json`` (all five documents). Each example's
interface path is routed as the simulator routes a request (by the SDK's endpoint table, either path
set), or, for sections whose path the table does not have, found by the SDK call the section shows.
The simulator then answers that operation on a farm with a finished task (with child tasks), tasks
rendering, stopped and created, a label and a render environment; every key path of the example
(``$.items[].respRenderingTaskList[].id``) must be among the key paths of that answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from helpers.spec_data import SpecExample, load_examples
from rayvision_async.api._table import ENDPOINTS
from rayvision_async.simulator import Farm, FrameStatus, Simulator
from rayvision_async.simulator.service._routing import Router

EXAMPLES = load_examples()
ROUTER = Router(ENDPOINTS)
FRAME_SECONDS = 60.0
ANALYSE_SECONDS = 30.0

#: Keys the documents misspell in some examples, and the spelling the others (and the simulator) use.
MISSPELT = {
    "arrearFee": "arrearsFee",  # queryTaskFrames of the protocol documents
    "menuJobId": "munuJobId",  # queryTaskFrames of the 2018 documents
    "menuTaskId": "munuTaskId",  # queryTaskInfo / queryTaskFrames of the 2018 documents
    "cglId": "cgId",  # the 2020 protocol's getRenderEnv (the next item spells cgId)
}


class Scenario:
    """A farm with something of everything the examples show, and the ids the bodies need."""

    def __init__(self) -> None:
        self.sim = Simulator(
            farm=Farm(speed=0.0, child_tasks="photon_and_main", task_limit=10,
                      frame_seconds=FRAME_SECONDS, analyse_seconds=ANALYSE_SECONDS)
        )  # fmt: skip
        self.call("add_label", {"newName": "label-a"})
        self.done = self.submitted("1-3")
        self.sim.farm.advance(ANALYSE_SECONDS + 2 * FRAME_SECONDS)
        self.rendering = self.submitted("1-50")
        self.stopped = self.submitted("1-50")
        self.sim.farm.advance(ANALYSE_SECONDS + 1)
        self.call("stop_task", {"taskIds": [self.stopped]})
        self.created = self.new_task()
        self.call("upload_json_content", {"taskId": self.created, "content": self.task_json("1-2")})
        self.plugin_id: int = self.call("supported_plugin", {"cgId": 2000})["cgPlugin"][0]["pluginVersions"][0][
            "pluginId"
        ]
        self.call("add_render_env", self.env("env-a"))
        self.frame_id = next(
            frame.id for frame in self.sim.farm.task(self.done).all_frames() if frame.status is FrameStatus.COMPLETE
        )

    def call(self, operation: str, body: dict[str, Any]) -> Any:
        return self.sim.call(operation, body)

    @staticmethod
    def task_json(frames: str) -> str:
        return json.dumps({
            "task_info": {"input_cg_file": "D:/work/shot.max", "cg_id": "2001", "project_name": "label-a"},
            "scene_info_render": {"common": {"frames": frames, "render_camera": ["Cam01"]}},
        })  # fmt: skip

    def new_task(self) -> int:
        task_id: int = self.call("create_task", {"labels": ["label-a"], "artist": "someone"})["taskIdList"][0]
        return task_id

    def submitted(self, frames: str) -> int:
        task_id = self.new_task()
        self.call("upload_json_content", {"taskId": task_id, "content": self.task_json(frames)})
        self.call("submit_task", {"taskId": task_id, "producer": "someone"})
        return task_id

    def env(self, name: str) -> dict[str, Any]:
        return {"cgId": 2000, "cgName": "Maya", "cgVersion": "2018", "editName": name, "renderSystem": 1,
                "renderLayerType": 0, "pluginIds": [self.plugin_id], "projectPath": "D:/work"}  # fmt: skip


#: A request body (current wire names) for each operation the examples show.
BODIES: dict[str, Callable[[Scenario], dict[str, Any]]] = {
    "platforms": lambda s: {"zone": 1},
    "update_user_settings": lambda s: {"taskOverTimeSec": 7200},
    "create_task": lambda s: {"count": 1},
    "submit_task": lambda s: {"taskId": s.created},
    "upload_json_content": lambda s: {"taskId": s.created, "content": s.task_json("1-4")},
    "error_detail": lambda s: {"code": "15000"},
    "stop_task": lambda s: {"taskIds": [s.rendering]},
    "start_task": lambda s: {"taskIds": [s.stopped]},
    "abort_task": lambda s: {"taskIds": [s.rendering]},
    "delete_task": lambda s: {"taskIds": [s.done]},
    "task_frames": lambda s: {"taskId": s.done},
    "restart_failed_frames": lambda s: {"taskIds": [s.done]},
    "restart_frame": lambda s: {"taskId": s.done, "selectAll": 1},
    "task_info": lambda s: {"taskIds": [s.done]},
    "add_label": lambda s: {"newName": "label-b", "status": 0},
    "delete_label": lambda s: {"delName": "label-a"},
    "get_list": lambda s: {"flag": 0},
    "add_task_tag": lambda s: {"label": "label-b", "taskIds": [s.done, s.rendering]},
    "delete_task_tag": lambda s: {"taskIds": [s.done], "labelNames": ["label-a"]},
    "supported_plugin": lambda s: {"cgId": 2000},
    "add_render_env": lambda s: s.env("env-b"),
    "update_render_env": lambda s: {**s.env("env-a"), "cgVersion": "2020", "pluginIds": [1166]},  # wobble of 2020
    "delete_render_env": lambda s: {"editName": "env-a"},
    "set_default_render_env": lambda s: {"editName": "env-a"},
    "get_task_processing_img": lambda s: {"taskId": s.done, "frameType": 5},
    "set_task_overtime_stop": lambda s: {"taskIds": [s.rendering], "overTime": 3600},
    "get_frame_thumbnail": lambda s: {"id": s.frame_id, "frameStatus": 4},
    "get_transfer_server_msg": lambda s: {"zone": 1},
    "full_speed": lambda s: {"taskIds": [s.rendering]},
}
_BY_METHOD = {f"{endpoint.group}.{name}": endpoint.name for endpoint in ENDPOINTS
              for name in (endpoint.name, *endpoint.aliases)}  # fmt: skip


def operation_of(example: SpecExample) -> str:
    """The simulator operation that answers ``example``'s section."""
    if example.path is not None:
        route = ROUTER.resolve(example.path) or ROUTER.resolve(f"{example.path}/v2")
        if route is not None:
            return route.operation
    assert example.call is not None, f"{example.id}: neither a routed path nor an SDK call"
    if example.call == "query.get_all_frames":
        return "task_frames"  # the SDK's helper over queryTaskFrames pages
    return _BY_METHOD[example.call]


def answer(example: SpecExample) -> tuple[str, Any]:
    """The operation for ``example`` and the simulator's ``data`` for it (on a fresh scenario)."""
    scenario = Scenario()
    operation = operation_of(example)
    if isinstance(example.data, dict) and "renderInfoList" in example.data:
        operation = "supported_software"  # a querySoftwareDetail section that shows querySoftwareList's answer
    body = BODIES[operation](scenario) if operation in BODIES else {}
    return operation, scenario.call(operation, body)


def key_paths(value: Any, where: str = "$") -> set[str]:
    """Every key path in ``value``: ``$.a``, ``$.a[].b``… (list items merged)."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{MISSPELT.get(key, key)}"
            paths.add(path)
            paths |= key_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, f"{where}[]")
    return paths


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.id for example in EXAMPLES])
def test_the_simulator_answers_with_every_documented_key(example: SpecExample) -> None:
    operation, data = answer(example)
    documented = example.data
    if example.call == "query.get_all_frames":  # {frame number: FrameInfo}, built by the SDK from pages
        documented = list(documented.values())
        data = data["items"]
    if documented is None:
        assert data is None, f"{operation} answers {data!r} where the document shows null"
        return
    if isinstance(documented, str):
        if operation == "get_frame_thumbnail":  # a section that shows "SUCCESS"; the others show the paths
            assert len(data) >= 1
            assert all(isinstance(path, str) for path in data)
        else:
            assert isinstance(data, str), f"{operation} answers {data!r}, the document a text"
            assert data
        return
    assert type(data) is type(documented), f"{operation} answers a {type(data).__name__}"
    missing = sorted(key_paths(documented) - key_paths(data))
    assert missing == [], f"{operation}: keys of {example.id} the simulator does not send"


def test_the_examples_cover_the_operations() -> None:
    operations = {operation_of(example) for example in EXAMPLES}
    assert len(operations) >= 38
    assert {"task_info", "get_task_list", "task_frames", "get_transfer_config", "get_render_env"} <= operations


def test_the_misspellings_are_documented_next_to_the_right_spelling() -> None:
    every_key = set().union(*(_raw_keys(example.data) for example in EXAMPLES))
    for wrong, right in MISSPELT.items():
        assert wrong in every_key
        assert right in every_key


def test_the_transfer_engines_are_the_documented_ones() -> None:
    [documented] = [e for e in EXAMPLES if e.path == "/api/render/transfer/getConfig"]
    config = Scenario().call("get_transfer_config", {})
    names = [engine["engineName"] for engine in config["resqEngines"]]
    assert names == [engine["engineName"] for engine in documented.data["resqEngines"]]
    assert len(names) == 3


def _raw_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(_raw_keys(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_raw_keys(item) for item in value))
    return set()
