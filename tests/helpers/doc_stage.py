"""The usage documents' request examples, made runnable against one simulated farm by either SDK.

A documented call names things of its author's account: task 13798105, frame 230772361, label
21205, a render environment called "testRenderEnv". Before each call, :meth:`Stage.prepare`
makes on the farm (farm side, not through an SDK) what that call needs — a rendering task to
stop, a finished one to delete, a label, an environment — and returns the call's keyword
arguments as the document writes them, with the author's ids replaced by the farm's. Every
documented method has an entry in :data:`PREPARATIONS` (a test checks it).

:func:`shape_differences` compares a reply's ``data`` with the document's example reply: the same
keys at every level and the same JSON types (a null on either side says nothing about the type;
the items of a list are merged, so every documented item key must be in some item).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rayvision_async.simulator import Farm, FrameStatus, Simulator

__all__ = ["ANALYSE_SECONDS", "FRAME_SECONDS", "PREPARATIONS", "Stage", "shape_differences"]

FRAME_SECONDS = 60.0
ANALYSE_SECONDS = 30.0


def staged_simulator(**options: Any) -> Simulator:
    """A simulator whose farm renders with child tasks (as the documents' task_info shows), on a frozen clock."""
    return Simulator(farm=Farm(speed=0.0, frame_seconds=FRAME_SECONDS, analyse_seconds=ANALYSE_SECONDS,
                               child_tasks="photon_and_main", **options))


class Stage:
    """Prepares the farm of ``sim`` for one documented call after another."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.farm = sim.farm

    def prepare(self, request: dict[str, Any]) -> dict[str, Any]:
        """The keyword arguments to make ``request``'s call with, the farm ready for it."""
        method = request["call"].split(".")[1]
        kwargs = {**request["kwargs"], **PREPARATIONS[method](self)}
        refs = [name for name, value in kwargs.items() if isinstance(value, dict) and "$ref" in value]
        assert not refs, f"{request['call']}: {refs} still refer to the author's variables"
        return kwargs

    # -- tasks --------------------------------------------------------------------------------------

    def created(self, frames: str = "1-10") -> int:
        """A task with its task.json uploaded, not submitted."""
        task_id: int = self.sim.call("create_task", {"labels": []})["taskIdList"][0]
        content = json.dumps({
            "task_info": {"input_cg_file": "D:/work/shot_010.max", "cg_id": "2001"},
            "scene_info_render": {"common": {"frames": frames, "render_camera": ["Camera001"]}},
        })  # fmt: skip
        self.sim.call("upload_json_content", {"taskId": task_id, "content": content})
        return task_id

    def submitted(self, frames: str = "1-10") -> int:
        task_id = self.created(frames)
        self.sim.call("submit_task", {"taskId": task_id})
        return task_id

    def rendering(self, frames: str = "1-10") -> int:
        """A task whose frames render (the photon pass first)."""
        task_id = self.submitted(frames)
        self.farm.advance(ANALYSE_SECONDS + 1)
        return task_id

    def stopped(self) -> int:
        task_id = self.rendering()
        self.sim.call("stop_task", {"taskIds": [task_id]})
        return task_id

    def finished(self, frames: str = "1-10", failing: str | None = None) -> int:
        """A task whose every frame rendered (all at once: full speed), frame ``failing`` failed."""
        task_id = self.submitted(frames)
        self.sim.call("full_speed", {"taskIds": [task_id]})
        if failing is not None:
            self.farm.failure_rule = lambda frame: frame.index == failing and frame.attempts == 0
        self.farm.advance(ANALYSE_SECONDS + 3 * FRAME_SECONDS)
        self.farm.failure_rule = None
        return task_id

    def complete_frame(self) -> int:
        task_id = self.finished("1-2")
        return next(frame.id for frame in self.farm.task(task_id).all_frames()
                    if frame.status is FrameStatus.COMPLETE)  # fmt: skip

    # -- labels, environments -------------------------------------------------------------------

    def label(self, name: str) -> int:
        """The id of label ``name`` (made if there is none)."""
        if self.farm.account.project_id(name) is None:
            self.sim.call("add_label", {"newName": name})
        project_id = self.farm.account.project_id(name)
        assert project_id is not None
        return project_id

    def no_label(self, name: str) -> None:
        if self.farm.account.project_id(name) is not None:
            self.sim.call("delete_label", {"delName": name})

    def env(self, name: str, cg_id: int = 2000, cg_name: str = "Maya", version: str = "2020",
            plugins: tuple[int, ...] = (1166,)) -> None:
        """Render environment ``name`` (made, or made again as given)."""
        self.no_env(name)
        self.sim.call("add_render_env", {"cgId": cg_id, "cgName": cg_name, "cgVersion": version, "editName": name,
                                         "renderSystem": 1, "renderLayerType": 0, "pluginIds": list(plugins)})

    def no_env(self, name: str) -> None:
        if name in self.farm.account.render_envs:
            self.sim.call("delete_render_env", {"editName": name})


def _tagged(stage: Stage) -> dict[str, Any]:
    first, second = stage.submitted(), stage.submitted()
    stage.sim.call("add_task_tag", {"label": "test_tag", "taskIds": [first, second]})
    return {"tag_ids": [stage.label("test_tag")]}


def _labels(stage: Stage) -> dict[str, Any]:
    stage.label("test_tag")
    return {}


def _houdini_envs(stage: Stage) -> dict[str, Any]:
    stage.env("175", 2004, "Houdini", "17.5", (5304,))  # as the document's answer shows them
    stage.env("16.5", 2004, "Houdini", "16.5", ())
    return {}


#: For each documented method: what the farm needs first, and the keyword arguments that replace the author's.
PREPARATIONS: dict[str, Callable[[Stage], dict[str, Any]]] = {
    "platforms": lambda stage: {},
    "query_user_profile": lambda stage: {},
    "query_user_setting": lambda stage: {},
    "update_user_settings": lambda stage: {},
    "get_transfer_bid": lambda stage: {},
    "create_task": lambda stage: {},
    "submit_task": lambda stage: {"task_id": stage.created()},  # create_task_id[0], with its task.json
    "error_detail": lambda stage: {},
    "get_task_list": lambda stage: (stage.submitted(), {})[1],
    "stop_task": lambda stage: {"task_param_list": [stage.rendering()]},
    "start_task": lambda stage: {"task_param_list": [stage.stopped()]},
    "abort_task": lambda stage: {"task_param_list": [stage.rendering()]},
    "delete_task": lambda stage: {"task_param_list": [stage.finished()]},
    "task_frames": lambda stage: {"task_id": stage.finished("1-4")},
    "get_all_frames": lambda stage: {"task_id": stage.finished("1-4")},
    "all_frame_status": lambda stage: (stage.finished("1-2"), {})[1],
    "restart_failed_frames": lambda stage: {"task_param_list": [stage.finished("1-3", failing="2")]},
    "get_custome_frames": lambda stage: {"task_id": stage.finished("1-10")},
    "restart_frame": lambda stage: {"task_id": stage.finished("1-3")},
    "task_info": lambda stage: {"task_ids_list": [stage.finished("1-2")]},
    "add_label": lambda stage: (stage.no_label("test_tag4"), {})[1],
    "delete_label": lambda stage: (stage.label("test_tag2"), {})[1],
    "get_label_list": _labels,
    "get_list": _labels,
    "add_task_tag": lambda stage: {"task_ids": [stage.submitted(), stage.submitted()]},
    "delete_task_tag": _tagged,
    "supported_software": lambda stage: {},
    "supported_plugin": lambda stage: {},
    "add_render_env": lambda stage: (stage.no_env("testRenderEnv"), {})[1],
    "update_render_env": lambda stage: (stage.env("testRenderEnv"), {})[1],
    "delete_render_env": lambda stage: (stage.env("testRenderEnv"), {})[1],
    "set_default_render_env": lambda stage: (stage.env("testRenderEnv"), {})[1],
    "get_render_env": _houdini_envs,
    "get_task_processing_img": lambda stage: {"task_id": stage.rendering("1-3")},
    "set_task_overtime_top": lambda stage: {"task_id_list": [stage.rendering()]},
    "get_frame_thumbnall": lambda stage: {"frame_id": stage.complete_frame()},
    "get_transfer_server_msg": lambda stage: {},
    "get_raysync_user_key": lambda stage: {},
    "full_speed": lambda stage: {"task_id_list": [stage.rendering("1-20")]},
    "get_transfer_config": lambda stage: {},
}


# -- reply shapes ---------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape_differences(documented: Any, actual: Any, where: str = "$") -> list[str]:
    """How ``actual`` differs from ``documented`` in keys and JSON types (``[]``: the same shape)."""
    expected, got = _kind(documented), _kind(actual)
    if "null" in (expected, got):
        return []
    if expected != got:
        return [f"{where}: {got}, documented {expected}"]
    if expected == "array":
        documented_items = [item for item in documented if item is not None]
        actual_items = [item for item in actual if item is not None]
        if documented_items and not actual_items:
            return [f"{where}: empty, documented with items"]
        if not documented_items or not actual_items:
            return []
        return shape_differences(_merged(documented_items), _merged(actual_items), f"{where}[]")
    if expected == "object":
        found = [f"{where}.{key}: missing" for key in documented if key not in actual]
        found += [f"{where}.{key}: not documented" for key in actual if key not in documented]
        for key in documented:
            if key in actual:
                found += shape_differences(documented[key], actual[key], f"{where}.{key}")
        return found
    return []


def _merged(items: list[Any]) -> Any:
    """One value with the shape of all ``items``: objects' keys merged (the first non-null value per key)."""
    if not all(isinstance(item, dict) for item in items):
        return next(iter(items))
    merged: dict[str, Any] = {}
    for item in items:
        for key, value in item.items():
            if merged.get(key) is None:
                merged[key] = value
    return merged
