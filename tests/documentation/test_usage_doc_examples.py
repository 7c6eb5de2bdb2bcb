"""Every code example of the usage documents, ported the README's way, runs against the simulator.

A port keeps the document's method and keyword names and adds ``await`` on an
``AsyncRayvisionAPI`` made as the document's preamble makes its ``RayvisionAPI``; results are
models, so ``create_task_id[0]`` becomes ``create_task_id.task_id_list[0]``. The current English
document's examples run on the current path set, the legacy Chinese one's on the 2018 set. Each
case is keyed by the line of its example in ``tests/data/spec_examples.json`` (the coverage test
checks that every usage example there has one), and asserts what the call did to the farm.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest

from helpers.spec_data import load_examples, skipped_blocks
from helpers.usage_yard import ANALYSE_SECONDS, EN, FRAME_SECONDS, ZH, Yard, open_yard
from rayvision_async import TaskStatus
from rayvision_async.api._table import ENDPOINTS
from rayvision_async.simulator import FrameStatus
from rayvision_async.simulator import TaskStatus as FarmTaskStatus

Example = Callable[[Yard], Awaitable[None]]
CASES: dict[tuple[str, int], Example] = {}
#: Sections whose request example shows another call than the section's (the port makes the section's).
DOC_SLIPS = {(EN, 2188): "the 'Upload the task profile' section shows start_task's request"}


def ported(*places: tuple[str, int]) -> Callable[[Example], Example]:
    def register(example: Example) -> Example:
        for place in places:
            assert place not in CASES, place
            CASES[place] = example
        return example

    return register


@ported((EN, 41), (ZH, 48))
async def platforms(y: Yard) -> None:
    platform = await y.api.query.platforms()
    abroad = y.api.domain.endswith("foxrenderfarm.com")  # "automatically distinguish domestic and foreign"
    assert [item.platform for item in platform] == ([2, 9, 29] if abroad else [2, 6, 21])
    assert all(item.name for item in platform)


@ported((EN, 67), (ZH, 78))
async def query_user_profile(y: Yard) -> None:
    user_profile = await y.api.user.query_user_profile()
    assert user_profile.user_id == y.farm.account.user_id
    assert user_profile.rmbbalance == Decimal("100.00")


@ported((EN, 153), (ZH, 176))
async def query_user_setting(y: Yard) -> None:
    user_setting = await y.api.user.query_user_setting()
    assert user_setting.task_over_time_sec == y.farm.account.task_over_time_sec == 43200


@ported((EN, 195), (ZH, 223))
async def update_user_settings(y: Yard) -> None:
    y.farm.account.task_over_time_sec = 600
    update_user_setting = await y.api.user.update_user_settings(task_over_time=43200)
    assert update_user_setting is None
    assert y.farm.account.task_over_time_sec == 43200


@ported((EN, 227), (ZH, 256))
async def get_transfer_bid(y: Yard) -> None:
    user_transfer_bid = await y.api.user.get_transfer_bid()
    assert (user_transfer_bid.config_bid, user_transfer_bid.input_bid) == ("30201", "10201")
    assert [bid.output_bid for bid in user_transfer_bid.sub_user_output_bids] == ["20202"]


@ported((EN, 273), (ZH, 302))
async def create_task(y: Yard) -> None:  # labels and task_user_level on both path sets (the legacy doc lists them)
    create_task_id = await y.api.task.create_task(count=1, task_user_level=50,
                                                  labels=["label_test1", "label_test2"])  # fmt: skip
    [task_id] = create_task_id.task_id_list
    assert create_task_id.alias_task_id_list == (f"2W{task_id}",)
    assert sorted(y.task(task_id).labels.values()) == ["label_test1", "label_test2"]
    assert y.task(task_id).user_level == 50
    [request] = y.sim.requests
    assert request.body == {"count": 1, "taskUserLevel": 50, "labels": ["label_test1", "label_test2"]}


@ported((EN, 308), (ZH, 352))
async def submit_task(y: Yard) -> None:
    create_task_id = (await y.api.task.create_task(count=1)).task_id_list
    if y.protocol == "current":  # "Before committing, ... upload the relevant analysis configuration file"
        await y.api.transmit.upload_json_content(create_task_id[0], {"task_info": {"frames": "1-5[1]"}})
    submit_task = await y.api.task.submit_task(task_id=create_task_id[0])
    assert submit_task is None
    assert y.task(create_task_id[0]).status() == FarmTaskStatus.ANALYSE
    y.farm.advance(ANALYSE_SECONDS + 4 * FRAME_SECONDS)  # the photon pass, then (2018: default) frames 4 at a time
    assert y.task(create_task_id[0]).status() == FarmTaskStatus.FINISHED


@ported((EN, 350), (ZH, 399))
async def error_detail(y: Yard) -> None:
    error_detail = await y.api.query.error_detail(code="50001")
    assert [info.code for info in error_detail] == ["50001"]
    assert error_detail[0].des_solution_cn


@ported((EN, 465), (ZH, 522))
async def get_task_list(y: Yard) -> None:
    older, newer = y.submitted(), y.submitted()
    task_list = await y.api.query.get_task_list(page_num=1, page_size=1)
    assert [task.id for task in task_list.items] == [newer]
    assert (task_list.total, task_list.page_count) == (2, 2)
    assert older != newer


@ported((EN, 652), (ZH, 714))
async def stop_task(y: Yard) -> None:
    task_id = y.rendering()
    stop_task = await y.api.task.stop_task(task_param_list=[task_id])
    assert stop_task is None
    assert y.task(task_id).status() == FarmTaskStatus.STOP


@ported((EN, 678), (ZH, 745))
async def start_task(y: Yard) -> None:
    task_id = y.rendering()
    y.sim.call("stop_task", {"taskIds": [task_id]})
    start_task = await y.api.task.start_task(task_param_list=[task_id])
    assert start_task is None
    assert y.task(task_id).status() == FarmTaskStatus.RENDERING


@ported((EN, 704), (ZH, 776))
async def abort_task(y: Yard) -> None:
    task_id = y.rendering()
    await y.api.task.abort_task(task_param_list=[task_id])
    assert y.task(task_id).status() == FarmTaskStatus.ABANDON


@ported((EN, 730), (ZH, 807))
async def delete_task(y: Yard) -> None:
    task_id = y.finished()
    await y.api.task.delete_task(task_param_list=[task_id])
    assert y.farm.task(task_id, include_deleted=True).deleted
    assert (await y.api.query.get_task_list()).total == 0


@ported((EN, 782), (ZH, 865))
async def task_frames(y: Yard) -> None:
    task_id = y.finished("1-4")
    task_frame = await y.api.query.task_frames(task_id=task_id, page_num=1, page_size=1)
    assert task_frame.total == 5  # the photon pass and four frames
    [frame] = task_frame.items
    assert frame.id == y.frames(task_id)[0].id


@ported((EN, 868))
async def get_all_frames(y: Yard) -> None:
    task_id = y.finished("1-4")
    all_frames = await y.api.query.get_all_frames(task_id=task_id)
    assert sorted(all_frames) == ["0", "1", "2", "3", "4"]
    assert all(frame.frame_status is not None and frame.frame_status.is_done for frame in all_frames.values())


@ported((EN, 960), (ZH, 960))
async def all_frame_status(y: Yard) -> None:
    y.finished("1-4")
    y.submitted("1-6")
    all_frame_status = await y.api.query.all_frame_status()
    assert (all_frame_status.done_frames_total, all_frame_status.total_frames) == (5, 5)  # the other is analysing


@ported((EN, 994), (ZH, 998))
async def restart_failed_frames(y: Yard) -> None:
    y.farm.failure_rule = lambda frame: frame.index == "2" and frame.attempts == 0
    task_id = y.finished("1-3")
    assert y.task(task_id).status() == FarmTaskStatus.FINISHED_HAS_FAILED
    await y.api.query.restart_failed_frames(task_param_list=[task_id])
    y.farm.advance(FRAME_SECONDS)
    assert y.task(task_id).status() == FarmTaskStatus.FINISHED
    assert [frame.attempts for frame in y.frames(task_id)] == [0, 0, 1, 0]


@ported((EN, 1019))
async def get_custome_frames(y: Yard) -> None:
    task_id = y.finished("1-10")
    restart_frame = await y.api.query.get_custome_frames(task_id=task_id, restartframes=["6", "7-9[1]"])
    assert restart_frame is None
    # The official rule: each string is matched exactly against frameIndex. "7-9[1]" names a multi-frame
    # block's index; this farm renders one frame per index, so only "6" matches.
    assert [frame.index for frame in y.frames(task_id) if frame.attempts] == ["6"]


@ported((EN, 1039), (ZH, 1031))
async def restart_frame(y: Yard) -> None:
    task_id = y.finished("1-3")
    await y.api.query.restart_frame(task_id=task_id, select_all=1)
    assert [frame.attempts for frame in y.frames(task_id)] == [1, 1, 1, 1]
    assert y.task(task_id).status() == FarmTaskStatus.RENDERING


@ported((EN, 1110), (ZH, 1109))
async def task_info(y: Yard) -> None:
    task_id = y.finished("1-2")
    task_info = await y.api.query.task_info(task_ids_list=[task_id])
    [task] = task_info.items
    assert (task.id, task.task_status, task.done_frames) == (task_id, TaskStatus.FINISHED, 3)
    assert [child.task_type for child in task.children] == ["RenderPhoton", "Render"]


@ported((EN, 1206), (ZH, 1210))
async def add_label(y: Yard) -> None:
    await y.api.tag.add_label(new_name="test_tag4", status=0)
    project_id = y.farm.account.project_id("test_tag4")
    assert project_id is not None
    assert y.farm.account.projects[project_id] == ("test_tag4", 0)


@ported((EN, 1232), (ZH, 1241))
async def delete_label(y: Yard) -> None:
    y.sim.call("add_label", {"newName": "test_tag2"})
    await y.api.tag.delete_label(del_name="test_tag2")
    assert y.farm.account.project_id("test_tag2") is None


@ported((EN, 1260), (ZH, 1274))
async def get_label_list(y: Yard) -> None:
    y.sim.call("add_label", {"newName": "test_tag"})
    label_list = await y.api.tag.get_label_list()
    assert [project.project_name for project in label_list.project_name_list] == ["test_tag"]


@ported((EN, 1301))
async def get_list(y: Yard) -> None:
    y.sim.call("add_label", {"newName": "test_tag"})
    new_projects = await y.api.tag.get_list(flag=0)
    assert [project.project_name for project in new_projects.project_name_list] == ["test_tag"]


@ported((EN, 1335))
async def add_task_tag(y: Yard) -> None:
    first, second = y.submitted(), y.submitted()
    await y.api.tag.add_task_tag(tag="test_tag", task_ids=[first, second])
    assert [list(y.task(task_id).labels.values()) for task_id in (first, second)] == [["test_tag"], ["test_tag"]]


@ported((EN, 1361))
async def delete_task_tag(y: Yard) -> None:
    task_id = y.submitted(labels=("test_tag", "keep"))
    tag_id = y.farm.account.project_id("test_tag")
    assert tag_id is not None
    await y.api.tag.delete_task_tag(tag_ids=[tag_id])  # as the document writes it
    assert list(y.task(task_id).labels.values()) == ["keep"]


@ported((EN, 1400), (ZH, 1326))
async def supported_software(y: Yard) -> None:
    support_software = await y.api.query.supported_software()
    assert support_software.default_cg_id == 2001
    assert {software.cg_name for software in support_software.render_info_list} >= {"Maya", "3ds Max", "Houdini"}


@ported((EN, 1530), (ZH, 1465))
async def supported_plugin(y: Yard) -> None:
    support_software_plugin = await y.api.query.supported_plugin(name="maya")
    assert {version.cg_version for version in support_software_plugin.cg_version} == {"2018", "2020"}
    assert "mtoa" in {plugin.plugin_name for plugin in support_software_plugin.cg_plugin}


@ported((EN, 1594), (ZH, 1535))
async def add_render_env(y: Yard) -> None:
    # As the documents write it: "renderSystem": "0" (sent as the int 0), the render_env= keyword, and
    # their plugin 1166 (wobble 0.9.5, a Maya 2020 plugin in the simulator's catalogue too).
    env = {"cgId": 2000, "cgName": "Maya", "cgVersion": "2020", "renderLayerType": 0,
           "editName": "testRenderEnv", "renderSystem": "0", "pluginIds": [1166]}  # fmt: skip
    add_user_env = await y.api.env.add_render_env(render_env=env)
    assert add_user_env is not None
    assert add_user_env.edit_name == "testRenderEnv"
    stored = y.farm.account.render_envs["testRenderEnv"]
    assert (stored.cg_version, stored.render_system, stored.plugin_ids) == ("2020", 0, [1166])


@ported((EN, 1643), (ZH, 1589))
async def update_render_env(y: Yard) -> None:
    y.env("testRenderEnv", cg_version="2020", plugin_ids=(1166,))
    update_env = {"cgId": 2000, "cgName": "Maya", "cgVersion": "2020", "renderLayerType": 0,
                  "editName": "testRenderEnv", "renderSystem": "0", "pluginIds": []}  # fmt: skip
    await y.api.env.update_render_env(render_env=update_env)
    stored = y.farm.account.render_envs["testRenderEnv"]
    assert (stored.cg_version, stored.plugin_ids) == ("2020", [])


@ported((EN, 1669), (ZH, 1620))
async def delete_render_env(y: Yard) -> None:
    y.env("testRenderEnv")
    await y.api.env.delete_render_env(edit_name="testRenderEnv")
    assert y.farm.account.render_envs == {}


@ported((EN, 1695), (ZH, 1651))
async def set_default_render_env(y: Yard) -> None:
    y.env("other")
    y.env("testRenderEnv")
    await y.api.env.set_default_render_env(edit_name="testRenderEnv")
    envs = y.farm.account.render_envs
    assert (envs["testRenderEnv"].is_default, envs["other"].is_default) == (True, False)


@ported((EN, 1733), (ZH, 1693))
async def get_render_env(y: Yard) -> None:
    y.env("maya-env")
    y.env("houdini-env", cg_id=2004, cg_name="Houdini", cg_version="17.5", plugin_ids=(5304,))
    user_render_config = await y.api.env.get_render_env(name="houdini")
    assert [env.edit_name for env in user_render_config] == ["houdini-env"]  # on Windows, os_name's default


@ported((EN, 1844), (ZH, 1811))
async def get_task_processing_img(y: Yard) -> None:
    task_id = y.rendering("1-3")  # the photon pass renders first
    task_processing_img = await y.api.query.get_task_processing_img(task_id=task_id, frame_type=2)
    assert task_processing_img.is_render_photon is True
    assert task_processing_img.current_task_type == "RenderPhoton"
    [[grab]] = task_processing_img.grab_info
    assert grab.frame_status is not None
    assert int(grab.frame_status) == FrameStatus.PROCESSING


@ported((EN, 1898), (ZH, 1870))
async def set_task_overtime_top(y: Yard) -> None:
    task_id = y.rendering()
    set_task_overtime = await y.api.task.set_task_overtime_top(task_id_list=[task_id], overtime=60)
    assert set_task_overtime == "SUCCESS"
    assert y.task(task_id).over_time_stop == 60
    y.farm.advance(FRAME_SECONDS)
    assert y.task(task_id).status() == FarmTaskStatus.TIME_OUT_STOP


@ported((EN, 1924), (ZH, 1901))
async def get_frame_thumbnall(y: Yard) -> None:
    task_id = y.finished("1-2")
    frame = y.frames(task_id)[-1]
    frame_thumbnall = await y.api.query.get_frame_thumbnall(frame_id=frame.id)
    assert isinstance(frame_thumbnall, tuple)
    [path] = frame_thumbnall
    assert path.endswith(f"Render_{frame.id}_{frame.index}.jpg")


@ported((EN, 1946), (ZH, 1929))
async def get_transfer_server_msg(y: Yard) -> None:
    transfer_server_msg = await y.api.query.get_transfer_server_msg()
    assert transfer_server_msg.raysync_transfer is not None
    assert transfer_server_msg.raysync_transfer.port == 2442


@ported((EN, 1979), (ZH, 1966))
async def get_raysync_user_key(y: Yard) -> None:
    raysync_user_key = await y.api.query.get_raysync_user_key()
    assert raysync_user_key.user_name == y.farm.account.user_name
    assert raysync_user_key.ray_sync_user_key


@ported((EN, 2024), (ZH, 2016))
async def full_speed(y: Yard) -> None:
    task_id = y.rendering("1-20")
    full_speed_render = await y.api.task.full_speed(task_id_list=[task_id])
    assert full_speed_render == "成功"
    y.farm.advance(FRAME_SECONDS)  # the photon pass
    assert y.statuses(task_id).count(FrameStatus.PROCESSING) == 20  # every frame at once, not four


@ported((EN, 2076))
async def get_transfer_config(y: Yard) -> None:
    transfer_config = await y.api.transmit.get_transfer_config()
    assert [engine.engine_name for engine in transfer_config.resq_engines] == ["trtt", "RaySync", "Aspera"]
    aspera = transfer_config.engine("aspera")
    assert aspera is not None
    assert aspera.accounts[0].bid == transfer_config.config_bid


@ported((EN, 2188))
async def upload_json_content(y: Yard) -> None:
    [task_id] = (await y.api.task.create_task()).task_id_list
    await y.api.transmit.upload_json_content(task_id=task_id, content='{"task_info": {"frames": "1-3[1]"}}')
    assert y.task(task_id).files["task.json"] == {"task_info": {"frames": "1-3[1]"}}
    assert y.task(task_id).frames_range == "1-3[1]"


@pytest.mark.parametrize(("doc", "line"), sorted(CASES), ids=[f"{d[10:13]}:L{n}:{CASES[d, n].__name__}"
                                                               for d, n in sorted(CASES)])  # fmt: skip
async def test_documented_example_runs(doc: str, line: int) -> None:
    sim = await open_yard(doc, CASES[doc, line])
    assert sim.internal_errors == []
    assert sim.requests
    assert all(request.code == 200 for request in sim.requests), [(r.path, r.code) for r in sim.requests]
    paths = {endpoint.legacy_path if doc == ZH else endpoint.path for endpoint in ENDPOINTS}
    assert {request.path for request in sim.requests} <= paths  # the document's path set


def test_every_usage_example_is_ported() -> None:
    documented = {(e.doc, e.line): e.call for e in load_examples() if e.doc in (EN, ZH)}
    # A heading with python code only is the request of the next example (EN 191); the others count.
    documented.update({(doc, line): None for doc, line, reason in skipped_blocks()
                       if doc in (EN, ZH) and "python code only" not in reason})  # fmt: skip
    assert set(CASES) == set(documented)
    for place, call in documented.items():
        method = CASES[place].__name__
        assert call is None or call.endswith(f".{method}") or place in DOC_SLIPS, (place, call, method)
    assert len(CASES) == 75
