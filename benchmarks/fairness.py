"""P7 and P8: is bulk work fair to the rest of the event loop? Run by ``run.py``, one fresh process per measure.

    python benchmarks/fairness.py lag --base-url URL --tasks 100000 --client sdk --repeats 2
    python benchmarks/fairness.py singles --base-url URL --tasks 20000 --every 0.02
    python benchmarks/fairness.py rtt --base-url URL --tasks 10000 --repeats 3

* ``lag`` (P7): a ticker task sleeps 1 ms at a time and records how late each wake-up is (and how much
  CPU time the process's thread spent meanwhile: the part of the lateness that is this process's own
  work, not time the machine gave to other processes) while
  ``api.poll(range(1, tasks + 1))`` runs (SDK defaults), or, with ``--client raw``, while raw aiohttp
  sends the same batches (100 ids, 32 in flight), decodes each reply with ``json.loads`` and keeps the
  items by id. The garbage collector keeps its settings; its longest pause is recorded
  (``gc.callbacks``) to tell its stalls from the client's.
* ``singles`` (P8): against a server that holds every reply (``server.py --delay``), a single
  ``api.query.task_info([id])`` is started every ``--every`` seconds while a poll of ``--tasks`` ids
  runs (``--polls 2``: that many polls at once, sharing the ids); each call's latency is recorded, and
  the round trip measured alone before.
* ``rtt`` (P8): the default poll of ``--tasks`` ids against such a server, best of ``--repeats``.

Each prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

import clients
from rayvision_async import AsyncRayvisionAPI

TIMEOUT = 600.0
TICK = 0.001


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank; 0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class GcPauses:
    """The longest and total time spent inside the cyclic garbage collector while installed (wall clock)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.seconds = 0.0
        self.full = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        spent = time.perf_counter() - self._started
        self.seconds += spent
        self.longest = max(self.longest, spent)
        self.full += info["generation"] == 2

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        gc.callbacks.remove(self)


async def with_ticker(work: Callable[[], Awaitable[Any]]) -> tuple[Any, dict[str, float]]:
    """Run ``work()`` beside a task that sleeps 1 ms at a time; its result and how late the wake-ups were."""
    lags: list[float] = []
    busy: list[float] = []
    running = True

    async def ticker() -> None:
        clock, cpu = time.perf_counter, time.thread_time
        while running:
            started, cpu_started = clock(), cpu()
            await asyncio.sleep(TICK)
            lags.append(clock() - started - TICK)
            busy.append(cpu() - cpu_started)

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)  # the ticker is running before the work starts
    lags.clear()
    busy.clear()
    with GcPauses() as pauses:
        started = time.perf_counter()
        async with asyncio.timeout(TIMEOUT):
            result = await work()
        wall = time.perf_counter() - started
    running = False
    await tick
    return result, {"wall": wall, "ticks": len(lags), "p50_ms": percentile(lags, 0.5) * 1e3,
                    "p99_ms": percentile(lags, 0.99) * 1e3, "max_ms": max(lags, default=0.0) * 1e3,
                    "over_10ms": sum(lag > 0.010 for lag in lags), "cpu_p99_ms": percentile(busy, 0.99) * 1e3,
                    "cpu_max_ms": max(busy, default=0.0) * 1e3, "gc_longest_ms": pauses.longest * 1e3,
                    "gc_seconds": pauses.seconds, "gc_full": pauses.full}


async def raw_poll(session: aiohttp.ClientSession, ids: list[int], *, batch_size: int = 100,
                   in_flight: int = 32) -> dict[int, Any]:
    """The SDK's batches on a bare aiohttp session, signed; ``json.loads`` and the items kept by id."""
    pending = iter([ids[start:start + batch_size] for start in range(0, len(ids), batch_size)])
    found: dict[int, Any] = {}

    async def worker() -> None:
        for batch in pending:
            content = json.dumps({"taskIds": batch}, separators=(",", ":")).encode()
            headers = clients.signed_headers(clients.QUERY_TASK_INFO, content)
            async with session.post(clients.QUERY_TASK_INFO, data=content, headers=headers) as response:
                body = await response.read()
            for item in json.loads(body)["data"]["items"]:
                found[item["id"]] = item

    async with asyncio.TaskGroup() as group:
        for _ in range(in_flight):
            group.create_task(worker())
    return found


