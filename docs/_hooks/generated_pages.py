"""mkdocs hook: pages rendered from the code at build time, so they cannot drift from it.

* ``docs/endpoints.md`` holds the marker line ``<!-- endpoint-table -->``; it is replaced with one table
  per group, a row per endpoint of ``rayvision_async.api._table.ENDPOINTS`` (the rows the methods are
  generated from).
* ``docs/cli.md`` holds ``<!-- cli-help -->``; it is replaced with the ``--help`` text of the command
  line and of each of its commands and actions, from the parser ``rayvision-async`` itself uses, and
  the ``api`` tree (one entry per endpoint method: its usage and its own options).
  ``<!-- cli-exit-codes -->`` there becomes the table of exit codes, from ``cli/_exit.py``'s
  ``EXIT_*`` constants and the ``#:`` comment above each.
* ``docs/examples.md`` holds ``<!-- examples-readme -->``; it is replaced with ``examples/README.md``
  (less its title).

* ``docs/reference/models.md`` holds ``<!-- model-reference -->``; it becomes a section per models module
  with a ``:::`` block for every public name of ``rayvision_async.models`` (``reference_fields.py``).
* ``docs/changelog.md`` holds ``<!-- changelog -->``; it is replaced with ``CHANGELOG.md`` (less its title).
* On every page, each ``::: name`` block of an attrs class or a status enum is followed by a table of
  its fields (type, wire name, meaning) or codes: see ``reference_fields.py``.

* Any page may hold ``<!-- readme-section: ## Heading -->``: it is replaced with that section of the
  repository's README.md (the text under the heading, up to the next heading of its level or higher;
  its subheadings moved up to start at ``##``), so the rules the README states are stated once.

A page that has lost its marker, or names a README heading that does not exist, fails the build.

The docstrings use Sphinx roles (``:class:`Farm```), which mkdocstrings renders literally as
``:class:<code>Farm</code>``; :func:`on_page_content` drops the role and keeps the name as code.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reference_fields import append_tables, cell, render_model_reference

from rayvision_async.api._generate import type_name
from rayvision_async.api._row import OMIT, SPREAD, Endpoint, Param
from rayvision_async.api._table import ENDPOINTS, GROUPS

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLES_README = REPOSITORY / "examples" / "README.md"
CHANGELOG = REPOSITORY / "CHANGELOG.md"
README = REPOSITORY / "README.md"
#: ``<!-- readme-section: ## Heading -->``
README_SECTION = re.compile(r"^<!-- readme-section: (#+) (.+?) -->$", re.M)


#: A Sphinx role as mkdocstrings leaves it in the HTML: ``:class:<code>~pkg.Name</code>``.
SPHINX_ROLE = re.compile(r":(?:class|meth|func|mod|data|attr|exc|obj):<code>(~?)([^<]*)</code>")


def _param(param: Param) -> str:
    if param.wire == SPREAD:
        wire = " → (fields of the mapping)"
    else:
        wire = "" if param.wire == param.name else f" → `{param.wire}`"
    if param.legacy_wire == OMIT:
        wire += " (not on 2018)"
    elif param.legacy_wire:
        wire += f" (2018: `{param.legacy_wire}`)"
    return f"`{param.name}`{wire}"


def _row(endpoint: Endpoint) -> str:
    names = f"`{endpoint.name}`" + "".join(f"<br>(alias `{alias}`)" for alias in endpoint.aliases)
    legacy = f"`{endpoint.legacy_path}`" if endpoint.legacy_path else "—"
    cells = [
        f"{names}<br>{endpoint.doc}",
        f"`{endpoint.path}`<br>2018: {legacy}",
        "yes" if endpoint.idempotent else "**no**",
        f"`{type_name(endpoint.returns, set())}`",
        "<br>".join(_param(param) for param in endpoint.params) or "—",
    ]
    return "| " + " | ".join(cell(text) for text in cells) + " |"


def render_endpoint_tables() -> str:
    """Markdown: a heading and a table for each group, a row for each endpoint, in the table's order."""
    parts = [f"{len(ENDPOINTS)} endpoints in {len(GROUPS)} groups, rendered from `api/_table.py`."]
    for group in GROUPS:
        parts += [
            "",
            f"## `{group}`",
            "",
            "| method | path (current, 2018) | retried | returns | parameters (Python → wire) |",
            "|---|---|---|---|---|",
        ]
        parts += [_row(endpoint) for endpoint in ENDPOINTS if endpoint.group == group]
    return "\n".join(parts)


def _help(parser: argparse.ArgumentParser) -> str:
    return "```text\n" + parser.format_help().rstrip() + "\n```"


