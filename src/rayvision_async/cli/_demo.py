"""The demo: the whole render job, end to end, against the embedded simulator, offline and without setup.

It starts a simulated farm with file storage (a temporary folder, or ``farm_storage``) behind a
loopback HTTP server, and points the client's transfers at the simulator's stand-in engine for
that storage. For each of N tasks it writes what a scene analyzer writes (task.json, upload.json,
tips.json) and the scene files upload.json lists, then:

1. checks, uploads (the documents and the scene files, through the engine) and submits each
   (``submit_analysis(..., upload=True)``);
2. watches them with a live progress display, restarting failed frames (at most twice a task);
3. downloads every task's frames into ``dest`` (default: a temporary folder) and compares them
   byte for byte with the files the simulated render wrote.

The summary: status counts, frames, cost, files and bytes up and down, whether the frames on
disk match the farm's, requests made and wall time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._client import AsyncRayvisionAPI
from ..flows._bulk import PollResult, TaskEvent
from ..models import TaskInfo, TaskStatus
from ..simulator import Farm, Simulator, SimulatorTransport, serve
from ..transfer import DownloadResult, Transfer
from ._transfers import TransferBars, TransferCount

if TYPE_CHECKING:  # rich is imported when the progress is drawn: ``demo --json`` runs without it
    from rich.console import Console
    from rich.progress import Progress, TaskID
    from rich.table import Table

    from ..simulator.farm._storage import FarmStorage

__all__ = ["DemoSettings", "DemoSummary", "run_demo", "summary_table"]

_HARDWARE = {"model": "Default", "ram": "64GB", "gpuNum": None}


@attrs.frozen(kw_only=True)
class DemoSettings:
    """What the demo runs: how many tasks, their frames, how the simulated farm behaves, where files stay."""

    tasks: int = 6
    frames: str = "1-24[1]"
    failure_rate: float = 0.06
    speed: float = 400.0
    seed: int = 7
    max_restarts: int = 2
    interval: float = 0.1
    in_process: bool = False
    #: Where the frames are downloaded (None: a temporary folder, removed at the end).
    dest: str | None = None
    #: Where the simulated farm keeps its files (None: a temporary folder, removed at the end).
    farm_storage: str | None = None


@attrs.frozen(kw_only=True)
class DemoSummary:
    """The demo's outcome."""

    statuses: dict[str, int]
    frames_done: int
    frames_failed: int
    restarts: int
    cost: Decimal
    requests_sent: int
    requests_served: int
    wall_time: float
    task_ids: tuple[int, ...]
    #: Files (documents and scene files) and bytes sent through the transfer engine.
    files_uploaded: int = 0
    bytes_uploaded: int = 0
    #: Frames and bytes downloaded.
    files_downloaded: int = 0
    bytes_downloaded: int = 0
    #: Whether every frame the farm rendered is on disk with the same bytes (and nothing else is).
    outputs_match: bool = False
    #: Where the frames were downloaded (None: a temporary folder, removed).
    dest: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready values (the cost a number, like ``tasks --json``)."""
        return {**attrs.asdict(self), "cost": float(self.cost), "task_ids": list(self.task_ids)}


def _write_scene(folder: Path, index: int, frames: str) -> dict[str, Path]:
    """What a scene analyzer leaves for one shot: task.json, upload.json, tips.json and the scene's files."""
    name = f"shot_{index:03d}"
    scene = folder / "scene" / f"{name}.mb"
    texture = folder / "scene" / "textures" / f"{name}_diffuse.png"
    texture.parent.mkdir(parents=True, exist_ok=True)
    seed = hashlib.sha256(name.encode()).digest()
    scene.write_bytes(b"//Maya ASCII 2020 scene\n" + seed * (64 + index))
    texture.write_bytes(b"\x89PNG\r\n\x1a\n" + seed[::-1] * 48)
    documents = {
        "task.json": {
            "software_config": {"cg_name": "Maya", "cg_version": "2020", "plugins": {"mtoa": "4.0.0"}},
            "task_info": {"task_id": "", "user_id": "", "project_id": "", "project_name": "demo", "cg_id": "2000",
                          "platform": "2", "input_cg_file": str(scene), "frames_per_task": 1, "time_out": 43200,
                          "ram": "64"},
            "scene_info_render": {"defaultRenderLayer": {"common": {"frames": frames, "all_camera": ["persp"]}}},
        },
        "upload.json": {"asset": [{"local": str(path), "server": f"/demo/{name}/{path.relative_to(folder)}"}
                                  for path in (scene, texture)]},
        "tips.json": {},
    }
    paths = {}
    for file_name, document in documents.items():
        paths[file_name] = folder / file_name
        paths[file_name].write_text(json.dumps(document, indent=2), encoding="utf-8")
    return paths


