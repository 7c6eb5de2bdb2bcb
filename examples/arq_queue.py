"""Renders on a distributed asyncio job queue (arq over Redis) that survive killed workers and Redis restarts.

Every render has a **render key** (a name the studio chooses, unique per render, e.g. ``shot042-v7``), and
two jobs whose arq job ids derive from it:

* ``submit_render`` (job ``render:<key>:submit``) creates, uploads and submits the task with
  ``api.submit_task_json(task_json, render_key=key)``, then enqueues the wait job. Run again (arq
  re-runs a job whose worker died once its in-progress key expires; the producer re-enqueues renders
  that Redis lost), it finds the task the key names and resumes it: the farm never gets a render twice.
  The render key is what makes retrying this job safe; the SDK itself never resends a submit blindly.
* ``wait_render`` (job ``render:<key>:wait``) asks for the task's state once and, unless it has ended,
  asks arq to run it again ``$RENDER_POLL_INTERVAL`` seconds later (``Retry``; default 30). Its result is
  the render's report. Each run is one short poll, so a job's timeout fits its work
  (``$RENDER_JOB_TIMEOUT``, default 120 s, not the render's length), and a job of a killed worker runs
  again ``$RENDER_JOB_TIMEOUT + 15`` seconds later, when arq's in-progress key has expired.

A failure that retrying cannot fix (bad input, credentials or permission refused, the service refusing
the task) fails the job; its result says why, and that is the render's report.

**Reconnecting.** Redis commands are retried with back-off for about 20 s (redis-py's ``Retry``), so a
Redis restart does not disturb a worker. When Redis stays away longer, or fails in another way, arq's
main loop ends; :func:`run_worker` (what ``python examples/arq_queue.py worker`` runs) then lets the jobs
in flight end, reconnects with back-off and carries on: the process never exits because of Redis. Run it
under a supervisor (systemd, supervisord) anyway, for the process's own crashes.

**The producer** (:func:`enqueue_renders`, then :func:`collect_reports`) keeps the renders it wants and
watches their jobs. A render whose jobs and report have all vanished (Redis restarted without
persistence) is enqueued again once it has been missing longer than a job can run: it resumes by its
render key, so nothing is submitted twice and nothing is lost.

Workers (Redis from ``$REDIS_URL``, credentials from ``$RAYVISION_API_ACCESS_ID`` /
``$RAYVISION_API_KEY``, the farm's address from ``$RAYVISION_BASE_URL`` if set, the queue from
``$RENDER_QUEUE``)::

    python examples/arq_queue.py worker        # supervised: reconnects after Redis outages
    arq examples.arq_queue.WorkerSettings      # or arq's own command line (exits when Redis is gone)

Or, as a program, a demonstration: a simulated farm on loopback HTTP, two workers and a producer
against the Redis server at ``$REDIS_URL`` (default ``redis://localhost:6379``)::

    python examples/arq_queue.py
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import signal
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.constants import default_queue_name, result_key_prefix
from arq.jobs import DeserializationError, Job, JobResult, JobStatus
from arq.worker import JobExecutionFailed, Retry, create_worker, func
from redis.asyncio.retry import Retry as RedisRetry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from rayvision_async import AsyncRayvisionAPI, DuplicateRenderError, RayvisionError, TaskInfo, Timeouts, errors
from rayvision_async.simulator import Farm, Simulator, serve

log = logging.getLogger("examples.arq_queue")

ClientFactory = Callable[[], AsyncRayvisionAPI]


def _seconds(name: str, default: float) -> float:
    text = os.environ.get(name)
    try:
        value = float(text) if text else default
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise SystemExit(f"{name} must be a positive number of seconds, got {text!r}")
    return value


@dataclasses.dataclass(frozen=True)
class Timing:
    """How long the jobs may run and how often they poll (from ``$RENDER_*``, in seconds)."""

    #: How long one run of a job (a submit, or one poll) may take before it is given up and retried.
    job_timeout: float = 120.0
    #: How often a render's task is asked for its state.
    poll_interval: float = 30.0
    #: The longest a render may take; its wait job (and that arq job) expires after it.
    render_limit: float = 7 * 24 * 3600.0

    @classmethod
    def from_environment(cls) -> Timing:
        return cls(_seconds("RENDER_JOB_TIMEOUT", cls.job_timeout),
                   _seconds("RENDER_POLL_INTERVAL", cls.poll_interval), _seconds("RENDER_LIMIT", cls.render_limit))

    @property
    def in_progress(self) -> float:
        """How long after a worker died its job runs again: arq's in-progress key outlives a run by 10 s."""
        return self.job_timeout + 5 + 10

    @property
    def grace(self) -> float:
        """How long a render's jobs must have been missing before the producer enqueues it again."""
        return self.in_progress


