"""The simulator's catalogue holds every software, version and plugin the documents show, and one table decides.

``tests/data/catalog_facts.json`` lists what the documents show (each fact with its document and
line). ``supported_software`` / ``supported_plugin`` must offer all of it, in the right software
and version, and every documented render environment must be accepted. Then the consistency rule:
what ``supported_plugin`` offers is exactly what ``add_render_env`` / ``update_render_env``
accept, checked over the whole catalogue.
"""

from __future__ import annotations

from typing import Any

import pytest

from helpers.spec_data import catalog_facts
from rayvision_async.simulator import Farm, FarmError, Simulator

FACTS = catalog_facts()


def _where(fact: dict[str, Any]) -> str:
    return f"{fact['doc']}:L{fact['line']}"


def sim() -> Simulator:
    return Simulator(farm=Farm(speed=0.0))


SIM = sim()
SOFTWARE = {entry["cgId"]: entry for entry in SIM.call("supported_software", {})["renderInfoList"]}
DETAIL = {cg_id: SIM.call("supported_plugin", {"cgId": cg_id}) for cg_id in SOFTWARE}


def offered_versions(cg_id: int) -> dict[str, int]:
    """Version → its id, as supported_plugin offers them for ``cg_id``."""
    return {version["cgVersion"]: version["id"] for version in DETAIL[cg_id]["cgVersion"]}


def offered_plugins(cg_id: int) -> dict[int, tuple[int, dict[str, Any]]]:
    """Plugin id → (software version id, its record), as supported_plugin offers them for ``cg_id``."""
    return {release["pluginId"]: (plugin["cvId"], release)
            for plugin in DETAIL[cg_id]["cgPlugin"] for release in plugin["pluginVersions"]}  # fmt: skip


def env_body(cg_id: int, version: str, plugin_ids: list[int], name: str = "env", cg_name: str | None = None,
             ) -> dict[str, Any]:
    return {"cgId": cg_id, "cgName": cg_name or SOFTWARE[cg_id]["cgName"], "cgVersion": version,
            "editName": name, "renderSystem": 1, "renderLayerType": 0, "pluginIds": plugin_ids}


def refusal(simulator: Simulator, operation: str, body: dict[str, Any]) -> int | None:
    try:
        simulator.call(operation, body)
    except FarmError as error:
        return error.code
    return None


def test_the_facts_are_the_documented_ones() -> None:
    plugins = {(fact["pluginId"], fact["pluginName"], fact["pluginVersion"], fact["cgId"]) for fact in FACTS["plugins"]}
    assert plugins == {(1166, "wobble", "wobble 0.9.5", 2000), (5304, "renderman", "renderman 22.6", 2004),
                       (1652, "zblur", "zblur 2.02.019", 2012)}
    assert {(fact["cgId"], fact["cgVersion"]) for fact in FACTS["versions"]} >= {(2004, "16.5"), (2005, "R19")}


@pytest.mark.parametrize("fact", FACTS["software"], ids=_where)
def test_every_documented_software_is_supported_by_its_name(fact: dict[str, Any]) -> None:
    assert SOFTWARE[fact["cgId"]]["cgName"] == fact["cgName"]


@pytest.mark.parametrize("fact", FACTS["versions"], ids=_where)
def test_every_documented_software_version_is_offered(fact: dict[str, Any]) -> None:
    versions = offered_versions(fact["cgId"])
    assert fact["cgVersion"] in versions, f"{fact['cgId']} {fact['cgVersion']} is not offered"
    if "id" in fact:
        assert versions[fact["cgVersion"]] == fact["id"]
    # the documents write one software's name two ways ("CINEMA 4D", "Cinema 4D"): the same name
    assert fact["cgName"].casefold() == SOFTWARE[fact["cgId"]]["cgName"].casefold()


