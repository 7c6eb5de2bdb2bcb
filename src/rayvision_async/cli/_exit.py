"""The command line's exit codes, and where its complaints go (stderr, one line, never re-wrapped).

Nothing heavy here: the parser imports this before any command runs.
"""

from __future__ import annotations

import sys

__all__ = [
    "EXIT_API",
    "EXIT_CONFIG",
    "EXIT_INTERRUPTED",
    "EXIT_NETWORK",
    "EXIT_OK",
    "EXIT_PIPE",
    "EXIT_TASK_FAILED",
    "EXIT_TASK_STOPPED",
    "EXIT_USAGE",
    "PROG",
    "complain",
]

PROG = "rayvision-async"

EXIT_OK = 0
#: The service refused a request (envelope error code, bad signature…), or does not know an id a command was
#: given (nothing changed or transferred); a destructive command not confirmed on the terminal; ``demo``: a task
#: unfinished, or frames that differ from those the farm rendered.
EXIT_API = 1
#: Bad usage: an unknown command or option, a value out of range (the library's own checks included: nothing
#: is sent), an endpoint the 2018 path set lacks, a destructive command without ``--yes`` and no terminal to
#: ask on, a port that cannot be listened on; a file upload.json lists that is missing or unreadable, a
#: destination that cannot be written (before any request or engine start).
EXIT_USAGE = 2
#: Configuration: missing or malformed credentials, domain, platform or base URL; a missing profile, a config
#: file others may read, or one that is not valid; ``rich`` not installed (for a table: ``--json`` needs none);
#: no transfer engine (one line, and where to get one).
EXIT_CONFIG = 3
#: The network failed or an answer could not be read; a transfer failed (the engine's exit code, log folder and
#: last lines in the message).
EXIT_NETWORK = 4
#: ``watch``, ``render``: a watched task ended FAILED, FINISHED_HAS_FAILED (some frames failed) or ABANDON.
EXIT_TASK_FAILED = 5
#: ``watch``, ``render``: a watched task ended stopped (STOP, USER_STOP, ARREARAGE_STOP, TIME_OUT_STOP), none
#: failed.
EXIT_TASK_STOPPED = 6
#: Ctrl+C (128 + SIGINT).
EXIT_INTERRUPTED = 130
#: The reader of stdout went away (``… | head -1``): 128 + SIGPIPE, as a shell reports it.
EXIT_PIPE = 141


def complain(message: str) -> None:
    """Write ``rayvision-async: message`` to stderr as one unwrapped line, and flush it."""
    text = " ".join(message.split("\n"))
    sys.stderr.write(f"{PROG}: {text}\n")
    sys.stderr.flush()