#: How many runs a submit may take (each failed one backs off, up to a minute).
SUBMIT_TRIES = 20
#: How many runs a submit the service refused gets before the render is reported refused.
REFUSALS_TRIED = 3
#: Errors that retrying cannot fix: the job fails and reports why.
PERMANENT = (errors.InvalidInputError, errors.PermissionDeniedError, errors.ParameterError, errors.FailError,
             errors.LoginRequiredError, errors.RegionMismatchError, errors.SignatureInvalidError,
             errors.IPProhibitedError, DuplicateRenderError)


def submit_job_id(render_key: str) -> str:
    return f"render:{render_key}:submit"


def wait_job_id(render_key: str) -> str:
    return f"render:{render_key}:wait"


def redis_settings(url: str | None = None) -> RedisSettings:
    """``$REDIS_URL``'s settings, every command retried with back-off (0.05 s doubling to 2 s) for ~20 s."""
    settings = RedisSettings.from_dsn(url or os.environ.get("REDIS_URL", "redis://localhost:6379"))
    return dataclasses.replace(
        settings, conn_retries=5, conn_retry_delay=1,
        retry=RedisRetry(ExponentialBackoff(cap=2.0, base=0.05), retries=14),
        retry_on_error=[RedisConnectionError, RedisTimeoutError, OSError])


def client_from_environment() -> AsyncRayvisionAPI:
    """The SDK client: credentials and ``$RAYVISION_BASE_URL`` from the environment (the SDK reads them).

    ``$RAYVISION_TIMEOUT`` (seconds) bounds each wait for bytes, and twice it one whole attempt of a
    request (default: the SDK's 30 s, and 60 s).
    """
    seconds = _seconds("RAYVISION_TIMEOUT", 30.0) if os.environ.get("RAYVISION_TIMEOUT") else None
    return AsyncRayvisionAPI(domain=os.environ.get("RAYVISION_DOMAIN", "task.renderbus.com"),
                             platform=os.environ.get("RAYVISION_PLATFORM", "4"),
                             timeout=Timeouts(seconds, total=2 * seconds) if seconds else 30.0)


def report(render_key: str, task: TaskInfo) -> dict[str, Any]:
    """A render's report (arq pickles it into Redis): plain values only."""
    return {"render_key": render_key, "task_id": task.id,
            "status": task.task_status.name if task.task_status else None,
            "done_frames": task.done_frames, "failed_frames": task.failed_frames}


def failure(render_key: str, why: BaseException | str, task_id: int | None = None) -> dict[str, Any]:
    """The report of a render that cannot go on. A job returns it rather than raising: an exception of
    this module would be pickled under ``__main__`` by a worker run as a script, unreadable elsewhere."""
    text = why if isinstance(why, str) else f"{type(why).__name__}: {why}"
    return {"render_key": render_key, "task_id": task_id, "error": text}


def _retry_later(ctx: dict[str, Any], exc: BaseException, *, defer: float) -> Retry:
    log.warning("%s (try %s): %s: %s; again in %.1f s", ctx.get("job_id"), ctx.get("job_try"),
                type(exc).__name__, exc, defer)
    return Retry(defer=defer)


# -- the jobs -------------------------------------------------------------------------------------------------

