"""The API reference's field tables: every attrs class and every status enum the reference shows.

mkdocstrings renders a class's docstring and methods, but an attrs field without a docstring of its
own does not appear. So after every ``::: name`` block whose object is an attrs class (a response model,
``PollResult``, ``RetryPolicy``…) the hook adds a table of its fields, in definition order:

* the Python name, with an anchor ``name.field`` (``[x][rayvision_async.models.TaskInfo.task_alias]``
  links to it from any page);
* the annotation as written in the source, the models it names linked to their entries;
* for a response model (a :class:`~rayvision_async.models.ServiceModel`), the wire name the one cattrs
  converter reads (``models/_converter.wire_name``) and the spellings it also accepts (``aliases``);
  for any other class, the default;
* the meaning: the ``#:`` comment (or attribute docstring) above the field in its class, else the
  entry in ``field_meanings.toml`` (written from the protocol documents' field tables). A field
  inherited from a base class is described where it is defined.

A status enum (a ``TolerantIntEnum``) gets a table of its members: name, code and meaning, from the
same two sources. The models page itself is generated: ``<!-- model-reference -->`` becomes a section
per models module with a ``:::`` block for every name of ``rayvision_async.models.__all__``.

A field or member that neither source describes fails the build, naming it.
"""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import re
import textwrap
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import attrs

from rayvision_async import models
from rayvision_async.models._base import ServiceModel
from rayvision_async.models._converter import wire_name
from rayvision_async.models._meta import ALIASES
from rayvision_async.models.enums import TolerantIntEnum

MEANINGS_FILE = Path(__file__).with_name("field_meanings.toml")
#: ``::: dotted.name`` and the indented options block after it.
DIRECTIVE = re.compile(r"^::: +(\S+)[ \t]*\n((?:[ \t]+\S.*\n|[ \t]*\n(?=[ \t]+\S))*)", re.M)
#: A Python identifier in an annotation.
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: The models page's sections: module → heading, in this order; other modules follow under their docstring.
SECTIONS = {
    "rayvision_async.models.tasks": "Tasks",
    "rayvision_async.models.frames": "Frames",
    "rayvision_async.models.user": "Account",
    "rayvision_async.models.software": "Software, plugins and render environments",
    "rayvision_async.models.transfer": "Transfer",
    "rayvision_async.models.common": "Platforms, projects, hardware and error codes",
    "rayvision_async.models.page": "Pages",
    "rayvision_async.models.enums": "Status and type codes",
    "rayvision_async.models._base": "Conversion",
    "rayvision_async.models._converter": "Conversion",
}


class UndescribedError(ValueError):
    """A field or enum member that has neither a ``#:`` comment nor an entry in field_meanings.toml."""


@cache
def table_meanings() -> dict[str, dict[str, str]]:
    """``field_meanings.toml``: class name → field (or member) name → meaning."""
    with MEANINGS_FILE.open("rb") as file:
        data = tomllib.load(file)
    return {name: {key: str(value) for key, value in fields.items()} for name, fields in data.items()}


@cache
def comment_meanings(cls: type) -> dict[str, str]:
    """The ``#:`` comments and attribute docstrings of the names ``cls``'s own body assigns."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    lines = source.splitlines()
    body = ast.parse(source).body[0]
    assert isinstance(body, ast.ClassDef)
    found: dict[str, str] = {}
    for index, node in enumerate(body.body):
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        if not isinstance(target, ast.Name):
            continue
        comment: list[str] = []
        line = node.lineno - 2
        while line >= 0 and lines[line].strip().startswith("#:"):
            comment.insert(0, lines[line].strip().removeprefix("#:").strip())
            line -= 1
        following = body.body[index + 1] if index + 1 < len(body.body) else None
        if (isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            comment.append(inspect.cleandoc(following.value.value))
        if comment:
            found[target.id] = " ".join(comment)
    return found


def meaning(cls: type, name: str) -> str:
    """What field or member ``name`` of ``cls`` means: from the class that defines it, comment first."""
    for owner in cls.__mro__:
        if owner is object:
            break
        described = comment_meanings(owner).get(name) or table_meanings().get(owner.__name__, {}).get(name)
        if described:
            return described
    raise UndescribedError(
        f"{cls.__name__}.{name} has no meaning: write a '#:' comment above it in {cls.__module__}, "
        f"or add it under [{cls.__name__}] in docs/_hooks/field_meanings.toml")


def cell(text: str) -> str:
    """Text for a table cell: one line, pipes outside code spans escaped (inside them they print as is)."""
    parts = re.split(r"(`[^`]*`)", text.replace("\n", " "))
    return "".join(part if part.startswith("`") else part.replace("|", "\\|") for part in parts)


@cache
def model_names() -> dict[str, str]:
    """Documented model and enum class names → their reference identifier."""
    return {name: f"rayvision_async.models.{name}" for name in models.__all__
            if isinstance(getattr(models, name), type)}


def annotation_text(cls: type, field: attrs.Attribute[Any]) -> str:
    """The annotation as the class's source writes it (``attrs.resolve_types`` may have replaced
    ``field.type`` with the evaluated type; the class's ``__annotations__`` keep the text)."""
    for owner in cls.__mro__:
        written = vars(owner).get("__annotations__", {}).get(field.name)
        if written is not None:
            return written if isinstance(written, str) else re.sub(r"\b(?:[a-z_]\w*\.)+", "",
                                                                   inspect.formatannotation(written))
    return re.sub(r"\b(?:[a-z_]\w*\.)+", "", inspect.formatannotation(field.type))


