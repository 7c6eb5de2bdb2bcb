"""A distributed asyncio job queue (arq over Redis): workers submit render tasks and wait on them.

Producers enqueue ``render`` jobs with a task.json; any number of worker processes, on any machines
that reach the Redis server, take them off the queue. Each job submits its task (one awaited SDK call:
create → upload task.json → submit), waits until the task has ended, and returns a small summary
that the producer can await (``await job.result()``). Each worker opens one ``AsyncRayvisionAPI`` at
start-up and shares it between the jobs it runs concurrently (``max_jobs``).

Submitting creates work, so the ``render`` job runs at most once (``max_tries=1``): arq never re-runs
it after a worker died mid-job, and the SDK never resends a submit that may have reached the service.
Waiting is safe to repeat, so ``task_summary`` (the same summary for an existing task id) is left
retryable.

Against the real service, start workers with arq's command line (Redis from ``REDIS_URL``, credentials
from ``RAYVISION_API_ACCESS_ID`` / ``RAYVISION_API_KEY``)::

    arq examples.arq_queue.WorkerSettings

Or run it as a program: a simulated farm on a loopback HTTP server, two workers in burst mode and a
producer, against the Redis server at ``REDIS_URL`` (default ``redis://localhost:6379``)::

    python examples/arq_queue.py
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.worker import Worker, create_worker, func

from rayvision_async import AsyncRayvisionAPI, TaskInfo
from rayvision_async.simulator import Farm, Simulator, serve

ClientFactory = Callable[[], AsyncRayvisionAPI]

#: How long a job waits for its task to end, and how often it asks.
WAIT_TIMEOUT = 24 * 3600.0
WAIT_INTERVAL = 30.0


def redis_settings() -> RedisSettings:
    return RedisSettings.from_dsn(os.environ.get("REDIS_URL", "redis://localhost:6379"))


def client_from_environment() -> AsyncRayvisionAPI:
    """The production client: credentials from the environment (the SDK reads them)."""
    return AsyncRayvisionAPI(domain=os.environ.get("RAYVISION_DOMAIN", "task.renderbus.com"),
                             platform=os.environ.get("RAYVISION_PLATFORM", "4"))


def summary(task: TaskInfo) -> dict[str, Any]:
    """What a job returns (arq pickles it into Redis): plain values only."""
    return {"task_id": task.id, "status": task.task_status.name if task.task_status else None,
            "done_frames": task.done_frames, "failed_frames": task.failed_frames}


async def render(ctx: dict[str, Any], task_json: Mapping[str, Any]) -> dict[str, Any]:
    """Job: submit a task, wait until it has ended, return its summary."""
    api: AsyncRayvisionAPI = ctx["api"]
    task_id = await api.submit_task_json(task_json, producer=f"arq:{ctx.get('job_id', '?')}")
    return summary(await api.wait(task_id, timeout=ctx.get("wait_timeout", WAIT_TIMEOUT),
                                  interval=ctx.get("wait_interval", WAIT_INTERVAL)))


async def task_summary(ctx: dict[str, Any], task_id: int) -> dict[str, Any]:
    """Job: wait until an existing task has ended, return its summary (safe to retry)."""
    api: AsyncRayvisionAPI = ctx["api"]
    return summary(await api.wait(task_id, timeout=ctx.get("wait_timeout", WAIT_TIMEOUT),
                                  interval=ctx.get("wait_interval", WAIT_INTERVAL)))


async def startup(ctx: dict[str, Any]) -> None:
    factory: ClientFactory = ctx.get("client_factory", client_from_environment)
    ctx["api"] = factory()


async def shutdown(ctx: dict[str, Any]) -> None:
    api: AsyncRayvisionAPI | None = ctx.get("api")
    if api is not None:
        await api.aclose()


class WorkerSettings:
    """``arq examples.arq_queue.WorkerSettings``: what a worker process runs."""

    functions = (func(render, max_tries=1), func(task_summary, max_tries=5))
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = redis_settings()
    max_jobs = 50
    job_timeout = WAIT_TIMEOUT + 600


def worker(queue_name: str, client_factory: ClientFactory, *, redis: RedisSettings, burst: bool = True,
           wait_interval: float = WAIT_INTERVAL, max_jobs: int = 50) -> Worker:
    """A worker of ``WorkerSettings`` on ``queue_name`` whose SDK client comes from ``client_factory``."""
    return create_worker(WorkerSettings, redis_settings=redis, queue_name=queue_name, burst=burst,  # type: ignore[arg-type]
                         handle_signals=False, poll_delay=0.02, max_jobs=max_jobs,
                         ctx={"client_factory": client_factory, "wait_interval": wait_interval})


async def enqueue_renders(pool: ArqRedis, queue_name: str, task_jsons: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Producer: one ``render`` job per task.json; returns the arq jobs (await ``job.result()``)."""
    jobs = [await pool.enqueue_job("render", dict(task_json), _queue_name=queue_name) for task_json in task_jsons]
    return [job for job in jobs if job is not None]


async def run_on_simulator(redis: RedisSettings, *, tasks: int = 12, workers: int = 2,
                           farm: Farm | None = None) -> tuple[list[dict[str, Any]], list[Worker], Simulator]:
    """A simulated farm on loopback HTTP, ``workers`` burst workers and a producer on a fresh queue."""
    sim = Simulator(farm=farm or Farm(seed=9, speed=5000, failure_rate=0.05))
    queue_name = f"renders-{uuid.uuid4().hex}"
    async with serve(sim) as base_url:
        def client() -> AsyncRayvisionAPI:
            return AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain, base_url=base_url)

        pool = await create_pool(redis)
        try:
            jobs = await enqueue_renders(pool, queue_name, [
                {"task_info": {"frames": "1-10[1]", "input_cg_file": f"shot{i:03d}.mb"}} for i in range(tasks)])
            crew = [worker(queue_name, client, redis=redis, wait_interval=0.02, max_jobs=4) for _ in range(workers)]
            try:
                await asyncio.gather(*(member.async_run() for member in crew))
            finally:
                await asyncio.gather(*(member.close() for member in crew))
            results = [await job.result(timeout=5) for job in jobs]
        finally:
            await pool.delete(queue_name)
            await pool.aclose()
    return results, crew, sim


async def main() -> None:
    results, crew, _ = await run_on_simulator(redis_settings())
    print(f"{len(results)} renders: " + ", ".join(
        f"{count} {status}" for status, count in Counter(result["status"] for result in results).items()))
    print("jobs per worker:", [member.jobs_complete for member in crew])


if __name__ == "__main__":
    asyncio.run(main())
