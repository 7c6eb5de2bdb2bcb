"""How long ``rayvision-async`` takes to start: whole-process medians, and what ``--help`` imports.

    python benchmarks/cli_startup.py              # 15 runs of each command, interleaved
    python benchmarks/cli_startup.py --runs 30 --json out.json

Each row is the median wall time of a whole process (start to exit) and its ratio to the baseline
measured in the same run, ``python -c pass`` (the interpreter's own start, with this venv's
site-packages). The commands run in turns (one run of each, then the next round), so a burst of
load on this shared machine touches them all alike.

Rows:

* ``import rayvision_async``: the library's own import. Its ``__init__`` imports each public name
  when it is first used, so this is nearly the interpreter's start.
* ``from rayvision_async import AsyncRayvisionAPI``: what a program that uses the client pays at
  import (attrs, asyncio, the models and the endpoint table; httpx comes when a client is built,
  aiohttp with its first request, cattrs with its first reply).
* the command line's ``--version``, ``--help`` and a few commands' ``--help``.

Then ``python -X importtime`` of ``--help``: the modules it imports, the ten slowest, and whether any
heavy module (httpx, aiohttp, attrs, cattrs, rich, asyncio) is among them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import rayvision_async

PACKAGE_DIR = Path(rayvision_async.__file__).parent
HEAVY = ("httpx", "aiohttp", "attr", "attrs", "cattrs", "rich", "asyncio", "multidict", "orjson")
CLI = [sys.executable, "-m", "rayvision_async.cli"]


def _once(command: list[str], env: dict[str, str] | None) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, check=False, timeout=60)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def _imported(env: dict[str, str] | None) -> list[tuple[str, int]]:
    """(module, cumulative µs) of every module ``--help`` imports, from ``-X importtime``."""
    done = subprocess.run([sys.executable, "-X", "importtime", *CLI[1:], "--help"], capture_output=True, text=True,
                          env=env, check=True, timeout=60)
    modules = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
            modules.append((name, int(cumulative)))
    return modules


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default: %(default)s)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args()
    rows: dict[str, list[str]] = {
        "python -c pass (baseline)": [sys.executable, "-c", "pass"],
        "import rayvision_async": [sys.executable, "-c", "import rayvision_async"],
        "from rayvision_async import AsyncRayvisionAPI":
            [sys.executable, "-c", "from rayvision_async import AsyncRayvisionAPI"],
        "rayvision-async --version": [*CLI, "--version"],
        "rayvision-async --help": [*CLI, "--help"],
        "rayvision-async api --help": [*CLI, "api", "--help"],
        "rayvision-async api query task-info --help": [*CLI, "api", "query", "task-info", "--help"],
    }
    if subprocess.run([*CLI, "api", "--help"], capture_output=True, check=False).returncode != 0:
        rows = {name: row for name, row in rows.items() if " api " not in name}  # a CLI without `api`
    times: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(options.runs):
        for name, command in rows.items():
            times[name].append(_once(command, None))
    modules = _imported(None)
    base = statistics.median(times["python -c pass (baseline)"])
    print(f"{'command':<62} {'median':>9} {'× baseline':>11}")
    figures = {}
    for name, samples in times.items():
        median = statistics.median(samples)
        figures[name] = {"median_ms": round(median * 1000, 1), "ratio": round(median / base, 2),
                         "runs": len(samples)}
        print(f"{name:<62} {median * 1000:>7.1f} ms {median / base:>10.2f}×")
    heavy = sorted({name.partition(".")[0] for name, _ in modules if name.partition(".")[0] in HEAVY})
    print(f"\n--help imports {len(modules)} modules; heavy ones: {', '.join(heavy) or 'none'}")
    for name, cumulative in sorted(modules, key=lambda item: -item[1])[:10]:
        print(f"  {cumulative / 1000:7.1f} ms  {name}")
    if options.json:
        options.json.write_text(json.dumps({"figures": figures, "modules": len(modules), "heavy": heavy},
                                           indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
