"""Extract test data from the Rayvision spec documents (run by ``scripts/extract_spec_examples.py``).

The documents are not part of the repository: what the tests need from them is
extracted once into ``tests/data/`` (read by :mod:`helpers.spec_data`), and the
doc-sync tests re-run this extraction to prove the data still matches.

Example responses: every example response in the spec documents must structure
into our models.  This module finds them in the documents themselves (nothing is
retyped) and parses them with the lenient reader in :mod:`lenient_json`, which
undoes the damage of the PDF conversion and counts its repairs.

Where examples are found
    An *example heading* is a line such as ``Example of return:``, ``Example of
    returning:``, ``The example of return:``, ``返回示例``, ``返回参数示例`` or
    ``返回结果`` (optionally in ``**bold**``), or a bare ``Return parameter(s):`` /
    ``返回参数：`` line whose next non-blank line starts the JSON.  Its body is either
    a run of consecutive ``` fences separated only by blank lines (one fence per
    PDF page: the fragments of one example), or, in documents without fences,
    the indented JSON that follows, possibly after lines of python.

Sections
    A section starts at an ``Interface path`` / ``接口路径`` / ``接口地址`` line (or a
    ``[^api]:`` footnote for paths the document omits); its title is the non-blank
    line before that.  The path is normalised to start with ``/``.  ``call`` is the
    last ``api.<group>.<method>(`` of the section before the example's JSON.

Headings that yield no response (see :func:`skipped_blocks`)
    * no body at all (the next line is another section), or an inline value
      such as ``Example of return:None``;
    * python code and no JSON;
    * a request body: a JSON object without the envelope whose keys are all
      request parameters of the section (``updateUserSetting`` shows its request
      ``{"taskOverTime": 13}`` under "Example of return").

Envelope repair
    When a page break lost the ``}`` that closes ``data``, the lenient reader
    leaves ``serverTime`` / ``requestId`` inside ``data``; such keys are moved back
    to the envelope, one repair each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .lenient_json import LenientJSONError, loads_fragments
from .spec_data import SPEC_DOCUMENTS, SpecExample

__all__ = ["extract_examples", "facts_rows", "protocol_paths"]

_BOLD = r"\s*(?:\*\*)?\s*"  # optional markdown bold markers
_HEADING = re.compile(
    rf"^{_BOLD}(?:(?:the\s+)?example\s+of\s+return(?:ing)?|返回(?:参数)?(?:示例|结果|例子)){_BOLD}[:：]?{_BOLD}"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
_RETURN_PARAMETERS = re.compile(rf"^{_BOLD}(?:return\s+parameters?|返回参数){_BOLD}[:：]?\s*$", re.I)
_REQUEST_PARAMETERS = re.compile(rf"^{_BOLD}(?:request\s+parameters?|请求参数){_BOLD}[:：]?", re.I)
_TABLE_END = re.compile(rf"^{_BOLD}(?:return|example|返回|请求示例)", re.I)
_ANCHOR = re.compile(rf"^\s*(?:#+)?{_BOLD}(?:interface\s+path|接口路径|接口地址)|^\[\^api\]:", re.I)
_PATH = re.compile(r"/?(api/[\w/]+)")
_CALL = re.compile(r"\bapi\.(\w+)\.(\w+)\s*\(")
_PYTHON = re.compile(r"^\s*(?:#|[\w.\[\]'\"]+\s*=|api\.|\w+\()|\bapi\.\w+\.\w+\(")
_PARAMETER_NAME = re.compile(r"^[a-z_][A-Za-z0-9_]*$")
_ENVELOPE_KEYS = ("serverTime", "requestId")


@dataclass(frozen=True)
class _Section:
    start: int  # 0-based index of the anchor line
    title: str
    path: str | None


def extract_examples(directory: Path) -> tuple[list[SpecExample], list[tuple[str, int, str]]]:
    """``(examples, skipped headings)`` of all five documents in ``directory``, in document order."""
    if not directory.is_dir():
        raise FileNotFoundError(f"spec documents not found in {directory} (set RAYVISION_SPEC_DIR)")
    examples: list[SpecExample] = []
    skipped: list[tuple[str, int, str]] = []
    for doc in SPEC_DOCUMENTS:
        lines = (directory / doc).read_text(encoding="utf-8").splitlines()
        for result in _scan_document(doc, lines):
            if isinstance(result, SpecExample):
                examples.append(result)
            else:
                skipped.append(result)
    return examples, skipped


_INTERFACE_PATH = re.compile(r"\s*Interface path:\s*[*`]?/?(api/[\w/]+)[*`]?\s*$")


def protocol_paths(directory: Path) -> list[dict[str, Any]]:
    """The distinct ``Interface path`` values of the 2018–2020 protocol, each with its request parameters."""
    lines = (directory / "protocol-v5-2020-en.txt").read_text(encoding="utf-8").splitlines()
    sections = _sections(lines)
    found: dict[str, dict[str, Any]] = {}
    for index, section in enumerate(sections):
        match = _INTERFACE_PATH.match(lines[section.start])
        if not match:
            continue
        path = "/" + match.group(1)
        stop = sections[index + 1].start if index + 1 < len(sections) else len(lines)
        entry = found.setdefault(path, {"path": path, "title": section.title, "request_parameters": []})
        names = _request_parameters(lines, section.start, stop)
        entry["request_parameters"] = sorted(set(entry["request_parameters"]) | names)
    return sorted(found.values(), key=lambda entry: entry["path"])


def facts_rows(directory: Path) -> list[dict[str, Any]]:
    """The 49 rows of incumbent-sdk-facts.md §B: number, group, method, arguments, wire, paths, data."""
    rows, group = [], None
    for line in (directory / "incumbent-sdk-facts.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"### B\.\d `api\.(\w+)`", line)
        if heading or line.startswith("## "):
            group = heading.group(1) if heading else None
            continue
        match = re.match(r"\| (\d+) \| `(\w+)\((.*?)\)`", line)
        if match and group:
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            path = re.fullmatch(r"`(/api/[^`]+)`", cells[2])
            old = re.search(r"`(/api/[^`]+)`", cells[3])
            if not path:
                raise ValueError(f"no path in facts row {line!r}")
            wire = cells[1].partition("→")[2].strip()
            rows.append({"number": int(match.group(1)), "group": group, "method": match.group(2),
                         "args": match.group(3), "wire": wire, "path": path.group(1),
                         "old": old.group(1) if old else (path.group(1) if cells[3] == "unchanged" else None),
                         "required": cells[4], "data": cells[5]})
    return rows


def _next_nonblank(lines: list[str], i: int) -> int | None:
    while i < len(lines):
        if lines[i].strip():
            return i
        i += 1
    return None


def _is_fence(line: str) -> bool:
    return line.lstrip().startswith("```")


def _starts_json(line: str) -> bool:
    return line.lstrip()[:1] in ("{", "[")


def _is_heading(lines: list[str], i: int) -> bool:
    if _HEADING.match(lines[i]):
        return True
    if _RETURN_PARAMETERS.match(lines[i]):
        following = _next_nonblank(lines, i + 1)
        return following is not None and (_is_fence(lines[following]) or _starts_json(lines[following]))
    return False


def _sections(lines: list[str]) -> list[_Section]:
    sections = []
    for i, line in enumerate(lines):
        if not _ANCHOR.match(line):
            continue
        title = ""
        for j in range(i - 1, -1, -1):
            if lines[j].strip():
                title = lines[j].strip().lstrip("#").strip().strip("*").strip()
                break
        path = _PATH.search(line)
        sections.append(_Section(i, title, "/" + path.group(1) if path else None))
    return sections


def _fenced_body(lines: list[str], i: int) -> list[str]:
    """The contents of the consecutive fences starting at line ``i`` (blank lines between them)."""
    fragments = []
    while True:
        end = i + 1
        while end < len(lines) and not _is_fence(lines[end]):
            end += 1
        fragments.append("\n".join(lines[i + 1 : end]))
        following = _next_nonblank(lines, end + 1)
        if following is None or not _is_fence(lines[following]):
            return fragments
        i = following


def _plain_json_end(lines: list[str], i: int) -> int:
    """Index after the unfenced JSON starting at line ``i``: where its brackets balance."""
    depth, in_string = 0, False
    for k in range(i, len(lines)):
        line = lines[k]
        if k > i and line.strip() and not line[0].isspace() and line[0] not in '{}[]",':
            return k  # prose: the JSON never balanced
        escaped = False
        for char in line:
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
        if depth <= 0:
            return k + 1
    return len(lines)


def _body(lines: list[str], heading: int) -> tuple[list[str], int] | str:
    """``(fragments, index of its first line)`` of the example after ``heading``, or why there is none."""
    rest = (m.group("rest") if (m := _HEADING.match(lines[heading])) else "").strip(" *:：")
    if rest and not _starts_json(rest):
        return f"no example: inline value {rest!r}"
    i = _next_nonblank(lines, heading + 1)
    saw_python = False
    while i is not None and not _is_fence(lines[i]) and not _starts_json(lines[i]):
        if _is_heading(lines, i) or _ANCHOR.match(lines[i]) or not _PYTHON.search(lines[i]):
            break
        saw_python = True
        i = _next_nonblank(lines, i + 1)
    if i is not None and _is_fence(lines[i]):
        fragments = _fenced_body(lines, i)
        if not _starts_json(next((f for f in fragments if f.strip()), "").lstrip()):
            return "no example: the fenced block is not JSON (python code)"
        return fragments, i
    if i is not None and _starts_json(lines[i]):
        return ["\n".join(lines[i : _plain_json_end(lines, i)])], i
    return "no example: python code only" if saw_python else "no example: no body under the heading"


def _request_parameters(lines: list[str], start: int, stop: int) -> set[str]:
    """Names in the request-parameter table(s) of the section ``lines[start:stop]``."""
    names: set[str] = set()
    inside = False
    for line in lines[start:stop]:
        if _REQUEST_PARAMETERS.match(line):
            inside = True
        elif _TABLE_END.match(line):
            inside = False
        elif inside and line.strip():
            cell = re.split(r"[|\t ]+", line.strip().strip("|").strip())[0]
            if _PARAMETER_NAME.match(cell) and cell not in ("parameter", "parameters"):
                names.add(cell)
    return names


def _hoist_envelope_keys(payload: Any) -> int:
    """Move ``serverTime``/``requestId`` that a lost ``}`` left inside ``data`` back to the envelope."""
    if not (isinstance(payload, dict) and "code" in payload and isinstance(payload.get("data"), dict)):
        return 0
    moved = 0
    for key in _ENVELOPE_KEYS:
        if key in payload["data"] and key not in payload:
            payload[key] = payload["data"].pop(key)
            moved += 1
    return moved


def _scan_document(doc: str, lines: list[str]) -> list[SpecExample | tuple[str, int, str]]:
    sections = _sections(lines)
    results: list[SpecExample | tuple[str, int, str]] = []
    for heading in range(len(lines)):
        if not _is_heading(lines, heading):
            continue
        section = next((s for s in reversed(sections) if s.start < heading), _Section(0, "", None))
        body = _body(lines, heading)
        if isinstance(body, str):
            results.append((doc, heading + 1, body))
            continue
        fragments, first = body
        try:
            parsed = loads_fragments(fragments)
        except LenientJSONError as exc:
            results.append((doc, heading + 1, f"unparseable: {exc}"))
            continue
        payload = parsed.value
        requests = _request_parameters(lines, section.start, heading)
        if isinstance(payload, dict) and payload and "code" not in payload and set(payload) <= requests:
            results.append((doc, heading + 1, f"request body: keys {sorted(payload)} are request parameters"))
            continue
        repairs = parsed.repairs + _hoist_envelope_keys(payload)
        calls = _CALL.findall("\n".join(lines[section.start : first]))
        results.append(
            SpecExample(
                doc=doc,
                line=heading + 1,
                title=section.title,
                path=section.path,
                call=".".join(calls[-1]) if calls else None,
                payload=payload,
                repairs=repairs,
            )
        )
    return results
