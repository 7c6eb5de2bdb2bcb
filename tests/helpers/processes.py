"""Which processes exist (psutil): a test's children, and whether a pid is still running."""

from __future__ import annotations

import sys

import psutil
import pytest

__all__ = ["alive", "children", "descendants", "linux_only"]

#: The engine's runner ends a process group by its own pid; its tests are written for Linux.
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="process groups as Linux runs them")


def children(pid: int | None = None) -> dict[int, str]:
    """The child processes of ``pid`` (default: this process) and their states (``zombie`` has exited)."""
    found = {}
    for child in psutil.Process(pid).children():
        try:
            found[child.pid] = child.status()
        except psutil.NoSuchProcess:
            continue
    return found


def descendants(pid: int) -> dict[int, float]:
    """Every living descendant of ``pid``, with its start time (to tell a reused pid)."""
    found = {}
    for process in psutil.Process(pid).children(recursive=True):
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                found[process.pid] = process.create_time()
        except psutil.NoSuchProcess:
            continue
    return found


def alive(pid: int, started: float | None = None) -> bool:
    """Whether ``pid`` is a process that has not exited (a zombie has exited), and started at ``started`` if given."""
    try:
        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE and (started is None or process.create_time() == started)
    except psutil.NoSuchProcess:
        return False
