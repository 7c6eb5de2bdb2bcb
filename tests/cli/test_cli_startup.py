"""A fast start: building the parser (``--help``, ``--version``, a usage error) imports nothing heavy.

Every module of ``rayvision_async.cli`` is inside the package, so Python runs the package's ``__init__``
first: it imports each public name when first used, so it imports nothing heavy either (checked here and
in ``tests/package/test_public_api.py``). The times themselves are measured by
``benchmarks/cli_startup.py``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from cli_harness import BASE_ENV

HEAVY = ("httpx", "aiohttp", "attr", "attrs", "cattrs", "rich", "asyncio", "multidict", "orjson", "keyring",
         "rayvision_async._client", "rayvision_async.models", "rayvision_async.api._table", "rayvision_async.simulator")
PARSING = [["--help"], ["--version"], ["api", "query", "task-info", "--help"], ["tasks", "--limit", "-1"],
           ["api", "query", "task-info"], ["watch", "--help"]]


#: Runs the command line, then prints every module imported (``sys.modules`` at exit) as the last stderr line.
RUN_AND_LIST = ("import atexit, sys\n"
                "atexit.register(lambda: sys.stderr.write(' '.join(sorted(sys.modules)) + '\\n'))\n"
                "from rayvision_async.cli import main\n"
                "sys.exit(main(sys.argv[1:]))\n")


def _imported(args: list[str], env: dict[str, str]) -> set[str]:
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST, *args], capture_output=True, text=True, env=env,
                          timeout=60, check=False)
    assert done.returncode in (0, 2), done.stderr[-2000:]
    return set(done.stderr.splitlines()[-1].split())


def _heavy(modules: set[str]) -> set[str]:
    return {name for name in modules if any(name == heavy or name.startswith(heavy + ".") for heavy in HEAVY)}


@pytest.mark.parametrize("args", PARSING, ids=" ".join)
def test_parsing_imports_nothing_heavy(args: list[str]) -> None:
    modules = _imported(args, BASE_ENV)
    assert "rayvision_async.cli._parser" in modules  # the parser ran
    assert not _heavy(modules)


def test_a_command_imports_its_own_module_and_no_other_commands() -> None:
    modules = _imported(["tasks", "--simulate", "--json"], BASE_ENV)
    assert {"rayvision_async._client", "rayvision_async.cli._tasks"} <= modules  # it ran the real command
    others = {"_watch", "_progress", "_submit", "_configure", "_account", "_api_calls", "_demo", "_local", "_render",
              "_download", "_transfers"}
    assert not {f"rayvision_async.cli.{name}" for name in others} & modules
    assert "keyring" not in modules
