"""Every endpoint, through the real client, on both path sets: the SDK's models accept the simulator's answers."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import pytest

from rayvision_async import AsyncRayvisionAPI
from rayvision_async.api._table import ENDPOINTS
from rayvision_async.errors import UnsupportedOperationError
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport

Step = tuple[str, Callable[[AsyncRayvisionAPI, dict[str, Any]], Awaitable[Any]]]

TASK_JSON = json.dumps(
    {
        "task_info": {"input_cg_file": "D:/shots/hero.max", "cg_id": "2001"},
        "scene_info_render": {"common": {"frames": "1-3", "render_camera": ["Cam01"]}},
    }
)
ENV = {
    "cgId": 2000,
    "cgName": "Maya",
    "cgVersion": "2018",
    "renderLayerType": 0,
    "editName": "env-a",
    "renderSystem": 1,
    "pluginIds": [],
}


async def _create(api: AsyncRayvisionAPI, state: dict[str, Any]) -> Any:
    created = await api.task.create_task(count=2)
    state["task"], state["other"] = created.task_id_list
    return created


async def _frames(api: AsyncRayvisionAPI, state: dict[str, Any]) -> Any:
    page = await api.query.task_frames(state["task"], page_num=1, page_size=10)
    state["frame"] = page.items[0].id
    return page


# In order: each step may rely on the ones before it (task ids, frame ids, a finished render).
STEPS: list[Step] = [
    ("query_user_profile", lambda api, s: api.user.query_user_profile()),
    ("query_user_setting", lambda api, s: api.user.query_user_setting()),
    ("update_user_settings", lambda api, s: api.user.update_user_settings(7200)),
    ("get_transfer_bid", lambda api, s: api.user.get_transfer_bid()),
    ("platforms", lambda api, s: api.query.platforms()),
    ("error_detail", lambda api, s: api.query.error_detail(code="15000")),
    ("supported_software", lambda api, s: api.query.supported_software()),
    ("supported_plugin", lambda api, s: api.query.supported_plugin("maya")),
    ("get_transfer_server_msg", lambda api, s: api.query.get_transfer_server_msg()),
    ("get_raysync_user_key", lambda api, s: api.query.get_raysync_user_key()),
    ("get_pack_node_info", lambda api, s: api.query.get_pack_node_info()),
    ("get_transfer_config", lambda api, s: api.transmit.get_transfer_config()),
    ("create_task", _create),
    ("upload_json_content", lambda api, s: api.transmit.upload_json_content(s["task"], TASK_JSON)),
    ("submit_task", lambda api, s: api.task.submit_task(s["task"])),
    ("update_priority", lambda api, s: api.task.update_priority(s["task"], 60)),
    ("update_task_limit", lambda api, s: api.task.update_task_limit(s["task"], 2)),
    ("full_speed", lambda api, s: api.task.full_speed([s["task"]])),
    ("set_task_overtime_stop", lambda api, s: api.task.set_task_overtime_stop([s["task"]], 86400)),
    ("get_hardware_config", lambda api, s: api.user.get_hardware_config([s["task"]])),
    ("edit_task_hardware_config",
     lambda api, s: api.task.edit_task_hardware_config([s["task"]], ["2"], "Default", "0", "128GB")),
    ("advance", lambda api, s: s["advance"](3600)),
    ("get_task_list", lambda api, s: api.query.get_task_list(page_num=1, page_size=10)),
    ("task_info", lambda api, s: api.query.task_info([s["task"]])),
    ("task_frames", _frames),
    ("all_frame_status", lambda api, s: api.query.all_frame_status()),
    ("get_task_processing_img", lambda api, s: api.query.get_task_processing_img(s["task"])),
    ("get_frame_thumbnail", lambda api, s: api.query.get_frame_thumbnail(s["frame"])),
    ("get_render_log", lambda api, s: api.query.get_render_log(pageSize=10, frame_id=s["frame"])),
    ("get_output_files", lambda api, s: api.transmit.get_output_files(task_id=s["task"])),
    ("restart_frame", lambda api, s: api.query.restart_frame(s["task"], select_all=0, ids_list=[s["frame"]])),
    ("stop_frame", lambda api, s: api.query.stop_frame(s["task"], select_all=1)),
    ("restart_failed_frames", lambda api, s: api.query.restart_failed_frames([s["task"]])),
    ("stop_task", lambda api, s: api.task.stop_task([s["task"]])),
    ("start_task", lambda api, s: api.task.start_task([s["task"]])),
    ("add_label", lambda api, s: api.tag.add_label("shots")),
    ("get_label_list", lambda api, s: api.tag.get_label_list()),
    ("get_list", lambda api, s: api.tag.get_list(flag=2)),
    ("add_task_tag", lambda api, s: api.tag.add_task_tag("hero", [s["task"]])),
    ("delete_task_tag", lambda api, s: api.tag.delete_task_tag([s["task"]], ["hero"])),
    ("delete_label", lambda api, s: api.tag.delete_label("shots")),
    ("add_render_env", lambda api, s: api.env.add_render_env(ENV)),
    ("update_render_env", lambda api, s: api.env.update_render_env({**ENV, "cgVersion": "2020"})),
    ("set_default_render_env", lambda api, s: api.env.set_default_render_env("env-a")),
    ("get_render_env", lambda api, s: api.env.get_render_env(name="maya")),
    ("delete_render_env", lambda api, s: api.env.delete_render_env("env-a")),
    ("task_record", lambda api, s: api.user.task_record()),
    ("login_record", lambda api, s: api.user.login_record()),
    ("abort_task", lambda api, s: api.task.abort_task([s["other"]])),
    ("delete_task", lambda api, s: api.task.delete_task([s["other"]])),
]  # fmt: skip


def test_the_steps_cover_every_endpoint() -> None:
    assert {name for name, _ in STEPS} - {"advance"} == {endpoint.name for endpoint in ENDPOINTS}


@pytest.mark.parametrize("protocol", ["current", "2018"])
async def test_every_endpoint_through_the_client(protocol: Literal["current", "2018"]) -> None:
    sim = Simulator(farm=Farm(speed=0.0, child_tasks="photon_and_main"))  # 2018: no task.json is demanded
    legacy = {endpoint.name for endpoint in ENDPOINTS if endpoint.legacy_path is not None}
    state: dict[str, Any] = {"advance": lambda seconds: _advance(sim, seconds)}
    results: dict[str, Any] = {}
    transport = SimulatorTransport(sim)
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, protocol=protocol, transport=transport) as api:
        for name, step in STEPS:
            if protocol == "2018" and name != "advance" and name not in legacy:
                with pytest.raises(UnsupportedOperationError):
                    await step(api, state)
                continue
            results[name] = await step(api, state)
    assert sim.internal_errors == []
    assert all(request.code == 200 for request in sim.requests), [(r.path, r.code) for r in sim.requests]
    paths = {(endpoint.legacy_path if protocol == "2018" else endpoint.path) for endpoint in ENDPOINTS}
    assert {request.path for request in sim.requests} <= paths
    served = legacy if protocol == "2018" else {endpoint.name for endpoint in ENDPOINTS}
    assert set(sim.counts) == served
    assert set(sim.counts.values()) == {1}  # every call sent exactly once
    task = results["task_info"].items[0]
    assert int(task.task_status) == 25
    assert len(task.resp_rendering_task_list) == 2
    assert sim.farm.account.task_over_time_sec == 7200


async def _advance(sim: Simulator, seconds: float) -> None:
    sim.farm.advance(seconds)
