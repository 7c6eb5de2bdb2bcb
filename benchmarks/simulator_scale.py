"""P6: a simulator that holds a studio's day: seeding 100,000 tasks, and what a watch round costs it.

    python benchmarks/simulator_scale.py                       # 100,000 tasks, 10,000 of them rendering
    python benchmarks/simulator_scale.py --tasks 20000 --rendering 2000 --rounds 2 --json

The simulator runs in a process of its own (this file with ``--serve``), behind the loopback
HTTP server of ``rayvision-async simulate``, so its CPU time is its own (read from
``/proc/PID/stat``), HTTP handling included, and the client's allocations do not make the
simulator's garbage collector run.

**Seeding** (timed inside that process) fills a fresh :class:`~rayvision_async.simulator.Farm`
(the default limits: 4 frames of a task at once, 60 s a frame, 30 s of analysis) through its
operations, as the service's handlers do: ``tasks - rendering`` tasks are created, given a
task.json (frames ``1-10[1]``), submitted and rendered to the end (simulated time jumps 10
minutes), then ``rendering`` more (frames ``1-100[1]``, so they are still rendering while the
rounds run) are submitted and analysed. It reports wall and CPU seconds.

**A watch round** is one ``api.poll`` of every id through the SDK (batches of 100 ids,
``queryTaskInfo/v2``, 32 in flight, over loopback HTTP) while the farm's clock runs at
``--speed`` simulated seconds per second, so the rendering tasks move during the rounds and the
simulator renders their frames as it answers. The simulator's share is its process's CPU time
during the round; the SDK's, measured in the same round, is the client process's. A finished
task's record is made when its family settles (during seeding, so seeding's figure includes the
90,000 finished tasks' records), a rendering task's when it changes; so the first round reads kept
records as the later ones do, and a round that costs more is one in which the rendering tasks' batches
ended (the farm renders them and makes their records anew as it answers).

Targets (issue 25): seeding under 5 s; a watch round well under one second of the simulator's
CPU. Linux only (``/proc``). Prints a table, or with ``--json`` one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rayvision_async import AsyncRayvisionAPI, TaskStatus
from rayvision_async.simulator import Farm, SimClock, Simulator, serve

FINISHED_FRAMES = "1-10[1]"
RENDERING_FRAMES = "1-100[1]"
SEED_TARGET_SECONDS = 5.0
ROUND_TARGET_CPU_SECONDS = 1.0
START_TIMEOUT = 300.0


def seed(sim: Simulator, tasks: int, rendering: int) -> list[int]:
    """Fill ``sim``'s farm: ``tasks - rendering`` finished tasks, then ``rendering`` rendering ones."""
    farm = sim.farm
    ids: list[int] = []
    for batch, frames, after in ((tasks - rendering, FINISHED_FRAMES, 600.0), (rendering, RENDERING_FRAMES, 31.0)):
        content = json.dumps({"task_info": {"frames": frames, "input_cg_file": "D:/work/shot.mb", "cg_id": "2000"}})
        for task in farm.create_tasks(batch):
            farm.upload_file(task.id, "task.json", content)
            farm.submit(task.id)
            ids.append(task.id)
        farm.advance(after)
    return ids


