"""The demo: the SDK's main job, end to end, against the embedded simulator.

It starts a simulated farm behind a loopback HTTP server, creates and submits
N tasks (create → upload task.json → submit), watches them with a live
progress display, restarts failed frames, and returns a summary: status
counts, frames, cost, requests made and wall time.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from .._client import AsyncRayvisionAPI
from ..flows._bulk import PollResult, TaskEvent
from ..models import TaskInfo, TaskStatus
from ..simulator import Farm, Simulator, SimulatorTransport, serve

if TYPE_CHECKING:  # rich is imported when the progress is drawn: ``demo --json`` runs without it
    from rich.console import Console
    from rich.progress import Progress, TaskID
    from rich.table import Table

__all__ = ["DemoSettings", "DemoSummary", "run_demo", "summary_table"]


@attrs.frozen(kw_only=True)
class DemoSettings:
    """What the demo runs: how many tasks, their frames, and how the simulated farm behaves."""

    tasks: int = 6
    frames: str = "1-24[1]"
    failure_rate: float = 0.06
    speed: float = 400.0
    seed: int = 7
    max_restarts: int = 2
    interval: float = 0.1
    in_process: bool = False


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

    def as_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready values (the cost a number, like ``tasks --json``)."""
        return {**attrs.asdict(self), "cost": float(self.cost), "task_ids": list(self.task_ids)}


def _task_json(index: int, frames: str) -> dict[str, Any]:
    return {
        "software_config": {"cg_name": "Maya", "cg_version": "2020", "plugins": {"mtoa": "4.0.0"}},
        "task_info": {"frames": frames, "project_name": "demo", "cg_id": "2000"},
        "scene_info_render": {"defaultRenderLayer": {"common": {"frames": frames, "all_camera": ["persp"]}}},
        "scene": f"shot_{index:03d}.mb",
    }


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


async def run_demo(settings: DemoSettings, console: Console | None = None) -> DemoSummary:
    """Run the demo; draw live progress on ``console`` if given."""
    started = time.perf_counter()
    farm = Farm(seed=settings.seed, speed=settings.speed, failure_rate=settings.failure_rate,
                default_frames=settings.frames)
    sim = Simulator(farm=farm)
    restarts: Counter[int] = Counter()
    async with _client(sim, settings.in_process) as api:
        ids = await asyncio.gather(*(api.submit_task_json(_task_json(i, settings.frames), producer="demo")
                                     for i in range(settings.tasks)))
        if console is None:
            async for event in (watcher := api.watch(ids, interval=settings.interval)):
                if await _restart(api, event, restarts, settings.max_restarts):
                    watcher.add([event.task_id])
            final = await api.poll(ids)
            return _summary(sim, api, final, restarts, started, ids)
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[status]}"), console=console, transient=False,
                            disable=console is None)
        bars: dict[int, TaskID] = {task_id: progress.add_task(f"task {task_id}", total=None, status="SUBMITTED")
                                   for task_id in ids}
        with progress:
            watcher = api.watch(ids, interval=settings.interval)
            async for event in watcher:
                _show(progress, bars[event.task_id], event)
                if await _restart(api, event, restarts, settings.max_restarts):
                    watcher.add([event.task_id])
                    progress.update(bars[event.task_id], status=f"RESTARTED x{restarts[event.task_id]}")
        final = await api.poll(ids)
        return _summary(sim, api, final, restarts, started, ids)


async def _restart(api: AsyncRayvisionAPI, event: TaskEvent, restarts: Counter[int], most: int) -> bool:
    """Restart the failed frames of a task that finished with some, at most ``most`` times; True if restarted."""
    if event.task.task_status is not TaskStatus.FINISHED_HAS_FAILED or restarts[event.task_id] >= most:
        return False
    restarts[event.task_id] += 1
    await api.query.restart_failed_frames([event.task_id])
    return True


def _summary(sim: Simulator, api: AsyncRayvisionAPI, final: PollResult, restarts: Counter[int], started: float,
             ids: list[int]) -> DemoSummary:
    tasks = list(final.tasks.values())
    return DemoSummary(
        statuses=dict(Counter(_status_name(task) for task in tasks)),
        frames_done=sum(task.done_frames or 0 for task in tasks),
        frames_failed=sum(task.failed_frames or 0 for task in tasks),
        restarts=sum(restarts.values()),
        cost=sum((task.render_consume or Decimal(0) for task in tasks), Decimal(0)),
        requests_sent=api.requests_sent,
        requests_served=sum(sim.path_counts.values()),
        wall_time=time.perf_counter() - started,
        task_ids=tuple(ids),
    )


def _show(progress: Progress, bar: TaskID, event: TaskEvent) -> None:
    task = event.task
    progress.update(bar, total=task.total_frames or None, completed=task.done_frames or 0,
                    status=_status_name(task) + (f" ({task.failed_frames} failed)" if task.failed_frames else ""))


def summary_table(summary: DemoSummary) -> Table:
    """The summary as a rich table."""
    from rich.table import Table

    table = Table(title="Demo summary", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for status, count in sorted(summary.statuses.items()):
        table.add_row(f"tasks {status}", str(count))
    table.add_row("frames done", str(summary.frames_done))
    table.add_row("frames failed", str(summary.frames_failed))
    table.add_row("failed-frame restarts", str(summary.restarts))
    table.add_row("cost", f"{summary.cost:.2f}")
    table.add_row("requests made", str(summary.requests_sent))
    table.add_row("wall time", f"{summary.wall_time:.2f} s")
    return table
