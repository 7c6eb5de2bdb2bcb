"""A whole render job: a scene analyzer's output → files up → submit → watch → frames on your disk.

``render`` takes the analyzer's task.json and upload.json, and:

1. submits the scene with ``submit_analysis(..., upload=True)``: the software, hardware and every
   file upload.json lists are checked, a task id is created, the documents and the scene's files
   go up through the transfer engine, and the task is submitted;
2. watches the task (``api.watch``: each status change is printed) while
3. ``api.download_outputs(..., follow=True)`` fetches each frame as it finishes, skipping frames
   already on disk, and returns when the task has ended and everything is down.

Progress events (files and bytes done) are printed as they come. ``rayvision_async.transfer.
render_job`` is the same chain as one call.

Run it against the embedded simulator, whose stand-in transfer engine moves the files between
folders (the frames land in ``./render-output`` unless a folder is given)::

    python examples/render_job.py [DEST]
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from rayvision_async import AsyncRayvisionAPI
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport
from rayvision_async.transfer import DownloadResult, Transfer, TransferEvent

HARDWARE = {"model": "Default", "ram": "64GB", "gpuNum": None}


def show(event: TransferEvent) -> None:
    """Print one progress event (what a progress bar would draw)."""
    if event.kind in ("file_done", "skipped"):
        total = f"/{event.files_total}" if event.files_total is not None else ""
        print(f"  {event.label}: {event.files_done}{total} files, {event.bytes_done} bytes ({event.kind})")
    elif event.kind == "retrying":
        print(f"  {event.label}: the engine asked to retry (attempt {event.attempt})")


def write_analysis(folder: Path) -> tuple[Path, Path]:
    """What a scene analyzer leaves behind: the scene and its textures, task.json and upload.json."""
    files = {"shots/hero.mb": 40_000, "maps/wood.png": 9_000, "maps/stone.png": 12_000}
    assets = []
    for name, size in files.items():
        path = folder / "project" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name.encode() * (size // len(name)))
        assets.append({"local": str(path), "server": f"/project/{name}"})
    task: dict[str, Any] = {
        "software_config": {"cg_name": "Maya", "cg_version": "2020", "plugins": {}},
        "task_info": {"task_id": "", "user_id": "", "project_id": "", "project_name": "examples", "cg_id": "2000",
                      "platform": "2", "input_cg_file": assets[0]["local"], "frames_per_task": 1, "ram": "64"},
        "scene_info_render": {"defaultRenderLayer": {"common": {"frames": "1-6", "all_camera": ["persp"]}}},
    }
    (folder / "task.json").write_text(json.dumps(task), encoding="utf-8")
    (folder / "upload.json").write_text(json.dumps({"asset": assets}), encoding="utf-8")
    return folder / "task.json", folder / "upload.json"


async def watch(api: AsyncRayvisionAPI, task_id: int, *, interval: float) -> None:
    """Print each status change of the task until it ends."""
    async for event in api.watch([task_id], interval=interval):
        status = event.task.task_status.name if event.task.task_status is not None else "?"
        print(f"task {task_id}: {status}, {event.task.done_frames}/{event.task.total_frames} frames done")


async def render(api: AsyncRayvisionAPI, task_json: Path, upload_json: Path, dest: Path, *,
                 interval: float = 10.0) -> DownloadResult:
    """Submit with the files uploaded, then watch and download the frames as they finish."""
    submitted = await api.submit_analysis(task_json, upload_json, hardware=HARDWARE, upload=True, on_event=show)
    print(f"submitted task {submitted.task_id} with its files uploaded")
    async with asyncio.TaskGroup() as group:
        group.create_task(watch(api, submitted.task_id, interval=interval))
        download = group.create_task(api.download_outputs(submitted.task_id, dest, follow=True, interval=interval,
                                                          on_event=show))
    return download.result()


async def main(dest: Path) -> DownloadResult:
    with tempfile.TemporaryDirectory(prefix="render-job-") as scratch:
        farm = Farm(seed=1, speed=200, storage=Path(scratch) / "farm")  # 200 simulated seconds per second
        assert farm.storage is not None
        sim = Simulator(farm=farm)
        task_json, upload_json = write_analysis(Path(scratch) / "analysis")
        async with AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain,
                                     transport=SimulatorTransport(sim)) as api:
            # The simulator's stand-in engine; for the real one set $RAYVISION_TRANSMITTER (see the README).
            api.transfer = Transfer(api, transmitter=farm.storage.launcher())
            result = await render(api, task_json, upload_json, dest, interval=0.05)
    print(f"{len(result.downloaded)} frames downloaded, {len(result.skipped)} already there, into {result.dest}")
    return result


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("render-output")))
