"""A job scheduler on an ``asyncio.Queue``: a watcher feeds finished tasks to worker coroutines.

The watcher puts every task on the queue as soon as it ends. Workers take them off; for a task that
finished with failed frames a worker restarts the failed frames (at most ``max_restarts`` times per
task) and waits for the task to end again. Restarting creates work, so the SDK never retries it once
it may have reached the service: a restart is sent once per decision, never duplicated.

Run it against the embedded simulator::

    python examples/queue_workers.py
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence

from rayvision_async import AsyncRayvisionAPI, TaskEvent, TaskStatus
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport


class RestartingScheduler:
    """Watch tasks; ``workers`` coroutines handle each finished one; failed frames get more chances."""

    def __init__(self, api: AsyncRayvisionAPI, *, workers: int = 3, max_restarts: int = 1,
                 interval: float = 5.0, wait_timeout: float | None = 3600.0) -> None:
        self.api = api
        self.workers = workers
        self.max_restarts = max_restarts
        self.interval = interval
        self.wait_timeout = wait_timeout
        self.finished: asyncio.Queue[TaskEvent | None] = asyncio.Queue()
        self.final: dict[int, TaskStatus | None] = {}  # how each task ended, after any restarts
        self.restarts: Counter[int] = Counter()

    async def run(self, task_ids: Sequence[int]) -> dict[int, TaskStatus | None]:
        """Handle every task until it has ended for good; return how each ended."""
        async with asyncio.TaskGroup() as group:
            for _ in range(self.workers):
                group.create_task(self.worker())
            group.create_task(self.watch(task_ids))
        return self.final

    async def watch(self, task_ids: Sequence[int]) -> None:
        """Put every task on the queue as soon as it ends; then tell each worker to stop."""
        async for event in self.api.watch(task_ids, interval=self.interval):
            if event.is_terminal:
                await self.finished.put(event)
        for _ in range(self.workers):
            await self.finished.put(None)

    async def worker(self) -> None:
        while (event := await self.finished.get()) is not None:
            task_id, task = event.task_id, event.task
            while task.task_status is TaskStatus.FINISHED_HAS_FAILED and self.restarts[task_id] < self.max_restarts:
                self.restarts[task_id] += 1
                await self.api.query.restart_failed_frames([task_id])
                task = await self.api.wait(task_id, interval=self.interval, timeout=self.wait_timeout)
            self.final[task_id] = task.task_status


async def main() -> None:
    farm = Farm(seed=11, speed=5000, failure_rate=0.08)
    sim = Simulator(farm=farm)
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain,
                                 transport=SimulatorTransport(sim)) as api:
        task_ids = await asyncio.gather(*(api.submit_task_json({"task_info": {"frames": "1-20[1]"}})
                                          for _ in range(8)))
        scheduler = RestartingScheduler(api, workers=3, max_restarts=2, interval=0.05)
        final = await scheduler.run(task_ids)
    print(f"{len(final)} tasks: " + ", ".join(f"{n} {s and s.name}" for s, n in Counter(final.values()).items()))
    print(f"failed-frame restarts: {sum(scheduler.restarts.values())} over {len(scheduler.restarts)} tasks")


if __name__ == "__main__":
    asyncio.run(main())
