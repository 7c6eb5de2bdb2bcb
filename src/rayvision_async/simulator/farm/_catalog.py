"""The farm's fixed reference data: software, plugins, hardware, platforms, error codes, transfer.

Shapes follow the example responses of the protocol and SDK documents; the
values are the simulator's own, plus every software, version and plugin the
documents show (with their ids). One table of software versions and plugins
answers ``querySoftwareDetail`` and decides which render environments are
accepted (:func:`environment_refusal`). Functions return fresh JSON-able
objects, so callers may mutate what they get.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CG_IDS",
    "environment_refusal",
    "error_codes",
    "hardware_configs",
    "pack_nodes",
    "platforms",
    "plugin_info",
    "plugin_software",
    "software_detail",
    "software_list",
    "software_name",
    "transfer_config",
    "transfer_server_info",
]

#: cgId → (cgName, file suffixes, isNeedProjectPath, isNeedAnalyse, isSupportLinux, icon name)
_SOFTWARE: dict[int, tuple[str, str, int, int, int, str]] = {
    2000: ("Maya", "ma;mb", 1, 1, 1, "maya"),
    2001: ("3ds Max", "max", 1, 1, 0, "max"),
    2004: ("Houdini", "hip;hipnc;hiplc", 2, 1, 1, "houdini"),
    2005: ("Cinema 4D", "c4d", 1, 1, 0, "cinema-4D"),
    2007: ("Blender", "blend", 1, 1, 0, "blender"),
    2008: ("VR Standalone", "vrscene", 3, 2, 0, "VR-standalone"),
    2012: ("KeyShot", "bip", 2, 1, 0, "keyshot"),
    2013: ("Clarisse", "project;render", 3, 1, 1, "clarisse"),
}

#: The cgIds the farm supports.
CG_IDS: frozenset[int] = frozenset(_SOFTWARE)

#: cgId → [(software version id, version, {plugin name: [(plugin version id, release)]})]. The ids and
#: names the documents show are theirs: Maya 2020's wobble 0.9.5 (1166), Houdini 16.5 and 17.5 with
#: renderman 22.6 (5304), CINEMA 4D R19 (23) and KeyShot's zblur 2.02.019 (1652, software version 19);
#: ``tests/data/catalog_facts.json`` lists them and a test checks they are all here. The rest are the
#: simulator's own.
_VERSIONS: dict[int, list[tuple[int, str, dict[str, list[tuple[int, str]]]]]] = {
    2000: [(1, "2018", {"mtoa": [(101, "3.1.2"), (102, "3.3.0")], "vrayformaya": [(111, "4.12.01")]}),
           (2, "2020", {"mtoa": [(201, "4.0.0")], "wobble": [(1166, "0.9.5")]})],
    2001: [(101, "2018", {"vray": [(10101, "4.10.03"), (10102, "5.00.01")], "corona": [(10111, "6")]}),
           (102, "2020", {"vray": [(10201, "5.00.01")]})],
    2004: [(403, "16.5", {}),
           (401, "17.5", {"renderman": [(5304, "22.6")], "redshift": [(40111, "3.0.13")]}),
           (402, "18.5", {})],
    2005: [(23, "R19", {"redshift": [(50101, "2.6.41")]}), (502, "R21", {"octane": [(50201, "2020.1")]})],
    2007: [(701, "2.83", {}), (702, "2.93", {})],
    2008: [(801, "5.00", {})],
    2012: [(19, "9.0", {"zblur": [(1652, "2.02.019")]})],
    2013: [(1301, "4.0", {})],
}  # fmt: skip

#: plugin version id → (cgId, software version id, {pluginId, pluginName, pluginVersion})
_PLUGINS: dict[int, tuple[int, int, dict[str, Any]]] = {
    plugin_id: (cg_id, version_id, {"pluginId": plugin_id, "pluginName": name, "pluginVersion": f"{name} {release}"})
    for cg_id, versions in _VERSIONS.items()
    for version_id, _version, plugins in versions
    for name, releases in plugins.items()
    for plugin_id, release in releases
}


def software_list() -> dict[str, Any]:
    """``querySoftwareList`` data."""
    return {
        "isAutoCommit": 2,
        "renderInfoList": [
            {
                "cgId": cg_id,
                "cgName": name,
                "cgType": suffixes,
                "iconPath": f"/img/softimage/{icon}.png",
                "isNeedProjectPath": project_path,
                "isNeedAnalyse": analyse,
                "isSupportLinux": linux,
            }
            for cg_id, (name, suffixes, project_path, analyse, linux, icon) in _SOFTWARE.items()
        ],
        "defaultCgId": 2001,
    }


def software_detail(cg_id: int) -> dict[str, Any]:
    """``querySoftwareDetail`` data: software versions and their plugins."""
    name = _SOFTWARE[cg_id][0]
    versions = _VERSIONS.get(cg_id, [])
    return {
        "cgPlugin": [
            {
                "cvId": version_id,
                "pluginName": plugin,
                "pluginVersions": [dict(_PLUGINS[plugin_id][2]) for plugin_id, _release in releases],
            }
            for version_id, _version, plugins in versions
            for plugin, releases in plugins.items()
        ],
        "cgVersion": [
            {"id": version_id, "cgId": cg_id, "cgName": name, "cgVersion": version}
            for version_id, version, _plugins in versions
        ],
    }


def plugin_info(plugin_id: int) -> dict[str, Any] | None:
    """``{pluginId, pluginName, pluginVersion}`` for a known plugin version id, else None."""
    found = _PLUGINS.get(plugin_id)
    return None if found is None else dict(found[2])


def plugin_software(plugin_id: int) -> int | None:
    """The cgId a plugin version id belongs to, or None if the farm has no such plugin."""
    found = _PLUGINS.get(plugin_id)
    return None if found is None else found[0]


def environment_refusal(cg_id: int, cg_name: str, cg_version: str, plugin_ids: list[int]) -> str | None:
    """Why a render environment is refused, or None: what ``querySoftwareDetail`` offers is what is accepted.

    The software must be supported and named as the farm names it (case aside: the documents write
    "CINEMA 4D" and "Cinema 4D"), the version one of its versions, every plugin one of that version's.
    """
    entry = _SOFTWARE.get(cg_id)
    if entry is None:
        return f"cgId {cg_id} is not a supported software"
    if cg_name.casefold() != entry[0].casefold():
        return f"cgName {cg_name!r} is not the name of cgId {cg_id} ({entry[0]})"
    version_id = next((vid for vid, version, _plugins in _VERSIONS[cg_id] if version == cg_version), None)
    if version_id is None:
        return f"cgVersion {cg_version!r} is not a version of {entry[0]}"
    for plugin_id in plugin_ids:
        found = _PLUGINS.get(plugin_id)
        if found is None or found[:2] != (cg_id, version_id):
            return f"pluginId {plugin_id} is not a plugin of {entry[0]} {cg_version}"
    return None


def software_name(cg_id: int) -> str | None:
    """The cgName of a supported cgId."""
    entry = _SOFTWARE.get(cg_id)
    return entry[0] if entry else None


def hardware_configs() -> list[dict[str, Any]]:
    """``hardwareConfig/list`` data, before ``current`` is set for the caller's tasks.

    No example response is documented: ``gpuNum`` (GPUs per node) and ``ram`` (GB) are
    sent as integers here, which is a guess.
    """
    base: dict[str, Any] = {"notSupportCgVersions": [], "notSupportPluginList": [], "notSupportCode": None, "status": 1}
    return [
        {"id": 1, "type": 1, "model": "Default", "gpuNum": 0, "ram": 64, "platform": 2,
         "current": True, "notSupportCgId": [], **base},
        {"id": 2, "type": 1, "model": "Default", "gpuNum": 0, "ram": 128, "platform": 2,
         "current": False, "notSupportCgId": [2012], **base},
        {"id": 3, "type": 2, "model": "RTX 3090", "gpuNum": 2, "ram": 128, "platform": 21,
         "current": False, "notSupportCgId": [2001, 2013], **base},
    ]  # fmt: skip


def platforms(zone: int) -> list[dict[str, Any]]:
    """``queryPlatforms`` data for zone 1 (China) or 2 (abroad)."""
    if zone == 1:
        rows = [(2, "query_platform_w2", 1, "2W"), (6, "query_platform_w6", 1, "6W"), (21, "gpu_p21", 0, "P21")]
    else:
        rows = [(2, "query_platform_w2", 1, "2W"), (9, "query_platform_w9", 1, "9W"), (29, "gpu_p29", 0, "P29")]
    return [
        {"platform": number, "name": name, "type": kind, "status": 0, "taskPrefix": prefix, "isShow": 1}
        for number, name, kind, prefix in rows
    ]


#: code → (type 0 warning / 1 error, description, solution)
_ERROR_CODES: dict[str, tuple[int, str, str]] = {
    "10010": (1, "Scene file not found", "Upload the scene file again and check its path."),
    "15000": (1, "3ds Max failed to start or hung", "Close any pop-up window of that 3ds Max version."),
    "15002": (0, "Missing texture maps", "Upload the missing maps, or ignore the warning."),
    "50001": (0, "Renderer version differs from the scene", "Choose the matching render environment."),
}


def error_codes(codes: list[str], language: int) -> list[dict[str, Any]]:
    """``queryAnalyseErrorDetail`` data for the known ``codes`` (unknown codes are left out)."""
    found: list[dict[str, Any]] = []
    for code in codes:
        entry = _ERROR_CODES.get(code)
        if entry is None:
            continue
        kind, description, solution = entry
        found.append(
            {
                "id": list(_ERROR_CODES).index(code) + 1,
                "code": code,
                "type": kind,
                "languageFlag": language,
                "desDescriptionCn": description,
                "desSolutionCn": solution,
                "solutionPath": f"https://help.example.invalid/errors/{code}",
                "isRepair": 0,
                "isDelete": 1,
                "isOpen": 1,
                "lastModifyAdmin": "",
                "updateTime": 1534387709000,
            }
        )
    return found


def pack_nodes() -> list[dict[str, Any]]:
    """``getUserPackNodeInfo`` data."""
    return [{"packNodeId": 101, "packName": "pack-node-a"}, {"packNodeId": 102, "packName": "pack-node-b"}]


def transfer_server_info(zone: int) -> dict[str, Any]:
    """``getServerInfo`` data."""
    proxy = "42.123.110.38" if zone == 1 else "203.0.113.38"
    return {
        "clientVersion": "3.2.8.2",
        "protocolVersion": "3.2.8.2",
        "raysyncTransfer": {
            "serverIp": "127.0.0.1",
            "serverPort": 2121,
            "proxyIp": proxy,
            "proxyPort": 32001,
            "sslPort": 2443,
            "port": 2442,
        },
    }


def transfer_config(
    input_bid: str, output_bid: str, config_bid: str, sub_user_output_bids: list[dict[str, str]]
) -> dict[str, Any]:
    """``getConfig`` data: the three engines of the documents, trtt, RaySync and Aspera (fake passwords)."""
    line = {"name": "raysync_main", "server": "127.0.0.1", "port": "10200", "isDefault": 1, "lineId": 121, "type": 0}
    aspera_line = dict(line, name="Aspera_main", port="10221", lineId=123)
    check = {"automaticCheck": 0, "checkServer": "127.0.0.1", "checkEnable": "0", "checkExcludType": "tx"}
    return {
        "inputBid": input_bid,
        "outputBid": output_bid,
        "configBid": config_bid,
        "parentInputBid": None,
        "resqEngines": [
            {
                "resqEngineAccounts": [{"bid": output_bid, "name": output_bid, "password": "dHJ0dC1zaW11bGF0b3I="}],
                "respTaskEngineLines": [dict(aspera_line, type=1)],  # a special line
                "engineName": "trtt",
                **check,
                "automaticCheck": 1,
                "checkPort": "8888",
                "checkEnable": "1",
                "isDefault": 0,
            },
            {
                "resqEngineAccounts": None,
                "respTaskEngineLines": [line],
                "engineName": "RaySync",
                **check,
                "checkPort": "10100",
                "isDefault": 1,
            },
            {
                "resqEngineAccounts": [{"bid": config_bid, "name": config_bid, "password": "c2ltdWxhdG9y"}],
                "respTaskEngineLines": [aspera_line],
                "engineName": "Aspera",
                **check,
                "checkPort": "8888",
                "isDefault": 0,
            },
        ],
        "subUserOutputBids": sub_user_output_bids,
    }
