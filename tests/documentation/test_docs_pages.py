"""The documentation site's generated pages (docs/_hooks/generated_pages.py, an mkdocs hook).

The hook needs nothing of mkdocs to be tested: it turns the endpoint table and the CLI parser into
Markdown. These tests check that what it renders follows the code, row by row.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from helpers.docs_hooks import load_hook
from rayvision_async.api._table import ENDPOINTS, GROUPS

HOOK = Path(__file__).resolve().parents[2] / "docs" / "_hooks" / "generated_pages.py"


@pytest.fixture(scope="module")
def hook() -> ModuleType:
    return load_hook()


def table_cells(line: str) -> list[str]:
    """A Markdown table row's cells: split on the pipes outside code spans that are not escaped."""
    cells, current, code = [], "", False
    for index, char in enumerate(line):
        if char == "`":
            code = not code
        if char == "|" and not code and (index == 0 or line[index - 1] != "\\"):
            cells.append(current)
            current = ""
        else:
            current += char
    return [cell.strip() for cell in [*cells, current][1:-1]]


def page(name: str) -> SimpleNamespace:
    return SimpleNamespace(file=SimpleNamespace(src_uri=name))


def test_the_endpoint_page_has_a_row_per_table_row_in_the_tables_order(hook: ModuleType) -> None:
    rendered = hook.on_page_markdown("# Endpoints\n\n<!-- endpoint-table -->\n", page("endpoints.md"))
    rows = [line for line in rendered.splitlines() if line.startswith("| `")]
    assert len(rows) == len(ENDPOINTS)
    for line, endpoint in zip(rows, ENDPOINTS, strict=True):
        cells = table_cells(line)
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
    # every row has exactly the header's five cells: a pipe in a code span (`X | None`) is left as it is
    # (Markdown tables do not split code spans, and an escape there would print), one outside is escaped
    rows = [line for line in rendered.splitlines() if line.startswith("| `")]
    assert any("| None`" in line for line in rows)
    for line in rows:
        assert len(table_cells(line)) == 5, line
        assert "\\|" not in "".join(re.findall(r"`[^`]*`", line)), line


def test_the_cli_page_shows_every_commands_help(hook: ModuleType) -> None:
    rendered = hook.on_page_markdown("# CLI\n\n<!-- cli-exit-codes -->\n<!-- cli-help -->\n", page("cli.md"))
    for command in ("demo", "tasks", "watch", "info", "simulate", "configure", "submit", "render", "frames",
                    "restart", "stop", "start", "abort", "delete", "priority", "outputs", "log", "env", "projects",
                    "labels", "api"):
        assert f"## `{command}`" in rendered
        assert f"usage: rayvision-async {command}" in rendered
    assert "### `env delete`" in rendered
    assert "--failure-rate" in rendered
    for option in ("--render-key", "--no-upload", "--download", "--follow", "--dest", "--farm-storage"):
        assert option in rendered
    from rayvision_async.api._table import ROWS
    from rayvision_async.cli._api_spec import kebab

    for row in ROWS.values():  # every endpoint method has its entry
        assert f"#### `api {row.group} {kebab(row.name)}`" in rendered
    assert "| `--task-ids-list` (required) |" in rendered
    assert "<!-- cli-help -->" not in rendered


def test_the_cli_page_lists_every_exit_code_with_its_comment(hook: ModuleType) -> None:
    from rayvision_async.cli import _exit

    rendered = hook.render_exit_codes()
    codes = {name: value for name, value in vars(_exit).items() if name.startswith("EXIT_")}
    rows = [line for line in rendered.splitlines() if line[2:3].isdigit()]
    assert [int(row.split("|")[1]) for row in rows] == list(codes.values())
    assert [row.split("|")[2].strip() for row in rows] == [f"`{name}`" for name in codes]
    assert "| 0 | `EXIT_OK` | success |" in rows
    assert any(row.startswith("| 5 | `EXIT_TASK_FAILED` | ``watch``, ``render``: a watched task ended FAILED")
               for row in rows)


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


README = """# title

## Reliability

Rules.

### Details

```sh
# not a heading
```

More.

## Next

Not included.
"""


def test_a_readme_section_is_included_with_its_subheadings_moved_up(hook: ModuleType) -> None:
    section = hook.readme_section("##", "Reliability", README)
    assert section == "Rules.\n\n## Details\n\n```sh\n# not a heading\n```\n\nMore."
    assert hook.readme_section("###", "Details", README) == "```sh\n# not a heading\n```\n\nMore."
    with pytest.raises(ValueError, match="no heading '## Reliabilty'"):
        hook.readme_section("##", "Reliabilty", README)


