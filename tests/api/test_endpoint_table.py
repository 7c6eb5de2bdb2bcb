"""The endpoint table against the public surface and against the spec documents.

* Every generated group method is exactly one table row (or one of its
  aliases), with the row's signature.
* The current paths, names and official method names come from
  incumbent-sdk-facts.md §B; the 2018 paths from the ``Interface path`` lines of
  protocol-v5-2020-en.txt. Both are read from ``tests/data`` (extracted from the documents).
* The committed generated modules (``api/_generated/``) are what the generator
  renders today, and ``mypy --strict`` accepts ``typing_usage.py`` (and rejects
  what it marks).
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from helpers import spec_data
from rayvision_async.api import _generate
from rayvision_async.api._groups import GROUP_CLASSES
from rayvision_async.api._row import REQUIRED, Context, Endpoint
from rayvision_async.api._table import ENDPOINTS

TESTS = Path(__file__).parent
BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}


def protocol_paths() -> set[str]:
    """The distinct ``Interface path`` values of the 2018–2020 protocol document (``tests/data``)."""
    return {entry["path"] for entry in spec_data.protocol_paths()}


FACTS_ROWS = spec_data.facts_rows()
BY_PATH = {endpoint.path: endpoint for endpoint in ENDPOINTS}


def public_names(cls: type) -> set[str]:
    return {name for name, value in vars(cls).items() if not name.startswith("_") and callable(value)}


# ---- (a) the table and the public methods -------------------------------------------------------


@pytest.mark.parametrize("group", sorted(GROUP_CLASSES))
def test_group_methods_are_exactly_the_table_rows(group: str) -> None:
    cls = GROUP_CLASSES[group]
    generated = cls.__mro__[1]
    assert generated.__module__ == f"rayvision_async.api._generated.{group}"
    expected = {name for endpoint in ENDPOINTS if endpoint.group == group
                for name in (endpoint.name, *endpoint.aliases)}
    assert public_names(generated) == expected
    assert not public_names(cls) & expected, "a helper hides a generated method"


def test_table_names_are_unique_per_group() -> None:
    names = [(endpoint.group, name) for endpoint in ENDPOINTS for name in (endpoint.name, *endpoint.aliases)]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.name)
def test_signature_is_the_rows_parameters(endpoint: Endpoint) -> None:
    for name in (endpoint.name, *endpoint.aliases):
        method = getattr(GROUP_CLASSES[endpoint.group], name)
        parameters = list(inspect.signature(method).parameters.values())
        assert parameters[0].name == "self"
        got = [(p.name, p.default) for p in parameters[1:]]
        aliased = {p.alias_for for p in endpoint.params}  # their alias keyword may give them instead
        want = [(p.name, None if p.name in aliased or isinstance(p.default, Context)
                 else inspect.Parameter.empty if p.default is REQUIRED else p.default) for p in endpoint.params]
        assert got == want, name
        assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters)
        assert inspect.iscoroutinefunction(method)


def test_counts_of_current_and_legacy_paths() -> None:
    assert len(ENDPOINTS) == 49
    assert len({endpoint.path for endpoint in ENDPOINTS}) == 49
    legacy = [endpoint.legacy_path for endpoint in ENDPOINTS if endpoint.legacy_path is not None]
    assert len(legacy) == len(set(legacy)) == 34
    documented = protocol_paths()
    assert len(documented) == 34
    assert set(legacy) == documented


def test_every_current_path_is_in_the_facts() -> None:
    assert len(FACTS_ROWS) == 49
    assert [row["number"] for row in FACTS_ROWS] == list(range(1, 50))
    assert {endpoint.path for endpoint in ENDPOINTS} == {row["path"] for row in FACTS_ROWS}


@pytest.mark.parametrize("row", FACTS_ROWS, ids=lambda row: f"{row['number']}-{row['method']}")
def test_official_name_group_and_old_path(row: dict[str, Any]) -> None:
    endpoint = BY_PATH[row["path"]]
    assert endpoint.group == row["group"]
    assert row["method"] in (endpoint.name, *endpoint.aliases)
    if endpoint.legacy_path is not None:
        assert endpoint.legacy_path == row["old"]
    elif row["old"] is not None:
        # The facts name an old path from SDKs before 2.0 that the 2018 protocol document does not have.
        assert row["old"] not in protocol_paths()


#: Where the table's parameters deliberately differ from the official signature, and why.
SIGNATURE_EXCEPTIONS = {
    ("submit_task", "only_id"): "returns the id instead of null: meaningless for a typed async call",
    ("supported_plugin", "os_name"): "official default 'default' means the client's OS, a Context default here",
    ("delete_task_tag", "tag_ids"): "official default None means [], written as () here",
    ("delete_task_tag", "taskIds"): "defaults to () so delete_task_tag(tag_ids=...) alone works (GitHub master)",
    ("delete_task_tag", "labelNames"): "defaults to () so delete_task_tag(tag_ids=...) alone works (GitHub master)",
}


@pytest.mark.parametrize("row", FACTS_ROWS, ids=lambda row: f"{row['number']}-{row['method']}")
def test_official_parameters_port_unchanged(row: dict[str, Any]) -> None:
    """Official positional order and keyword names are kept, so a port only adds ``await``."""
    endpoint = BY_PATH[row["path"]]
    official = [arg.strip() for arg in row["args"].split(",") if arg.strip()]
    params = list(endpoint.params)
    for index, arg in enumerate(official):
        name, _, default = arg.partition("=")
        if (endpoint.name, name) in SIGNATURE_EXCEPTIONS:
            continue
        assert index < len(params), f"no parameter for {name}"
        assert params[index].name == name, f"{name} is not parameter {index}"
        if default:
            assert params[index].default == ast.literal_eval(default), name
        else:
            assert params[index].default is REQUIRED, name
    extra = [p for p in params[len(official):] if p.default is REQUIRED]
    assert not extra, "parameters added after the official ones must be optional"


@pytest.mark.parametrize(("group", "misspelt", "correct"), [
    ("query", "get_frame_thumbnall", "get_frame_thumbnail"),
    ("task", "set_task_overtime_top", "set_task_overtime_stop"),
    ("query", "get_custome_frames", "get_custom_frames"),
])
def test_misspelt_aliases_are_the_same_function(group: str, misspelt: str, correct: str) -> None:
    cls = GROUP_CLASSES[group]
    assert getattr(cls, misspelt) is getattr(cls, correct)


# ---- (b) the generated source ---------------------------------------------------------------------


def test_generated_modules_are_current() -> None:
    for path, text in _generate.render_all().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run {_generate.COMMAND}"
    assert _generate.main(["--check"]) == 0


def test_generated_methods_are_real_source() -> None:
    for endpoint in ENDPOINTS:
        method = getattr(GROUP_CLASSES[endpoint.group], endpoint.name)
        source = inspect.getsource(inspect.unwrap(method))
        assert f"async def {endpoint.name}(" in source
        assert f'ROWS["{endpoint.name}"]' in source
        assert inspect.getmodule(inspect.unwrap(method)).__name__.startswith("rayvision_async.api._generated.")


# ---- (c) typing ---------------------------------------------------------------------------------


def test_mypy_strict_accepts_the_typing_usage() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(TESTS / "typing_usage.py")],
        capture_output=True, text=True, cwd=TESTS.parents[1], timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