def _statuses(sim: Simulator, ids: list[int]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for task_id in ids:
        name = sim.farm.task(task_id).status().name
        counted[name] = counted.get(name, 0) + 1
    return counted


async def _serve(tasks: int, rendering: int, speed: float) -> None:
    """The simulator's process: seed, say where it listens and how seeding went, serve until stdin closes."""
    sim = Simulator(farm=Farm(clock=SimClock(0.0)))
    gc.collect()
    started, started_cpu = time.perf_counter(), time.process_time()
    ids = seed(sim, tasks, rendering)
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    statuses = _statuses(sim, ids)
    sim.farm.clock.speed = speed
    async with serve(sim) as base_url:
        print(json.dumps({"base_url": base_url, "access_id": sim.access_id, "access_key": sim.access_key,
                          "domain": sim.domain, "first_id": ids[0], "last_id": ids[-1], "seed_seconds": seconds,
                          "seed_cpu_seconds": cpu, "statuses": statuses, "rss_mib": _rss_mib(os.getpid())}),
              flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes it


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _rounds(server: dict[str, Any], pid: int, rounds: int) -> list[dict[str, Any]]:
    ids = list(range(server["first_id"], server["last_id"] + 1))
    results = []
    async with AsyncRayvisionAPI(server["access_id"], server["access_key"], server["domain"],
                                 base_url=server["base_url"]) as api:
        for _ in range(rounds):
            server_before, client_before, started = _cpu_seconds(pid), time.process_time(), time.perf_counter()
            states = await api.poll(ids)
            wall = time.perf_counter() - started
            simulator_cpu, client_cpu = _cpu_seconds(pid) - server_before, time.process_time() - client_before
            if states.missing or len(states.tasks) != len(ids):
                raise RuntimeError(f"the poll lost tasks: {len(states.missing)} missing")
            statuses: dict[str, int] = {}
            for task in states.tasks.values():
                name = task.task_status.name if task.task_status is not None else "?"
                statuses[name] = statuses.get(name, 0) + 1
            results.append({"simulator_cpu": simulator_cpu, "client_cpu": client_cpu, "wall": wall,
                            "requests": -(-len(ids) // 100), "statuses": statuses})
    return results


def run(tasks: int, rendering: int, rounds: int, speed: float) -> dict[str, Any]:
    """Start the simulator's process, run the rounds against it, stop it; the figures."""
    command = [sys.executable, __file__, "--serve", "--tasks", str(tasks), "--rendering", str(rendering),
               "--speed", str(speed)]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout is not None
            line = child.stdout.readline()  # the child prints it once seeded (bounded by its own work)
            if not line:
                raise RuntimeError(f"the simulator's process ended with code {child.wait(START_TIMEOUT)}")
            server = json.loads(line)
            results = asyncio.run(_rounds(server, child.pid, rounds))
            rss_after = _rss_mib(child.pid)
        finally:
            if child.stdin is not None:
                child.stdin.close()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()  # by its own pid (Popen), never by name
                child.wait(10)
    return {"tasks": tasks, "rendering": rendering, "speed": speed, "seed_seconds": server["seed_seconds"],
            "seed_cpu_seconds": server["seed_cpu_seconds"], "farm_statuses": server["statuses"],
            "rss_mib_seeded": server["rss_mib"], "rss_mib_after": rss_after, "rounds": results,
            "rendering_in_last_round": results[-1]["statuses"].get(TaskStatus.RENDERING.name, 0)}


def report(result: dict[str, Any]) -> str:
    lines = [f"P6: simulator at a studio's scale: {result['tasks']:,} tasks ({result['rendering']:,} rendering), "
             f"clock at {result['speed']:g}× during the rounds",
             f"  seeding: {result['seed_seconds']:.2f} s wall, {result['seed_cpu_seconds']:.2f} s CPU "
             f"(target < {SEED_TARGET_SECONDS:.0f} s); {result['farm_statuses']}; "
             f"simulator RSS {result['rss_mib_seeded']:.0f} MiB seeded, {result['rss_mib_after']:.0f} MiB after"]
    for number, round_ in enumerate(result["rounds"], start=1):
        share = round_["simulator_cpu"] / round_["client_cpu"] if round_["client_cpu"] else float("nan")
        lines.append(f"  watch round {number}: simulator {round_['simulator_cpu']:.2f} s CPU for "
                     f"{round_['requests']:,} queryTaskInfo calls (target < {ROUND_TARGET_CPU_SECONDS:.0f} s); "
                     f"the SDK {round_['client_cpu']:.2f} s CPU (simulator/SDK {share:.2f}×); "
                     f"{round_['wall']:.2f} s wall; {round_['statuses']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--rendering", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="watch rounds, one after the other")
    parser.add_argument("--speed", type=float, default=10.0, help="simulated seconds per second during the rounds")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of the table")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the simulator's process
    args = parser.parse_args(argv)
    if not 0 <= args.rendering <= args.tasks or args.rounds < 1 or args.speed < 0:
        parser.error("need 0 <= --rendering <= --tasks, --rounds >= 1 and --speed >= 0")
    if args.serve:
        asyncio.run(_serve(args.tasks, args.rendering, args.speed))
        return 0
    result = run(args.tasks, args.rendering, args.rounds, args.speed)
    print(json.dumps(result) if args.json else report(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
