"""Every Python block a user may paste from the README or the documentation runs as written.

The blocks are read from ``README.md``, ``examples/README.md`` and every page under ``docs/`` as
written (a README section a page includes is run once, from the README). Each runs the way a user
would run it, in a temporary directory that is not this checkout, with the installed package:

* a **program** (a block that calls ``asyncio.run(``) runs as ``python block.py``. Its environment
  points the client at a loopback simulator: ``RAYVISION_BASE_URL`` and the simulator's credentials in
  ``RAYVISION_API_ACCESS_ID`` / ``RAYVISION_API_KEY``; the simulator signs for the ``domain="..."`` the
  block names (the default domain otherwise) and renders fast, so ``wait`` returns. It must exit 0.
* a **pytest** block (one that defines ``test_...``) is a test file in a project of its own with an
  empty ``pytest.ini``: pytest-asyncio runs in its default *strict* mode. Every test in it must pass.
* a block marked ``<!-- snippet: with-api -->`` on the line before its fence is a fragment that uses
  an open client called ``api`` (the surrounding text says so): it runs inside
  ``async with AsyncRayvisionAPI() as api:`` against the simulator, as a program.
* options on a marker (``<!-- snippet: KIND files=NAME engine=stand-in -->``; a program block may carry
  a marker too): ``files=NAME`` copies ``tests/data/snippets/NAME/`` into its directory first (the
  analyzer output a block reads, the asset files its upload.json lists); ``engine=stand-in`` points it
  at a simulator whose farm has file storage, with the simulator's stand-in transfer engine for that
  storage in ``RAYVISION_TRANSMITTER`` (the blocks that upload and download).
* a block that cannot run here is marked, and listed in :data:`NOT_RUN` with the reason:
  ``<!-- snippet: official-sdk -->`` (code for the official SDK, shown for comparison) and
  ``<!-- snippet: real-service -->`` (needs the real service and an account). The list is checked
  both ways, so it stays short and true.

A new block that is none of these fails :func:`test_every_pasteable_block_is_run_by_a_test`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from helpers.user_project import run_pytest

ROOT = Path(__file__).resolve().parents[2]
SNIPPET_FILES = ROOT / "tests" / "data" / "snippets"
#: Fence languages of blocks a user pastes into Python.
PYTHON = {"python", "py", "python3", "pycon"}
#: ``<!-- snippet: KIND [options] -->`` on the line before a fence.
MARKER = re.compile(r"^\s*<!-- snippet: ([\w-]+)((?: [\w-]+=\S+)*) -->\s*$")
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)")
#: Kinds a test here runs.
RUN = {"program", "pytest", "with-api"}
#: Blocks no test runs: (file, the block's first line) → why. Each must be marked with its kind.
NOT_RUN: dict[tuple[str, str], str] = {
    ("docs/porting.md", "import json"): "official-sdk: the official SDK's side of the comparison",
}
#: The marks that keep a block from running; each such block must be in NOT_RUN.
EXEMPT = {"official-sdk", "real-service"}


class Block(NamedTuple):
    source: str  # path relative to the repository
    line: int  # line of the opening fence, from 1
    code: str
    kind: str | None  # None: no test runs it
    options: dict[str, str]

    @property
    def first_line(self) -> str:
        return next(line for line in self.code.splitlines() if line.strip())

    @property
    def name(self) -> str:
        return f"{self.source}:{self.line}"


def sources() -> list[Path]:
    docs = sorted(path for path in (ROOT / "docs").rglob("*.md") if "_hooks" not in path.parts)
    return [ROOT / "README.md", ROOT / "examples" / "README.md", *docs]


def blocks_of(path: Path, root: Path = ROOT) -> Iterator[Block]:
    """The Python blocks of one Markdown file, each with its marker's kind or the inferred one."""
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence, language = opening.groups()
        end = next((j for j in range(index + 1, len(lines)) if lines[j].strip().startswith(fence[:3])
                    and lines[j].strip().strip(fence[0]) == ""), len(lines))
        if language in PYTHON:
            body = textwrap.dedent("\n".join(line.removeprefix(indent) for line in lines[index + 1:end])) + "\n"
            previous = next((lines[j] for j in range(index - 1, -1, -1) if lines[j].strip()), "")
            marker = MARKER.match(previous)
            options = dict(option.split("=", 1) for option in marker.group(2).split()) if marker else {}
            kind = marker.group(1) if marker else inferred_kind(body)
            yield Block(str(path.relative_to(root)), index + 1, body, kind, options)
        index = end + 1


