"""Stale keep-alive connections: how many ``create_task`` calls are falsely reported "outcome unknown".

A loopback simulator server closes connections idle for ``--server-idle`` seconds (as servers and
proxies do). Twenty lanes each make ``--calls`` ``create_task`` calls, pausing about the server's
idle time between calls, so a connection kept in the client's pool is often closed by the server
just as the next call is sent. A call reported :class:`RequestOutcomeUnknownError` although the
server never processed it is a *false unknown*; a call processed twice would be a duplicate.

    python benchmarks/stale_keepalive.py            # today's default transport
    python benchmarks/stale_keepalive.py --old      # the 0.1 pool: one pool, 15 s idle connections
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from rayvision_async import AsyncRayvisionAPI, RequestOutcomeUnknownError
from rayvision_async.simulator import Farm, Simulator, serve
from rayvision_async.wire import AiohttpTransport

ACCESS_ID = "AKIDstalekeepalive001"
ACCESS_KEY = "stale-keepalive-secret-001"


async def measure(*, old: bool, lanes: int = 20, calls: int = 10, server_idle: float = 1.0,
                  seed: int = 7) -> dict[str, int]:
    """Counts: calls, answered, unknown, false_unknown (never processed), processed, duplicates."""
    sim = Simulator(ACCESS_ID, ACCESS_KEY, farm=Farm(speed=0.0, require_task_json=False))
    transport = (AiohttpTransport(keepalive_timeout=15.0, fresh_keepalive_timeout=15.0) if old
                 else AiohttpTransport())
    rng = random.Random(seed)
    counts = {"calls": lanes * calls, "answered": 0, "unknown": 0}
    async with (serve(sim, keepalive_timeout=server_idle) as url,
                AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, domain=sim.domain, base_url=url,
                                  transport=transport, max_retries=3) as api):

        async def lane() -> None:
            for _ in range(calls):
                try:
                    await api.task.create_task()
                    counts["answered"] += 1
                except RequestOutcomeUnknownError:
                    counts["unknown"] += 1
                await asyncio.sleep(server_idle * rng.uniform(0.97, 1.03))

        await asyncio.gather(*(lane() for _ in range(lanes)))
    processed = sim.processed["create_task"]
    counts["processed"] = processed
    counts["false_unknown"] = counts["calls"] - processed  # neither answered nor processed, reported unknown
    counts["duplicates"] = max(0, processed - counts["calls"])
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", action="store_true", help="one pool with 15 s idle connections (0.1 default)")
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--server-idle", type=float, default=1.0)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    for seed in range(args.seeds):
        counts = asyncio.run(measure(old=args.old, calls=args.calls, server_idle=args.server_idle, seed=seed))
        print(f"seed {seed}: {counts}")


if __name__ == "__main__":
    main()
