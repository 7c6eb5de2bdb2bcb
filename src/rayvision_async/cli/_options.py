"""The command line's options: the parser, and value types that reject out-of-range values.

A bad value (``demo --speed -5``, ``simulate --port 99999``, ``tasks --limit -1``,
``tasks --status BOGUS``) is one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable
from typing import NoReturn

from .._digits import DECIMAL_TEXT, INT_TEXT
from .._version import __version__
from ..models import TaskStatus
from ._exit import EXIT_USAGE, PROG

__all__ = ["build_parser", "integer", "number", "port", "statuses"]


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


def statuses(text: str) -> list[int]:
    """An argparse type: task statuses by name (``FINISHED``, any case) or code (``25``), comma-separated."""
    codes: list[int] = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        if re.fullmatch(r"[0-9]{1,4}", item):
            codes.append(int(item))
        elif item.upper() in TaskStatus.__members__:
            codes.append(TaskStatus[item.upper()].value)
        else:
            names = ", ".join(TaskStatus.__members__)
            raise argparse.ArgumentTypeError(f"unknown task status {item!r}: give a code or one of {names}")
    if not codes:
        raise argparse.ArgumentTypeError("give a task status name or code")
    return codes


def base_url(text: str) -> str:
    """An argparse type: ``http(s)://host[:port]`` (a trailing slash is dropped; the SDK checks the rest)."""
    url = text.rstrip("/")
    if not re.fullmatch(r"https?://[^/\s]+", url):
        raise argparse.ArgumentTypeError(f"{text!r} is not like http://127.0.0.1:8765 (scheme, host, port; no path)")
    return url


def _connected(commands: argparse._SubParsersAction[OneLineParser], name: str, help_text: str) -> OneLineParser:
    sub = commands.add_parser(name, help=help_text, description=help_text)
    where = sub.add_mutually_exclusive_group()
    where.add_argument("--simulate", action="store_true", help="use an embedded simulated farm")
    where.add_argument("--base-url", type=base_url, metavar="URL",
                       help="send requests here instead of https://DOMAIN, e.g. the URL "
                            "'rayvision-async simulate' prints")
    sub.add_argument("--access-id", help="default: $RAYVISION_API_ACCESS_ID")
    sub.add_argument("--access-key", help="default: $RAYVISION_API_KEY (prefer the variable)")
    sub.add_argument("--domain", default="task.renderbus.com", help="domain signed for (default: %(default)s)")
    sub.add_argument("--platform", default="4", help="platform number (default: %(default)s)")
    sub.add_argument("--protocol", choices=("current", "2018"), default="current",
                     help="path set: current (SDK 3.x) or 2018 (the 2018-2020 documents) (default: %(default)s)")
    sub.add_argument("--json", action="store_true", help="print JSON instead of tables")
    return sub


def build_parser() -> OneLineParser:
    """The ``rayvision-async`` parser, with its five commands."""
    parser = OneLineParser(prog=PROG, description="Rayvision render API from the shell.",
                           epilog="Exit codes: 0 ok, 1 the service refused, 2 bad usage, 3 configuration, "
                                  "4 network, 5 watch: a task failed or was abandoned, 6 watch: a task "
                                  "was stopped, 130 interrupted, 141 stdout closed.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="run the main job against the embedded simulator",
                               description="Create, submit and watch tasks on a simulated farm; "
                                           "restart failed frames; print a summary.")
    demo.add_argument("--tasks", type=integer(low=1, high=500), default=6,
                      help="tasks to submit, 1 to 500 (default: %(default)s)")
    demo.add_argument("--frames", default="1-24[1]", help="frames per task (default: %(default)s)")
    demo.add_argument("--failure-rate", type=number(low=0, high=1), default=0.06,
                      help="frame failure rate, 0 to 1 (default: %(default)s)")
    demo.add_argument("--speed", type=number(above=0), default=400.0,
                      help="simulated seconds per real second, more than 0 (default: %(default)s)")
    demo.add_argument("--seed", type=int, default=7, help="random seed of the farm (default: %(default)s)")
    demo.add_argument("--in-process", action="store_true", help="no loopback HTTP: an in-process transport")
    demo.add_argument("--json", action="store_true", help="print the summary as JSON, without live progress")

    tasks = _connected(commands, "tasks", "list tasks")
    tasks.add_argument("--status", type=statuses, action="append", metavar="STATUS",
                       help="only tasks in this status: a name (FINISHED) or code (25); repeatable or "
                            "comma-separated")
    tasks.add_argument("--search", help="filter by keyword")
    tasks.add_argument("--limit", type=integer(low=1), default=50,
                       help="at most this many tasks, at least 1 (default: %(default)s)")

    watch = _connected(commands, "watch", "watch tasks until they end")
    watch.description = ("Watch tasks until each ends. Exit code 0 if all finished, 5 if one ended failed, "
                         "with failed frames or abandoned, 6 if one was stopped (and none failed), 1 if "
                         "the service does not know an id.")
    watch.add_argument("ids", nargs="*", type=integer(low=1), help="task ids")
    watch.add_argument("--all", action="store_true", help="watch every unfinished task")
    watch.add_argument("--interval", type=number(above=0), default=5.0,
                       help="seconds between polls, more than 0 (default: %(default)s)")

    _connected(commands, "info", "show the account's profile and settings")

    simulate = commands.add_parser("simulate", help="serve a simulated farm on loopback HTTP",
                                   description="Serve a signature-checking simulated farm until Ctrl+C. "
                                               "Prints the base URL and the credentials a client needs.")
    simulate.add_argument("--port", type=port, default=8765, help="port, 0 to 65535 (default: %(default)s; "
                                                                  "0: any free port)")
    simulate.add_argument("--host", default="127.0.0.1", help="address (default: %(default)s)")
    simulate.add_argument("--speed", type=number(low=0), default=10.0,
                          help="simulated seconds per real second, 0 or more (default: %(default)s)")
    simulate.add_argument("--failure-rate", type=number(low=0, high=1), default=0.0,
                          help="frame failure rate, 0 to 1 (default: %(default)s)")
    simulate.add_argument("--seed", type=int, default=0, help="random seed of the farm (default: %(default)s)")
    simulate.add_argument("--tasks", type=integer(low=0, high=500), default=0,
                          help="submit this many example tasks before serving, 0 to 500 (default: %(default)s)")
    simulate.add_argument("--json", action="store_true",
                          help="print the connection details as one JSON line")
    return parser
