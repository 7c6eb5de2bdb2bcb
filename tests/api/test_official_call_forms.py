"""Call forms the documents and the official SDK use, accepted and sent as the official SDK sends them.

* The usage document's ``add_render_env(render_env=env)`` with ``"renderSystem": "0"``
  (the official SDK's keyword is ``data`` and its schema wants an int: ``0`` is sent).
* ``delete_task_tag(tag_ids=[...])`` alone (the GitHub-master signature), ``add_label(name, '0')``
  (``check_and_add_project_name``'s own call; the SDK sends ``int(status)``),
  ``create_task(clone_original_id='…')`` (sent as ``int(...)``), ``edit_task_hardware_config``
  with the int ids ``HardwareConfig.id`` gives (sent as passed), page sizes over 100.
* The 2018 protocol set: ``taskOverTime`` in hours rounded up, the document's own restartFrame
  request (``taskId`` 10001, frame ids 0–3), and String fields sent as strings.

Expected bodies are written by hand from incumbent-sdk-facts.md §B and protocol-v3-2018-en.txt.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

from helpers.wire_harness import SKIP, UNSUPPORTED, case, check_case
from rayvision_async import AsyncRayvisionAPI
from rayvision_async.api._groups import GROUP_CLASSES
from rayvision_async.api._table import ROWS
from rayvision_async.errors import InvalidInputError
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport

ENV = {"cgId": 2000, "cgName": "Maya", "cgVersion": "2020", "renderLayerType": 0, "editName": "testRenderEnv",
       "renderSystem": 0, "pluginIds": [1166]}
ADD_ENV = ("/api/render/plugin/addUserPluginConfig", "/api/render/common/addRenderEnv")
EDIT_ENV = ("/api/render/plugin/editUserPluginConfig", "/api/render/common/updateRenderEnv")
#: protocol-v3-2018-en.txt, "Re-submit the specified frames", Example of request.
RESTART_FRAME_EXAMPLE = {"taskId": 10001, "selectAll": 0, "ids": [0, 1, 2, 3]}

PROTOCOLS = pytest.mark.parametrize("protocol", ["current", "2018"])


# ---- render environments ---------------------------------------------------------------------------


@PROTOCOLS
@pytest.mark.parametrize(("name", "paths"), [("add_render_env", ADD_ENV), ("update_render_env", EDIT_ENV)])
async def test_render_env_keyword_of_the_usage_doc(name: str, paths: tuple[str, str], protocol: str) -> None:
    await check_case("env", name, case(*paths, render_env=ENV, body=ENV, reply=None), protocol)
    await check_case("env", name, case(*paths, data=ENV, body=ENV, reply=None), protocol)  # the SDK's keyword
    await check_case("env", name, case(*paths, ENV, body=ENV, reply=None), protocol)


@PROTOCOLS
@pytest.mark.parametrize(("text", "number"), [("0", 0), ("1", 1), (" 1 ", 1)])
async def test_render_system_as_text_is_sent_as_an_int(text: str, number: int, protocol: str) -> None:
    env = {**ENV, "renderSystem": text}
    await check_case("env", "add_render_env", case(*ADD_ENV, render_env=env, body={**ENV, "renderSystem": number}),
                     protocol)
    await check_case("env", "update_render_env", case(*EDIT_ENV, env, body={**ENV, "renderSystem": number}),
                     protocol)


# ---- tags, tasks, hardware, paging ------------------------------------------------------------------


async def test_delete_task_tag_by_tag_ids_alone() -> None:
    item = case("/api/render/handle/deleteTaskLabel", None, tag_ids=[3, 4],
                body={"taskIds": [], "labelNames": [], "labelIds": [3, 4]})
    await check_case("tag", "delete_task_tag", item, "current")
    names_only = case("/api/render/handle/deleteTaskLabel", None, labelNames=["old"],
                      body={"taskIds": [], "labelNames": ["old"], "labelIds": []})
    await check_case("tag", "delete_task_tag", names_only, "current")


@PROTOCOLS
@pytest.mark.parametrize(("status", "current", "legacy"), [("0", 0, "0"), ("1", 1, "1"), (0, 0, "0")])
async def test_add_label_status_as_text(status: Any, current: int, legacy: str, protocol: str) -> None:
    # current set: int(status), as the official SDK; 2018 set: the document's String
    item = case("/api/render/project/add", "/api/render/common/addLabel", "proj", status,
                body={"newName": "proj", "status": current}, legacy={"newName": "proj", "status": legacy})
    await check_case("tag", "add_label", item, protocol)


async def test_create_task_clone_original_id_as_text() -> None:
    reply = {"taskIdList": [1658434], "aliasTaskIdList": ["2W1658434"], "userId": 100093088}
    item = case("/api/render/submit/createTask", "/api/render/task/createTask", clone_original_id="1658000",
                body={"count": 1, "taskUserLevel": 50, "cloneOriginalId": 1658000}, legacy=SKIP, reply=reply)
    await check_case("task", "create_task", item, "current")


async def test_edit_task_hardware_config_sends_int_ids_as_passed() -> None:
    for ids in ([3], ["223"], [3, "4"]):
        item = case("/api/render/handle/editTaskHardwareConfig", None, [485], hardwareConfigIds=ids,
                    model="1080Ti", gpuNum="2*GPU", ram="64GB",
                    body={"taskIds": [485], "hardwareConfigIds": ids, "model": "1080Ti", "gpuNum": "2*GPU",
                          "ram": "64GB"})
        await check_case("task", "edit_task_hardware_config", item, "current")


@PROTOCOLS
async def test_page_sizes_over_100(protocol: str) -> None:
    page = {"pageCount": 1, "pageNum": 1, "total": 0, "size": 200, "items": []}
    tasks = case("/api/render/handle/getTaskList/v2", "/api/render/task/getTaskList", page_size=200,
                 body={"pageNum": 1, "pageSize": 200}, reply=page)
    await check_case("query", "get_task_list", tasks, protocol)
    frames = case("/api/render/handle/queryTaskFrames", "/api/render/task/queryTaskFrames", 7, page_size=2**31 - 1,
                  body={"taskId": 7, "pageNum": 1, "pageSize": 2**31 - 1}, reply=page)
    await check_case("query", "task_frames", frames, protocol)


# ---- the 2018 protocol set --------------------------------------------------------------------------


@pytest.mark.parametrize(("seconds", "hours"), [(1, 1), (3600, 1), (3601, 2), (7200, 2), (86399, 24)])
async def test_2018_task_over_time_is_hours_rounded_up(seconds: int, hours: int) -> None:
    item = case("/api/render/setUp/updateUserSetting", "/api/render/user/updateUserSetting", seconds,
                body={"taskOverTimeSec": seconds}, legacy={"taskOverTime": hours})
    await check_case("user", "update_user_settings", item, "2018")
    await check_case("user", "update_user_settings", item, "current")


def test_the_hours_rule_is_in_the_row_and_the_docstring() -> None:
    row = ROWS["update_user_settings"]
    assert "hours, rounded up" in row.doc
    docstring = GROUP_CLASSES["user"].update_user_settings.__doc__ or ""
    assert "hours, rounded up" in docstring
    assert "task_over_time is sent as taskOverTime, divided by 3600 and rounded up" in docstring


@PROTOCOLS
async def test_the_2018_restart_frame_example_is_accepted(protocol: str) -> None:
    item = case("/api/render/handle/recommitTaskFrames", "/api/render/task/restartFrame", 10001, 0, [0, 1, 2, 3],
                body=RESTART_FRAME_EXAMPLE)
    await check_case("query", "restart_frame", item, protocol)
    stop = case("/api/render/handle/stopTaskFrames", None, 10001, 0, [0], body={**RESTART_FRAME_EXAMPLE, "ids": [0]})
    await check_case("query", "stop_frame", stop, "current")
    assert stop.legacy_body == UNSUPPORTED


@PROTOCOLS
async def test_2018_language_is_a_string(protocol: str) -> None:
    item = case("/api/render/submit/queryAnalyseErrorDetail", "/api/render/common/queryErrorDetail", "15000",
                language=1, body={"code": "15000", "language": 1}, legacy={"code": "15000", "language": "1"},
                reply=[])
    await check_case("query", "error_detail", item, protocol)


def test_restart_frame_example_is_the_documents(spec_dir: Path) -> None:
    """Doc-sync: the request example of protocol-v3-2018-en.txt's restartFrame section is the one above."""
    text = (spec_dir / "protocol-v3-2018-en.txt").read_text(encoding="utf-8")
    section = text[text.index("Interface path: */api/render/task/restartFrame*"):]
    request = section[section.index("Example of request:"):]
    block = request[request.index("{"):request.index("}") + 1]
    assert json.loads(block) == RESTART_FRAME_EXAMPLE


