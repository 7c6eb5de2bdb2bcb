"""How long ``rayvision-async`` takes to start: whole-process medians, and what ``--help`` imports.

    python benchmarks/cli_startup.py              # 15 runs of each command, interleaved
    python benchmarks/cli_startup.py --runs 30 --json out.json

Each row is the median wall time of a whole process (start to exit) and its ratio to the baseline
measured in the same run, ``python -c pass`` (the interpreter's own start, with this venv's
site-packages). The commands run in turns (one run of each, then the next round), so a burst of
load on this shared machine touches them all alike.

Rows:

* ``import rayvision_async``: the library's own import (its ``__init__`` re-exports the client).
  Every ``rayvision_async.cli`` module is inside the package, so Python runs that ``__init__``
  before any of them: the command line can be no faster than this row.
* the command line's ``--version``, ``--help`` and a few commands' ``--help``.
* the same ``--help`` with the package's ``__init__`` deferred (``deferred init``): a stand-in
  package on ``PYTHONPATH`` whose ``__init__`` only points ``__path__`` at the real package. It
  measures what the command line itself costs once ``import rayvision_async`` imports nothing
  heavy: the command line's own share, and what ``--help`` will take when the library's import
  is lazy.

Then ``python -X importtime`` of ``--help`` (deferred init): the modules it imports, the ten
slowest, and whether any heavy module (httpx, aiohttp, attrs, cattrs, rich, asyncio) is among them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rayvision_async

PACKAGE_DIR = Path(rayvision_async.__file__).parent
HEAVY = ("httpx", "aiohttp", "attr", "attrs", "cattrs", "rich", "asyncio", "multidict", "orjson")
CLI = [sys.executable, "-m", "rayvision_async.cli"]


def _stand_in(folder: Path) -> dict[str, str]:
    """A package ``rayvision_async`` whose ``__init__`` imports nothing: its modules are the real ones."""
    package = folder / "rayvision_async"
    package.mkdir()
    (package / "__init__.py").write_text(f"__path__ = [{str(PACKAGE_DIR)!r}]\n", encoding="utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}


def _once(command: list[str], env: dict[str, str] | None) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, check=False, timeout=60)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def _imported(env: dict[str, str]) -> list[tuple[str, int]]:
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
    with tempfile.TemporaryDirectory() as folder:
        deferred = _stand_in(Path(folder))
        rows: dict[str, tuple[list[str], dict[str, str] | None]] = {
            "python -c pass (baseline)": ([sys.executable, "-c", "pass"], None),
            "import rayvision_async": ([sys.executable, "-c", "import rayvision_async"], None),
            "rayvision-async --version": ([*CLI, "--version"], None),
            "rayvision-async --help": ([*CLI, "--help"], None),
            "rayvision-async api --help": ([*CLI, "api", "--help"], None),
            "rayvision-async api query task-info --help": ([*CLI, "api", "query", "task-info", "--help"], None),
            "rayvision-async --version (deferred init)": ([*CLI, "--version"], deferred),
            "rayvision-async --help (deferred init)": ([*CLI, "--help"], deferred),
            "rayvision-async api query task-info --help (deferred init)":
                ([*CLI, "api", "query", "task-info", "--help"], deferred),
        }
        if subprocess.run([*CLI, "api", "--help"], capture_output=True, check=False).returncode != 0:
            rows = {name: row for name, row in rows.items() if " api " not in name}  # a CLI without `api`
        times: dict[str, list[float]] = {name: [] for name in rows}
        for _ in range(options.runs):
            for name, (command, env) in rows.items():
                times[name].append(_once(command, env))
        modules = _imported(deferred)
    base = statistics.median(times["python -c pass (baseline)"])
    print(f"{'command':<62} {'median':>9} {'× baseline':>11}")
    figures = {}
    for name, samples in times.items():
        median = statistics.median(samples)
        figures[name] = {"median_ms": round(median * 1000, 1), "ratio": round(median / base, 2),
                         "runs": len(samples)}
        print(f"{name:<62} {median * 1000:>7.1f} ms {median / base:>10.2f}×")
    heavy = sorted({name.partition(".")[0] for name, _ in modules if name.partition(".")[0] in HEAVY})
    print(f"\n--help (deferred init) imports {len(modules)} modules; heavy ones: {', '.join(heavy) or 'none'}")
    for name, cumulative in sorted(modules, key=lambda item: -item[1])[:10]:
        print(f"  {cumulative / 1000:7.1f} ms  {name}")
    if options.json:
        options.json.write_text(json.dumps({"figures": figures, "modules": len(modules), "heavy": heavy},
                                           indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
