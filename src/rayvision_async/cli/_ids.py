"""Task ids from the arguments or standard input, and the question asked before destructive work.

Ids come from the arguments; ``-`` among them, or no ids with standard input a
pipe or a file, reads them from standard input too: whole numbers separated by
spaces, commas or lines, or the JSON another command prints with ``--json``
(an array of ids or of objects with an ``id``, or one such object per line), so
``rayvision-async tasks --status FAILED --json | rayvision-async restart`` works.

Destructive commands ask on the terminal first (on stderr, so a ``--json``
stdout stays clean) unless ``--yes``; with no terminal to ask on (standard input
not a terminal, or the ids read from it) they refuse without ``--yes`` (exit code 2).
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Iterable
from typing import Any

from ._exit import EXIT_API, EXIT_USAGE
from ._failure import CommandError

__all__ = ["TaskIds", "can_ask", "confirm", "parse_ids", "task_ids"]

_SEPARATORS = re.compile(r"[\s,]+")
_ID_KEYS = ("id", "task_id")


class TaskIds(list[int]):
    """Task ids, in the order given, each once; ``from_stdin`` when some were read from standard input."""

    from_stdin: bool = False


def _piped() -> bool:
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):  # no standard input at all
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode)


def _id_of(item: Any) -> Any:
    if isinstance(item, dict):
        for key in _ID_KEYS:
            if key in item:
                return item[key]
        raise ValueError(f"an object without an id: {json.dumps(item)[:60]}")
    return item


def parse_ids(text: str) -> list[int]:
    """The task ids in ``text``: numbers, a JSON array (of ids or objects with ``id``), or JSON lines."""
    stripped = text.strip()
    items: list[Any]
    if stripped.startswith("["):
        try:
            document = json.loads(stripped)
        except ValueError as exc:
            raise ValueError(f"not JSON: {exc}") from None
        items = [_id_of(item) for item in document] if isinstance(document, list) else [document]
    elif stripped.startswith("{"):
        try:
            items = [_id_of(json.loads(line)) for line in stripped.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON lines: {exc}") from None
    else:
        items = [token for token in _SEPARATORS.split(stripped) if token]
    ids: list[int] = []
    for item in items:
        text_form = str(item)
        if isinstance(item, bool) or not re.fullmatch(r"\d{1,19}", text_form) or int(text_form) < 1:
            raise ValueError(f"not a task id: {text_form[:40]!r}")
        ids.append(int(text_form))
    return ids


def task_ids(args: Any, *, required: bool = True) -> TaskIds:
    """The ids of ``args.ids``, with those of standard input when ``-`` is given or it is piped in."""
    given: list[int | str] = list(args.ids)
    ids = TaskIds(item for item in given if isinstance(item, int))
    if "-" in given or (not given and _piped()):
        try:
            ids.extend(parse_ids(sys.stdin.read()))
        except ValueError as exc:
            raise CommandError(f"{args.command}: standard input: {exc}", EXIT_USAGE) from None
        ids.from_stdin = True
    unique = TaskIds(dict.fromkeys(ids))
    unique.from_stdin = ids.from_stdin
    if required and not unique:
        raise CommandError(f"{args.command}: give task ids, or pipe them in", EXIT_USAGE)
    return unique


def _shown(ids: Iterable[int]) -> str:
    listed = list(ids)
    return ", ".join(map(str, listed[:10])) + (f" and {len(listed) - 10} more" if len(listed) > 10 else "")


def can_ask(args: Any, ids: Iterable[int] | None = None) -> None:
    """Refuse (exit code 2) unless ``--yes`` or there is a terminal to ask on: call it before any request."""
    if args.yes:
        return
    if getattr(ids, "from_stdin", False) or not sys.stdin.isatty():
        raise CommandError(f"{args.command}: pass --yes to confirm (no terminal to ask on)", EXIT_USAGE)


def confirm(args: Any, action: str, ids: Iterable[int] | None = None) -> None:
    """Ask before ``action`` (``"delete 3 tasks"``) unless ``--yes``; exit code 1 (nothing done) unless answered yes."""
    can_ask(args, ids)
    if args.yes:
        return
    what = action + (f" ({_shown(ids)})" if ids is not None else "")
    sys.stderr.write(f"{what[0].upper()}{what[1:]}? [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise CommandError(f"{args.command}: not confirmed; nothing changed", EXIT_API)
