"""A fast start: building the parser (``--help``, ``--version``, a usage error) imports nothing heavy.

Every module of ``rayvision_async.cli`` is inside the package, so Python runs the package's ``__init__``
first; what that imports is the library's business. These tests check the command line's own share: with
a stand-in package whose ``__init__`` imports nothing (its ``__path__`` is the real package's), no heavy
module may be imported; and with the real package, nothing heavy beyond what ``import rayvision_async``
already imports. The times themselves are measured by ``benchmarks/cli_startup.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_harness import BASE_ENV

import rayvision_async

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


@pytest.fixture(scope="module")
def deferred(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment whose ``rayvision_async`` is a stand-in package with an empty ``__init__``."""
    folder = tmp_path_factory.mktemp("stand-in")
    (folder / "rayvision_async").mkdir()
    (folder / "rayvision_async" / "__init__.py").write_text(
        f"__path__ = [{str(Path(rayvision_async.__file__).parent)!r}]\n", encoding="utf-8")
    return {**BASE_ENV, "PYTHONPATH": str(folder)}


@pytest.mark.parametrize("args", PARSING, ids=" ".join)
def test_parsing_imports_nothing_heavy_of_its_own(args: list[str], deferred: dict[str, str]) -> None:
    modules = _imported(args, deferred)
    assert "rayvision_async.cli._parser" in modules  # the stand-in is in use and the parser ran
    assert not _heavy(modules)


def test_parsing_adds_nothing_heavy_to_the_package_import() -> None:
    package = _imported_by("import rayvision_async")
    for args in PARSING:
        assert not _heavy(_imported(args, BASE_ENV) - package), args


def _imported_by(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
                          capture_output=True, text=True, env=BASE_ENV, timeout=60, check=True)
    return set(done.stdout.split())


def test_a_command_imports_its_own_module_and_no_other_commands(deferred: dict[str, str]) -> None:
    modules = _imported(["tasks", "--simulate", "--json"], deferred)
    assert {"rayvision_async._client", "rayvision_async.cli._tasks"} <= modules  # the stand-in runs real commands
    others = {"_watch", "_progress", "_submit", "_configure", "_account", "_api_calls", "_demo", "_local", "_render",
              "_download", "_transfers"}
    assert not {f"rayvision_async.cli.{name}" for name in others} & modules
    assert "keyring" not in modules
