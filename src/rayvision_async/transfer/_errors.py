"""The transfer layer's errors: what went wrong before an engine started, and what an engine run ended in.

* :class:`TransmitterNotFoundError` (a :class:`~rayvision_async.errors.ConfigurationError`): no
  engine program; its message says how to get one.
* :class:`UnknownTaskError` (an :class:`~rayvision_async.errors.InvalidInputError`): the service
  does not know the task id; nothing was transferred.
* :class:`TransferError`: an engine run failed (fatal exit code, or "should retry" until the
  attempts ran out); it carries the exit code, the engine's last output lines (scrubbed of
  secrets), the log folder and the command line. :class:`TransferTimeoutError`: the run's deadline
  passed and the engine was ended. :class:`IncompleteTransferError`: the engine said success but
  files are missing or short on disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..errors import ConfigurationError, InvalidInputError, RayvisionError

__all__ = ["IncompleteTransferError", "TransferError", "TransferTimeoutError", "TransmitterNotFoundError",
           "UnknownTaskError"]

#: How many of the engine's last output lines an error shows.
SHOWN_LINES = 20


class TransmitterNotFoundError(ConfigurationError):
    """No transfer engine was found (setting, ``$RAYVISION_TRANSMITTER``, installed ``rayvision-sync``)."""


class UnknownTaskError(InvalidInputError, LookupError):
    """The service does not know the task id; no engine was started."""

    def __init__(self, task_id: int) -> None:
        self.task_id = task_id
        super().__init__(f"the service does not know task {task_id}")


class TransferError(RayvisionError):
    """An engine run failed; ``exit_code``, ``lines`` (its last output), ``log_dir`` and ``command`` say how.

    ``attempts`` counts the runs made (retries on exit code 1 included). Nothing here holds a secret:
    the lines and the command were scrubbed before the error was built.
    """

    def __init__(self, message: str, *, exit_code: int | None = None, attempts: int = 1,
                 lines: Sequence[str] = (), log_dir: str | None = None, command: Sequence[str] = ()) -> None:
        self.reason = message
        self.exit_code = exit_code
        self.attempts = attempts
        self.lines = tuple(lines)
        self.log_dir = log_dir
        self.command = tuple(command)
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = self.reason
        if self.log_dir:
            text += f" (engine log folder: {self.log_dir})"
        shown = self.lines[-SHOWN_LINES:]
        if shown:
            text += "\nthe engine's last lines:\n" + "\n".join(f"  {line}" for line in shown)
        return text


class TransferTimeoutError(TransferError, TimeoutError):
    """A transfer ran out of time; the engine (and every process it started) was ended."""


class IncompleteTransferError(TransferError):
    """The engine reported success, yet ``files`` are missing or shorter than the service lists them."""

    def __init__(self, message: str, *, files: Iterable[str], exit_code: int | None = None, attempts: int = 1,
                 lines: Sequence[str] = (), log_dir: str | None = None, command: Sequence[str] = ()) -> None:
        self.files = tuple(files)
        shown = ", ".join(self.files[:5]) + (" …" if len(self.files) > 5 else "")
        super().__init__(f"{message}: {len(self.files)} file(s) incomplete: {shown}", exit_code=exit_code,
                         attempts=attempts, lines=lines, log_dir=log_dir, command=command)
