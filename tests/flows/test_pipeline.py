"""From analyzer output to a submitted task (submit_analysis) against the embedded simulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rayvision_async import (
    AnalysisSubmitError,
    AsyncRayvisionAPI,
    HardwareUnavailableError,
    InvalidInputError,
    RenderOutcomeUnknownError,
    SceneErrorsError,
    SubmitStepError,
    UnsupportedSoftwareError,
    errors,
)
from rayvision_async.simulator import Simulator, SimulatorTransport
from rayvision_async.simulator.farm import Mode

HARDWARE = {"model": "Default", "ram": "64GB", "gpuNum": None}


def analyzer_task_json(**task_info: Any) -> dict[str, Any]:
    """What a Maya analyzer writes: empty ids, numbers where the service wants strings."""
    return {
        "software_config": {"cg_name": "Maya", "cg_version": "2020", "plugins": {"mtoa": "4.0.0"}},
        "task_info": {"task_id": "", "user_id": "", "project_id": "", "project_name": "trailer", "cg_id": "2000",
                      "platform": "2", "input_cg_file": "D:/shots/hero.mb", "frames_per_task": 1,
                      "time_out": 43200, "ram": "64", **task_info},
        "scene_info_render": {"defaultRenderLayer": {"common": {"frames": "1-3", "all_camera": ["persp"]}}},
    }


UPLOAD_JSON = {"asset": [{"local": "D:/shots/hero.mb", "server": "/D/shots/hero.mb"}]}


async def test_analyzer_output_becomes_a_submitted_task(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    tips = {"15002": ["D:/maps/wood.png"]}
    result = await api.submit_analysis(analyzer_task_json(), UPLOAD_JSON, {}, tips, hardware=HARDWARE)
    task = sim.farm.tasks[result.task_id]
    assert task.mode is Mode.ANALYSING
    assert result.created
    uploaded = task.files["task.json"]
    info = uploaded["task_info"]
    project_id = sim.farm.account.project_id("trailer")
    assert (info["task_id"], info["user_id"], info["project_id"]) == (str(result.task_id), "100001", str(project_id))
    assert info["hardwareConfigIds"] == ["1"]
    assert result.hardware_config_ids == ("1",)
    assert (info["ram"], info["graphics_cards_num"]) == ("64", "2")
    assert (info["frames_per_task"], info["time_out"]) == ("1", "43200")
    assert task.files["upload.json"] == UPLOAD_JSON
    assert task.files["tips.json"] == tips
    assert uploaded == result.task_json
    assert [(w.code, w.is_error, w.details) for w in result.warnings] == [("15002", False, ["D:/maps/wood.png"])]
    assert task.hardware_config_id == 1
    assert task.cg_id == 2000


async def test_inputs_may_be_str_or_path_files(api: AsyncRayvisionAPI, sim: Simulator, tmp_path: Path) -> None:
    task_file = tmp_path / "task.json"
    task_file.write_text(json.dumps(analyzer_task_json(project_name="")), encoding="utf-8")
    upload_file = tmp_path / "upload.json"
    upload_file.write_text(json.dumps(UPLOAD_JSON), encoding="utf-8-sig")  # a BOM is accepted
    result = await api.submit_analysis(str(task_file), upload_file, hardware=HARDWARE)
    info = sim.farm.tasks[result.task_id].files["task.json"]["task_info"]
    assert info["project_id"] == "0"  # no project name: project 0, as the official SDK writes
    assert sim.farm.tasks[result.task_id].files["upload.json"] == UPLOAD_JSON
    assert json.loads(task_file.read_text(encoding="utf-8"))["task_info"]["task_id"] == ""  # the file is not rewritten


@pytest.mark.parametrize(("content", "reason"), [
    (None, "cannot be read"), ("{not json", "not UTF-8 JSON"), ("[1, 2]", "not a JSON object"),
    (b"\xff\xfe{}", "not UTF-8 JSON"),
])
async def test_bad_files_are_refused_naming_the_file(api: AsyncRayvisionAPI, tmp_path: Path, content: Any,
                                                     reason: str) -> None:
    path = tmp_path / "tips.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInputError, match=reason) as refused:
        await api.submit_analysis(analyzer_task_json(), tips_json=path, hardware=HARDWARE)
    assert "tips.json" in str(refused.value)
    assert str(path) in str(refused.value)
    assert api.requests_sent == 0


@pytest.mark.parametrize(("task_json", "hardware", "needle"), [
    (42, HARDWARE, "task.json must be a dict or a file path"),
    ({"task_info": {"cg_id": "2000"}}, HARDWARE, "software_config"),
    (analyzer_task_json(cg_id="maya"), HARDWARE, "cg_id"),
    (analyzer_task_json(), {"model": "Default"}, "ram"),
    (analyzer_task_json(), {"model": "Default", "ram": "lots"}, "ram"),
    (analyzer_task_json(), {"modle": "Default", "ram": "64GB"}, "unknown keys"),
])
async def test_bad_arguments_are_refused_before_any_request(api: AsyncRayvisionAPI, task_json: Any,
                                                            hardware: Any, needle: str) -> None:
    with pytest.raises(InvalidInputError, match=needle):
        await api.submit_analysis(task_json, hardware=hardware)
    assert api.requests_sent == 0


async def test_an_unsupported_version_or_plugin_creates_nothing(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    task = analyzer_task_json()
    task["software_config"]["cg_version"] = "2016"
    with pytest.raises(UnsupportedSoftwareError) as refused:
        await api.submit_analysis(task, hardware=HARDWARE)
    assert refused.value.supported_versions == ("2018", "2020")
    assert refused.value.step == "check software"
    assert refused.value.task_id is None
    assert "done so far: nothing" in str(refused.value)
    task["software_config"].update(cg_version="2020", plugins={"mtoa": "4.0.0", "yeti": "3.1"})
    with pytest.raises(UnsupportedSoftwareError) as refused:
        await api.submit_analysis(task, hardware=HARDWARE)
    assert refused.value.unsupported_plugins == ("yeti 3.1",)
    result = await api.check_analysis(task, hardware=HARDWARE, check_plugins=False)
    assert result.hardware_config_ids == ("1",)
    assert sim.farm.tasks == {}


async def test_tips_errors_refuse_and_list_every_error(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    tips = {"10010": ["D:/shots/hero.mb"], "15002": [], "15000": ["max"], "99999": []}
    with pytest.raises(SceneErrorsError) as refused:
        await api.submit_analysis(analyzer_task_json(), tips_json=tips, hardware=HARDWARE)
    error = refused.value
    assert [entry.code for entry in error.errors] == ["10010", "15000"]
    assert [entry.code for entry in error.warnings] == ["15002", "99999"]  # 99999: not explained, not fatal
    assert "Scene file not found" in str(error)
    assert "3ds Max failed to start" in str(error)
    assert error.completed == ("checked software", "chose hardware 1")
    assert error.task_id is None
    assert sim.farm.tasks == {}


async def test_hardware_that_does_not_match_lists_what_is_allowed(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    with pytest.raises(HardwareUnavailableError) as refused:
        await api.submit_analysis(analyzer_task_json(), hardware={"model": "Default", "ram": "256GB"})
    assert {config["ram"] for config in refused.value.allowed} == {64, 128}  # platform 2 only
    gpu = analyzer_task_json(platform="21")
    result = await api.check_analysis(gpu, hardware={"model": "RTX 3090", "ram": "128GB", "gpuNum": 2})
    assert result.hardware_config_ids == ("3",)
    assert (result.task_json["task_info"]["ram"], result.task_json["task_info"]["graphics_cards_num"]) == ("128", "2")
    keyshot = analyzer_task_json(cg_id="2012")
    keyshot["software_config"].update(cg_name="KeyShot", cg_version="9.0", plugins={})
    with pytest.raises(HardwareUnavailableError, match="cgId 2012"):
        await api.submit_analysis(keyshot, hardware={"model": "Default", "ram": "128GB"})
    assert sim.farm.tasks == {}


async def test_a_failed_upload_resumes_with_the_same_task(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    sim.inject("upload_json_content", "error", code=100)
    with pytest.raises(SubmitStepError) as failed:
        await api.submit_analysis(analyzer_task_json(), UPLOAD_JSON, hardware=HARDWARE)
    error = failed.value
    (task_id,) = sim.farm.tasks
    assert error.step == "upload task.json"
    assert error.task_id == task_id
    assert not error.outcome_unknown
    assert error.completed[-1] == f"created task {task_id}"
    assert isinstance(error.__cause__, errors.APIError)
    assert f"task {task_id} exists" in str(error)
    assert error.task_json is not None
    assert error.task_json["task_info"]["task_id"] == str(task_id)

    resumed = await api.submit_analysis(error.task_json, UPLOAD_JSON, hardware=HARDWARE)
    assert (resumed.task_id, resumed.created) == (task_id, False)
    assert list(sim.farm.tasks) == [task_id]
    assert sim.farm.tasks[task_id].mode is Mode.ANALYSING


async def test_a_submit_whose_answer_is_lost_is_settled_by_reading_the_task(api: AsyncRayvisionAPI,
                                                                           sim: Simulator) -> None:
    sim.inject("submit_task", "reset", after_processing=True)
    result = await api.submit_analysis(analyzer_task_json(), hardware=HARDWARE, producer="me")
    (task,) = sim.farm.tasks.values()
    assert (result.task_id, result.created) == (task.id, True)
    assert task.producer == "me"
    assert task.submitted_at is not None
    assert sim.counts["submit_task"] == 1


async def test_a_submit_that_may_have_arrived_and_cannot_be_read_says_so(api: AsyncRayvisionAPI,
                                                                        sim: Simulator) -> None:
    sim.inject("submit_task", "reset", after_processing=True)
    sim.inject("task_info", "error", code=602)  # the read that would settle it is refused
    with pytest.raises(AnalysisSubmitError) as failed:
        await api.submit_analysis(analyzer_task_json(), hardware=HARDWARE, producer="me", render_key="hero-1")
    assert isinstance(failed.value, SubmitStepError)
    assert failed.value.outcome_unknown
    assert isinstance(failed.value.__cause__, RenderOutcomeUnknownError)
    assert failed.value.step == "submit"
    assert "check before resuming" in str(failed.value)
    (task,) = sim.farm.tasks.values()
    assert failed.value.task_id == task.id == failed.value.__cause__.task_id
    assert sim.counts["submit_task"] == 1
    uploads = sim.counts["upload_json_content"]
    # either resume is safe: the task is submitted, so nothing is uploaded or submitted again
    assert failed.value.task_json is not None
    resumed = await api.submit_analysis(failed.value.task_json, hardware=HARDWARE)
    by_key = await api.submit_analysis(analyzer_task_json(), hardware=HARDWARE, render_key="hero-1")
    assert resumed.task_id == by_key.task_id == task.id
    assert not resumed.created
    assert not by_key.created
    assert (sim.counts["submit_task"], sim.counts["upload_json_content"], sim.counts["create_task"]) == (1, uploads, 1)


async def test_a_render_key_makes_the_analysis_submit_safe_to_repeat(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    first = await api.submit_analysis(analyzer_task_json(), UPLOAD_JSON, hardware=HARDWARE, render_key="hero-2")
    again = await api.submit_analysis(analyzer_task_json(), UPLOAD_JSON, hardware=HARDWARE, render_key="hero-2")
    assert first.task_id == again.task_id
    assert (first.created, again.created) == (True, False)
    assert sim.counts["create_task"] == sim.counts["submit_task"] == 1
    assert list(sim.farm.tasks[first.task_id].labels.values()) == ["render-key:hero-2"]
    assert (await api.find_render("hero-2")).task_id == first.task_id


async def test_a_bad_render_key_for_the_analysis_is_refused_first(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    with pytest.raises(InvalidInputError):
        await api.submit_analysis(analyzer_task_json(), hardware=HARDWARE, render_key="Hero 3")
    assert sum(sim.counts.values()) == 0


async def test_a_project_another_caller_adds_meanwhile_is_used(sim: Simulator) -> None:
    # two submits of one new project at once: both list it (missing), both add it, the second add is refused
    from rayvision_async.flows._submit import check_and_add_project_name
    from rayvision_async.models import ProjectList

    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain,
                                 transport=SimulatorTransport(sim)) as api:
        listings: list[ProjectList] = []

        async def listing() -> ProjectList:
            listings.append(await api.tag.get_list(flag=2))
            if len(listings) == 1:
                await api.tag.add_label("premiere", status=0)  # the other caller, between our list and our add
            return listings[-1]

        project_id = await check_and_add_project_name(
            "premiere", list_projects=listing, add_project=lambda name: api.tag.add_label(name, status=0))
    assert sim.counts["add_label"] == 2  # ours was refused, and not raised
    assert [project.project_id for project in listings[-1].project_name_list
            if project.project_name == "premiere"] == [int(project_id)]


async def test_a_refused_project_add_is_raised_when_the_project_still_does_not_show() -> None:
    from rayvision_async.flows._submit import check_and_add_project_name
    from rayvision_async.models import ProjectList

    async def nothing() -> ProjectList:
        return ProjectList()

    async def refuse(name: str) -> None:
        raise errors.APIError(600, f"label {name!r} is not allowed", path="/api/render/project/add")

    with pytest.raises(errors.APIError, match="not allowed"):
        await check_and_add_project_name("premiere", list_projects=nothing, add_project=refuse)


async def test_the_simulator_refuses_the_analyzers_empty_ids(api: AsyncRayvisionAPI) -> None:
    with pytest.raises(errors.APIError) as refused:
        await api.submit_task_json(analyzer_task_json())
    assert refused.value.code == 600
    assert "task_id" in str(refused.value)


async def test_user_info_has_the_official_keys(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    info = await api.user_info()
    assert info["user_id"] == 100001 == await api.get_user_id()
    assert (info["domain"], info["platform"]) == (api.domain, api.platform)  # the client's, as official
    assert isinstance(info["local_os"], str)
    assert info["local_os"] == info["local_os"].lower()
    assert (info["input_bid"], info["output_bid"], info["config_bid"]) == ("10201", "20201", "30201")
    assert info["single_node_render_frames"] == "1"
    assert info["c4d_flag"] == 0
    assert info["task_over_time_sec"] == sim.farm.account.task_over_time_sec
    assert info["info_status"] == 0  # the settings' null does not hide the profile's value
    assert not [key for key in info if key != key.lower()]


async def test_submit_task_json_reads_a_path_and_refuses_what_is_not_json(api: AsyncRayvisionAPI, sim: Simulator,
                                                                         tmp_path: Path) -> None:
    path = tmp_path / "task.json"
    path.write_text(json.dumps({"task_info": {"cg_id": "2000", "input_cg_file": "D:/a.mb"}}), encoding="utf-8")
    task_id = await api.submit_task_json(path)
    assert sim.farm.tasks[task_id].files["task.json"]["task_info"]["cg_id"] == "2000"
    for bad in ({"task_info": {"scene": Path("D:/a.mb")}}, {"frames": float("nan")}, tmp_path / "missing.json", 42):
        with pytest.raises(InvalidInputError, match=r"task\.json"):
            await api.submit_task_json(bad)  # type: ignore[arg-type]
    assert list(sim.farm.tasks) == [task_id]


@pytest.mark.parametrize("task_info", [{"project_name": ["not", "a", "name"]}, {"project_name": 5},
                                       {"task_id": "\u00b9"}, {"task_id": "\uff11\uff12"}, {"task_id": 2**63},
                                       {"user_id": "\u0661"}, {"project_id": "x"}, {"platform": "\u00b2"},
                                       {"cg_id": "\u00b2\u2070\u2070\u2070"}, {"cg_id": "\u0662\u0660\u0660\u0660"}])
async def test_bad_ids_and_names_in_task_json_are_refused_before_anything_is_sent(
        api: AsyncRayvisionAPI, sim: Simulator, task_info: dict[str, Any]) -> None:
    # The project name used to be refused only at the project step, after the user id had been asked;
    # superscript digits passed str.isdigit() and then raised a ValueError from int().
    with pytest.raises(InvalidInputError, match=r"task\.json task_info\."):
        await api.submit_analysis(analyzer_task_json(**task_info), hardware=HARDWARE)
    with pytest.raises(InvalidInputError, match=r"task\.json task_info\."):
        await api.check_analysis(analyzer_task_json(**task_info), hardware=HARDWARE)
    assert api.requests_sent == 0
    assert sim.farm.tasks == {}
