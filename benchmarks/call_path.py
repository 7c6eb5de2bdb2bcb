"""Count the SDK functions and modules one endpoint call visits, and how often it changes module.

Follows ``await api.query.task_info([id])`` from the generated method to the socket and back,
on the default transport, against the simulator served on loopback (its own functions are not
counted, nor the SDK functions its handlers call: only the client's task is followed), after one
warm-up call. A "switch" is a call from one SDK module into another; functions of other packages
(aiohttp, httpx, orjson, cattrs…) are not counted but are stepped through. A "layer" is a folder
of the pipeline (``api``, ``wire``, ``models``, ``flows``) or the package's own top-level modules
(the client, caller, request loop): a layer switch is a call from one into another.

    python benchmarks/call_path.py            # the summary
    python benchmarks/call_path.py --list     # and every SDK function in the order first entered
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import rayvision_async
from rayvision_async import AsyncRayvisionAPI
from rayvision_async.simulator import Farm, Simulator, serve

PACKAGE = Path(rayvision_async.__file__).resolve().parent
SKIPPED = (PACKAGE / "simulator",)


def _sdk_module(frame: FrameType) -> str | None:
    path = Path(frame.f_code.co_filename)
    try:
        relative = path.resolve().relative_to(PACKAGE)
    except ValueError:
        return None
    if any(path.resolve().is_relative_to(skip) for skip in SKIPPED):
        return None
    return str(relative.with_suffix("")).replace("/", ".")


async def one_call(api: AsyncRayvisionAPI, task_id: int) -> dict[str, Any]:
    functions: dict[tuple[str, str], int] = {}
    switches = 0
    layer_switches = 0

    client = asyncio.current_task()

    def profile(frame: FrameType, event: str, arg: object) -> None:
        nonlocal switches, layer_switches
        if event != "call" or asyncio.current_task() is not client:  # not the server's handlers (same loop)
            return
        module = _sdk_module(frame)
        if module is None:
            return
        key = (module, frame.f_code.co_qualname)
        functions.setdefault(key, len(functions))
        caller = frame.f_back
        caller_module = _sdk_module(caller) if caller is not None else None
        if caller_module is not None and caller_module != module:
            switches += 1
            if _layer(caller_module) != _layer(module):
                layer_switches += 1

    sys.setprofile(profile)
    try:
        await api.query.task_info([task_id])
    finally:
        sys.setprofile(None)
    modules = {module for module, _ in functions}
    return {"functions": functions, "modules": modules, "switches": switches, "layer_switches": layer_switches}


def _layer(module: str) -> str:
    head = module.partition(".")[0]
    return head if head in ("api", "wire", "models", "flows") else "top level"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list every SDK function visited")
    args = parser.parse_args()
    sim = Simulator(farm=Farm(seed=1))
    task_id = sim.farm.create_tasks(1)[0].id
    async with serve(sim) as base_url, AsyncRayvisionAPI(
            sim.access_id, sim.access_key, sim.domain, base_url=base_url) as api:
        await api.query.task_info([task_id])  # warm-up: sessions, caches
        found = await one_call(api, task_id)
    print(f"one call of query.task_info: {len(found['functions'])} SDK functions in {len(found['modules'])} modules, "
          f"{found['switches']} calls across modules, {found['layer_switches']} across layers")
    if args.list:
        for (module, name), _ in sorted(found["functions"].items(), key=lambda item: item[1]):
            print(f"  {module}: {name}")


if __name__ == "__main__":
    asyncio.run(main())
