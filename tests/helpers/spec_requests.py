"""The request examples of the two usage documents, as calls (for ``usage_requests.json``).

Run by ``scripts/extract_spec_examples.py`` (the doc-sync test re-runs it). Each usage document
shows, per section, the python call of its request example, e.g.
``create_task_id = api.task.create_task(count=1, task_user_level=50, labels=[...])``. Every
``api.<group>.<method>(`` statement is read with :mod:`ast`: its keyword arguments as JSON values,
a name assigned a literal just above it (``env = {...}``) replaced by that literal, any other
expression (``create_task_id[0]``) kept as ``{"$ref": "create_task_id[0]"}``. ``reply_line`` is the
line of the section's example reply heading that follows (in ``spec_examples.json``, or among its
skipped headings when the document shows none).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from .spec_extract import _HEADING, _is_heading

__all__ = ["USAGE_DOCUMENTS", "usage_requests"]

USAGE_DOCUMENTS = ("sdk-usage-current-en.txt", "sdk-usage-legacy-zh.txt")
_CALL = re.compile(r"\bapi\.(\w+)\.(\w+)\s*\(")
_ASSIGNED = re.compile(r"^\s*(\w+)\s*=\s*[{\[]")


def usage_requests(directory: Path) -> list[dict[str, Any]]:
    """Every request example call of the two usage documents, in document order."""
    found = []
    for doc in USAGE_DOCUMENTS:
        lines = (directory / doc).read_text(encoding="utf-8").splitlines()
        for index, text in enumerate(lines):
            match = _CALL.search(text)
            if match is None:
                continue
            statement = _statement(lines, index)
            call = next(node for node in ast.walk(ast.parse(statement)) if isinstance(node, ast.Call))
            literals = _literals_above(lines, index)
            found.append({
                "doc": doc,
                "line": index + 1,
                "call": f"{match.group(1)}.{match.group(2)}",
                "kwargs": {keyword.arg: _value(keyword.value, literals) for keyword in call.keywords},
                "reply_line": next(at + 1 for at in range(index + 1, len(lines))
                                   if _is_heading(lines, at) or _HEADING.match(lines[at])),
            })  # fmt: skip
    return found


def _statement(lines: list[str], index: int) -> str:
    """The python statement starting at ``lines[index]`` (it may span lines until its brackets close)."""
    text = lines[index].strip()
    at = index
    while text.count("(") > text.count(")"):
        at += 1
        text += " " + lines[at].strip()
    return text


def _literals_above(lines: list[str], index: int) -> dict[str, Any]:
    """Names assigned a literal in the few lines above ``index`` (``env = {...}``)."""
    literals: dict[str, Any] = {}
    at = max(index - 15, 0)
    while at < index:
        match = _ASSIGNED.match(lines[at])
        if match is None:
            at += 1
            continue
        end = at
        while not lines[end].strip().startswith(("}", "]")):
            end += 1
        source = " ".join(line.strip() for line in lines[at : end + 1])
        literals[match.group(1)] = ast.literal_eval(source.split("=", 1)[1].strip())
        at = end + 1
    return literals


def _value(node: ast.expr, literals: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name) and node.id in literals:
        return literals[node.id]
    try:
        return ast.literal_eval(node)
    except ValueError:
        return {"$ref": ast.unparse(node)}
