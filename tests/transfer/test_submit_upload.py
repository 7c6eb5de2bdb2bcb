"""``submit_analysis(..., upload=True)``: the documents and assets go up through the engine before the submit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rayvision_async import AsyncRayvisionAPI, SubmitStepError, errors
from rayvision_async.simulator import Simulator
from rayvision_async.simulator.farm import FarmStorage, Mode
from rayvision_async.transfer import Transfer, TransferEvent

HARDWARE = {"model": "Default", "ram": "64GB", "gpuNum": None}


def analyzer_output(tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any], list[Path]]:
    scene = tmp_path / "shots" / "hero.mb"
    texture = tmp_path / "maps" / "wood.png"
    for path, size in ((scene, 4000), (texture, 700)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(path.name.encode() * size)
    task = {
        "software_config": {"cg_name": "Maya", "cg_version": "2020", "plugins": {}},
        "task_info": {"task_id": "", "user_id": "", "project_id": "", "project_name": "trailer", "cg_id": "2000",
                      "platform": "2", "input_cg_file": str(scene), "frames_per_task": 1, "ram": "64"},
        "scene_info_render": {"defaultRenderLayer": {"common": {"frames": "1-3", "all_camera": ["persp"]}}},
    }
    upload = {"asset": [{"local": str(scene), "server": "/S/shots/hero.mb"},
                        {"local": str(texture), "server": "/S/maps/wood.png"}]}
    return task, upload, [scene, texture]


async def test_upload_true_sends_documents_and_assets_before_the_submit(
        rayvision_client: AsyncRayvisionAPI, rayvision_simulator: Simulator, storage: FarmStorage,
        tmp_path: Path) -> None:
    task, upload, files = analyzer_output(tmp_path)
    tips = {"15002": ["D:/maps/old.png"]}
    events: list[TransferEvent] = []
    result = await rayvision_client.submit_analysis(task, upload, None, tips, hardware=HARDWARE, upload=True,
                                                    on_event=events.append)
    farm_task = rayvision_simulator.farm.tasks[result.task_id]
    assert farm_task.mode is Mode.ANALYSING
    for name, expected in (("task.json", result.task_json), ("tips.json", tips), ("upload.json", upload)):
        assert json.loads(storage.config_file(result.task_id, name).read_text(encoding="utf-8")) == expected
    assert not storage.config_file(result.task_id, "asset.json").exists()
    for entry, path in zip(upload["asset"], files, strict=True):
        assert storage.input_file(entry["server"]).read_bytes() == path.read_bytes()
    labels = [event.label for event in events if event.kind == "finished"]
    assert labels == [f"upload config of task {result.task_id}", "upload assets"]
    assert rayvision_client.transfer.engine_starts == 4  # three documents, one asset run


async def test_a_bad_asset_or_no_engine_creates_no_task_and_sends_nothing(
        rayvision_client: AsyncRayvisionAPI, rayvision_simulator: Simulator, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    task, upload, files = analyzer_output(tmp_path)
    files[1].unlink()
    with pytest.raises(errors.InvalidInputError, match=r"wood\.png' does not exist"):
        await rayvision_client.submit_analysis(task, upload, hardware=HARDWARE, upload=True)
    monkeypatch.delenv("RAYVISION_TRANSMITTER", raising=False)
    rayvision_client.transfer = Transfer(rayvision_client)
    with pytest.raises(errors.ConfigurationError, match="no transfer engine"):
        await rayvision_client.submit_analysis(task, {"asset": []}, hardware=HARDWARE, upload=True)
    with pytest.raises(errors.InvalidInputError, match="upload must be a bool"):
        await rayvision_client.submit_analysis(task, hardware=HARDWARE, upload="yes")  # type: ignore[arg-type]
    assert sum(rayvision_simulator.counts.values()) == 0
    assert rayvision_simulator.farm.tasks == {}


async def test_an_engine_failure_names_the_step_and_the_task_to_resume_with(
        rayvision_client: AsyncRayvisionAPI, rayvision_simulator: Simulator, storage: FarmStorage,
        tmp_path: Path) -> None:
    task, upload, _files = analyzer_output(tmp_path)
    storage.queue_fault("fatal")
    with pytest.raises(SubmitStepError) as caught:
        await rayvision_client.submit_analysis(task, upload, hardware=HARDWARE, upload=True)
    error = caught.value
    assert error.step == "send files"
    assert error.task_id is not None
    assert "simulated fatal error" in str(error)
    assert rayvision_simulator.farm.tasks[error.task_id].mode is Mode.CREATED
    resumed = await rayvision_client.submit_analysis(error.task_json, upload, hardware=HARDWARE, upload=True)
    assert resumed.task_id == error.task_id
    assert not resumed.created
    assert rayvision_simulator.counts["create_task"] == 1


async def test_without_upload_the_farm_refuses_a_task_whose_assets_are_missing(
        rayvision_client: AsyncRayvisionAPI, tmp_path: Path) -> None:
    task, upload, _files = analyzer_output(tmp_path)
    with pytest.raises(SubmitStepError, match="not uploaded") as caught:
        await rayvision_client.submit_analysis(task, upload, hardware=HARDWARE)
    assert caught.value.step == "submit"
    await rayvision_client.transfer.upload_assets(upload)
    resumed = await rayvision_client.submit_analysis(caught.value.task_json, upload, hardware=HARDWARE)
    assert resumed.task_id == caught.value.task_id


async def test_render_job_chains_submit_upload_follow_and_download(tmp_path: Path) -> None:
    from rayvision_async.simulator import Farm, SimulatorTransport
    from rayvision_async.transfer import render_job

    farm = Farm(seed=2, speed=20_000, storage=tmp_path / "farm")
    assert farm.storage is not None
    sim = Simulator(farm=farm)
    task, upload, _files = analyzer_output(tmp_path)
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain,
                                 transport=SimulatorTransport(sim)) as api:
        api.transfer = Transfer(api, transmitter=farm.storage.launcher())
        blocker = tmp_path / "blocker"
        blocker.write_text("x")
        with pytest.raises(errors.InvalidInputError, match="not a folder"):
            await render_job(api, task, upload, hardware=HARDWARE, dest=blocker)
        assert sum(sim.counts.values()) == 0
        job = await render_job(api, task, upload, hardware=HARDWARE, dest=tmp_path / "out", interval=0.01,
                               timeout=60)
    assert job.task_id == job.download.task_id
    assert len(job.download.downloaded) == 3
    assert farm.tasks[job.task_id].is_pending() is False
