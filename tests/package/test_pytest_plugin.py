"""The installed pytest plugin, seen from a user's project: lazy to load, strict-mode ready, README exact.

Each test writes a small project into ``tmp_path`` (its own empty ``pytest.ini``, so this repository's
``asyncio_mode = "auto"`` does not apply) and runs ``python -m pytest`` there in a subprocess, with the
plugin found through its pytest11 entry point as in any project that installs the package.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from helpers.user_project import PLUGIN_MODULE, Outcome, installed_entry_point, run_pytest

ROOT = Path(__file__).resolve().parents[2]
README_SECTION = "## Testing your code with the simulator"


def readme_example() -> str:
    """The first ``python`` code block of the README's "Testing your code with the simulator" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(README_SECTION, 1)[1].split("\n## ", 1)[0]
    match = re.search(r"^```python\n(.*?)^```$", section, re.DOTALL | re.MULTILINE)
    assert match, f"no python code block in the README section {README_SECTION!r}"
    return match.group(1)


def test_packaging_points_the_entry_point_at_the_top_level_module() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["entry-points"]["pytest11"] == {"rayvision_async": PLUGIN_MODULE}
    assert f"src/{PLUGIN_MODULE}.py" in pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert installed_entry_point().value == PLUGIN_MODULE, "stale install: run pip install -e '.[test]'"


def test_old_module_still_exports_the_fixtures() -> None:
    import _rayvision_async_pytestplugin as plugin
    from rayvision_async.simulator import pytest_plugin

    for name in pytest_plugin.__all__:
        assert getattr(pytest_plugin, name) is getattr(plugin, name)
    assert {"rayvision_farm", "rayvision_simulator", "rayvision_simulator_url", "rayvision_client"} <= set(
        pytest_plugin.__all__
    )


def test_loading_the_plugin_imports_neither_the_client_nor_the_simulator(tmp_path: Path) -> None:
    test = f"""
import sys


def test_nothing_of_the_sdk_is_imported(request):
    assert request.config.pluginmanager.has_plugin("rayvision_async")
    assert {PLUGIN_MODULE!r} in sys.modules
    assert "rayvision_async" not in sys.modules
    assert "rayvision_async.simulator" not in sys.modules
    assert "rayvision_async._client" not in sys.modules
    assert [name for name in sys.modules if name.startswith("rayvision_async")] == []
"""
    run = run_pytest(tmp_path, {"test_lazy.py": test})
    assert run.outcomes == {"test_nothing_of_the_sdk_is_imported": Outcome("passed", "")}, run.output
    assert run.returncode == 0, run.output


def test_readme_example_runs_as_written_in_strict_mode(tmp_path: Path) -> None:
    example = readme_example()
    assert "rayvision_client" in example
    run = run_pytest(tmp_path, {"test_readme_example.py": example}, "-o", "asyncio_mode=strict")
    assert "asyncio: mode=strict" in run.output or "mode=Mode.STRICT" in run.output, run.output
    assert re.search(r"\b1 passed\b", run.output), run.output
    assert run.outcomes == {"test_my_pipeline": Outcome("passed", "")}, run.output
    assert run.returncode == 0, run.output


def test_simulator_url_fixture_serves_in_strict_mode(tmp_path: Path) -> None:
    test = """
import pytest

from rayvision_async import AsyncRayvisionAPI


@pytest.mark.asyncio
async def test_url_serves(rayvision_simulator, rayvision_simulator_url):
    assert rayvision_simulator_url.startswith("http://127.0.0.1:")
    async with AsyncRayvisionAPI(
        rayvision_simulator.access_id,
        rayvision_simulator.access_key,
        domain=rayvision_simulator.domain,
        base_url=rayvision_simulator_url,
    ) as api:
        await api.user.query_user_profile()
    assert rayvision_simulator.counts["query_user_profile"] == 1
    assert rayvision_simulator.internal_errors == []
"""
    run = run_pytest(tmp_path, {"test_url.py": test}, "-o", "asyncio_mode=strict")
    assert run.outcomes == {"test_url_serves": Outcome("passed", "")}, run.output
    assert run.returncode == 0, run.output


def test_async_fixtures_skip_without_pytest_asyncio(tmp_path: Path) -> None:
    test = """
def test_sync_wants_client(rayvision_client):
    raise AssertionError("must not run")


async def test_async_wants_url(rayvision_simulator_url):
    raise AssertionError("must not run")


def test_sync_fixtures_still_work(rayvision_farm, rayvision_simulator):
    assert rayvision_simulator.farm is rayvision_farm
"""
    run = run_pytest(tmp_path, {"test_no_asyncio.py": test}, "-p", "no:asyncio")
    assert run.returncode == 0, run.output
    assert run.outcomes["test_sync_fixtures_still_work"] == Outcome("passed", ""), run.output
    for name, fixture in [("test_sync_wants_client", "rayvision_client"),
                          ("test_async_wants_url", "rayvision_simulator_url")]:
        outcome = run.outcomes[name]
        assert outcome.outcome == "skipped", run.output
        assert f"the {fixture} fixture (rayvision_async) needs pytest-asyncio" in outcome.message, run.output