async def submit_render(ctx: dict[str, Any], render_key: str, task_json: Mapping[str, Any]) -> dict[str, Any]:
    """Job: submit the render (or resume the task its key names) and enqueue its wait job.

    Returns ``{"render_key", "task_id"}``, or the render's :func:`failure` report.
    """
    api: AsyncRayvisionAPI = ctx["api"]
    timing: Timing = ctx["timing"]
    pool: ArqRedis = ctx["redis"]
    try:
        async with asyncio.timeout(timing.job_timeout):  # the whole run, so that arq's own timeout never strikes
            task_id = await api.submit_task_json(task_json, render_key=render_key)
            await pool.enqueue_job("wait_render", render_key, task_id, _job_id=wait_job_id(render_key),
                                   _expires=timedelta(seconds=timing.render_limit))  # None: enqueued already
    except errors.FailError as exc:  # refused: perhaps one the key recovers from (a task.json not kept)
        if ctx.get("job_try", 1) >= REFUSALS_TRIED:
            return failure(render_key, exc)
        raise _retry_later(ctx, exc, defer=1.0) from exc
    except PERMANENT as exc:
        return failure(render_key, exc)
    except (RayvisionError, RedisError, TimeoutError) as exc:  # outcome unknown, network, outages: resume later
        raise _retry_later(ctx, exc, defer=min(2.0 ** ctx.get("job_try", 1), 60.0)) from exc
    return {"render_key": render_key, "task_id": task_id}


async def wait_render(ctx: dict[str, Any], render_key: str, task_id: int) -> dict[str, Any]:
    """Job: ask for the task's state once; its report if it has ended (or a :func:`failure`), else run again."""
    api: AsyncRayvisionAPI = ctx["api"]
    timing: Timing = ctx["timing"]
    try:
        async with asyncio.timeout(timing.job_timeout):
            found = await api.poll([task_id])
    except PERMANENT as exc:
        return failure(render_key, exc, task_id)
    except (RayvisionError, TimeoutError) as exc:
        raise _retry_later(ctx, exc, defer=timing.poll_interval) from exc
    task = found.tasks.get(task_id)
    if task is None:
        if ctx.get("job_try", 1) >= 3:
            return failure(render_key, f"task {task_id} is not on the farm", task_id)
        raise Retry(defer=timing.poll_interval)
    if not task.is_terminal:
        raise Retry(defer=timing.poll_interval)
    return report(render_key, task)


async def startup(ctx: dict[str, Any]) -> None:
    if "api" not in ctx:  # arq's command line: the worker owns its client
        ctx["api"] = client_from_environment()
        ctx["owns_api"] = True


async def shutdown(ctx: dict[str, Any]) -> None:
    if ctx.pop("owns_api", False):
        await ctx.pop("api").aclose()


def worker_settings(timing: Timing) -> dict[str, Any]:
    """What a worker runs: the two jobs, their timeouts (arq cancels a run at its timeout) and tries.

    A run gives up by itself at ``job_timeout`` (and asks to be retried); arq's own timeout, 5 s later,
    is only a backstop, because arq fails a job for good when it times out.
    """
    return {
        "functions": [
            func(submit_render, timeout=timing.job_timeout + 5, max_tries=SUBMIT_TRIES,
                 keep_result=timedelta(days=1)),
            func(wait_render, timeout=timing.job_timeout + 5,
                 max_tries=int(timing.render_limit / timing.poll_interval) + 100,
                 keep_result=timedelta(seconds=timing.render_limit)),
        ],
        "on_startup": startup, "on_shutdown": shutdown, "redis_settings": redis_settings(),
        "queue_name": os.environ.get("RENDER_QUEUE", default_queue_name), "max_jobs": 50, "ctx": {"timing": timing},
    }


class WorkerSettings:
    """``arq examples.arq_queue.WorkerSettings``: arq's own command line (no reconnecting supervisor)."""

    _settings = worker_settings(Timing.from_environment())
    functions = _settings["functions"]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = _settings["redis_settings"]
    queue_name = _settings["queue_name"]
    max_jobs = _settings["max_jobs"]
    ctx = _settings["ctx"]


