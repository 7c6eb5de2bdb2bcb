"""What an ``api GROUP METHOD`` command is, as plain data: :class:`Method`, its :class:`Option` s, their shapes.

``_generated_api.py`` holds one :class:`Method` per row of the endpoint table,
written by ``python -m rayvision_async.cli._generate_api``; building the parser
from it imports no part of the SDK beyond this package (no models, attrs,
cattrs or httpx). A *shape* says how the text of a command-line value becomes
the Python value the library method takes; the library then checks that value
by the row's kind (:mod:`rayvision_async.api._kinds`), so a command line
argument is judged by the same rules as a Python argument.

Shapes:

``int``        a whole number (``12``)
``text``       the text as given
``ints``       one or more whole numbers (``--task-ids-list 1 2 3``)
``texts``      one or more texts
``int-or-text`` a whole number if it is one (``"12"`` → 12), else the text (a DCC name, an id given as text)
``ints-or-texts`` one or more of those
``json-text``  JSON text, given inline or as ``@FILE`` (``@-``: standard input); sent as the text
``json-object`` a JSON object, given inline or as ``@FILE``; passed as a dict
``time``       ``"YYYY-MM-DD HH:MM:SS"`` (the service's zone, UTC+8) or ``YYYY-MM-DD`` (its midnight)
"""

from __future__ import annotations

import json
import re
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing would cost the parser ~10 ms
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["SHAPES", "Method", "Option", "convert", "kebab"]

#: Every shape and its metavar in the help.
SHAPES = {
    "int": "N", "text": "TEXT", "ints": "N", "texts": "TEXT", "int-or-text": "VALUE",
    "ints-or-texts": "VALUE", "json-text": "JSON|@FILE", "json-object": "JSON|@FILE", "time": "TIME",
}
#: Shapes taking one or more values.
MANY = frozenset({"ints", "texts", "ints-or-texts"})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WHOLE = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def kebab(name: str) -> str:
    """``task_ids_list`` → ``task-ids-list``; ``pageNum`` → ``page-num`` (the official SDK's camelCase keywords)."""
    return _CAMEL.sub("-", name).replace("_", "-").lower()


class Option:
    """One keyword of a method as a ``--flag``: its Python name, shape, and whether the 2018 set has it."""

    __slots__ = ("flag", "help", "in_2018", "name", "required", "shape")

    def __init__(self, flag: str, name: str, shape: str, *, required: bool, in_2018: bool, help: str) -> None:
        self.flag = flag
        self.name = name
        self.shape = shape
        self.required = required
        self.in_2018 = in_2018
        self.help = help


class Method:
    """One endpoint method as ``api GROUP COMMAND``."""

    __slots__ = ("command", "group", "idempotent", "in_2018", "name", "options", "summary")

    def __init__(self, group: str, name: str, summary: str, *, in_2018: bool, idempotent: bool,
                 options: tuple[Option, ...] = ()) -> None:
        self.group = group
        self.name = name
        self.command = kebab(name)
        self.summary = summary
        self.in_2018 = in_2018
        self.idempotent = idempotent
        self.options = options


class ShapeError(ValueError):
    """A value that does not have its option's shape (argparse reports it: one line, exit code 2)."""


def _whole(text: str) -> int:
    if not _WHOLE.fullmatch(text.strip()) or len(text.strip()) > 30:
        raise ShapeError(f"not a whole number: {text!r}")
    return int(text)


def _int_or_text(text: str) -> int | str:
    return int(text) if _WHOLE.fullmatch(text.strip()) and len(text.strip()) <= 30 else text


def _json(text: str) -> Any:
    source = text
    if text.startswith("@"):
        name = text[1:]
        try:
            if name == "-":
                source = sys.stdin.read()
            else:
                with open(name, encoding="utf-8") as file:
                    source = file.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise ShapeError(f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return json.loads(source)
    except ValueError as exc:
        raise ShapeError(f"not JSON ({exc.args[0] if exc.args else exc})") from None


def _json_text(text: str) -> str:
    document = _json(text)  # read (a file) and parsed here only to refuse what is not JSON at once
    return json.dumps(document, ensure_ascii=False) if text.startswith("@") else text


def _json_object(text: str) -> Any:
    document = _json(text)
    if not isinstance(document, dict):
        raise ShapeError(f"not a JSON object: {text[:40]!r}")
    return document


def _time(text: str) -> str:
    return f"{text} 00:00:00" if _DATE.fullmatch(text) else text


_ONE: dict[str, Callable[[str], Any]] = {
    "int": _whole, "text": str, "ints": _whole, "texts": str, "int-or-text": _int_or_text,
    "ints-or-texts": _int_or_text, "json-text": _json_text, "json-object": _json_object, "time": _time,
}


def convert(shape: str, text: str) -> Any:
    """The Python value of one command-line value of ``shape``; :class:`ShapeError` if it has another shape."""
    return _ONE[shape](text)