def inferred_kind(code: str) -> str | None:
    if re.search(r"^(async )?def test_\w*\(", code, re.M):
        return "pytest"
    if "asyncio.run(" in code:
        return "program"
    return None


def all_blocks() -> list[Block]:
    return [block for path in sources() if path.exists() for block in blocks_of(path)]


def runnable(kind: str) -> list[Block]:
    """The blocks of ``kind``, each distinct code once (a page may show the README's block again)."""
    unique: dict[str, Block] = {}
    for block in all_blocks():
        if block.kind == kind:
            unique.setdefault(block.code, block)
    return list(unique.values())


def ids(blocks: list[Block]) -> list[str]:
    return [block.name for block in blocks]


# ------------------------------------------------------------------------------------- coverage


def test_every_pasteable_block_is_run_by_a_test() -> None:
    blocks = all_blocks()
    assert len(blocks) >= 10, [block.name for block in blocks]
    unrun = [f"{block.name} (starts {block.first_line!r})" for block in blocks
             if block.kind not in RUN | EXEMPT]
    assert not unrun, (
        "Python blocks no test runs: make each a complete program (asyncio.run(main())) or a pytest test, "
        "or mark a fragment that uses an open client `api` with <!-- snippet: with-api --> on the line "
        f"before its fence (see this module's docstring): {unrun}")


def test_the_blocks_that_do_not_run_are_marked_and_listed() -> None:
    exempt = {(block.source, block.first_line): block.kind for block in all_blocks() if block.kind in EXEMPT}
    assert set(exempt) == set(NOT_RUN), f"marked {sorted(exempt)}, listed {sorted(NOT_RUN)}"
    for key, kind in exempt.items():
        assert NOT_RUN[key].startswith(f"{kind}:"), (key, kind, NOT_RUN[key])
    assert len(NOT_RUN) <= 3, "few blocks may be left unrun"


def test_markers_name_known_kinds_and_blocks_are_found_under_them(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(textwrap.dedent("""\
        <!-- snippet: with-api files=analysis -->
        ```python
        await api.user.query_user_profile()
        ```

        ```py
        print("no kind")
        ```

        ```sh
        echo not python
        ```

        - In a list:

          ```python
          import asyncio
          asyncio.run(main())
          ```
        """), encoding="utf-8")
    found = list(blocks_of(page, root=tmp_path))
    assert [(block.line, block.kind, block.options) for block in found] == [
        (2, "with-api", {"files": "analysis"}), (6, None, {}), (16, "program", {})]
    assert found[2].code == "import asyncio\nasyncio.run(main())\n"
    for block in all_blocks():
        assert block.kind is None or block.kind in RUN | EXEMPT, block.name


# ------------------------------------------------------------------------------ the simulator


class LoopbackFarms:
    """Loopback simulators, one per signed domain (and one more with file storage), served from a thread."""

    def __init__(self, storage: Path) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._stack = contextlib.AsyncExitStack()
        self._storage = storage
        self._environments: dict[tuple[str, bool], dict[str, str]] = {}

    def environment(self, domain: str, *, engine: bool = False) -> dict[str, str]:
        """The variables that point a client at the simulator signing for ``domain``.

        ``engine=True``: a farm with file storage, and its stand-in transfer engine in ``RAYVISION_TRANSMITTER``.
        """
        key = (domain, engine)
        if key not in self._environments:
            start = self._start(domain, engine)
            self._environments[key] = asyncio.run_coroutine_threadsafe(start, self._loop).result(30)
        return dict(self._environments[key])

    async def _start(self, domain: str, engine: bool) -> dict[str, str]:
        from rayvision_async.simulator import Farm, Simulator, serve

        storage = self._storage / domain if engine else None
        sim = Simulator(farm=Farm(seed=1, speed=100_000, storage=storage), domain=domain)  # 100 frames in ms
        url = await self._stack.enter_async_context(serve(sim))
        env = {"RAYVISION_BASE_URL": url, "RAYVISION_API_ACCESS_ID": sim.access_id,
               "RAYVISION_API_KEY": sim.access_key}
        if sim.farm.storage is not None:
            env["RAYVISION_TRANSMITTER"] = str(sim.farm.storage.launcher())
        return env

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stack.aclose(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
        self._loop.close()


@pytest.fixture(scope="module")
def farms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackFarms]:
    farms = LoopbackFarms(tmp_path_factory.mktemp("farm-storage"))
    yield farms
    farms.close()


def user_environment(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment without the SDK's and pytest's variables, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("RAYVISION_", "PYTEST_"))}
    return {**env, **extra}