@contextlib.asynccontextmanager
async def _client(sim: Simulator, in_process: bool) -> AsyncIterator[AsyncRayvisionAPI]:
    if in_process:
        async with AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain,
                                     transport=SimulatorTransport(sim)) as api:
            yield api
        return
    async with serve(sim) as base_url, AsyncRayvisionAPI(
        sim.access_id, sim.access_key, domain=sim.domain, base_url=base_url
    ) as api:
        yield api


def _status_name(task: TaskInfo) -> str:
    status = task.task_status
    return "UNKNOWN" if status is None else status.name


@attrs.define
class _Job:
    """What the demo did so far, for its summary."""

    started: float
    ids: list[int] = attrs.Factory(list)
    restarts: Counter[int] = attrs.Factory(Counter)
    uploaded: dict[str, int] = attrs.Factory(lambda: {"files": 0, "bytes": 0})
    downloads: list[DownloadResult] = attrs.Factory(list)
    outputs_match: bool = False


async def run_demo(settings: DemoSettings, console: Console | None = None) -> DemoSummary:
    """Run the demo; draw live progress on ``console`` if given."""
    job = _Job(started=time.perf_counter())
    with contextlib.ExitStack() as folders:
        work = Path(folders.enter_context(tempfile.TemporaryDirectory(prefix="rayvision-demo-")))
        storage = settings.farm_storage or folders.enter_context(
            tempfile.TemporaryDirectory(prefix="rayvision-demo-farm-"))
        dest = Path(settings.dest) if settings.dest is not None else work / "frames"
        farm = Farm(seed=settings.seed, speed=settings.speed, failure_rate=settings.failure_rate,
                    default_frames=settings.frames, storage=storage)
        assert farm.storage is not None
        sim = Simulator(farm=farm)
        scenes = [_write_scene(work / f"shot_{index:03d}", index, settings.frames) for index in range(settings.tasks)]
        async with _client(sim, settings.in_process) as api:
            api.transfer = Transfer(api, transmitter=str(farm.storage.launcher()))
            await _submit(api, scenes, job, console)
            final = await _watch(api, job, settings, console)
            await _download(api, dest, job, console)
            job.outputs_match = _same_files(farm.storage, dest)
            return _summary(sim, api, final, job, settings.dest)


async def _submit(api: AsyncRayvisionAPI, scenes: list[dict[str, Path]], job: _Job, console: Console | None) -> None:
    """Check, upload and submit every scene (concurrently); their task ids in scene order."""
    shown = TransferBars(console, group="uploading scenes") if console is not None else TransferCount()
    with shown:
        submitted = await asyncio.gather(*(
            api.submit_analysis(paths["task.json"], paths["upload.json"], tips_json=paths["tips.json"],
                                hardware=_HARDWARE, producer="demo", upload=True,
                                on_event=shown.scoped(paths["task.json"].parent.name))
            for paths in scenes))
    job.ids = [done.task_id for done in submitted]
    job.uploaded = shown.totals()


async def _watch(api: AsyncRayvisionAPI, job: _Job, settings: DemoSettings, console: Console | None) -> PollResult:
    """Watch the tasks to their end, restarting failed frames; their final states."""
    ids = job.ids
    if console is None:
        async for event in (watcher := api.watch(ids, interval=settings.interval)):
            if await _restart(api, event, job.restarts, settings.max_restarts):
                watcher.add([event.task_id])
        return await api.poll(ids)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[status]}"), console=console, transient=False)
    bars: dict[int, TaskID] = {task_id: progress.add_task(f"task {task_id}", total=None, status="SUBMITTED")
                               for task_id in ids}
    with progress:
        watcher = api.watch(ids, interval=settings.interval)
        async for event in watcher:
            _show(progress, bars[event.task_id], event)
            if await _restart(api, event, job.restarts, settings.max_restarts):
                watcher.add([event.task_id])
                progress.update(bars[event.task_id], status=f"RESTARTED x{job.restarts[event.task_id]}")
    return await api.poll(ids)


