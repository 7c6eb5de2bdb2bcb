"""The simulator's transfer engine: a stand-in for ``rayvision_transmitter`` over the farm's storage.

Same command line and exit codes as the real engine (see :mod:`._program`), moving files between
local folders and the simulated farm's storage (a folder the :class:`~..farm.Farm` owns), with
faults on demand. Two ways to point the SDK at it:

* :func:`write_launcher` writes a small executable Python file that runs the stand-in for one
  storage folder; its path is what ``$RAYVISION_TRANSMITTER`` (or ``Transfer(transmitter=...)``)
  takes, and what ``rayvision-async simulate`` prints. A path is the one form an environment
  variable carries without any splitting or quoting rules, so the launcher bakes the storage
  folder in instead of needing arguments.
* :func:`command` gives the same as a command (a list of strings: this Python, the program file,
  ``--farm-storage``), for ``Transfer(transmitter=command(root))`` where no file may be written
  (and on Windows, where a script is not executable by itself).

Both run the program file directly, not ``python -m``: the file imports nothing of the SDK, so a
run starts in tens of milliseconds. ``python -m rayvision_async.simulator.transmitter`` works too
(with ``--farm-storage`` or ``$RAYVISION_SIM_STORAGE``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..._arguments import checked_binding
from ...errors import InvalidInputError
from .. import _arguments as check
from . import _program
from ._program import EXIT_FATAL, EXIT_OK, EXIT_RETRY, FAULT_KINDS, STORAGE_ENV, VERSION_LINE, main

__all__ = ["EXIT_FATAL", "EXIT_OK", "EXIT_RETRY", "FAULT_KINDS", "LAUNCHER_NAME", "PROGRAM", "STORAGE_ENV",
           "VERSION_LINE", "command", "main", "queue_fault", "write_launcher"]

#: The stand-in's program file (run directly by the launcher and by :func:`command`).
PROGRAM = Path(__file__).resolve().with_name("_program.py")
#: The launcher's file name (not ``rayvision_transmitter``: the SDK treats that name as the real engine).
LAUNCHER_NAME = "rayvision-sim-transmitter"


@checked_binding()
def command(storage: str | os.PathLike[str]) -> tuple[str, ...]:
    """The stand-in as a command for ``Transfer(transmitter=...)``, for the farm storage ``storage``."""
    return (sys.executable, str(PROGRAM), f"--farm-storage={check.folder(storage, 'storage')}")


@checked_binding()
def queue_fault(root: str | os.PathLike[str], kind: str, count: int = 1) -> None:
    """Queue ``count`` (1–10,000) one-shot faults of ``kind`` (:data:`FAULT_KINDS`) for the next runs, oldest first."""
    folder = check.folder(root, "root")
    check.one_of(kind, "kind", FAULT_KINDS)
    check.count(count, "count", 1, 10_000)
    try:
        _program.queue_fault(Path(folder), kind, count)
    except OSError as exc:
        raise InvalidInputError(f"faults cannot be queued in {folder[:200]!r}: {exc.strerror or exc}") from None


@checked_binding()
def write_launcher(storage: str | os.PathLike[str], folder: str | os.PathLike[str] | None = None) -> Path:
    """Write the launcher for ``storage`` into ``folder`` (default: ``storage``); its path, mode 0700.

    It runs this Python (its path is the file's ``#!`` line) on the program file with the storage
    folder set, so it is a single path to put in ``$RAYVISION_TRANSMITTER``.
    """
    storage = check.folder(storage, "storage")
    if folder is not None:
        folder = check.folder(folder, "folder")
    try:
        return _write_launcher(Path(storage).resolve(), folder)
    except (OSError, RuntimeError) as exc:  # a folder that cannot be made or written, a symlink loop
        raise InvalidInputError(f"the launcher cannot be written: {getattr(exc, 'strerror', None) or exc}") from None


def _write_launcher(root: Path, folder: str | None) -> Path:
    path = Path(folder if folder is not None else root).resolve() / LAUNCHER_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"#!{sys.executable}\n"
        "# The rayvision-async simulator's stand-in transfer engine, for the farm storage below.\n"
        "import os, runpy\n"
        f"os.environ[{STORAGE_ENV!r}] = {str(root)!r}\n"
        f"runpy.run_path({str(PROGRAM)!r}, run_name='__main__')\n",
        encoding="utf-8")
    path.chmod(0o700)
    return path
