"""``tests/data`` still matches the spec documents (skipped when they are absent: see ``spec_dir``)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from helpers.spec_data import DATA, SPEC_DOCUMENTS, load_examples, protocol_paths, skipped_blocks

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from extract_spec_examples import render

# Deliberately simpler than the extractor: any line naming a return example, plus the
# legacy document's bare "返回参数：" lines that are directly followed by a JSON fence.
_NAIVE_HEADING = re.compile(r"example of return|返回示例|返回参数示例|返回结果", re.IGNORECASE)


@pytest.mark.parametrize("name", ["spec_examples.json", "protocol_paths.json", "incumbent_endpoints.json",
                                  "catalog_facts.json", "usage_requests.json", "sign-vectors.json"])
def test_committed_data_is_what_the_documents_give(spec_dir: Path, name: str) -> None:
    assert (DATA / name).read_text(encoding="utf-8") == render(spec_dir)[name], (
        f"tests/data/{name} is stale: run python scripts/extract_spec_examples.py SPEC_DIR")


def _naive_heading_lines(spec_dir: Path, doc: str) -> set[int]:
    lines = (spec_dir / doc).read_text(encoding="utf-8").splitlines()
    found = set()
    for number, line in enumerate(lines, start=1):
        if line.startswith(("|", "2. ")) or "\t" in line or "refer to" in line or "详细参见" in line:
            continue  # table rows and prose that merely mention examples
        bare_return_parameters = line.strip() == "**返回参数**：" and lines[number + 1].startswith("```json")
        if _NAIVE_HEADING.search(line) or bare_return_parameters:
            found.add(number)
    return found


@pytest.mark.parametrize("doc", SPEC_DOCUMENTS)
def test_every_heading_is_an_example_or_a_documented_skip(spec_dir: Path, doc: str) -> None:
    examples = {e.line for e in load_examples() if e.doc == doc}
    skipped = {line for d, line, _ in skipped_blocks() if d == doc}
    assert examples | skipped == _naive_heading_lines(spec_dir, doc)


def test_protocol_paths_are_the_interface_path_lines(spec_dir: Path) -> None:
    text = (spec_dir / "protocol-v5-2020-en.txt").read_text(encoding="utf-8")
    lines = {"/" + m.group(1) for m in re.finditer(r"Interface path:\s*[*`]?/?(api/[\w/]+)", text)}
    assert len(lines) == 34
    assert {entry["path"] for entry in protocol_paths()} == lines


def test_catalog_facts_hold_every_plugin_id_and_software_version_the_documents_write(spec_dir: Path) -> None:
    from helpers.spec_data import catalog_facts  # (imported here: the module's other tests do not need it)

    facts = catalog_facts()
    text = "\n".join((spec_dir / doc).read_text(encoding="utf-8") for doc in SPEC_DOCUMENTS)
    plugin_ids = {int(found) for found in re.findall(r'"pluginId"\s*:\s*(\d+)', text)}
    plugin_ids |= {int(found) for listed in re.findall(r'"pluginIds"\s*:\s*\[([\d,\s]*)\]', text)
                   for found in re.findall(r"\d+", listed)}  # fmt: skip
    versions = set(re.findall(r'"cgVersion"\s*:\s*"([^"]+)"', text))
    assert plugin_ids == {1166, 1652, 5304}
    assert plugin_ids == {plugin["pluginId"] for plugin in facts["plugins"]}
    assert versions == {version["cgVersion"] for version in facts["versions"]}


def test_usage_requests_are_every_api_call_the_usage_documents_show(spec_dir: Path) -> None:
    from helpers.spec_data import usage_requests

    calls = {(doc, number) for doc in ("sdk-usage-current-en.txt", "sdk-usage-legacy-zh.txt")
             for number, line in enumerate((spec_dir / doc).read_text(encoding="utf-8").splitlines(), start=1)
             if re.search(r"\bapi\.\w+\.\w+\(", line)}  # fmt: skip
    assert {(request["doc"], request["line"]) for request in usage_requests()} == calls
    assert len(calls) == 75
