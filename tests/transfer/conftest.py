"""Fixtures for the transfer tests: fake engines (tiny Python programs) and a farm with storage."""

from __future__ import annotations

import stat
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers.processes import children
from rayvision_async.simulator import Farm
from rayvision_async.simulator.farm import FarmStorage

FakeEngine = Callable[[str], Path]


@pytest.fixture
def no_child_left() -> Iterator[None]:
    """Fails the test if it leaves a child process behind."""
    before = set(children())
    yield
    left = {pid: state for pid, state in children().items() if pid not in before}
    assert left == {}, f"child processes left behind: {left}"


@pytest.fixture
def fake_engine(tmp_path: Path) -> FakeEngine:
    """``fake_engine(body)``: an executable Python program running ``body`` (``args`` = its arguments)."""
    counter = iter(range(1, 1000))

    def write(body: str) -> Path:
        path = tmp_path / f"engine-{next(counter)}"
        path.write_text(f"#!{sys.executable}\nimport os, sys, time\nargs = sys.argv[1:]\n"
                        + textwrap.dedent(body), encoding="utf-8")
        path.chmod(stat.S_IRWXU)
        return path

    return write


@pytest.fixture
def rayvision_farm(tmp_path: Path) -> Farm:
    """The plugin's farm, with its storage in this test's ``tmp_path``."""
    return Farm(seed=7, speed=0.0, storage=tmp_path / "farm-storage")


@pytest.fixture
def storage(rayvision_farm: Farm) -> FarmStorage:
    assert rayvision_farm.storage is not None
    return rayvision_farm.storage
