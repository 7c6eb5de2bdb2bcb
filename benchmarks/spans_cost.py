"""What OpenTelemetry spans cost P1 (single-id ``task_info``, 50 in flight) when nobody listens.

Three SDK clients in one process, against the loopback bench server (``server.py``, its own process),
in interleaved runs:

* **off**: OpenTelemetry not imported (``opentelemetry.trace`` absent from ``sys.modules``, which the
  caller checks first: no span work at all);
* **idle**: ``opentelemetry.trace`` imported and no tracer provider set (the API's proxy provider):
  the case "installed, nothing configured";
* **noop**: ``tracer_provider=NoOpTracerProvider()``: every call goes through the span code with
  non-recording spans (an upper bound for a provider that samples nothing).

The module is popped from ``sys.modules`` around the *off* runs and put back for the others (a
benchmark-only trick: it is exactly the check the caller makes). Prints each client's best req/s and
per-CPU-second rate, and the costs as ratios to *off* (target: idle < 3 % slower).

    python benchmarks/spans_cost.py [--requests 5000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from typing import Any

import opentelemetry.trace as otel_trace

import clients
import run as bench
from rayvision_async import AsyncRayvisionAPI

IN_FLIGHT = 50


async def measure(base_url: str, requests: int, repeats: int) -> dict[str, dict[str, list[float]]]:
    def make(provider: Any = None) -> AsyncRayvisionAPI:
        return AsyncRayvisionAPI(clients.ACCESS_ID, clients.ACCESS_KEY, clients.DOMAIN, clients.PLATFORM,
                                 base_url=base_url, max_concurrency=100, tracer_provider=provider)

    apis = {"off": make(), "idle": make(), "noop": make(otel_trace.NoOpTracerProvider())}
    wall: dict[str, list[float]] = {name: [] for name in apis}
    cpu: dict[str, list[float]] = {name: [] for name in apis}
    module = sys.modules["opentelemetry.trace"]
    try:
        for api in apis.values():  # warm up every client (sessions, caches)
            await clients.drive(lambda task_id, api=api: api.query.task_info([task_id]), range(1, 1001), IN_FLIGHT)
        for rep in range(repeats):
            order = list(apis) if rep % 2 == 0 else list(apis)[::-1]
            for name in order:
                api = apis[name]
                if name == "off":
                    del sys.modules["opentelemetry.trace"]
                try:
                    own = time.process_time()
                    elapsed = await clients.drive(lambda task_id, api=api: api.query.task_info([task_id]),
                                                  range(1, requests + 1), IN_FLIGHT)
                    own = time.process_time() - own
                finally:
                    sys.modules["opentelemetry.trace"] = module
                wall[name].append(requests / elapsed)
                cpu[name].append(requests / own)
            print(f"  run {rep + 1}/{repeats}: " + ", ".join(f"{n} {wall[n][-1]:,.0f}/s" for n in apis), flush=True)
    finally:
        for api in apis.values():
            await api.aclose()
    return {"wall": wall, "cpu": cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-pin", action="store_true")
    args = parser.parse_args()
    _, server_cpu = bench.pick_cpus(not args.no_pin)  # pins this process to the other CPU
    with bench.bench_server(server_cpu, verify_every=50) as server:
        results = asyncio.run(measure(server.base_url, args.requests, args.repeats))
    print(f"P1 ({IN_FLIGHT} in flight, {args.requests} requests, best of {args.repeats}):")
    for kind in ("wall", "cpu"):
        best = {name: max(rates) for name, rates in results[kind].items()}
        median = {name: statistics.median(rates) for name, rates in results[kind].items()}
        unit = "req/s" if kind == "wall" else "req per CPU s"
        print(f"  {kind}: " + ", ".join(f"{name} {best[name]:,.0f} {unit}" for name in best))
        for name in ("idle", "noop"):
            print(f"    {name}: {100 * (1 - best[name] / best['off']):+.1f} % slower than off (best), "
                  f"{100 * (1 - median[name] / median['off']):+.1f} % (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
