"""``simulate``: serve a simulated farm on loopback HTTP, and the example tasks ``--simulate`` starts with.

``simulate`` prints (and flushes at once, so a parent process reading the pipe
sees them) the base URL and the credentials a client needs, and the stand-in
transfer engine for the farm's storage (a temporary folder) as
``RAYVISION_TRANSMITTER=…``, then serves until Ctrl+C. A port that cannot be
listened on is one line on stderr, exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile

from .._client import AsyncRayvisionAPI
from ..simulator import Farm, Simulator, SimulatorTransport, serve
from ._exit import EXIT_OK, EXIT_USAGE, PROG, complain

__all__ = ["connection_details", "seed_tasks", "simulate"]


async def seed_tasks(sim: Simulator, count: int, *, advance: float = 0.0) -> list[int]:
    """Submit ``count`` example tasks to ``sim`` in-process (frames 1-8, 1-12, …), ``advance`` s apart."""
    ids: list[int] = []
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, sim.domain,
                                 transport=SimulatorTransport(sim)) as api:
        for index in range(count):
            ids.append(await api.submit_task_json({"task_info": {"frames": f"1-{8 + 4 * (index % 8)}[1]"},
                                                   "scene": f"s{index}.mb"}))
            if advance:
                sim.farm.advance(advance)
    return ids


def connection_details(sim: Simulator, base_url: str) -> dict[str, str]:
    """What a client needs to talk to ``sim`` served at ``base_url``."""
    details = {"base_url": base_url, "access_id": sim.access_id, "access_key": sim.access_key, "domain": sim.domain}
    if sim.farm.storage is not None:
        details["transmitter"] = str(sim.farm.storage.launcher())
    return details


def _describe(details: dict[str, str]) -> str:
    return "\n".join([
        f"Rayvision simulator listening on {details['base_url']}",
        f"  base_url:   {details['base_url']}",
        f"  access_id:  {details['access_id']}",
        f"  access_key: {details['access_key']}",
        f"  domain:     {details['domain']}",
        *([f"  transmitter: {details['transmitter']}"] if "transmitter" in details else []),
        f"Try: RAYVISION_API_ACCESS_ID={details['access_id']} RAYVISION_API_KEY={details['access_key']} "
        + (f"RAYVISION_TRANSMITTER={details['transmitter']} " if "transmitter" in details else "")
        + f"{PROG} tasks --base-url {details['base_url']}",
        "Press Ctrl+C to stop.",
    ])


async def _serve(args: argparse.Namespace) -> int:
    storage = tempfile.TemporaryDirectory(prefix="rayvision-simulate-")  # removed when the server stops
    sim = Simulator(farm=Farm(speed=args.speed, failure_rate=args.failure_rate, seed=args.seed, storage=storage.name))
    await seed_tasks(sim, args.tasks)
    async with contextlib.AsyncExitStack() as stack:
        stack.enter_context(storage)
        try:
            base_url = await stack.enter_async_context(serve(sim, args.host, args.port))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            complain(f"simulate: cannot listen on {args.host}:{args.port}: {reason}")
            return EXIT_USAGE
        details = connection_details(sim, base_url)
        text = json.dumps(details) if args.json else _describe(details)
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
        await asyncio.Event().wait()  # until Ctrl+C
    return EXIT_OK  # pragma: no cover (the wait above ends only by KeyboardInterrupt)


def simulate(args: argparse.Namespace) -> int:
    """Run the ``simulate`` command; Ctrl+C is its normal end (exit code 0)."""
    try:
        return asyncio.run(_serve(args))
    except KeyboardInterrupt:
        return EXIT_OK
