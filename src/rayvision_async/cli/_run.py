"""Parse, run the chosen command, and turn every failure into one line on stderr and its exit code.

The parser names the module and function of each command (``run="_tasks:run_stop"``);
that module is imported only now, so ``--help`` and a usage error never import
the SDK's client. A command function returns its exit code, or a coroutine
that does (run here with :func:`asyncio.run`).

Exit codes (:mod:`._exit`): a :class:`~._failure.CommandError` carries its own;
``ConfigurationError`` 3 (no transfer engine: its first line and where to get one),
``InvalidInputError`` (``UnsupportedOperationError`` too) 2, the service refusing
(``APIError``, a scene the service's catalogue refuses) or not knowing a task
whose files were asked for 1, a failed transfer and anything else of the SDK
(network, unreadable answers) 4, Ctrl+C 130, a closed stdout 141.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

from .._arguments import checked_binding
from ._exit import EXIT_API, EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_NETWORK, EXIT_PIPE, EXIT_USAGE, complain
from ._failure import CommandError
from ._parser import build_parser

__all__ = ["main"]


def _exit_code(exc: BaseException) -> int | None:
    """The exit code of an SDK error, after saying what happened (None: not an SDK error)."""
    from .. import errors
    from ..flows._pipeline_errors import AnalysisSubmitError, SubmitStepError
    from ..transfer._errors import TransferError, TransmitterNotFoundError, UnknownTaskError

    if isinstance(exc, TransmitterNotFoundError):
        from ._transfers import engine_pointer

        complain(f"configuration error: {engine_pointer(str(exc))}")
        return EXIT_CONFIG
    if isinstance(exc, UnknownTaskError):
        complain(f"the service does not know task ids [{exc.task_id}]; nothing was transferred")
        return EXIT_API
    if isinstance(exc, TransferError):
        last = "; ".join(exc.lines[-3:])
        complain(f"transfer failed: {exc.reason}" + (f" (engine log folder: {exc.log_dir})" if exc.log_dir else "")
                 + (f"; the engine's last lines: {last}" if last else ""))
        return EXIT_NETWORK
    if isinstance(exc, errors.ConfigurationError):
        complain(f"configuration error: {exc}")
        return EXIT_CONFIG
    if isinstance(exc, errors.InvalidInputError):
        complain(f"invalid input: {exc}")
        return EXIT_USAGE
    if isinstance(exc, SubmitStepError):
        cause = exc.__cause__
        resume = f"; task {exc.task_id} exists: resume with --task-id {exc.task_id}" if exc.task_id else ""
        complain(f"submit failed at {exc.step!r} (done: {', '.join(exc.completed) or 'nothing'}): {cause}{resume}")
        return EXIT_API if isinstance(cause, errors.APIError) else EXIT_NETWORK
    if isinstance(exc, (errors.APIError, AnalysisSubmitError)):
        complain(f"the service refused: {exc}")
        return EXIT_API
    if isinstance(exc, errors.RayvisionError):
        complain(f"request failed: {exc}")
        return EXIT_NETWORK
    return None


def _checked_words(argv: object) -> Sequence[str]:
    if not isinstance(argv, list | tuple) or len(argv) > _MAX_WORDS or not all(isinstance(word, str) for word in argv):
        from ..errors import InvalidInputError

        raise InvalidInputError(f"argv must be a list of at most {_MAX_WORDS} strings (the words after the "
                                f"program's name), not {type(argv).__name__}")
    return argv


def _dispatch(run: str, args: object) -> int:
    module_name, _, function_name = run.partition(":")
    module = importlib.import_module(f"{__package__}.{module_name}")
    try:
        result = getattr(module, function_name)(args)
        if not isinstance(result, int):
            import asyncio

            result = asyncio.run(result)
    except CommandError as exc:
        complain(exc.message)
        return exc.code
    except Exception as exc:
        code = _exit_code(exc)
        if code is None:
            raise
        return code
    assert isinstance(result, int)
    return result


#: The most words one command line may have.
_MAX_WORDS = 100_000


@checked_binding()
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    ``argv`` is the command line's words after the program name (default: ``sys.argv[1:]``), a
    list or tuple of strings: anything else is an ``InvalidInputError`` (a program's mistake, not
    a usage error). argparse's own exits (``--help``, a usage error) raise ``SystemExit`` as usual.
    """
    words = list(sys.argv[1:] if argv is None else _checked_words(argv))
    args = build_parser(words).parse_args(words)
    try:
        return _dispatch(args.run, args)
    except KeyboardInterrupt:  # Ctrl+C, in the command or in the event loop's start or teardown
        complain("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away: point stdout at /dev/null so the interpreter's final flush cannot fail too
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
