"""P4: peak RSS while ``watch`` follows many tasks. Run by ``run.py`` in a fresh process.

``python benchmarks/p4_memory.py --base-url http://127.0.0.1:PORT --tasks 10000`` imports the
SDK, records its RSS (the baseline), then watches ``range(1, tasks + 1)`` with a short interval
against the bench server, whose queryTaskInfo advances every task one stage per query (WAITING →
RENDERING → RENDERING → FINISHED), so every round yields events and the watch ends by itself
after four rounds (``--max-rounds`` and a timeout bound it regardless). Prints one JSON line:
the baseline, peak (VmHWM) and held RSS (after the watch, its states still referenced) in KiB,
events, rounds and seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import sys
import time

from rayvision_async import AsyncRayvisionAPI
from rayvision_async.models import TaskInfoPage
from rayvision_async.models._converter import structure

ACCESS = ("bench-access-id", "bench-access-key", "task.renderbus.com", "4")


def _status_kib(field: str) -> int:
    """``VmRSS``/``VmHWM`` from /proc/self/status in KiB (ru_maxrss where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def watch(base_url: str, tasks: int, interval: float, max_rounds: int, timeout: float) -> dict[str, float]:
    events = 0
    started = time.perf_counter()
    async with AsyncRayvisionAPI(*ACCESS, base_url=base_url) as api:
        watcher = api.watch(range(1, tasks + 1), interval=interval)
        try:
            async with asyncio.timeout(timeout):
                async for _event in watcher:
                    events += 1
                    if watcher.rounds >= max_rounds:
                        break
        finally:
            await watcher.aclose()
        seconds = time.perf_counter() - started
        gc.collect()
        held = _status_kib("VmRSS")  # with the last state of every task still held by the watcher
        states = len(watcher.states)
    return {"events": events, "rounds": watcher.rounds, "states": states, "seconds": seconds, "held_kib": held}


def _load_what_a_watch_loads(base_url: str) -> None:
    """Open and close a client and structure one task record before the baseline is taken.

    The SDK imports its transport (httpx, aiohttp) when a client opens and builds its reply models when
    the first reply comes, not at ``import rayvision_async``: without this the baseline would lack some
    18 MB of modules that the figure would then count as the tasks'.
    """

    async def opened() -> None:
        async with AsyncRayvisionAPI(*ACCESS, base_url=base_url):
            pass

    asyncio.run(opened())
    structure({"pageNum": 1, "items": [{"id": 1, "taskStatus": 0}]}, TaskInfoPage)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--max-rounds", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=240.0)
    parser.add_argument("--cpu", type=int, default=None)
    args = parser.parse_args(argv)
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    _load_what_a_watch_loads(args.base_url)
    gc.collect()
    baseline = _status_kib("VmRSS")
    result = asyncio.run(watch(args.base_url, args.tasks, args.interval, args.max_rounds, args.timeout))
    result.update(baseline_kib=baseline, peak_kib=_status_kib("VmHWM"), tasks=args.tasks)
    print(json.dumps(result), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
