"""P6: a simulator that holds a studio's day: seeding 100,000 tasks, and what a watch round costs it.

    python benchmarks/simulator_scale.py                       # 100,000 tasks, 10,000 of them rendering
    python benchmarks/simulator_scale.py --tasks 20000 --rendering 2000 --rounds 2 --json

**Seeding** fills a fresh :class:`~rayvision_async.simulator.Farm` (frozen clock, the default
limits: 4 frames of a task at once, 60 s a frame, 30 s of analysis) the way its operations do it,
in process: ``tasks - rendering`` tasks are created, given a task.json (frames ``1-10[1]``),
submitted and rendered to the end (simulated time moves 10 minutes), then ``rendering`` more are
submitted and analysed, so they are rendering their first frames. It reports the wall seconds.

**A watch round** is one ``api.poll`` of every id through the SDK (batches of 100 ids,
``queryTaskInfo/v2``, 32 in flight) over the in-process transport, after 30 simulated seconds have
passed (so the rendering tasks have moved). The simulator's share is the CPU time spent inside
:meth:`Simulator.handle` (signature check, routing, rendering the records, encoding the replies);
the SDK's share, measured in the same round, is the rest: the ratio between them says whether the
simulator or the client is the bottleneck of such a test. The first round reads every task for the
first time; the later ones are the steady state.

Targets (issue 25): seeding under 5 s; a watch round well under one second of the simulator's CPU.
Prints a table, or with ``--json`` one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import time
from collections.abc import Mapping
from typing import Any

from rayvision_async import AsyncRayvisionAPI, TaskStatus
from rayvision_async.simulator import Farm, SimClock, Simulator, SimulatorTransport
from rayvision_async.simulator.service import SimReply

FRAMES = "1-10[1]"
SEED_TARGET_SECONDS = 5.0
ROUND_TARGET_CPU_SECONDS = 1.0


class TimedSimulator(Simulator):
    """A :class:`Simulator` that adds up the CPU seconds it spends handling requests."""

    cpu_seconds = 0.0

    async def handle(self, method: str, path: str, headers: Mapping[str, str], content: bytes) -> SimReply:
        started = time.process_time()
        try:
            return await super().handle(method, path, headers, content)
        finally:
            self.cpu_seconds += time.process_time() - started


def seed(sim: Simulator, tasks: int, rendering: int) -> list[int]:
    """Fill ``sim``'s farm: ``tasks - rendering`` finished tasks, then ``rendering`` rendering ones."""
    farm = sim.farm
    content = json.dumps({"task_info": {"frames": FRAMES, "input_cg_file": "D:/work/shot.mb", "cg_id": "2000"}})
    ids: list[int] = []
    for batch, after in ((tasks - rendering, 600.0), (rendering, 31.0)):
        for task in farm.create_tasks(batch):
            farm.upload_file(task.id, "task.json", content)
            farm.submit(task.id)
            ids.append(task.id)
        farm.advance(after)
    return ids


async def watch_round(sim: TimedSimulator, api: AsyncRayvisionAPI, ids: list[int]) -> dict[str, Any]:
    """Poll every id once; the simulator's CPU seconds and the whole round's."""
    sim.cpu_seconds = 0.0
    started_cpu, started = time.process_time(), time.perf_counter()
    states = await api.poll(ids)
    total_cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started
    statuses: dict[str, int] = {}
    for task in states.tasks.values():
        name = task.task_status.name if task.task_status is not None else "?"
        statuses[name] = statuses.get(name, 0) + 1
    if states.missing or len(states.tasks) != len(ids):
        raise RuntimeError(f"the poll lost tasks: {len(states.missing)} missing")
    return {"simulator_cpu": sim.cpu_seconds, "client_cpu": total_cpu - sim.cpu_seconds, "wall": wall,
            "requests": sim.counts["task_info"], "statuses": statuses}


async def run(tasks: int, rendering: int, rounds: int) -> dict[str, Any]:
    sim = TimedSimulator(farm=Farm(clock=SimClock(0.0)), request_log_limit=1000)
    gc.collect()
    started = time.perf_counter()
    ids = seed(sim, tasks, rendering)
    seeding = time.perf_counter() - started
    farm_statuses: dict[str, int] = {}
    for task_id in ids:
        name = farm_status = sim.farm.task(task_id).status().name
        farm_statuses[name] = farm_statuses.get(farm_status, 0) + 1
    results: list[dict[str, Any]] = []
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, sim.domain, transport=SimulatorTransport(sim)) as api:
        for _ in range(rounds):
            sim.farm.advance(30.0)
            sim.counts.clear()
            results.append(await watch_round(sim, api, ids))
    rendering_seen = results[-1]["statuses"].get(TaskStatus.RENDERING.name, 0)
    return {"tasks": tasks, "rendering": rendering, "frames": FRAMES, "seed_seconds": seeding,
            "farm_statuses": farm_statuses, "rounds": results, "rendering_in_last_round": rendering_seen}


def report(result: dict[str, Any]) -> str:
    lines = [f"P6: simulator at a studio's scale: {result['tasks']:,} tasks ({result['rendering']:,} rendering), "
             f"frames {result['frames']}",
             f"  seeding: {result['seed_seconds']:.2f} s wall (target < {SEED_TARGET_SECONDS:.0f} s): "
             f"{result['farm_statuses']}"]
    for number, round_ in enumerate(result["rounds"], start=1):
        share = round_["simulator_cpu"] / round_["client_cpu"] if round_["client_cpu"] else float("nan")
        lines.append(f"  watch round {number}: simulator {round_['simulator_cpu']:.3f} s CPU for "
                     f"{round_['requests']:,} queryTaskInfo calls (target < {ROUND_TARGET_CPU_SECONDS:.0f} s); "
                     f"the SDK {round_['client_cpu']:.3f} s CPU (simulator/SDK {share:.2f}×); "
                     f"{round_['wall']:.2f} s wall; {round_['statuses']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--rendering", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="watch rounds, 30 simulated seconds apart")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of the table")
    args = parser.parse_args(argv)
    if not 0 <= args.rendering <= args.tasks or args.rounds < 1:
        parser.error("need 0 <= --rendering <= --tasks and --rounds >= 1")
    result = asyncio.run(run(args.tasks, args.rendering, args.rounds))
    print(json.dumps(result) if args.json else report(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
