"""The ``rayvision-async`` command line and its demo (needs the ``cli`` extra: ``rich``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]

EXIT_CONFIG = 3
MISSING_RICH = "rayvision-async: the command line needs rich: pip install 'rayvision-async[cli]'"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (3 with one line on stderr if ``rich`` is missing)."""
    try:
        from ._main import main as run
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] != "rich":
            raise
        print(MISSING_RICH, file=sys.stderr)
        return EXIT_CONFIG
    return run(argv)
