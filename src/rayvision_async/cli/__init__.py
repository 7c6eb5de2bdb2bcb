"""The ``rayvision-async`` command line and its demo (needs the ``cli`` extra: ``rich``).

Exit codes (see :mod:`._exit`): 0 success, 1 the service refused, 2 bad usage,
3 configuration (also: ``rich`` is not installed), 4 network, 5 ``watch``: a
task ended failed or abandoned, 6 ``watch``: a task ended stopped, 130
interrupted, 141 stdout closed.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._exit import EXIT_CONFIG, complain

__all__ = ["main"]

MISSING_RICH = "the command line needs rich: pip install 'rayvision-async[cli]'"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (3 with one line on stderr if ``rich`` is missing)."""
    try:
        from ._main import main as run
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] != "rich":
            raise
        complain(MISSING_RICH)
        return EXIT_CONFIG
    return run(argv)