@pytest.mark.parametrize("fact", FACTS["plugins"], ids=_where)
def test_every_documented_plugin_is_offered_in_its_software_and_version(fact: dict[str, Any]) -> None:
    plugins = offered_plugins(fact["cgId"])
    assert fact["pluginId"] in plugins, f"plugin {fact['pluginId']} is not offered for cgId {fact['cgId']}"
    version_id, release = plugins[fact["pluginId"]]
    assert release == {key: fact[key] for key in ("pluginId", "pluginName", "pluginVersion")}
    if "cvId" in fact:
        assert version_id == fact["cvId"]
    if "cgVersion" in fact:
        assert version_id == offered_versions(fact["cgId"])[fact["cgVersion"]]
    others = [cg_id for cg_id in SOFTWARE if cg_id != fact["cgId"] and fact["pluginId"] in offered_plugins(cg_id)]
    assert others == []  # not filed under another software too (zblur was once under Clarisse)


@pytest.mark.parametrize("fact", FACTS["environments"], ids=_where)
def test_every_documented_render_environment_is_accepted_and_read_back(fact: dict[str, Any]) -> None:
    simulator = sim()
    body = env_body(fact["cgId"], fact["cgVersion"], fact["pluginIds"], cg_name=fact["cgName"])
    assert simulator.call("add_render_env", body) == {"editName": "env"}
    simulator.call("update_render_env", body)
    [stored] = simulator.call("get_render_env", {"cgId": fact["cgId"], "osName": 1})
    assert [plugin["pluginId"] for plugin in stored["respUserPluginInfoVos"]] == fact["pluginIds"]
    assert all(plugin["pluginName"] and plugin["pluginVersion"] for plugin in stored["respUserPluginInfoVos"])


def test_the_usage_documents_houdini_16_5_is_offered_and_accepted() -> None:
    assert "16.5" in offered_versions(2004)
    assert refusal(sim(), "add_render_env", env_body(2004, "16.5", [])) is None
    assert "16.0" not in offered_versions(2004)
    assert refusal(sim(), "add_render_env", env_body(2004, "16.0", [])) == 600


@pytest.mark.parametrize("cg_id", sorted(SOFTWARE))
def test_what_is_offered_is_exactly_what_is_accepted(cg_id: int) -> None:
    versions = offered_versions(cg_id)
    plugins = offered_plugins(cg_id)
    foreign = [plugin_id for other in SOFTWARE if other != cg_id for plugin_id in offered_plugins(other)]
    for version, version_id in versions.items():
        own = [plugin_id for plugin_id, (cv_id, _release) in plugins.items() if cv_id == version_id]
        other_versions = [plugin_id for plugin_id, (cv_id, _release) in plugins.items() if cv_id != version_id]
        for operation in ("add_render_env", "update_render_env"):
            simulator = sim()
            if operation == "update_render_env":
                simulator.call("add_render_env", env_body(cg_id, version, []))
            assert refusal(simulator, operation, env_body(cg_id, version, own)) is None, (version, own)
            for plugin_id in other_versions + foreign[:3] + [999_999]:
                assert refusal(simulator, operation, env_body(cg_id, version, [plugin_id])) == 600, plugin_id
        assert refusal(sim(), "add_render_env", env_body(cg_id, version, own, cg_name="Not This One")) == 600
    for version in ("0.1", "", "latest"):
        assert refusal(sim(), "add_render_env", env_body(cg_id, version, [])) in (600, 601)


def test_unsupported_software_is_refused_by_both() -> None:
    assert refusal(sim(), "supported_plugin", {"cgId": 2099}) == 600
    assert refusal(sim(), "add_render_env", {**env_body(2000, "2020", []), "cgId": 2099}) == 600


def test_the_ids_are_unique_across_the_catalogue() -> None:
    version_ids = [version["id"] for detail in DETAIL.values() for version in detail["cgVersion"]]
    plugin_ids = [plugin_id for cg_id in SOFTWARE for plugin_id in offered_plugins(cg_id)]
    assert len(set(version_ids)) == len(version_ids)
    assert len(set(plugin_ids)) == len(plugin_ids)
    assert all(cv_id in version_ids for cg_id in SOFTWARE for cv_id, _release in offered_plugins(cg_id).values())