# -- a worker that outlives Redis outages ------------------------------------------------------------------

async def run_worker(api: AsyncRayvisionAPI, stop: asyncio.Event, *, timing: Timing | None = None,
                     redis: RedisSettings | None = None, queue_name: str | None = None, max_jobs: int = 50,
                     poll_delay: float = 0.5) -> None:
    """Run a worker until ``stop`` is set. When Redis fails, let the jobs in flight end, reconnect, go on.

    Waiting for the jobs in flight before reconnecting means one process never runs the same job twice
    at once. On ``stop`` the jobs in flight are cancelled, and arq runs them again later.
    """
    timing = timing or Timing.from_environment()
    settings = {**worker_settings(timing), "ctx": {"api": api, "timing": timing}, "handle_signals": False,
                "max_jobs": max_jobs, "poll_delay": poll_delay}
    if redis is not None:
        settings["redis_settings"] = redis
    if queue_name is not None:
        settings["queue_name"] = queue_name
    back_off = 0.5
    while not stop.is_set():
        worker = create_worker(settings)
        started = time.monotonic()
        main = asyncio.create_task(worker.main())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({main, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            main.cancel()
            with contextlib.suppress(asyncio.CancelledError, RedisError, OSError):
                await main
            with contextlib.suppress(RedisError, OSError):
                await worker.close()
            return
        stopping.cancel()
        error = main.exception() if not main.cancelled() else None
        log.warning("worker lost Redis (%s: %s); jobs in flight finish, then it reconnects",
                    type(error).__name__, error)
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)  # each ends by its timeout
        with contextlib.suppress(Exception):
            await worker.pool.close(close_connection_pool=True)
        back_off = 0.5 if time.monotonic() - started > 60 else min(back_off * 2, 30.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), back_off)


async def worker_main() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with client_from_environment() as api:
        timing = Timing.from_environment()
        print(f"worker: queue {worker_settings(timing)['queue_name']!r}, {timing}", flush=True)
        await run_worker(api, stop, timing=timing)


# -- the producer ---------------------------------------------------------------------------------------------

async def enqueue_renders(pool: ArqRedis, renders: Mapping[str, Mapping[str, Any]], queue_name: str) -> None:
    """Enqueue a submit job per render (render key → task.json); a render already enqueued is left as it is."""
    for render_key, task_json in renders.items():
        await pool.enqueue_job("submit_render", render_key, dict(task_json), _job_id=submit_job_id(render_key),
                               _queue_name=queue_name)


#: A render still on its way (its submit or wait job is queued, deferred or running).
PENDING = "pending"
#: A render whose jobs Redis lost: nothing of it is queued or running, and it has no report.
GONE = "gone"


def _lost_by_redis(result: JobResult) -> bool:
    """arq found the job in its queue without the job itself: Redis came back with part of its state."""
    return not result.success and isinstance(result.result, JobExecutionFailed) and str(result.result) == "job expired"


async def _result(job: Job, render_key: str) -> JobResult | dict[str, Any] | None:
    try:
        return await job.result_info()
    except DeserializationError as exc:
        return failure(render_key, f"the result of job {job.job_id} cannot be read: {exc}")


async def render_state(pool: ArqRedis, render_key: str, queue_name: str) -> dict[str, Any] | str:
    """The render's report (a failed render's has ``error``), else :data:`PENDING` or :data:`GONE`."""
    wait = Job(wait_job_id(render_key), pool, _queue_name=queue_name)
    waited = await _result(wait, render_key)
    if isinstance(waited, dict):
        return waited
    if waited is not None and not _lost_by_redis(waited):
        return dict(waited.result) if waited.success else failure(render_key, str(waited.result))
    if waited is None and await wait.status() is not JobStatus.not_found:
        return PENDING
    submit = Job(submit_job_id(render_key), pool, _queue_name=queue_name)
    submitted = await _result(submit, render_key)
    if isinstance(submitted, dict):
        return submitted
    if submitted is not None and not _lost_by_redis(submitted):
        if not submitted.success:  # arq gave up on it (max tries): a failure of its own
            return failure(render_key, str(submitted.result))
        if "error" in submitted.result:  # the service refused the render
            return dict(submitted.result)
    if submitted is None and await submit.status() is not JobStatus.not_found:
        return PENDING
    return GONE  # nothing queued, nothing running, no report: Redis lost the render's jobs


