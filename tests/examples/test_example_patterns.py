"""examples/task_group_watch.py and examples/queue_workers.py against the simulator (plugin fixtures)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from conftest import task_json
from examples import queue_workers, task_group_watch
from rayvision_async import AsyncRayvisionAPI, PartialPollError, TaskStatus, errors
from rayvision_async.simulator import Simulator


def restarted_ids(sim: Simulator) -> Counter[int]:
    return Counter(task_id for request in sim.requests if request.name == "restart_failed_frames"
                   for task_id in request.body["taskIds"])


async def test_one_watcher_per_group_in_a_task_group(rayvision_client: AsyncRayvisionAPI,
                                                     rayvision_simulator: Simulator) -> None:
    scenes = {"trailer": ["t1.mb", "t2_broken.mb", "t3.mb"], "teaser": ["s1_broken.mb", "s2.mb"], "stills": ["a.mb"]}
    groups = {name: await task_group_watch.submit_group(rayvision_client, name, names, "1-6[1]")
              for name, names in scenes.items()}

    async with asyncio.timeout(20):
        ended = await task_group_watch.watch_groups(rayvision_client, groups, interval=0.01)

    trailer, teaser, stills = groups["trailer"], groups["teaser"], groups["stills"]
    assert ended == {
        "trailer": {trailer[0]: TaskStatus.FINISHED, trailer[1]: TaskStatus.FINISHED_HAS_FAILED,
                    trailer[2]: TaskStatus.FINISHED},
        "teaser": {teaser[0]: TaskStatus.FINISHED_HAS_FAILED, teaser[1]: TaskStatus.FINISHED},
        "stills": {stills[0]: TaskStatus.FINISHED},
    }
    # each watcher asked only about its own group's tasks
    polls = [request.body["taskIds"] for request in rayvision_simulator.requests if request.name == "task_info"]
    assert polls
    assert all(sum(set(ids) <= set(group) for group in groups.values()) == 1 for ids in polls)


async def test_a_failing_watcher_cancels_the_other_watchers(rayvision_client: AsyncRayvisionAPI,
                                                            rayvision_simulator: Simulator) -> None:
    ids = await task_group_watch.submit_group(rayvision_client, "p", ["a.mb"], "1-6[1]")
    rayvision_simulator.inject("task_info", kind="error", code=403, times=1)  # permission denied: raised at once
    async with asyncio.timeout(20):
        with pytest.raises(ExceptionGroup) as raised:
            await task_group_watch.watch_groups(rayvision_client, {"a": ids, "b": ids}, interval=0.01)
    # one watcher failed (permission refused: watch gives up at once); the other was cancelled, not left
    # running or reported as a second failure
    (failure,) = raised.value.exceptions
    assert isinstance(failure, PartialPollError)
    assert [type(error) for error in failure.errors] == [errors.PermissionDeniedError]


async def test_the_queue_scheduler_restarts_failed_frames_at_most_max_restarts_times(
        rayvision_client: AsyncRayvisionAPI, rayvision_simulator: Simulator) -> None:
    scenes = ["ok1.mb", "flaky1.mb", "broken.mb", "flaky2.mb", "ok2.mb"]
    ids = [await rayvision_client.submit_task_json(task_json(scene)) for scene in scenes]
    ok1, flaky1, broken, flaky2, ok2 = ids

    scheduler = queue_workers.RestartingScheduler(rayvision_client, workers=2, max_restarts=2, interval=0.01,
                                                  wait_timeout=20)
    async with asyncio.timeout(30):
        final = await scheduler.run(ids)

    assert final == {ok1: TaskStatus.FINISHED, flaky1: TaskStatus.FINISHED, broken: TaskStatus.FINISHED_HAS_FAILED,
                     flaky2: TaskStatus.FINISHED, ok2: TaskStatus.FINISHED}
    # flaky tasks needed one restart; the broken one used both of its chances; the others none
    assert restarted_ids(rayvision_simulator) == {flaky1: 1, flaky2: 1, broken: 2}
    assert scheduler.restarts == restarted_ids(rayvision_simulator)
    finished = await rayvision_client.poll(ids)
    assert finished.tasks[broken].failed_frames == 1
    assert finished.tasks[flaky1].failed_frames == 0


async def test_the_examples_main_programs_run(capsys: pytest.CaptureFixture[str]) -> None:
    async with asyncio.timeout(60):
        await task_group_watch.main()
        await queue_workers.main()
    out = capsys.readouterr().out
    assert "trailer:" in out
    assert "teaser:" in out
    assert "stills:" in out
    assert "8 tasks:" in out
