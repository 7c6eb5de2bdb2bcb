"""Watch several groups of tasks at once: one watcher per group, inside an ``asyncio.TaskGroup``.

A service that tracks projects (groups of tasks) runs one ``api.watch`` per project concurrently and
collects how each task ended. Leaving the ``TaskGroup`` means every watcher has seen all of its tasks
end; if one watcher fails, the group cancels the others and raises the failure.

Run it against the embedded simulator::

    python examples/task_group_watch.py
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence

from rayvision_async import AsyncRayvisionAPI, TaskStatus
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport


async def watch_group(api: AsyncRayvisionAPI, task_ids: Sequence[int], *, interval: float) -> dict[int, TaskStatus]:
    """Follow one group of tasks until each has ended; return how each ended."""
    ended: dict[int, TaskStatus] = {}
    async for event in api.watch(task_ids, interval=interval):
        if event.is_terminal and event.task.task_status is not None:  # the task will not change any more
            ended[event.task_id] = event.task.task_status
    return ended


async def watch_groups(
    api: AsyncRayvisionAPI, groups: Mapping[str, Sequence[int]], *, interval: float = 5.0
) -> dict[str, dict[int, TaskStatus]]:
    """Watch every group concurrently; return, per group, how each of its tasks ended."""
    async with asyncio.TaskGroup() as group:
        watchers = {name: group.create_task(watch_group(api, ids, interval=interval)) for name, ids in groups.items()}
    return {name: watcher.result() for name, watcher in watchers.items()}


async def submit_group(api: AsyncRayvisionAPI, project: str, scenes: Sequence[str], frames: str) -> list[int]:
    """Submit one task per scene of a project; return the task ids."""
    return list(await asyncio.gather(*(
        api.submit_task_json({"task_info": {"frames": frames, "project_name": project, "input_cg_file": scene}})
        for scene in scenes
    )))


async def main() -> None:
    farm = Farm(seed=3, speed=5000, failure_rate=0.05)  # 5000 simulated seconds per second
    sim = Simulator(farm=farm)
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain,
                                 transport=SimulatorTransport(sim)) as api:
        projects = {"trailer": ["t1.mb", "t2.mb", "t3.mb"], "teaser": ["s1.mb", "s2.mb"], "stills": ["still.mb"]}
        groups = {name: await submit_group(api, name, scenes, "1-20[1]") for name, scenes in projects.items()}
        endings = await watch_groups(api, groups, interval=0.05)
    for name, ended in endings.items():
        print(f"{name}: " + ", ".join(f"{count} {status.name}" for status, count in Counter(ended.values()).items()))


if __name__ == "__main__":
    asyncio.run(main())
