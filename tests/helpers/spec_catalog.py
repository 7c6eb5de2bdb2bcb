"""The software, versions, plugins and render environments the spec documents show (for ``catalog_facts.json``).

Run by ``scripts/extract_spec_examples.py`` (the doc-sync test re-runs it); the simulator's
catalogue must contain all of it. Found, with the document and line of each:

``software``
    ``{cgId, cgName}`` of every ``renderInfoList`` item (querySoftwareList answers).
``versions``
    ``{cgId, cgVersion}`` (and ``id`` where shown) of every ``cgVersion`` item of a querySoftwareDetail
    answer, and of every render environment below.
``plugins``
    ``{pluginId, pluginName, pluginVersion}`` of every plugin version shown, with the software it
    belongs to: ``cgId`` and ``cgVersion`` of the render environment that lists it, or, in a
    querySoftwareDetail answer, ``cvId`` (its software version's id) and the ``cgId`` its section's
    request example asks for (``{"cgId": 2012}``).
``environments``
    ``{cgId, cgName, cgVersion, pluginIds}`` of every render environment: the request examples that
    add or change one (their JSON, or the usage documents' ``env = {...}``), and the items of
    getUserPluginConfig answers (where the 2020 protocol misspells ``cgId`` as ``cglId``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .lenient_json import loads, loads_fragments
from .spec_data import SPEC_DOCUMENTS
from .spec_extract import _fenced_body, extract_examples

__all__ = ["catalog_facts"]

_REQUESTED_CG_ID = re.compile(r'"cgId"\s*:\s*"?(\d+)')
_FENCE = re.compile(r"^\s*```")
_REQUEST_HEADING = re.compile(r"example of request|请求示例", re.IGNORECASE)


def catalog_facts(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """Everything about software and plugins the five documents in ``directory`` show."""
    facts: dict[str, list[dict[str, Any]]] = {"software": [], "versions": [], "plugins": [], "environments": []}
    examples, _skipped = extract_examples(directory)
    texts = {doc: (directory / doc).read_text(encoding="utf-8").splitlines() for doc in SPEC_DOCUMENTS}
    for example in examples:
        where = {"doc": example.doc, "line": example.line}
        for item in _dicts(example.data):
            if "renderInfoList" in item:
                facts["software"] += [{"cgId": entry["cgId"], "cgName": entry["cgName"], **where}
                                      for entry in item["renderInfoList"]]
            if "cgPlugin" in item:
                requested = _requested_cg_id(texts[example.doc], example.line)
                facts["plugins"] += [{**_plugin(release), "cgId": requested, "cvId": plugin["cvId"], **where}
                                     for plugin in item["cgPlugin"] for release in plugin["pluginVersions"]]
                facts["versions"] += [{"id": version["id"], "cgId": version["cgId"], "cgName": version["cgName"],
                                       "cgVersion": version["cgVersion"], **where}
                                      for version in item.get("cgVersion") or []]
            if "respUserPluginInfoVos" in item:
                _environment(facts, item, item["respUserPluginInfoVos"], where)
    for doc, lines in texts.items():
        for line, body in _environment_requests(lines):
            _environment(facts, body, None, {"doc": doc, "line": line})
    return facts


def _dicts(value: Any) -> list[dict[str, Any]]:
    """``value`` and every dict inside it."""
    if isinstance(value, dict):
        return [value, *(found for item in value.values() for found in _dicts(item))]
    if isinstance(value, list):
        return [found for item in value for found in _dicts(item)]
    return []


def _plugin(release: dict[str, Any]) -> dict[str, Any]:
    return {key: release[key] for key in ("pluginId", "pluginName", "pluginVersion")}


def _requested_cg_id(lines: list[str], example_line: int) -> int:
    """The cgId of the request example just above the answer at ``example_line`` (1-based)."""
    for line in reversed(lines[max(example_line - 30, 0) : example_line - 1]):
        match = _REQUESTED_CG_ID.search(line)
        if match:
            return int(match.group(1))
    raise ValueError(f"no requested cgId above line {example_line}")


def _environment(facts: dict[str, list[dict[str, Any]]], env: dict[str, Any], plugins: list[Any] | None,
                 where: dict[str, Any]) -> None:
    cg_id = int(env.get("cgId", env.get("cglId")))  # the 2020 protocol's getRenderEnv misspells one
    plugin_ids = [int(plugin["pluginId"]) for plugin in plugins] if plugins is not None else env["pluginIds"]
    facts["environments"].append({"cgId": cg_id, "cgName": env["cgName"], "cgVersion": env["cgVersion"],
                                  "pluginIds": plugin_ids, **where})
    facts["versions"].append({"cgId": cg_id, "cgName": env["cgName"], "cgVersion": env["cgVersion"], **where})
    facts["plugins"] += [{**_plugin(plugin), "cgId": cg_id, "cgVersion": env["cgVersion"], **where}
                         for plugin in plugins or []]


def _environment_requests(lines: list[str]) -> list[tuple[int, dict[str, Any]]]:
    """``(line, body)`` of every request example that sends a render environment (``"pluginIds"``)."""
    found = []
    for index, text in enumerate(lines):
        if '"pluginIds"' not in text:
            continue
        heading = next(at for at in range(index, -1, -1) if _REQUEST_HEADING.search(lines[at]))
        first = next(at for at in range(heading + 1, index + 1) if lines[at].strip())
        if _FENCE.match(lines[first]) and not lines[first].strip().endswith("python"):
            parsed = loads_fragments(_fenced_body(lines, first))  # JSON split by page breaks
        else:  # the usage documents' python: env = {...}
            start = next(at for at in range(first, index + 1) if lines[at].rstrip().endswith("{"))
            end = next(at for at in range(index, len(lines)) if lines[at].strip().startswith("}"))
            parsed = loads("\n".join([lines[start][lines[start].index("{"):], *lines[start + 1 : end + 1]]))
        if isinstance(parsed.value, dict) and "cgId" in parsed.value:
            found.append((first + 1, parsed.value))
    return found
