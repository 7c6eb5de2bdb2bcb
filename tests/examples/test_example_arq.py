"""examples/arq_queue.py: arq workers submit and wait on renders, against a real Redis server.

No fake Redis: most tests use the server at ``RAYVISION_TEST_REDIS_URL`` (``.ci/run`` starts one and
sets it); the Redis-restart test starts its own ``redis-server`` on a free port and stops it by pid.
Without them the tests are skipped with that reason, unless ``RAYVISION_REQUIRE_REDIS=1`` (set by
``.ci/run``), which turns the skip into a failure. Workers in the crash tests are separate processes
(``python examples/arq_queue.py worker``), SIGKILLed by pid; the farm is the simulator served over
loopback HTTP from the test's event loop, so the test reads what the farm saw.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.worker import Retry

from examples import arq_queue
from helpers import durable_runs
from helpers.durable import EXAMPLES, ROOT, ServerProcess, python_path, redis_server, task_json_for
from rayvision_async import AsyncRayvisionAPI
from rayvision_async.simulator import Simulator, SimulatorTransport, serve

#: The crash tests' workers: a run of a job gives up after 2 s, so a killed worker's job runs again 17 s later.
TIMING = arq_queue.Timing(job_timeout=2.0, poll_interval=0.2)


def require_redis(reason: str) -> None:
    if os.environ.get("RAYVISION_REQUIRE_REDIS") == "1":
        pytest.fail(reason + " (RAYVISION_REQUIRE_REDIS=1)")
    pytest.skip(reason)


@pytest.fixture
def redis() -> RedisSettings:
    url = os.environ.get("RAYVISION_TEST_REDIS_URL")
    if not url:
        require_redis("RAYVISION_TEST_REDIS_URL is not set: the arq example needs a real Redis server")
    return arq_queue.redis_settings(url)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    """A redis-server of this test's own, without persistence (a restart keeps nothing)."""
    if shutil.which("redis-server") is None:
        require_redis("redis-server is not installed (apt-get install redis-server)")
    server, url = redis_server(tmp_path)
    server.start(deadline=15)
    try:
        yield server, url
    finally:
        server.stop()


@pytest.fixture
async def pool(redis: RedisSettings) -> AsyncIterator[ArqRedis]:
    connection = await create_pool(redis)
    try:
        yield connection
    finally:
        await connection.aclose()


# -- in one process: the jobs, the producer, the demonstration ----------------------------------------------

async def test_two_workers_share_the_queue_and_every_render_is_reported_once(redis: RedisSettings) -> None:
    async with asyncio.timeout(60):
        reports, sim = await arq_queue.run_on_simulator(redis, renders=12, workers=2,
                                                        farm=durable_runs.render_farm(5, speed=20_000))
    assert len(reports) == 12
    assert {report["status"] for report in reports.values()} == {"FINISHED"}
    assert sorted(report["task_id"] for report in reports.values()) == sorted(sim.farm.tasks)
    assert sim.processed["submit_task"] == 12


async def test_the_example_program_runs(redis: RedisSettings, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("REDIS_URL", os.environ["RAYVISION_TEST_REDIS_URL"])
    async with asyncio.timeout(60):
        await arq_queue.main()
    assert "12 renders:" in capsys.readouterr().out


class FakePool:
    """Stands in for the worker's Redis pool: records the jobs a job enqueues."""

    def __init__(self) -> None:
        self.enqueued: list[tuple[Any, ...]] = []

    async def enqueue_job(self, name: str, *args: Any, **options: Any) -> None:
        self.enqueued.append((name, *args, options["_job_id"]))


def job_context(api: AsyncRayvisionAPI, *, job_try: int = 1) -> dict[str, Any]:
    return {"api": api, "timing": TIMING, "redis": FakePool(), "job_id": "j", "job_try": job_try}


async def test_the_submit_job_enqueues_the_wait_job_and_reports_bad_input_as_a_failure() -> None:
    sim = Simulator(farm=durable_runs.render_farm(31, speed=0))
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=SimulatorTransport(sim)) as api:
        ctx = job_context(api)
        done = await arq_queue.submit_render(ctx, "k-1", task_json_for("k-1"))
        assert ctx["redis"].enqueued == [("wait_render", "k-1", done["task_id"], "render:k-1:wait")]
        refused = await arq_queue.submit_render(ctx, "k-2", {"task_info": float("nan")})
    assert refused["render_key"] == "k-2"
    assert refused["error"].startswith("InvalidInputError: ")
    assert len(ctx["redis"].enqueued) == 1
    assert len(sim.farm.tasks) == 1


async def test_the_submit_job_asks_to_be_run_again_when_the_farm_fails() -> None:
    sim = Simulator(farm=durable_runs.render_farm(31, speed=0))
    sim.inject(None, "http_5xx", times=100)
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=SimulatorTransport(sim)) as api:
        ctx = job_context(api, job_try=3)
        with pytest.raises(Retry) as caught:
            await arq_queue.submit_render(ctx, "k-1", task_json_for("k-1"))
    assert caught.value.defer_score == 8000  # 2 ** job_try seconds
    assert ctx["redis"].enqueued == []


