"""P5: how ``poll`` scales with the number of ids: time, garbage-collector share and memory per task.

Run by ``run.py`` in a fresh process per size, so that the memory figure is this poll's alone:

    python benchmarks/p5_scale.py --base-url http://127.0.0.1:PORT --tasks 100000 --repeats 2

The process imports the SDK, warms the client up with a 200-id poll, then polls
``range(1, tasks + 1)`` ``repeats`` times with the SDK's defaults (batches of 100, 32 in flight).
For every poll it records the wall and CPU seconds and the CPU seconds spent inside the garbage
collector (``gc.callbacks``: ``time.process_time`` from each collection's start to its stop, so time
the process waited for a CPU on a busy machine does not count as collecting). Memory is measured on the
first poll: the peak RSS (``VmHWM``, reset just before through ``/proc/self/clear_refs`` where the
kernel allows it) over the RSS before the poll, with the result still held, per task. Prints one
JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
import time
from typing import Any

from rayvision_async import AsyncRayvisionAPI

ACCESS = ("bench-access-id", "bench-access-key", "task.renderbus.com", "4")
TIMEOUT = 600.0


def status_kib(field: str) -> int:
    """``VmRSS`` / ``VmHWM`` of this process in KiB (0 where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_peak() -> bool:
    """Reset ``VmHWM`` to the current RSS (Linux ``clear_refs`` 5); False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


class GcClock:
    """Seconds spent inside the garbage collector, and collections per generation, while installed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self.by_generation = [0.0, 0.0, 0.0]
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            spent = time.process_time() - self._started
            self.seconds += spent
            self.collections[info["generation"]] += 1
            self.by_generation[info["generation"]] += spent

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        gc.callbacks.remove(self)


async def measure(base_url: str, tasks: int, repeats: int) -> dict[str, Any]:
    runs = []
    memory: dict[str, Any] = {}
    async with AsyncRayvisionAPI(*ACCESS, base_url=base_url) as api:
        await api.poll(range(1, 201))
        for run in range(repeats):
            gc.collect()
            before = status_kib("VmRSS")
            peak_reset = reset_peak()
            with GcClock() as clock:
                cpu = time.process_time()
                started = time.perf_counter()
                async with asyncio.timeout(TIMEOUT):
                    result = await api.poll(range(1, tasks + 1))
                wall = time.perf_counter() - started
                cpu = time.process_time() - cpu
            if len(result) != tasks or result.missing:
                raise RuntimeError(f"poll returned {len(result)} of {tasks} tasks")
            if run == 0:
                peak = status_kib("VmHWM")
                held = status_kib("VmRSS")
                memory = {"before_kib": before, "peak_kib": peak, "held_kib": held, "peak_reset": peak_reset,
                          "peak_per_task_kib": (peak - before) / tasks, "held_per_task_kib": (held - before) / tasks}
            del result
            runs.append({"wall": wall, "cpu": cpu, "gc": clock.seconds, "collections": clock.collections,
                         "gc_by_generation": clock.by_generation})
    return {"tasks": tasks, "runs": runs, **memory}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--cpu", type=int, default=None)
    args = parser.parse_args(argv)
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    print(json.dumps(asyncio.run(measure(args.base_url, args.tasks, args.repeats))), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
