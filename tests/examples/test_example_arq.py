"""examples/arq_queue.py: arq workers submit and wait on tasks, against a real Redis server.

No fake Redis: the tests need ``RAYVISION_TEST_REDIS_URL`` (``.ci/run`` starts a redis-server and sets
it). Without it they are skipped with that reason, unless ``RAYVISION_REQUIRE_REDIS=1`` (set by
``.ci/run``), which turns the skip into a failure.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.jobs import JobStatus

from conftest import scripted_failures, task_json
from examples import arq_queue
from rayvision_async import AsyncRayvisionAPI
from rayvision_async.simulator import Farm, Simulator, serve


@pytest.fixture
def redis() -> RedisSettings:
    url = os.environ.get("RAYVISION_TEST_REDIS_URL")
    if not url:
        reason = "RAYVISION_TEST_REDIS_URL is not set: the arq example needs a real Redis server"
        if os.environ.get("RAYVISION_REQUIRE_REDIS") == "1":
            pytest.fail(reason + " (RAYVISION_REQUIRE_REDIS=1)")
        pytest.skip(reason)
    return RedisSettings.from_dsn(url)


def fast_farm() -> Farm:
    farm = Farm(seed=5, speed=20_000, task_limit=10)
    farm.failure_rule = scripted_failures(farm)
    return farm


async def test_two_workers_share_the_queue_and_each_job_submits_exactly_one_task(redis: RedisSettings) -> None:
    async with asyncio.timeout(60):
        results, crew, sim = await arq_queue.run_on_simulator(redis, tasks=12, workers=2, farm=fast_farm())

    assert len(results) == 12
    assert {result["status"] for result in results} == {"FINISHED"}
    assert all(result["done_frames"] == 10 for result in results)
    # one task per job, never a resubmission
    assert sorted(result["task_id"] for result in results) == sorted(sim.farm.tasks)
    assert sim.processed["submit_task"] == 12
    # distributed: both workers took jobs from the queue, and between them ran every job once
    assert [member.jobs_failed for member in crew] == [0, 0]
    assert sum(member.jobs_complete for member in crew) == 12
    assert all(member.jobs_complete > 0 for member in crew)


async def test_a_job_reports_failed_frames_and_a_lost_submit_answer_is_settled_not_resent(
        redis: RedisSettings) -> None:
    sim = Simulator(farm=fast_farm())
    queue = f"renders-{uuid.uuid4().hex}"
    # the first submit reaches the farm but its answer is lost: the SDK reads the task and sees it submitted
    sim.inject("submit_task", kind="reset", after_processing=True)
    pool = await create_pool(redis)
    try:
        async with asyncio.timeout(60), serve(sim) as base_url:
            jobs = await arq_queue.enqueue_renders(pool, queue, [task_json("broken.mb"), task_json("broken.mb")])
            crew = arq_queue.worker(queue, lambda: AsyncRayvisionAPI(
                sim.access_id, sim.access_key, domain=sim.domain, base_url=base_url),
                redis=redis, wait_interval=0.01, max_jobs=1)
            try:
                await crew.async_run()
            finally:
                await crew.close()
            infos = [await job.result_info() for job in jobs]
            statuses = [await job.status() for job in jobs]
    finally:
        await pool.delete(queue)
        await pool.aclose()

    assert all(info is not None and info.success for info in infos)
    assert all(info.job_try == 1 for info in infos if info is not None)  # arq did not run a job again
    assert statuses == [JobStatus.complete, JobStatus.complete]
    for info in infos:
        assert info is not None
        assert info.result["status"] == "FINISHED_HAS_FAILED"
        assert info.result["failed_frames"] == 1
    assert sim.counts["submit_task"] == 2  # one per job: the lost answer was settled, not resent
    assert len(sim.farm.tasks) == 2
    assert (crew.jobs_failed, crew.jobs_complete) == (0, 2)


async def test_task_summary_waits_on_an_existing_task(redis: RedisSettings) -> None:
    sim = Simulator(farm=fast_farm())
    queue = f"renders-{uuid.uuid4().hex}"
    pool = await create_pool(redis)
    try:
        async with asyncio.timeout(60), serve(sim) as base_url:
            def client() -> AsyncRayvisionAPI:
                return AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain,
                                                   base_url=base_url)
            async with client() as api:
                task_id = await api.submit_task_json(task_json("flaky.mb"))
            job = await pool.enqueue_job("task_summary", task_id, _queue_name=queue)
            assert job is not None
            crew = arq_queue.worker(queue, client, redis=redis, wait_interval=0.01)
            try:
                await crew.async_run()
            finally:
                await crew.close()
            result = await job.result(timeout=5)
    finally:
        await pool.delete(queue)
        await pool.aclose()
    assert result == {"task_id": task_id, "status": "FINISHED_HAS_FAILED", "done_frames": 5, "failed_frames": 1}
    assert sim.processed["submit_task"] == 1


async def test_the_example_program_runs(redis: RedisSettings, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("REDIS_URL", os.environ["RAYVISION_TEST_REDIS_URL"])
    async with asyncio.timeout(60):
        await arq_queue.main()
    out = capsys.readouterr().out
    assert "12 renders:" in out
    assert "jobs per worker: [" in out
