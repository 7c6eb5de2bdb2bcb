"""Two ways to use the SDK for many tasks, written as an application would, run against the fake farm.

1. A service that watches several groups of tasks at once, one watcher per group, inside a
   ``TaskGroup``, and collects how each task ended.
2. A job scheduler: a watcher puts every finished task on an ``asyncio.Queue``; worker
   coroutines take them off, and for a task that finished with failed frames they restart
   the failed frames once and wait for the task to finish again.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from helpers.fakefarm import RESTART_FAILED, TASK_INFO, FakeFarm, api_for, task
from rayvision_async import AsyncRayvisionAPI, TaskInfo, TaskStatus

RENDERING = {"taskStatus": 5}
FINISHED = {"taskStatus": 25, "doneFrames": 10, "failedFrames": 0}
WITH_FAILED_FRAMES = {"taskStatus": 30, "doneFrames": 8, "failedFrames": 2}
FAILED = {"taskStatus": 45}


# -- 1. watching groups of tasks concurrently -----------------------------------------------------------


async def watch_group(api: AsyncRayvisionAPI, name: str, task_ids: list[int],
                      finished: dict[str, dict[int, TaskStatus]]) -> None:
    """Follow one group of tasks until each has ended; note how it ended."""
    finished[name] = {}
    async for event in api.watch(task_ids, interval=0.01):
        if event.is_terminal:  # the task will not change any more
            assert event.task.task_status is not None
            finished[name][event.task_id] = event.task.task_status


async def test_a_service_watches_groups_of_tasks_in_a_task_group() -> None:
    # Three projects of four tasks each; every task renders for a few rounds, then ends.
    groups = {"trailer": [101, 102, 103, 104], "teaser": [201, 202, 203, 204], "stills": [301, 302, 303, 304]}
    endings = {101: FINISHED, 102: FINISHED, 103: WITH_FAILED_FRAMES, 104: FINISHED,
               201: FAILED, 202: FINISHED, 203: FINISHED, 204: FINISHED,
               301: FINISHED, 302: WITH_FAILED_FRAMES, 303: FINISHED, 304: FINISHED}
    farm = FakeFarm(tasks=[task(task_id, 0) for task_id in endings],
                    scripts={task_id: [RENDERING] * (task_id % 5) + [ending] for task_id, ending in endings.items()})

    finished: dict[str, dict[int, TaskStatus]] = {}
    async with asyncio.timeout(10), api_for(farm) as api, asyncio.TaskGroup() as group:
        for name, task_ids in groups.items():
            group.create_task(watch_group(api, name, task_ids, finished))
    # Leaving the TaskGroup means every watcher has seen all of its tasks end.

    assert finished == {
        "trailer": {101: TaskStatus.FINISHED, 102: TaskStatus.FINISHED,
                    103: TaskStatus.FINISHED_HAS_FAILED, 104: TaskStatus.FINISHED},
        "teaser": {201: TaskStatus.FAILED, 202: TaskStatus.FINISHED, 203: TaskStatus.FINISHED,
                   204: TaskStatus.FINISHED},
        "stills": {301: TaskStatus.FINISHED, 302: TaskStatus.FINISHED_HAS_FAILED, 303: TaskStatus.FINISHED,
                   304: TaskStatus.FINISHED},
    }
    # each watcher asked only about its own group
    for body in farm.bodies(TASK_INFO):
        assert sum(set(body["taskIds"]) <= set(ids) for ids in groups.values()) == 1


# -- 2. a job scheduler reacting to finished tasks ---------------------------------------------------------


class Scheduler:
    """Watch tasks; N workers handle each finished task; failed frames get one more chance."""

    def __init__(self, api: AsyncRayvisionAPI, workers: int = 3) -> None:
        self.api = api
        self.workers = workers
        self.finished: asyncio.Queue[TaskInfo | None] = asyncio.Queue()
        self.final: dict[int, TaskStatus] = {}  # how each task ended, after any retry
        self.retried: set[int] = set()

    async def run(self, task_ids: list[int]) -> dict[int, TaskStatus]:
        async with asyncio.TaskGroup() as group:
            for _ in range(self.workers):
                group.create_task(self.worker())
            group.create_task(self.watch(task_ids))
        return self.final

    async def watch(self, task_ids: list[int]) -> None:
        """Put every task on the queue as soon as it ends; then tell the workers to stop."""
        async for event in self.api.watch(task_ids, interval=0.01):
            if event.is_terminal:
                await self.finished.put(event.task)
        for _ in range(self.workers):
            await self.finished.put(None)

    async def worker(self) -> None:
        while (finished := await self.finished.get()) is not None:
            assert finished.id is not None
            assert finished.task_status is not None
            task_id = finished.id
            if finished.task_status is TaskStatus.FINISHED_HAS_FAILED and task_id not in self.retried:
                # Some frames failed: render them again (once), and wait for the task to end again.
                self.retried.add(task_id)
                await self.api.query.restart_failed_frames([task_id])
                again = await self.api.wait(task_id, interval=0.01, timeout=5)
                assert again.task_status is not None
                self.final[task_id] = again.task_status
            else:
                self.final[task_id] = finished.task_status


async def test_a_scheduler_restarts_failed_frames_once_per_task() -> None:
    endings = {1: FINISHED, 2: WITH_FAILED_FRAMES, 3: FAILED, 4: WITH_FAILED_FRAMES, 5: FINISHED,
               6: WITH_FAILED_FRAMES}
    farm = FakeFarm(tasks=[task(task_id, 0) for task_id in endings],
                    scripts={task_id: [RENDERING] * task_id + [ending] for task_id, ending in endings.items()})
    # How the farm reacts to a restart: the task renders again; task 6's frames fail a second time.
    second_endings = {2: FINISHED, 4: FINISHED, 6: WITH_FAILED_FRAMES}

    def on_restart(farm: FakeFarm, path: str, body: dict[str, Any]) -> None:
        if path == RESTART_FAILED:
            for task_id in body["taskIds"]:
                farm.task(task_id).update(RENDERING)
                farm.scripts[task_id] = [RENDERING, second_endings[task_id]]
    farm.before = on_restart

    async with asyncio.timeout(10), api_for(farm) as api:
        final = await Scheduler(api, workers=3).run(list(endings))

    assert final == {1: TaskStatus.FINISHED, 2: TaskStatus.FINISHED, 3: TaskStatus.FAILED, 4: TaskStatus.FINISHED,
                     5: TaskStatus.FINISHED, 6: TaskStatus.FINISHED_HAS_FAILED}
    restarts = Counter(task_id for body in farm.bodies(RESTART_FAILED) for task_id in body["taskIds"])
    assert restarts == {2: 1, 4: 1, 6: 1}  # once per task that had failed frames, never for 1, 3, 5
    assert farm.task(6)["failedFrames"] == 2
    assert farm.task(2)["failedFrames"] == 0