def annotation(cls: type, field: attrs.Attribute[Any]) -> str:
    """The field's annotation as the source writes it, as code, each model it names linked."""
    text = annotation_text(cls, field)
    links = model_names()
    pieces: list[str] = []
    position = 0
    for match in NAME.finditer(text):
        target = links.get(match.group())
        if target is None:
            continue
        pieces += [_code(text[position:match.start()]), f"[`{match.group()}`][{target}]"]
        position = match.end()
    pieces.append(_code(text[position:]))
    return "".join(pieces)


def _code(text: str) -> str:
    """``text`` as a code span, the spaces at its ends left outside (a code span would drop them)."""
    core = text.strip()
    if not core:
        return text
    return text[: len(text) - len(text.lstrip())] + f"`{core}`" + text[len(text.rstrip()):]


def public_fields(cls: type) -> Iterator[attrs.Attribute[Any]]:
    """The attrs fields of ``cls`` a user reads: every one but those whose name starts with ``_``."""
    return (field for field in attrs.fields(cls) if not field.name.startswith("_"))


def default(field: attrs.Attribute[Any]) -> str:
    """The field's default as the table shows it."""
    if not field.init:
        return "computed"
    if field.default is attrs.NOTHING:
        return "required"
    factory = getattr(field.default, "factory", None)
    if factory is not None:  # an attrs.Factory
        return f"`{getattr(factory, '__name__', repr(factory))}()`"
    return f"`{field.default!r}`"


def render_fields(cls: type, identifier: str) -> str:
    """Markdown: a table of ``cls``'s fields (see the module docstring); ``identifier`` prefixes anchors."""
    service = issubclass(cls, ServiceModel)
    header = ["field", "type", "wire name" if service else "default", "meaning"]
    rows = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for field in public_fields(cls):
        if service:
            spellings = [f"`{alias}`" for alias in field.metadata.get(ALIASES, ())]
            third = f"`{wire_name(field)}`" + (f" (also {', '.join(spellings)})" if spellings else "")
        else:
            third = default(field)
        cells = [f"[](){{#{identifier}.{field.name}}}`{field.name}`", annotation(cls, field), third,
                 meaning(cls, field.name)]
        rows.append("| " + " | ".join(cell(text) for text in cells) + " |")
    return f"**Fields of `{cls.__name__}`**\n\n" + "\n".join(rows)


def render_members(cls: type[enum.IntEnum], identifier: str) -> str:
    """Markdown: a table of an enum's members, code and meaning."""
    rows = ["| member | code | meaning |", "|---|---|---|"]
    for member in cls:
        cells = [f"[](){{#{identifier}.{member.name}}}`{member.name}`", str(int(member)),
                 meaning(cls, member.name)]
        rows.append("| " + " | ".join(cell(text) for text in cells) + " |")
    return f"**Codes of `{cls.__name__}`**\n\n" + "\n".join(rows)


def resolve(identifier: str) -> Any:
    """The object a ``:::`` identifier names (the longest importable module prefix, then attributes)."""
    parts = identifier.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for part in parts[split:]:
            target = getattr(target, part)
        return target
    raise ValueError(f"::: {identifier} names nothing importable")


def table_for(identifier: str) -> str | None:
    """The table to show after ``::: identifier``, or None when its object has none."""
    target = resolve(identifier)
    if isinstance(target, type) and attrs.has(target) and any(True for _ in public_fields(target)):
        return render_fields(target, identifier)
    if isinstance(target, type) and issubclass(target, TolerantIntEnum) and len(target) > 0:
        return render_members(target, identifier)
    return None


def append_tables(markdown: str) -> str:
    """After each ``:::`` block of an attrs class or a status enum, its field or member table."""

    def with_table(match: re.Match[str]) -> str:
        table = table_for(match.group(1))
        return match.group(0) if table is None else f"{match.group(0).rstrip()}\n\n{table}\n\n"

    return DIRECTIVE.sub(with_table, markdown)


def _section(module: str) -> str:
    if module in SECTIONS:
        return SECTIONS[module]
    doc = (inspect.getdoc(importlib.import_module(module)) or module).splitlines()[0]
    return doc.split(":")[0].rstrip(".")


def render_model_reference() -> str:
    """Markdown: a section per models module, a ``:::`` block for each public name of ``models``."""
    sections: dict[str, list[str]] = {}
    for name in models.__all__:
        target = getattr(models, name)
        module = getattr(target, "__module__", None) or "rayvision_async.models.enums"
        sections.setdefault(_section(module), []).append(name)
    order = list(dict.fromkeys([*SECTIONS.values(), *sections]))
    parts: list[str] = []
    for title in order:
        if title not in sections:
            continue
        parts += [f"## {title}", ""]
        for name in sections[title]:
            parts += [f"::: rayvision_async.models.{name}", "    options:", "      heading_level: 3", ""]
    return "\n".join(parts)
