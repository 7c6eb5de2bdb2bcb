"""A command's own failure: a one-line message and its exit code (raised by commands, reported by ``_run``)."""

from __future__ import annotations

__all__ = ["CommandError"]


class CommandError(Exception):
    """The command cannot go on: ``message`` goes to stderr as one line, ``code`` is the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