def client(base_url: str) -> AsyncRayvisionAPI:
    return AsyncRayvisionAPI(clients.ACCESS_ID, clients.ACCESS_KEY, clients.DOMAIN, clients.PLATFORM,
                             base_url=base_url)


async def measure_lag(base_url: str, tasks: int, which: str, repeats: int) -> dict[str, Any]:
    runs = []
    if which == "sdk":
        async with client(base_url) as api:
            await api.poll(range(1, 201))
            for _ in range(repeats):
                gc.collect()
                result, run = await with_ticker(lambda: api.poll(range(1, tasks + 1)))
                if len(result) != tasks or result.missing:
                    raise RuntimeError(f"poll returned {len(result)} of {tasks} tasks")
                del result
                runs.append(run)
    else:
        async with aiohttp.ClientSession(base_url=base_url, connector=aiohttp.TCPConnector(limit=100)) as session:
            await raw_poll(session, list(range(1, 201)))
            for _ in range(repeats):
                gc.collect()
                found, run = await with_ticker(lambda: raw_poll(session, list(range(1, tasks + 1))))
                if len(found) != tasks:
                    raise RuntimeError(f"raw poll returned {len(found)} of {tasks} tasks")
                del found
                runs.append(run)
    return {"tasks": tasks, "client": which, "runs": runs}


async def measure_singles(base_url: str, tasks: int, every: float, polls: int) -> dict[str, Any]:
    async with client(base_url) as api:
        await api.poll(range(1, 201))
        alone = []
        for index in range(10):
            started = time.perf_counter()
            await api.query.task_info([9_000_000 + index])
            alone.append(time.perf_counter() - started)
        rtt = statistics.median(alone)
        latencies: list[float] = []

        async def single(task_id: int) -> None:
            started = time.perf_counter()
            await api.query.task_info([task_id])
            latencies.append(time.perf_counter() - started)

        share = -(-tasks // polls)
        gc.collect()
        started = time.perf_counter()
        async with asyncio.timeout(TIMEOUT), asyncio.TaskGroup() as group:
            bulk = [group.create_task(api.poll(range(1 + k * share, 1 + min(tasks, (k + 1) * share))))
                    for k in range(polls)]
            await asyncio.sleep(every)  # the poll has taken its slots
            task_id = 10_000_000
            while not all(task.done() for task in bulk):
                task_id += 1
                group.create_task(single(task_id))
                await asyncio.sleep(every)
        wall = time.perf_counter() - started
        got = sum(len(task.result()) for task in bulk)
        if got != tasks:
            raise RuntimeError(f"polls returned {got} of {tasks} tasks")
    return {"tasks": tasks, "polls": polls, "every": every, "rtt": rtt, "poll_wall": wall, "calls": len(latencies),
            "median": statistics.median(latencies), "p90": percentile(latencies, 0.9), "max": max(latencies),
            "median_rtts": statistics.median(latencies) / rtt}


async def measure_rtt(base_url: str, tasks: int, repeats: int) -> dict[str, Any]:
    async with client(base_url) as api:
        alone = []
        await api.poll(range(1, 201))
        for index in range(5):
            started = time.perf_counter()
            await api.query.task_info([9_000_000 + index])
            alone.append(time.perf_counter() - started)
        times = []
        for _ in range(repeats):
            gc.collect()
            started = time.perf_counter()
            async with asyncio.timeout(TIMEOUT):
                result = await api.poll(range(1, tasks + 1))
            times.append(time.perf_counter() - started)
            if len(result) != tasks:
                raise RuntimeError(f"poll returned {len(result)} of {tasks} tasks")
    return {"tasks": tasks, "rtt": statistics.median(alone), "seconds": times}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("measure", choices=("lag", "singles", "rtt"))
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--client", choices=("sdk", "raw"), default="sdk")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--every", type=float, default=0.02)
    parser.add_argument("--polls", type=int, default=1)
    parser.add_argument("--cpu", type=int, default=None, help="pin this process to one CPU")
    args = parser.parse_args(argv)
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    if args.measure == "lag":
        result = asyncio.run(measure_lag(args.base_url, args.tasks, args.client, args.repeats))
    elif args.measure == "singles":
        result = asyncio.run(measure_singles(args.base_url, args.tasks, args.every, args.polls))
    else:
        result = asyncio.run(measure_rtt(args.base_url, args.tasks, args.repeats))
    print(json.dumps(result), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