async def collect_reports(pool: ArqRedis, renders: Mapping[str, Mapping[str, Any]], queue_name: str, *,
                          interval: float = 1.0, grace: float = Timing().grace) -> dict[str, dict[str, Any]]:
    """Every render's report (by render key), enqueueing again a render whose jobs Redis lost.

    A render is enqueued again only after its jobs have been gone for ``grace`` seconds (the workers'
    ``Timing.grace``: longer than a job can run), so that a run of it still going somewhere has ended first.
    """
    reports: dict[str, dict[str, Any]] = {}
    gone_since: dict[str, float] = {}
    while len(reports) < len(renders):
        try:
            for render_key, task_json in renders.items():
                if render_key in reports:
                    continue
                state = await render_state(pool, render_key, queue_name)
                if isinstance(state, dict):
                    reports[render_key] = state
                elif state == PENDING:
                    gone_since.pop(render_key, None)
                elif time.monotonic() - gone_since.setdefault(render_key, time.monotonic()) > grace:
                    log.warning("render %s: its jobs are gone (Redis lost them); enqueued again", render_key)
                    await pool.delete(result_key_prefix + submit_job_id(render_key),
                                      result_key_prefix + wait_job_id(render_key))
                    await enqueue_renders(pool, {render_key: task_json}, queue_name)
                    gone_since.pop(render_key, None)
        except (RedisError, OSError) as exc:
            log.warning("producer lost Redis (%s: %s); asking again", type(exc).__name__, exc)
        if len(reports) < len(renders):
            await asyncio.sleep(interval)
    return reports


# -- the demonstration ----------------------------------------------------------------------------------------

async def run_on_simulator(redis: RedisSettings, *, renders: int = 12, workers: int = 2,
                           farm: Farm | None = None) -> tuple[dict[str, dict[str, Any]], Simulator]:
    """A simulated farm on loopback HTTP, ``workers`` workers and a producer on a fresh queue."""
    sim = Simulator(farm=farm or Farm(seed=9, speed=5000, failure_rate=0.05))
    queue_name = f"renders-{uuid.uuid4().hex}"
    batch = uuid.uuid4().hex[:8]
    wanted = {f"demo-{batch}-{number:03d}": {"task_info": {"frames": "1-10[1]", "input_cg_file": f"s{number:03d}.mb"}}
              for number in range(renders)}
    async with serve(sim) as base_url:
        def client() -> AsyncRayvisionAPI:
            return AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain, base_url=base_url)

        pool = await create_pool(redis)
        stop = asyncio.Event()
        apis = [client() for _ in range(workers)]
        timing = Timing(job_timeout=10, poll_interval=0.05)
        crew = [asyncio.create_task(run_worker(api, stop, timing=timing, redis=redis, queue_name=queue_name,
                                               poll_delay=0.05)) for api in apis]
        try:
            await enqueue_renders(pool, wanted, queue_name)
            reports = await collect_reports(pool, wanted, queue_name, interval=0.1, grace=timing.grace)
        finally:
            stop.set()
            await asyncio.gather(*crew)
            for api in apis:
                await api.aclose()
            await pool.delete(queue_name)
            await pool.aclose()
    return reports, sim


async def main() -> None:
    reports, _ = await run_on_simulator(redis_settings())
    ended = Counter(report.get("status", "not submitted") for report in reports.values())
    print(f"{len(reports)} renders: " + ", ".join(f"{count} {status}" for status, count in ended.items()))


def cli(argv: Sequence[str]) -> None:
    if argv == ["worker"]:
        asyncio.run(worker_main())
    elif not argv:
        asyncio.run(main())
    else:
        raise SystemExit("usage: python examples/arq_queue.py [worker]")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    cli(sys.argv[1:])
