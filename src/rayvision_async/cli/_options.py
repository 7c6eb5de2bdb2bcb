"""The command line's value types: each rejects a bad value as one line on stderr and exit code 2.

A bad value (``demo --speed -5``, ``simulate --port 99999``, ``tasks --limit -1``,
``tasks --status BOGUS``) is one line on stderr and exit code 2, never a traceback.
Nothing here imports the SDK beyond this package: the parser is built from these
before any command runs (the status names come from ``_generated_api``).
"""

from __future__ import annotations

import argparse
import math
import re
import sys

from .._digits import DECIMAL_TEXT, INT_TEXT
from ._exit import EXIT_USAGE
from ._generated_api import FRAME_STATUSES, TASK_STATUSES

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing would cost the parser ~10 ms
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import NoReturn

__all__ = ["OneLineParser", "base_url", "frame_statuses", "integer", "number", "port", "statuses"]


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on stderr (no usage block), exit code 2."""

    def error(self, message: str) -> NoReturn:
        text = " ".join(message.split("\n"))
        sys.stderr.write(f"{self.prog}: error: {text} (see {self.prog} --help)\n")
        sys.stderr.flush()
        self.exit(EXIT_USAGE)


def number(*, above: float | None = None, low: float | None = None, high: float | None = None
           ) -> Callable[[str], float]:
    """An argparse type: a finite float, greater than ``above``, within ``low``..``high`` (each optional)."""

    def parse(text: str) -> float:
        if not DECIMAL_TEXT.fullmatch(text.strip()):  # ASCII: float() would read "٤" or "1_0"
            raise argparse.ArgumentTypeError(f"not a number: {text!r}")
        value = float(text)
        if not math.isfinite(value) or (above is not None and value <= above) \
                or (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text} is out of range: {_range(above, low, high)}")
        return value

    return parse


def integer(*, low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: an int within ``low``..``high`` (each optional)."""

    def parse(text: str) -> int:
        if not INT_TEXT.fullmatch(text.strip()) or len(text) > 30:  # ASCII: int() would read "٤" or "1_0"
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
        value = int(text)
        if (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text} is out of range: {_range(None, low, high)}")
        return value

    return parse


def _range(above: float | None, low: float | None, high: float | None) -> str:
    if above is not None:
        return f"must be more than {above:g}" + ("" if high is None else f" and at most {high:g}")
    if low is not None and high is not None:
        return f"must be from {low:g} to {high:g}"
    return f"must be at least {low:g}" if low is not None else f"must be at most {high:g}"


port = integer(low=0, high=65535)


def _codes(text: str, table: Mapping[str, int], what: str) -> list[int]:
    codes: list[int] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        if re.fullmatch(r"[0-9]{1,4}", item):
            codes.append(int(item))
        elif item.upper() in table:
            codes.append(table[item.upper()])
        else:
            raise argparse.ArgumentTypeError(f"unknown {what} {item!r}: give a code or one of {', '.join(table)}")
    if not codes:
        raise argparse.ArgumentTypeError(f"give a {what} name or code")
    return codes


def statuses(text: str) -> list[int]:
    """An argparse type: task statuses by name (``FINISHED``, any case) or code (``25``), comma-separated."""
    return _codes(text, TASK_STATUSES, "task status")


def frame_statuses(text: str) -> list[int]:
    """An argparse type: frame statuses by name (``FAILED``, any case) or code (``5``), comma-separated."""
    return _codes(text, FRAME_STATUSES, "frame status")


def base_url(text: str) -> str:
    """An argparse type: ``http(s)://host[:port]`` (a trailing slash is dropped; the SDK checks the rest)."""
    url = text.rstrip("/")
    if not re.fullmatch(r"https?://[^/\s]+", url):
        raise argparse.ArgumentTypeError(f"{text!r} is not like http://127.0.0.1:8765 (scheme, host, port; no path)")
    return url




def task_id_or_dash(text: str) -> int | str:
    """An argparse type: a task id (a whole number, at least 1), or ``-`` (read the ids from standard input)."""
    return "-" if text == "-" else integer(low=1)(text)


def profile_name(text: str) -> str:
    """An argparse type: a profile name (letters, digits, ``-``, ``_``, ``.``; at most 64)."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a profile name (letters, digits, '-', '_', '.')")
    return text
