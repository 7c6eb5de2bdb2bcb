"""What the tests know from the spec documents, read from ``tests/data/`` (never from the documents).

The files are written by ``scripts/extract_spec_examples.py SPEC_DIR`` (see
:mod:`helpers.spec_extract`); the doc-sync tests (``tests/documentation/test_spec_data_sync.py``)
prove they still match the documents when those are present.

``spec_examples.json``
    Every example response of the five documents (:class:`SpecExample`) and the
    example headings that yielded none, with the reason.
``protocol_paths.json``
    The 34 distinct interface paths of the 2018–2020 protocol, each with its
    section title and the request parameter names of its table.
``incumbent_endpoints.json``
    The 49 rows of the official SDK's endpoint table: group, method, arguments,
    wire names, current and old path, required fields, returned data.
``catalog_facts.json``
    Every software, software version, plugin version and render environment the documents show
    (see :mod:`helpers.spec_catalog`), each with its document and line.
``usage_requests.json``
    The request example calls of the two usage documents (see :mod:`helpers.spec_requests`): the
    method, its keyword arguments, and the line of the example reply that follows.
``sign-vectors.json``
    The signing vectors, as they are.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DATA",
    "SPEC_DOCUMENTS",
    "SpecExample",
    "catalog_facts",
    "facts_rows",
    "load_examples",
    "protocol_paths",
    "sign_vectors",
    "skipped_blocks",
    "usage_requests",
]

DATA = Path(__file__).resolve().parents[1] / "data"

SPEC_DOCUMENTS = (
    "protocol-v5-2020-en.txt",
    "protocol-v3-2018-en.txt",
    "protocol-zh.txt",
    "sdk-usage-current-en.txt",
    "sdk-usage-legacy-zh.txt",
)


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

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@functools.cache
def _read(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load_examples() -> list[SpecExample]:
    """All response examples of all five documents, in document order (fresh copies: mutate freely)."""
    return [SpecExample(**copy.deepcopy(item)) for item in _read("spec_examples.json")["examples"]]


def skipped_blocks() -> list[tuple[str, int, str]]:
    """``(doc, line, reason)`` for every example heading that yielded no response example."""
    return [(doc, line, reason) for doc, line, reason in _read("spec_examples.json")["skipped"]]


def protocol_paths() -> list[dict[str, Any]]:
    """The 2018–2020 protocol's interface paths: ``path``, ``title``, ``request_parameters``."""
    return copy.deepcopy(_read("protocol_paths.json")["paths"])


def facts_rows() -> list[dict[str, Any]]:
    """The official SDK's 49 endpoints (incumbent-sdk-facts.md §B), one dict per row."""
    return copy.deepcopy(_read("incumbent_endpoints.json")["rows"])


def catalog_facts() -> dict[str, list[dict[str, Any]]]:
    """``software``, ``versions``, ``plugins`` and ``environments`` the documents show (lists of dicts)."""
    facts = copy.deepcopy(_read("catalog_facts.json"))
    facts.pop("about")
    return dict(facts)


def usage_requests() -> list[dict[str, Any]]:
    """The usage documents' request example calls: ``doc``, ``line``, ``call``, ``kwargs``, ``reply_line``."""
    return copy.deepcopy(_read("usage_requests.json")["requests"])


def sign_vectors() -> list[dict[str, Any]]:
    """The signing vectors of ``sign-vectors.json``."""
    return copy.deepcopy(_read("sign-vectors.json")["vectors"])