async def test_the_wait_job_runs_again_until_the_task_has_ended_then_reports() -> None:
    farm = durable_runs.render_farm(31, speed=0)
    sim = Simulator(farm=farm)
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=SimulatorTransport(sim)) as api:
        task_id = await api.submit_task_json(task_json_for("k-broken"))
        with pytest.raises(Retry) as caught:
            await arq_queue.wait_render(job_context(api), "k-broken", task_id)
        assert caught.value.defer_score == 200
        farm.advance(600)
        done = await arq_queue.wait_render(job_context(api), "k-broken", task_id)
        # a task the farm does not have: asked again twice, then the render fails
        with pytest.raises(Retry):
            await arq_queue.wait_render(job_context(api, job_try=2), "k-x", 99_999_999)
        lost = await arq_queue.wait_render(job_context(api, job_try=3), "k-x", 99_999_999)
    assert lost == {"render_key": "k-x", "task_id": 99_999_999, "error": "task 99999999 is not on the farm"}
    assert done == {"render_key": "k-broken", "task_id": task_id, "status": "FINISHED_HAS_FAILED",
                    "done_frames": 5, "failed_frames": 1}


async def test_the_producer_reports_a_render_that_failed_for_good(redis: RedisSettings, pool: ArqRedis) -> None:
    sim = Simulator(farm=durable_runs.render_farm(31, speed=20_000))
    queue = f"renders-{uuid.uuid4().hex}"
    wanted = {f"bad-{uuid.uuid4().hex[:6]}": {"task_info": {"frames": "1-3[1]"}}}
    sim.inject("create_task", "error", code=100, times=3)  # the service refuses the task, three runs in a row
    async with serve(sim) as base_url, AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain,
                                                         base_url=base_url) as api:
        stop = asyncio.Event()
        worker = asyncio.create_task(arq_queue.run_worker(api, stop, timing=TIMING, redis=redis, queue_name=queue,
                                                          poll_delay=0.05))
        try:
            await arq_queue.enqueue_renders(pool, wanted, queue)
            async with asyncio.timeout(30):
                reports = await arq_queue.collect_reports(pool, wanted, queue, interval=0.05, grace=TIMING.grace)
        finally:
            stop.set()
            await worker
            await pool.delete(queue)
    (report,) = reports.values()
    assert report["error"].startswith("FailError: ")
    assert sim.counts["create_task"] == arq_queue.REFUSALS_TRIED == 3


@pytest.mark.parametrize("value", ["0", "-3", "soon", "inf"])
def test_bad_timing_settings_are_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("RENDER_POLL_INTERVAL", value)
    with pytest.raises(SystemExit, match="RENDER_POLL_INTERVAL must be a positive number of seconds"):
        arq_queue.Timing.from_environment()


def test_the_command_line_refuses_unknown_commands() -> None:
    done = subprocess.run([sys.executable, str(EXAMPLES / "arq_queue.py"), "launch"], capture_output=True, text=True,
                          timeout=60, check=False, cwd=ROOT, env={**os.environ, "PYTHONPATH": python_path()})
    assert done.returncode == 1
    assert "usage: python examples/arq_queue.py [worker]" in done.stderr


# -- worker processes killed, Redis restarted, 25 % faults ---------------------------------------------------

def assert_clean(run: durable_runs.Run) -> None:
    assert run.figures is not None
    print(run.figures.line(), f"; reported {run.after_return:.1f} s after the workers' return")
    assert run.figures.clean, (run.figures, run.logs())
    assert set(run.reports) == set(run.renders)
    for key, report in run.reports.items():
        expected = ("FINISHED_HAS_FAILED", 1) if key.endswith("-broken") else ("FINISHED", 0)
        assert (report["status"], report["failed_frames"]) == expected, report
    assert run.survivors_alive, "a worker exited\n" + run.logs()
    assert run.sim.internal_errors == []
    assert {"create_task", "upload_json_content", "submit_task", "task_info"} <= {
        r.name for r in run.sim.requests if r.fault}


async def test_killed_workers_lose_nothing_and_submit_nothing_twice(redis: RedisSettings, tmp_path: Path) -> None:
    run = await durable_runs.arq_run(os.environ["RAYVISION_TEST_REDIS_URL"], tmp_path, renders=24, seed=3101,
                                     job_timeout=TIMING.job_timeout)
    assert_clean(run)
    assert run.pending_at_kill > 0
    # the killed workers' jobs ran again once their in-progress keys expired
    assert run.after_return < TIMING.in_progress + 20


async def test_workers_outlive_a_redis_restart_that_loses_every_job(own_redis: tuple[ServerProcess, str],
                                                                     tmp_path: Path) -> None:
    server, url = own_redis
    run = await durable_runs.arq_run(url, tmp_path, renders=20, seed=3202, kill_workers=False,
                                     restart_redis=server, job_timeout=TIMING.job_timeout)
    assert_clean(run)
    # the lost renders were enqueued again once missing for longer than a job can run
    assert run.after_return < TIMING.grace + 20