# ---- refusals that stay --------------------------------------------------------------------------


class _Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"code": 200, "message": "success", "data": None})


@pytest.mark.parametrize(("call", "names"), [
    pytest.param(lambda api: api.env.add_render_env(ENV, render_env=ENV), "render_env", id="env-both-keywords"),
    pytest.param(lambda api: api.env.update_render_env(), "render_env", id="env-neither-keyword"),
    pytest.param(lambda api: api.env.add_render_env(render_env={**ENV, "renderSystem": "2"}), "renderSystem",
                 id="env-render-system-2-text"),
    pytest.param(lambda api: api.tag.delete_task_tag(), "tag_ids", id="untag-nothing"),
    pytest.param(lambda api: api.tag.delete_task_tag([1], [], []), "labelNames", id="untag-no-labels"),
    pytest.param(lambda api: api.tag.add_label("proj", "yes"), "status", id="label-status-word"),
    pytest.param(lambda api: api.tag.add_label("proj", "2"), "status", id="label-status-2"),
    pytest.param(lambda api: api.task.create_task(clone_original_id="12a"), "clone_original_id", id="clone-id-word"),
    pytest.param(lambda api: api.task.create_task(clone_original_id="0"), "clone_original_id", id="clone-id-0"),
    pytest.param(lambda api: api.task.edit_task_hardware_config([1], [0], "m", "g", "r"), "hardwareConfigIds[0]",
                 id="hardware-id-0"),
    pytest.param(lambda api: api.task.edit_task_hardware_config([1], [True], "m", "g", "r"),
                 "hardwareConfigIds[0]", id="hardware-id-bool"),
    pytest.param(lambda api: api.query.restart_frame(1, 0, [-1]), "ids_list[0]", id="frame-id-negative"),
])
async def test_still_refused_before_sending(call: Any, names: str) -> None:
    recorder = _Recorder()
    async with AsyncRayvisionAPI("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                                 transport=httpx.MockTransport(recorder), max_retries=0) as api:
        with pytest.raises(InvalidInputError) as caught:
            await call(api)
        assert api.requests_sent == 0
    assert names in str(caught.value), caught.value
    assert recorder.requests == []


# ---- the simulator serves these forms ---------------------------------------------------------------


@PROTOCOLS
async def test_the_forms_through_the_simulator(protocol: Literal["current", "2018"]) -> None:
    sim = Simulator(farm=Farm(speed=0.0, require_task_json=False))
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, protocol=protocol,
                                 transport=SimulatorTransport(sim)) as api:
        await api.tag.add_label("proj", "0")
        maya = await api.query.supported_plugin("maya")
        [version_id] = [version.id for version in maya.cg_version if version.cg_version == "2020"]
        plugin_id = next(release.plugin_id for plugin in maya.cg_plugin if plugin.cv_id == version_id
                         for release in plugin.plugin_versions)  # one the simulator knows
        await api.env.add_render_env(render_env={**ENV, "renderSystem": "1", "pluginIds": [plugin_id]})
        (task_id, *_) = (await api.task.create_task()).task_id_list
        await api.task.submit_task(task_id)
        sim.farm.advance(3600)
        frames = (await api.query.task_frames(task_id, page_size=200)).items
        await api.query.restart_frame(task_id, 0, [frame.id for frame in frames if frame.id is not None])
        if protocol == "current":
            await api.task.edit_task_hardware_config([task_id], [2], "Default", "0", "128GB")
            await api.tag.add_task_tag("hero", [task_id])
            assert (await api.query.task_info([task_id])).items[0].labels == ("hero",)
            projects = (await api.tag.get_label_list()).project_name_list
            hero = [project.project_id for project in projects if project.project_name == "hero"]
            await api.tag.delete_task_tag(tag_ids=hero)
            assert (await api.query.task_info([task_id])).items[0].labels == ()
    assert sim.internal_errors == []
    assert all(request.code == 200 for request in sim.requests), [(r.path, r.code) for r in sim.requests]
