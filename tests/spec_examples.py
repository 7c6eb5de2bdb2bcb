"""Extract every example response from the Rayvision spec documents, as test data.

Project rule: every example response in the spec documents must structure into
our models.  This module finds them in the documents themselves (nothing is
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

import copy
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lenient_json import LenientJSONError, loads_fragments

__all__ = ["SPEC_DOCUMENTS", "SpecExample", "load_examples", "skipped_blocks", "spec_dir"]

SPEC_DOCUMENTS = (
    "protocol-v5-2020-en.txt",
    "protocol-v3-2018-en.txt",
    "protocol-zh.txt",
    "sdk-usage-current-en.txt",
    "sdk-usage-legacy-zh.txt",
)

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
class SpecExample:
    doc: str  # file name, e.g. "protocol-v5-2020-en.txt"
    line: int  # 1-based line number of the example heading
    title: str  # section title, e.g. "Obtain the task list"
    path: str | None  # the section's interface path, e.g. "/api/render/task/getTaskList"
    call: str | None  # "query.task_info" if the section shows api.query.task_info(...)
    payload: Any  # the parsed JSON value
    repairs: int  # how many repairs the lenient parser (and envelope fix) needed

    @property
    def enveloped(self) -> bool:
        """The payload is the full response envelope rather than bare data."""
        return (
            isinstance(self.payload, dict)
            and "code" in self.payload
            and ("data" in self.payload or "result" in self.payload)
        )

    @property
    def data(self) -> Any:
        return self.payload.get("data") if self.enveloped else self.payload

    @property
    def id(self) -> str:
        if self.path:
            name = self.path.rstrip("/").rsplit("/", 1)[-1]
        elif self.call:
            name = self.call
        else:
            name = re.sub(r"\W+", "_", self.title).strip("_")
        return f"{self.doc}:L{self.line}:{name}"


@dataclass(frozen=True)
class _Section:
    start: int  # 0-based index of the anchor line
    title: str
    path: str | None


def spec_dir() -> Path:
    """The spec documents: ``$RAYVISION_SPEC_DIR``, else ``shared/spec`` beside the repository."""
    override = os.environ.get("RAYVISION_SPEC_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "shared" / "spec"


def load_examples() -> list[SpecExample]:
    """All response examples of all five documents, in document order.

    The documents are read once; each call returns fresh copies, so a test may
    mutate a payload without affecting other tests.
    """
    return copy.deepcopy(list(_scan(spec_dir())[0]))


def skipped_blocks() -> list[tuple[str, int, str]]:
    """``(doc, line, reason)`` for every example heading that yielded no response example."""
    return list(_scan(spec_dir())[1])


@functools.cache
def _scan(directory: Path) -> tuple[tuple[SpecExample, ...], tuple[tuple[str, int, str], ...]]:
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
    return tuple(examples), tuple(skipped)


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