async def _download(api: AsyncRayvisionAPI, dest: Path, job: _Job, console: Console | None) -> None:
    shown = TransferBars(console, group="downloading frames") if console is not None else TransferCount()
    with shown:
        job.downloads = list(await asyncio.gather(*(
            api.download_outputs(task_id, dest, on_event=shown.scoped(f"task {task_id}")) for task_id in job.ids)))


def _same_files(storage: FarmStorage, dest: Path) -> bool:
    """Whether the tasks' folders in ``dest`` hold exactly the frames the farm wrote, byte for byte."""
    outputs = storage.root / f"{storage.output_bid}-{storage.user_id}"
    rendered = {path.relative_to(outputs): path for path in outputs.glob("*/*") if path.is_file()}
    folders = {name.parts[0] for name in rendered}
    downloaded = {path.relative_to(dest): path for folder in folders for path in (dest / folder).glob("*")
                  if path.is_file()}
    return bool(rendered) and rendered.keys() == downloaded.keys() and all(
        rendered[name].read_bytes() == downloaded[name].read_bytes() for name in rendered)


async def _restart(api: AsyncRayvisionAPI, event: TaskEvent, restarts: Counter[int], most: int) -> bool:
    """Restart the failed frames of a task that finished with some, at most ``most`` times; True if restarted."""
    if event.task.task_status is not TaskStatus.FINISHED_HAS_FAILED or restarts[event.task_id] >= most:
        return False
    restarts[event.task_id] += 1
    await api.query.restart_failed_frames([event.task_id])
    return True


def _summary(sim: Simulator, api: AsyncRayvisionAPI, final: PollResult, job: _Job, dest: str | None) -> DemoSummary:
    tasks = list(final.tasks.values())
    return DemoSummary(
        statuses=dict(Counter(_status_name(task) for task in tasks)),
        frames_done=sum(task.done_frames or 0 for task in tasks),
        frames_failed=sum(task.failed_frames or 0 for task in tasks),
        restarts=sum(job.restarts.values()),
        cost=sum((task.render_consume or Decimal(0) for task in tasks), Decimal(0)),
        requests_sent=api.requests_sent,
        requests_served=sum(sim.path_counts.values()),
        wall_time=time.perf_counter() - job.started,
        task_ids=tuple(job.ids),
        files_uploaded=job.uploaded["files"],
        bytes_uploaded=job.uploaded["bytes"],
        files_downloaded=sum(len(done.downloaded) for done in job.downloads),
        bytes_downloaded=sum(done.bytes for done in job.downloads),
        outputs_match=job.outputs_match,
        dest=dest,
    )


def _show(progress: Progress, bar: TaskID, event: TaskEvent) -> None:
    task = event.task
    progress.update(bar, total=task.total_frames or None, completed=task.done_frames or 0,
                    status=_status_name(task) + (f" ({task.failed_frames} failed)" if task.failed_frames else ""))


def summary_table(summary: DemoSummary) -> Table:
    """The summary as a rich table."""
    from rich.table import Table

    from ._transfers import size

    table = Table(title="Demo summary", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for status, count in sorted(summary.statuses.items()):
        table.add_row(f"tasks {status}", str(count))
    table.add_row("frames done", str(summary.frames_done))
    table.add_row("frames failed", str(summary.frames_failed))
    table.add_row("failed-frame restarts", str(summary.restarts))
    table.add_row("cost", f"{summary.cost:.2f}")
    table.add_row("files uploaded", f"{summary.files_uploaded} ({size(summary.bytes_uploaded)})")
    table.add_row("frames downloaded", f"{summary.files_downloaded} ({size(summary.bytes_downloaded)})")
    table.add_row("frames match the farm's", "yes" if summary.outputs_match else "NO")
    if summary.dest is not None:
        table.add_row("frames in", summary.dest)
    table.add_row("requests made", str(summary.requests_sent))
    table.add_row("wall time", f"{summary.wall_time:.2f} s")
    return table
