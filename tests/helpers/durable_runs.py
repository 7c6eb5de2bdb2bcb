"""The crash scenarios of the durable-workflow examples, shared by their tests and ``benchmarks/durable_renders.py``.

Both run renders through worker processes against a simulated farm with faults of every kind, kill
workers (SIGKILL, by pid) while a submit they sent is processed but unanswered and while they wait on
a poll, start new workers, and collect every report; the arq one can also restart Redis without
persistence. They return what they saw (:class:`Run`); the callers judge it.

* The farm renders a task in ~90 simulated seconds at ``speed`` (a restart adds 60); every fourth render
  is *flaky* (frame 3 fails once) in the Temporal runs, every fifth *broken* (frame 3 always fails).
* "Mid-submit": a one-shot ``slow`` fault holds the answer to a submit the farm has carried out; the
  worker is killed when that request arrives. "Mid-wait": the same on a poll of a submitted render
  (arq), or once every render is submitted and some still render (Temporal, whose wait is one
  heartbeating activity).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.durable import (
    Audit,
    ServerProcess,
    WorkerProcess,
    audit,
    farm_environment,
    fault_plan,
    task_json_for,
    until,
)
from rayvision_async.simulator import Farm, Simulator, serve
from rayvision_async.simulator.farm import SimFrame


@dataclass
class Run:
    """What a scenario saw."""

    renders: list[str]
    sim: Simulator
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    figures: Audit | None = None
    wall: float = 0.0  #: seconds from the first worker's start to the last report
    after_return: float = 0.0  #: seconds from the last workers' start to the last report
    pending_at_kill: int = 0  #: renders still rendering when a worker was killed mid-wait
    survivors_alive: bool = True  #: the workers never killed on purpose were still running at the end
    workers: list[WorkerProcess] = field(default_factory=list)

    def logs(self) -> str:
        return "\n".join(f"--- worker {n} (pid {w.pid}):\n{w.tail()}" for n, w in enumerate(self.workers))


def render_farm(seed: int, speed: float = 40.0) -> Farm:
    """Frame 3 of a ``broken`` scene always fails, of a ``flaky`` one on its first attempt only."""
    farm = Farm(seed=seed, speed=speed, frame_seconds=60, analyse_seconds=30, task_limit=10)

    def fails(frame: SimFrame) -> bool:
        scene = farm.task(frame.task_id).scene_name or ""
        return frame.index == "3" and ("broken" in scene or ("flaky" in scene and frame.attempts == 0))

    farm.failure_rule = fails
    return farm


def render_keys(count: int, *, flaky_every: int = 0, broken_every: int = 5) -> list[str]:
    run = uuid.uuid4().hex[:6]
    keys = []
    for number in range(count):
        kind = ("-broken" if broken_every and number % broken_every == broken_every - 1 else
                "-flaky" if flaky_every and number % flaky_every == 1 else "")
        keys.append(f"r{run}-{number:03d}{kind}")
    return keys


def arrived(sim: Simulator, name: str) -> Callable[[], bool]:
    """True once a request to ``name`` arrived whose answer a one-shot slow fault holds back."""
    return lambda: any(r.name == name and r.fault == "slow" for r in sim.requests)


def submitted(sim: Simulator) -> int:
    return sum(1 for task in sim.farm.tasks.values() if task.submitted_at is not None and not task.parent_id)


async def temporal_run(address: str, workdir: Path, *, renders: int, seed: int, rate: float = 0.25,
                       max_restarts: int = 1, heartbeat: float = 2.0, deadline: float = 120.0) -> Run:
    """Renders through ``examples/temporal_render.py``: one worker killed mid-submit, the next mid-wait."""
    from temporalio.client import Client

    from examples import temporal_render

    keys = render_keys(renders, flaky_every=4, broken_every=renders)  # the last one is broken
    sim = Simulator(farm=render_farm(seed), faults=fault_plan(seed=seed, rate=rate))
    run = Run(keys, sim)
    queue = f"renders-{uuid.uuid4().hex}"
    requests = [temporal_render.RenderRequest(key, task_json_for(key), max_restarts=max_restarts,
                                              wait_interval=0.2, heartbeat_timeout=heartbeat) for key in keys]
    sim.inject("submit_task", "slow", after_processing=True, delay=60.0)
    async with serve(sim) as base_url:
        env = {**farm_environment(sim, base_url), "TEMPORAL_ADDRESS": address, "TEMPORAL_TASK_QUEUE": queue}

        async def new_worker() -> WorkerProcess:
            worker = WorkerProcess("temporal_render.py", env, workdir / f"temporal-worker-{len(run.workers)}.log")
            run.workers.append(worker)
            await worker.start()
            return worker

        client = await Client.connect(address)
        started = time.monotonic()
        first = await new_worker()
        reporting = asyncio.create_task(temporal_render.render_all(client, requests, queue))
        try:
            await until(arrived(sim, "submit_task"), timeout=30, what="the held submit")
            await first.kill()
            second = await new_worker()
            await until(lambda: submitted(sim) >= len(keys), timeout=deadline, what="every render submitted")
            run.pending_at_kill = sum(1 for t in sim.farm.tasks.values() if t.submitted_at and t.is_pending())
            await second.kill()
            await new_worker()
            returned = time.monotonic()
            async with asyncio.timeout(deadline):
                reports = await reporting
            run.after_return = time.monotonic() - returned
            run.wall = time.monotonic() - started
            run.survivors_alive = run.workers[-1].alive()
        except BaseException:
            reporting.cancel()
            raise
        finally:
            for worker in run.workers:
                await worker.stop()
    run.reports = {report.render_key: vars(report) for report in reports}
    run.figures = audit(sim, keys, {key: report["task_id"] for key, report in run.reports.items()})
    return run


async def arq_run(redis_url: str, workdir: Path, *, renders: int, seed: int, rate: float = 0.25,
                  kill_workers: bool = True, restart_redis: ServerProcess | None = None,
                  job_timeout: float = 2.0, deadline: float = 120.0) -> Run:
    """Renders through ``examples/arq_queue.py``, killing workers and/or restarting Redis (no persistence)."""
    from arq import create_pool

    from examples import arq_queue

    timing = arq_queue.Timing(job_timeout=job_timeout, poll_interval=0.2)
    keys = render_keys(renders)
    wanted = {key: task_json_for(key) for key in keys}
    sim = Simulator(farm=render_farm(seed), faults=fault_plan(seed=seed, rate=rate))
    run = Run(keys, sim)
    queue = f"renders-{uuid.uuid4().hex}"
    pool = await create_pool(arq_queue.redis_settings(redis_url))
    async with serve(sim) as base_url:
        env = {**farm_environment(sim, base_url), "REDIS_URL": redis_url, "RENDER_QUEUE": queue,
               "RENDER_JOB_TIMEOUT": str(timing.job_timeout), "RENDER_POLL_INTERVAL": str(timing.poll_interval)}

        async def new_worker() -> WorkerProcess:
            worker = WorkerProcess("arq_queue.py", env, workdir / f"arq-worker-{len(run.workers)}.log")
            run.workers.append(worker)
            await worker.start()
            return worker

        started = time.monotonic()
        collecting = asyncio.create_task(arq_queue.collect_reports(pool, wanted, queue, interval=0.1,
                                                                   grace=timing.grace))
        try:
            survivors: list[WorkerProcess] = []
            if kill_workers:
                sim.inject("submit_task", "slow", after_processing=True, delay=60.0)
                first = await new_worker()
                await arq_queue.enqueue_renders(pool, wanted, queue)
                await until(arrived(sim, "submit_task"), timeout=30, what="the held submit")
                await first.kill()
                sim.inject("task_info", "slow", delay=60.0)
                second = await new_worker()
                await until(arrived(sim, "task_info"), timeout=30, what="the held poll")
                run.pending_at_kill = sum(1 for t in sim.farm.tasks.values() if t.submitted_at and t.is_pending())
                await second.kill()
                survivors = [await new_worker(), await new_worker()]
            else:
                survivors = [await new_worker(), await new_worker()]
                await arq_queue.enqueue_renders(pool, wanted, queue)
            returned = time.monotonic()
            if restart_redis is not None:
                await until(lambda: submitted(sim) >= len(keys) // 3, timeout=deadline, what="a third submitted")
                restart_redis.kill()  # SIGKILL: nothing saved; it comes back empty on the same port
                await asyncio.sleep(1.0)
                restart_redis.start(deadline=15)
            async with asyncio.timeout(deadline):
                run.reports = await collecting
            run.after_return = time.monotonic() - returned
            run.wall = time.monotonic() - started
            run.survivors_alive = all(worker.alive() for worker in survivors)
        except BaseException:
            collecting.cancel()
            raise
        finally:
            for worker in run.workers:
                await worker.stop()
            try:
                await pool.delete(queue)
            finally:
                await pool.aclose()
    run.figures = audit(sim, keys, {key: report.get("task_id") for key, report in run.reports.items()})
    return run
