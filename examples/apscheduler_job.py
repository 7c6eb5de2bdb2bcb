"""An in-process scheduler job (APScheduler's asyncio scheduler) that polls many tasks periodically
and restarts the failed frames of the tasks that finished with some.

Each run of :meth:`FrameRestartJob.run_once` makes one batched ``poll`` of every task still followed
(100 ids per request, concurrently), restarts the failed frames of each task that finished with failed
frames (at most ``max_restarts`` times per task, ids in batches), and records how the others ended.
A batch that fails does not fail the round: ``poll(..., partial=True)`` keeps the other batches'
results, and the failed batch's tasks are simply asked again next round.
The job is added with ``max_instances=1`` and ``coalesce=True``: a slow round is never run twice at
once, and missed rounds are not replayed.

A restart creates work, so the SDK never retries it once it may have reached the service. If its
outcome is unknown the job counts the restart and decides again from what the next poll shows.

Run it against the embedded simulator::

    python examples/apscheduler_job.py
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

from rayvision_async import AsyncRayvisionAPI, RequestOutcomeUnknownError, TaskStatus
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport

log = logging.getLogger(__name__)

RESTART_BATCH = 100


class FrameRestartJob:
    """Follow tasks until each has ended for good; restart failed frames up to ``max_restarts`` times."""

    def __init__(self, api: AsyncRayvisionAPI, task_ids: Iterable[int], *, max_restarts: int = 1) -> None:
        self.api = api
        self.max_restarts = max_restarts
        self.pending = set(task_ids)
        self.final: dict[int, TaskStatus | None] = {}  # how each task ended for good
        self.restarts: Counter[int] = Counter()
        self.rounds = 0
        self.done = asyncio.Event()
        # restarted tasks whose new render has not been seen yet: id -> the completion time it had
        self._restarted: dict[int, datetime | None] = {}

    async def run_once(self) -> None:
        """One round: poll every pending task, restart failed frames, note the tasks that ended."""
        self.rounds += 1
        if self.pending:
            found = await self.api.poll(self.pending, partial=True)  # a failed batch's ids: asked next round
            to_restart = []
            for task_id, task in found.tasks.items():
                if task_id in self._restarted:
                    if task.is_terminal and task.completed_date == self._restarted[task_id]:
                        continue  # the service still shows the render from before the restart
                    del self._restarted[task_id]
                if not task.is_terminal:
                    continue
                if task.task_status is TaskStatus.FINISHED_HAS_FAILED and self.restarts[task_id] < self.max_restarts:
                    to_restart.append((task_id, task.completed_date))
                else:
                    self.final[task_id] = task.task_status
                    self.pending.discard(task_id)
            for start in range(0, len(to_restart), RESTART_BATCH):
                await self._restart(to_restart[start:start + RESTART_BATCH])
        if not self.pending:
            self.done.set()

    async def _restart(self, tasks: list[tuple[int, datetime | None]]) -> None:
        ids = [task_id for task_id, _ in tasks]
        self.restarts.update(ids)
        try:
            await self.api.query.restart_failed_frames(ids)
        except RequestOutcomeUnknownError:
            log.warning("restarting the failed frames of %d task(s) may not have happened: the next round "
                        "decides again from what the service shows", len(ids))
            return
        self._restarted.update(tasks)


def schedule(scheduler: AsyncIOScheduler, job: FrameRestartJob, *, every: float) -> None:
    """Run ``job`` now and then every ``every`` seconds, one round at a time."""
    scheduler.add_job(job.run_once, "interval", seconds=every, next_run_time=datetime.now(UTC),
                      max_instances=1, coalesce=True, id="rayvision-frame-restarts")


async def run(api: AsyncRayvisionAPI, task_ids: Iterable[int], *, every: float = 60.0,
              max_restarts: int = 1) -> FrameRestartJob:
    """Start a scheduler with the job, wait until every task has ended for good, stop the scheduler."""
    job = FrameRestartJob(api, task_ids, max_restarts=max_restarts)
    scheduler = AsyncIOScheduler(timezone=UTC)
    schedule(scheduler, job, every=every)
    scheduler.start()
    try:
        await job.done.wait()
    finally:
        scheduler.shutdown(wait=False)
    return job


async def main() -> None:
    farm = Farm(seed=4, speed=5000, failure_rate=0.05)
    sim = Simulator(farm=farm)
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain,
                                 transport=SimulatorTransport(sim)) as api:
        task_ids = await asyncio.gather(*(api.submit_task_json({"task_info": {"frames": "1-12[1]"}})
                                          for _ in range(150)))
        job = await run(api, task_ids, every=0.1, max_restarts=2)
    endings = Counter(status.name if status else "UNKNOWN" for status in job.final.values())
    print(f"{len(job.final)} tasks ended after {job.rounds} rounds: "
          + ", ".join(f"{count} {name}" for name, count in sorted(endings.items())))
    print(f"failed-frame restarts: {sum(job.restarts.values())} for {len(job.restarts)} tasks; "
          f"requests made: {sum(sim.counts.values())}")


if __name__ == "__main__":
    asyncio.run(main())