def test_the_pages_that_include_readme_sections_find_them(hook: ModuleType) -> None:
    for name in ("reliability.md", "porting.md", "testing.md"):
        source = (HOOK.parents[1] / name).read_text(encoding="utf-8")
        assert "<!-- readme-section:" in source
        rendered = hook.on_page_markdown(source, page(name))
        assert "<!-- readme-section:" not in rendered
        assert len(rendered) > len(source) + 500
    reliability = hook.on_page_markdown((HOOK.parents[1] / "reliability.md").read_text(encoding="utf-8"),
                                        page("reliability.md"))
    assert "| failure | idempotent call | call that creates or changes work |" in reliability


def test_sphinx_roles_become_plain_code(hook: ModuleType) -> None:
    html = "See :class:<code>~rayvision_async.simulator.Farm</code> and :meth:<code>.aclose</code>, `:x:` stays."
    assert hook.on_page_content(html) == "See <code>Farm</code> and <code>aclose</code>, `:x:` stays."


def python_blocks(hook: ModuleType, page_name: str) -> list[str]:
    """The page's Python code blocks, as the site shows them (README sections included)."""
    text = hook.on_page_markdown((HOOK.parents[1] / page_name).read_text(encoding="utf-8"), page(page_name))
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_the_testing_pages_code_runs_as_written(hook: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    import respx

    blocks = python_blocks(hook, "testing.md")
    [program] = [block for block in blocks if "asyncio.run(" in block]
    exec(compile(program, "testing.md[0]", "exec"), {"__name__": "docs_snippet"})  # runs asyncio.run(main())
    assert capsys.readouterr().out.strip() == "<TaskStatus.FINISHED: 25> 10"

    from rayvision_async import AsyncRayvisionAPI
    from rayvision_async.simulator import Farm, Simulator, SimulatorTransport

    async def run(test: Any, parameters: list[str]) -> None:
        if parameters == ["rayvision_client", "rayvision_farm"]:
            farm = Farm(seed=1, speed=0)
            sim = Simulator(farm=farm)
            async with AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain,
                                         transport=SimulatorTransport(sim)) as client:
                await test(client, farm)
        elif parameters == ["respx_mock"]:
            async with respx.mock(assert_all_called=False) as router:
                await test(router)
        else:
            assert parameters == [], parameters
            await test()

    ran = []
    for block in blocks:
        for name, parameters in re.findall(r"^async def (test_\w+)\((.*?)\)", block, re.M):
            namespace: dict[str, Any] = {"__name__": "docs_snippet"}
            exec(compile(block, f"testing.md:{name}", "exec"), namespace)
            asyncio.run(run(namespace[name], [p.strip() for p in parameters.split(",") if p.strip()]))
            ran.append(name)  # the snippet's assertions held
    assert {"test_my_pipeline", "test_create_task_sends_a_signed_request", "test_task_info"} <= set(ran)


def test_the_quick_start_is_the_readmes_tour(hook: ModuleType) -> None:
    """docs/index.md shows the README's tour code; when the README's changes, copy it over."""
    tour = re.findall(r"```python\n(.*?)```", hook.readme_section("##", "A short tour"), re.S)[0]
    assert python_blocks(hook, "index.md")[0] == tour


def test_the_changelog_page_is_the_changelog(hook: ModuleType) -> None:
    changelog = (HOOK.parents[2] / "CHANGELOG.md").read_text(encoding="utf-8")
    rendered = hook.on_page_markdown((HOOK.parents[1] / "changelog.md").read_text(encoding="utf-8"),
                                     page("changelog.md"))
    assert changelog.partition("\n")[2].strip() in rendered
    assert "## [Unreleased]" in rendered
    assert "<!-- changelog -->" not in rendered


def test_every_setting_of_the_client_is_on_the_settings_page(hook: ModuleType) -> None:
    import inspect

    from rayvision_async import AsyncRayvisionAPI

    rendered = hook.on_page_markdown((HOOK.parents[1] / "settings.md").read_text(encoding="utf-8"),
                                     page("settings.md"))
    parameters = [name for name in inspect.signature(AsyncRayvisionAPI.__init__).parameters if name != "self"]
    assert len(parameters) >= 14
    missing = [name for name in parameters if f"`{name}=`" not in rendered]
    assert not missing, f"docs/settings.md (or the README section it includes) does not describe {missing}"
    for variable in ("RAYVISION_API_ACCESS_ID", "RAYVISION_API_KEY", "RAYVISION_BASE_URL", "RAYVISION_LOG"):
        assert variable in rendered, variable


def test_the_guides_are_in_the_navigation() -> None:
    mkdocs = (HOOK.parents[2] / "mkdocs.yml").read_text(encoding="utf-8")
    nav = mkdocs.split("\nnav:\n", 1)[1].split("\n\n", 1)[0]
    for section in ("  - Guides:", "  - Reference:"):
        assert f"\n{section}\n" in f"\n{nav}\n", section
    pages = sorted(str(path.relative_to(HOOK.parents[1])) for path in HOOK.parents[1].rglob("*.md")
                   if "_hooks" not in path.parts)
    unlisted = [name for name in pages if f": {name}\n" not in nav + "\n"]
    assert not unlisted, f"pages missing from mkdocs.yml's nav: {unlisted}"
