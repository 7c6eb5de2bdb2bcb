"""The ``rayvision-async`` command line.

Commands for a render wrangler's day (``submit``, ``watch``, ``frames``,
``restart``, ``stop``/``start``/``abort``/``delete``, ``priority``, ``outputs``,
``log``, ``env``/``projects``/``labels``), every endpoint as ``api GROUP
METHOD``, profiles (``configure``), the ``demo`` and ``simulate``. Tables and
live progress need ``rich`` (the ``cli`` extra); ``--json`` output does not.

Exit codes (see :mod:`._exit`): 0 success, 1 the service refused (or does not
know an id), 2 bad usage, 3 configuration (also: ``rich`` is not installed
for a table), 4 network, 5 ``watch``: a task ended failed or abandoned, 6
``watch``: a task ended stopped, 130 interrupted, 141 stdout closed.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the command line's start imports no typing
if TYPE_CHECKING:
    from ._run import main

__all__ = ["main"]

MISSING_RICH = "tables and live progress need rich: pip install 'rayvision-async[cli]' (or print --json)"


def __getattr__(name: str) -> object:
    """``main`` (the console script's entry point): :func:`._run.main`, imported when first asked for."""
    if name == "main":
        from ._run import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