def _children(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _api_method(name: str, parser: argparse.ArgumentParser) -> list[str]:
    """An ``api`` method, compactly: its description, usage and its own options (not the connection ones)."""
    rows = ["| option | value | what |", "|---|---|---|"]
    for action in parser._actions:
        if action.dest.startswith("api_arg_"):
            value = f"`{action.metavar}`" + (" …" if action.nargs == "+" else "")
            required = " (required)" if action.required else ""
            rows.append(f"| `{action.option_strings[0]}`{required} | {value} | {cell(action.help or '')} |")
    usage = parser.format_usage().strip().removeprefix("usage: ")
    return ["", f"#### `{name}`", "", parser.description or "", "", "```text", usage, "```", "",
            *(rows if len(rows) > 2 else ["No options besides the connection options."])]


def render_cli_help() -> str:
    """Markdown: ``rayvision-async --help``, every command's ``--help`` under a heading, and the ``api`` tree."""
    from rayvision_async.cli._parser import build_parser

    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal's width: make the page the same everywhere
    try:
        parser = build_parser(full=True)
        parts = [_help(parser)]
        for name, command in _children(parser).items():
            parts += ["", f"## `{name}`", "", _help(command)]
            for action, sub in _children(command).items():
                if name != "api":
                    parts += ["", f"### `{name} {action}`", "", _help(sub)]
                    continue
                parts += ["", f"### `api {action}`", "", sub.description or ""]
                for method, method_parser in _children(sub).items():
                    parts += _api_method(f"api {action} {method}", method_parser)
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return "\n".join(parts)


#: ``#: comment`` lines, then ``EXIT_NAME = code``, in ``cli/_exit.py``.
EXIT_CODE = re.compile(r"((?:^#:.*\n)*)^EXIT_(\w+) = (\d+)$", re.M)


def render_exit_codes() -> str:
    """Markdown: a table of the command line's exit codes, with what each constant's comment says."""
    from rayvision_async.cli import _exit

    rows = ["| code | name | meaning |", "|---|---|---|"]
    for comment, name, code in EXIT_CODE.findall(Path(_exit.__file__).read_text(encoding="utf-8")):
        meaning = " ".join(line.removeprefix("#:").strip() for line in comment.splitlines()) or "success"
        rows.append(f"| {code} | `EXIT_{name}` | {cell(meaning)} |")
    return "\n".join(rows)


def render_examples_readme() -> str:
    """``examples/README.md`` without its first (title) line."""
    return EXAMPLES_README.read_text(encoding="utf-8").partition("\n")[2].strip()


def render_changelog() -> str:
    """``CHANGELOG.md`` without its first (title) line."""
    return CHANGELOG.read_text(encoding="utf-8").partition("\n")[2].strip()


def readme_section(level: str, heading: str, readme: str | None = None) -> str:
    """The README's text under ``level heading`` (e.g. ``"##", "Reliability"``), subheadings moved up."""
    lines = (README.read_text(encoding="utf-8") if readme is None else readme).splitlines()
    wanted = f"{level} {heading}"
    if wanted not in lines:
        raise ValueError(f"README.md has no heading {wanted!r}")
    start = lines.index(wanted) + 1
    body: list[str] = []
    fenced = False
    for line in lines[start:]:
        if line.startswith("```"):
            fenced = not fenced
        heading_level = len(line) - len(line.lstrip("#")) if line.startswith("#") and not fenced else 0
        if heading_level and heading_level <= len(level):
            break
        if heading_level:
            line = "#" * (heading_level - len(level) + 1) + line[heading_level:]
        body.append(line)
    return "\n".join(body).strip()


#: page → (its marker line, what replaces the marker)
MARKERS: dict[str, tuple[str, Callable[[], str]]] = {
    "endpoints.md": ("<!-- endpoint-table -->", render_endpoint_tables),
    "cli.md": ("<!-- cli-help -->", render_cli_help),
    "examples.md": ("<!-- examples-readme -->", render_examples_readme),
    "reference/models.md": ("<!-- model-reference -->", render_model_reference),
    "changelog.md": ("<!-- changelog -->", render_changelog),
}


#: Markers a page has besides its main one.
MORE_MARKERS: dict[str, tuple[tuple[str, Callable[[], str]], ...]] = {
    "cli.md": (("<!-- cli-exit-codes -->", render_exit_codes),),
}


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Replace a generated page's markers with what they stand for; add the field tables."""
    name = page.file.src_uri
    markdown = README_SECTION.sub(lambda match: readme_section(match.group(1), match.group(2)), markdown)
    for marker, render in (*([MARKERS[name]] if name in MARKERS else []), *MORE_MARKERS.get(name, ())):
        if marker not in markdown:
            raise ValueError(f"{name} has lost its {marker!r} line: its generated part would be missing")
        markdown = markdown.replace(marker, render())
    return append_tables(markdown)


def strip_sphinx_roles(html: str) -> str:
    """``:class:<code>~a.b.Name</code>`` → ``<code>Name</code>``; without ``~`` the whole name stays."""

    def name(match: re.Match[str]) -> str:
        target = match.group(2).lstrip(".")
        return f"<code>{target.rpartition('.')[2] if match.group(1) else target}</code>"

    return SPHINX_ROLE.sub(name, html)


def on_page_content(html: str, **_: Any) -> str:
    """Every page: Sphinx roles in the rendered docstrings become plain code."""
    return strip_sphinx_roles(html)
