"""examples/apscheduler_job.py: the periodic poll-and-restart job under APScheduler, over the simulator."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import pytest

from conftest import task_json
from examples import apscheduler_job
from rayvision_async import AsyncRayvisionAPI, TaskStatus
from rayvision_async.simulator import Simulator


def restarts_sent(sim: Simulator) -> Counter[int]:
    return Counter(task_id for request in sim.requests if request.name == "restart_failed_frames"
                   for task_id in request.body["taskIds"])


async def submit(api: AsyncRayvisionAPI, scenes: list[str]) -> list[int]:
    return list(await asyncio.gather(*(api.submit_task_json(task_json(scene)) for scene in scenes)))


async def test_the_job_follows_many_tasks_and_restarts_failed_frames(rayvision_client: AsyncRayvisionAPI,
                                                                     rayvision_simulator: Simulator) -> None:
    scenes = [f"{kind}{i}.mb" for i in range(50) for kind in ("ok", "flaky", "broken")]  # 150 tasks
    ids = await submit(rayvision_client, scenes)
    submitted = len(rayvision_simulator.requests)  # each submit read its task back once: not the job's polls
    by_kind = {kind: [task_id for task_id, scene in zip(ids, scenes, strict=True) if scene.startswith(kind)]
               for kind in ("ok", "flaky", "broken")}

    async with asyncio.timeout(60):
        job = await apscheduler_job.run(rayvision_client, ids, every=0.02, max_restarts=2)

    assert job.final == {**{task_id: TaskStatus.FINISHED for task_id in by_kind["ok"] + by_kind["flaky"]},
                         **{task_id: TaskStatus.FINISHED_HAS_FAILED for task_id in by_kind["broken"]}}
    assert job.pending == set()
    assert job.rounds >= 3  # the scheduler ran the job periodically, not once
    # a flaky task needed one restart, a broken one used both of its chances, a fine one none
    expected = {**dict.fromkeys(by_kind["flaky"], 1), **dict.fromkeys(by_kind["broken"], 2)}
    assert restarts_sent(rayvision_simulator) == expected
    assert job.restarts == expected
    # polls are batched: at most 100 ids a request, never one request per task
    polls = [request.body["taskIds"] for request in list(rayvision_simulator.requests)[submitted:]
             if request.name == "task_info"]
    assert max(len(ids) for ids in polls) == 100
    assert len(polls) <= 2 * job.rounds


async def test_a_restart_with_an_unknown_outcome_is_decided_again_from_the_next_poll(
        rayvision_client: AsyncRayvisionAPI, rayvision_simulator: Simulator) -> None:
    flaky, broken = await submit(rayvision_client, ["flaky.mb", "broken.mb"])
    # the first restart reaches the farm but its answer is lost: the SDK does not retry it
    rayvision_simulator.inject("restart_failed_frames", kind="reset", after_processing=True)

    async with asyncio.timeout(30):
        job = await apscheduler_job.run(rayvision_client, [flaky, broken], every=0.02, max_restarts=2)

    assert job.final == {flaky: TaskStatus.FINISHED, broken: TaskStatus.FINISHED_HAS_FAILED}
    sent = restarts_sent(rayvision_simulator)
    assert sent[broken] == 2  # never more than max_restarts, the lost answer counted
    assert 1 <= sent[flaky] <= 2


async def test_a_failed_poll_batch_does_not_fail_the_round(rayvision_client: AsyncRayvisionAPI,
                                                            rayvision_simulator: Simulator,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    ids = await submit(rayvision_client, [f"ok{i}.mb" for i in range(250)] + ["flaky.mb"])  # 3 batches a round
    rayvision_simulator.inject("task_info", kind="error", code=600, times=2)  # refused at once, not retried
    async with asyncio.timeout(60):
        job = await apscheduler_job.run(rayvision_client, ids, every=0.02)
    assert job.final == {task_id: TaskStatus.FINISHED for task_id in ids}
    assert job.restarts == {ids[-1]: 1}
    # the job itself never raised (APScheduler would log "Job ... raised an exception")
    assert not [record for record in caplog.records if record.name.startswith("apscheduler")
                and record.levelno >= logging.ERROR]


async def test_the_scheduler_is_stopped_when_the_job_is_done(rayvision_client: AsyncRayvisionAPI) -> None:
    (task_id,) = await submit(rayvision_client, ["ok.mb"])
    async with asyncio.timeout(30):
        job = await apscheduler_job.run(rayvision_client, [task_id], every=0.02)
    rounds = job.rounds
    await asyncio.sleep(0.1)
    assert job.rounds == rounds  # no round ran after the scheduler was shut down


async def test_the_example_program_runs(capsys: pytest.CaptureFixture[str]) -> None:
    async with asyncio.timeout(60):
        await apscheduler_job.main()
    out = capsys.readouterr().out
    assert "150 tasks ended after" in out
    assert "failed-frame restarts:" in out