def run_program(code: str, directory: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    (directory / "snippet.py").write_text(code, encoding="utf-8")
    return subprocess.run([sys.executable, "snippet.py"], cwd=directory, env=env, capture_output=True,
                          text=True, timeout=180, check=False)


def signed_domain(code: str) -> str:
    match = re.search(r"""domain=["']([^"']+)["']""", code)
    return match.group(1) if match else "task.renderbus.com"


# ------------------------------------------------------------------------------------ running


def prepared(block: Block, farms: LoopbackFarms, directory: Path, domain: str) -> dict[str, str]:
    """Copy the block's files into ``directory``; the environment it runs in (see the module docstring)."""
    if "files" in block.options:
        shutil.copytree(SNIPPET_FILES / block.options["files"], directory, dirs_exist_ok=True)
    engine = block.options.get("engine")
    assert engine in (None, "stand-in"), f"{block.name}: unknown engine={engine}"
    return user_environment(farms.environment(domain, engine=engine is not None))


@pytest.mark.parametrize("block", runnable("program"), ids=ids(runnable("program")))
def test_program_blocks_run_as_written(block: Block, farms: LoopbackFarms, tmp_path: Path) -> None:
    env = prepared(block, farms, tmp_path, signed_domain(block.code))
    done = run_program(block.code, tmp_path, env)
    assert done.returncode == 0, f"{block.name} failed:\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("block", runnable("with-api"), ids=ids(runnable("with-api")))
def test_fragments_run_inside_an_open_client(block: Block, farms: LoopbackFarms, tmp_path: Path) -> None:
    env = prepared(block, farms, tmp_path, "task.renderbus.com")
    program = ("import asyncio\n\nfrom rayvision_async import AsyncRayvisionAPI\n\n\n"
               "async def main() -> None:\n    async with AsyncRayvisionAPI() as api:\n"
               + textwrap.indent(block.code, " " * 8) + "\n\nasyncio.run(main())\n")
    done = run_program(program, tmp_path, env)
    assert done.returncode == 0, f"{block.name} failed:\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("block", runnable("pytest"), ids=ids(runnable("pytest")))
def test_pytest_blocks_pass_in_strict_mode(block: Block, tmp_path: Path) -> None:
    tests = re.findall(r"^(?:async )?def (test_\w+)\(", block.code, re.M)
    name = "test_snippet_" + hashlib.sha256(block.code.encode()).hexdigest()[:8] + ".py"
    run = run_pytest(tmp_path, {name: block.code}, "-o", "asyncio_mode=strict")
    assert "mode=strict" in run.output or "mode=Mode.STRICT" in run.output, run.output
    assert {test: run.outcomes.get(test, ("missing", ""))[0] for test in tests} == dict.fromkeys(tests, "passed"), (
        f"{block.name}:\n{run.output}")
    assert run.returncode == 0, run.output
