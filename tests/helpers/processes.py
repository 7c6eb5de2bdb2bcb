"""Which processes exist, read from /proc (Linux): a test's children, and whether a pid is still running."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

__all__ = ["alive", "children", "needs_proc"]

needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists() or sys.platform != "linux",
                                reason="reads processes from /proc (Linux)")


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of ``pid``, or None if there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, ppid = text.rsplit(")", 1)[1].split()[:2]  # the command name may hold spaces and ')'
    return state, int(ppid)


def children(pid: int | None = None) -> dict[int, str]:
    """The child processes of ``pid`` (default: this process) and their states (``Z`` is a zombie)."""
    parent = os.getpid() if pid is None else pid
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[1] == parent:
                found[int(entry)] = stat[0]
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` is a process that has not exited (a zombie has exited)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"
