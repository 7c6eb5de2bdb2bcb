"""What the commands print: JSON for scripts (standard library only), tables for people (rich).

:func:`plain` turns results into JSON values: a model becomes an object with its
snake_case field names, money a number, a time an ISO 8601 text, an enum its
code, a tuple an array; a secret field (a key, a password: the fields a
model keeps out of its repr) becomes ``"<hidden>"`` unless asked for.
:func:`print_json` needs nothing outside the standard library, so ``--json``
works without the ``cli`` extra; :func:`print_table` needs ``rich`` and says
so (exit code 3) when it is missing.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._exit import EXIT_CONFIG
from ._failure import CommandError

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["HIDDEN", "console", "plain", "print_json", "print_table"]

#: What a secret field prints as, unless secrets are asked for.
HIDDEN = "<hidden>"


def plain(value: Any, *, secrets: bool = False) -> Any:
    """``value`` as JSON values (see the module's docstring)."""
    fields = getattr(type(value), "__attrs_attrs__", None)
    if fields is not None:
        return {field.name: (HIDDEN if not secrets and field.repr is False and getattr(value, field.name)
                             else plain(getattr(value, field.name), secrets=secrets)) for field in fields}
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)  # a JSON number; the service's amounts have a few decimal places
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): plain(item, secrets=secrets) for key, item in value.items()}
    if isinstance(value, Iterable):
        return [plain(item, secrets=secrets) for item in value]
    raise TypeError(f"{type(value).__name__} has no JSON form")


def print_json(value: Any, *, indent: int | None = 2, secrets: bool = False) -> None:
    """Write ``value`` (see :func:`plain`) to stdout as JSON and flush it."""
    sys.stdout.write(json.dumps(plain(value, secrets=secrets), indent=indent, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def console() -> Console:
    """A rich console on stdout; exit code 3 with a hint when rich is not installed.

    Into a pipe or a file (and no ``$COLUMNS``) a table is as wide as its cells need: nothing is cut
    short for the ``grep`` that reads it.
    """
    try:
        from rich.console import Console
    except ImportError:
        from . import MISSING_RICH

        raise CommandError(MISSING_RICH, EXIT_CONFIG) from None
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(soft_wrap=True, highlight=False, width=1000 if wide else None)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, enum.Enum):
        return value.name
    return str(value)


def print_table(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None,
                out: Console | None = None) -> None:
    """A table for people (rich); cells: None is blank, times local, money to the cent, enums by name."""
    out = out or console()  # first: it says "install rich" when rich is missing
    from rich.table import Table

    table = Table(*header, title=title)
    for row in rows:
        table.add_row(*(_cell(value) for value in row))
    out.print(table)
