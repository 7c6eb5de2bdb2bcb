"""A user's project in a temporary directory: pytest run there as a user runs it.

The project has its own empty ``pytest.ini``, so this repository's ``asyncio_mode = "auto"`` does not
apply (pytest-asyncio runs in its default strict mode unless told otherwise), and pytest finds the SDK's
plugin through its pytest11 entry point, as in any project that installs the package.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import NamedTuple

import pytest

PLUGIN_MODULE = "_rayvision_async_pytestplugin"


class Outcome(NamedTuple):
    outcome: str  # "passed", "failed", "error" or "skipped"
    message: str


class Run(NamedTuple):
    returncode: int
    output: str
    outcomes: dict[str, Outcome]


def installed_entry_point() -> importlib.metadata.EntryPoint:
    for entry_point in importlib.metadata.entry_points(group="pytest11"):
        if entry_point.name == "rayvision_async":
            return entry_point
    pytest.skip("rayvision-async is not installed, so pytest has no plugin to load (pip install -e '.[test]')")


def run_pytest(project: Path, files: dict[str, str], *args: str) -> Run:
    """Run pytest in ``project`` (a user's project: no configuration but an empty ``pytest.ini``)."""
    installed_entry_point()
    (project / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    for name, text in files.items():
        (project / name).write_text(text, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    report = project / "report.xml"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", f"--junitxml={report}", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = completed.stdout + completed.stderr
    outcomes: dict[str, Outcome] = {}
    if report.exists():
        for case in ET.parse(report).getroot().iter("testcase"):
            result = next((child for child in case if child.tag in ("failure", "error", "skipped")), None)
            if result is None:
                outcomes[case.get("name", "")] = Outcome("passed", "")
            else:
                tag = "failed" if result.tag == "failure" else result.tag
                outcomes[case.get("name", "")] = Outcome(tag, result.get("message", ""))
    return Run(completed.returncode, output, outcomes)
