"""The documentation site's generated pages (docs/_hooks/generated_pages.py, an mkdocs hook).

The hook needs nothing of mkdocs to be tested: it turns the endpoint table and the CLI parser into
Markdown. These tests check that what it renders follows the code, row by row.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from rayvision_async.api._table import ENDPOINTS, GROUPS

HOOK = Path(__file__).resolve().parents[1] / "docs" / "_hooks" / "generated_pages.py"


@pytest.fixture(scope="module")
def hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generated_pages", HOOK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page(name: str) -> SimpleNamespace:
    return SimpleNamespace(file=SimpleNamespace(src_uri=name))


def test_the_endpoint_page_has_a_row_per_table_row_in_the_tables_order(hook: ModuleType) -> None:
    rendered = hook.on_page_markdown("# Endpoints\n\n<!-- endpoint-table -->\n", page("endpoints.md"))
    rows = [line for line in rendered.splitlines() if line.startswith("| `")]
    assert len(rows) == len(ENDPOINTS)
    for line, endpoint in zip(rows, ENDPOINTS, strict=True):
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        assert cells[0].startswith(f"`{endpoint.name}`")
        assert cells[0].endswith(f"<br>{endpoint.doc}")
        legacy = f"`{endpoint.legacy_path}`" if endpoint.legacy_path else "—"
        assert cells[1] == f"`{endpoint.path}`<br>2018: {legacy}"
        assert cells[2] == ("yes" if endpoint.idempotent else "**no**")
        for param in endpoint.params:
            assert f"`{param.name}`" in cells[4]
            assert (f"`{param.name}` → `{param.wire}`" in cells[4]) is (param.wire not in (param.name, "*"))
    headings = [line for line in rendered.splitlines() if line.startswith("## ")]
    assert headings == [f"## `{group}`" for group in GROUPS]
    assert "<!-- endpoint-table -->" not in rendered


def test_aliases_and_union_result_types_do_not_break_the_table(hook: ModuleType) -> None:
    rendered = hook.render_endpoint_tables()
    assert "<br>(alias `get_frame_thumbnall`)" in rendered
    assert "<br>(alias `set_task_overtime_top`)" in rendered
    # every row has exactly the header's five cells: a type such as `X | None` is escaped
    for line in rendered.splitlines():
        if line.startswith("| `"):
            assert len(re.split(r"(?<!\\)\|", line)) == 7, line


def test_the_cli_page_shows_every_commands_help(hook: ModuleType) -> None:
    rendered = hook.on_page_markdown("# CLI\n\n<!-- cli-help -->\n", page("cli.md"))
    for command in ("demo", "tasks", "watch", "info", "simulate"):
        assert f"## `{command}`" in rendered
        assert f"usage: rayvision-async {command}" in rendered
    assert "--failure-rate" in rendered
    assert "<!-- cli-help -->" not in rendered


def test_the_examples_page_is_the_examples_readme(hook: ModuleType) -> None:
    readme = (HOOK.parents[2] / "examples" / "README.md").read_text(encoding="utf-8")
    rendered = hook.on_page_markdown("# Examples\n\n<!-- examples-readme -->\n", page("examples.md"))
    assert rendered.startswith("# Examples\n\n")
    assert readme.partition("\n")[2].strip() in rendered
    assert "fastapi_service.py" in rendered
    assert "<!-- examples-readme -->" not in rendered


def test_a_page_that_lost_its_marker_fails_the_build(hook: ModuleType) -> None:
    with pytest.raises(ValueError, match="endpoint-table"):
        hook.on_page_markdown("# Endpoints, hand-written\n", page("endpoints.md"))
    assert hook.on_page_markdown("unchanged <!-- cli-help -->", page("index.md")) == "unchanged <!-- cli-help -->"


def test_sphinx_roles_become_plain_code(hook: ModuleType) -> None:
    html = "See :class:<code>~rayvision_async.simulator.Farm</code> and :meth:<code>.aclose</code>, `:x:` stays."
    assert hook.on_page_content(html) == "See <code>Farm</code> and <code>aclose</code>, `:x:` stays."
