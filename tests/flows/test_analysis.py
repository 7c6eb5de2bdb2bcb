"""The official task.json/upload.json helpers and checks, as pure functions on dicts."""

from __future__ import annotations

import copy
from pathlib import PureWindowsPath
from typing import Any

import pytest

from rayvision_async import (
    MODIFIABLE_PARAMS,
    HardwareRequest,
    HardwareUnavailableError,
    InvalidInputError,
    append_to_task,
    append_to_upload,
    stringify_modifiable_params,
    update_task_info,
)
from rayvision_async.flows._analysis import choose_hardware, server_path, sort_tips
from rayvision_async.flows._userinfo import camel_to_snake
from rayvision_async.models import ErrorCodeInfo, HardwareConfig, NotSupportedCgVersion

TASK: dict[str, Any] = {
    "task_info": {"cg_id": "2000", "ram": 64, "frames_per_task": 2, "tiles": 1.5, "enable_layered": True,
                  "hardwareConfigIds": [], "graphics_cards_num": "", "time_out": None, "channel": 4},
    "software_config": {"cg_version": "2020", "plugins": {"mtoa": "4.0.0", "yeti": "3.6.2"}},
    "scene_info": {"layer": {"frames": "1-2"}},
}


def test_update_task_info_changes_only_existing_keys_and_copies() -> None:
    original = copy.deepcopy(TASK)
    updated = update_task_info(TASK, {"ram": "128", "hardwareConfigIds": ["2"]})
    assert updated["task_info"]["ram"] == "128"
    assert updated["task_info"]["hardwareConfigIds"] == ["2"]
    assert original == TASK  # the input is left alone
    with pytest.raises(InvalidInputError, match="'nonsense'"):
        update_task_info(TASK, {"nonsense": 1})
    with pytest.raises(InvalidInputError, match="task_info"):
        update_task_info({}, {"ram": 1})


def test_append_to_task_merges_additional_info() -> None:
    once = append_to_task(TASK, {"note": "a"})
    twice = append_to_task(once, {"note": "b", "other": 1})
    assert twice["additional_info"] == {"note": "b", "other": 1}
    assert "additional_info" not in TASK
    with pytest.raises(InvalidInputError, match="'note'"):
        append_to_task(once, {"note": "c"}, cover=False)
    assert append_to_task(once, {"new": 2}, cover=False)["additional_info"] == {"note": "a", "new": 2}


def test_append_to_upload_adds_each_new_file_once() -> None:
    upload = {"asset": [{"local": "D:/a.ma", "server": "/D/a.ma"}]}
    result = append_to_upload(upload, ["D:\\maps\\wood.png", "D:/a.ma", PureWindowsPath("E:/x/y.abc"),
                                       "D:/maps/wood.png"])
    assert result["asset"] == [
        {"local": "D:/a.ma", "server": "/D/a.ma"},
        {"local": "D:/maps/wood.png", "server": "/D/maps/wood.png"},
        {"local": "E:/x/y.abc", "server": "/E/x/y.abc"},
    ]
    assert len(upload["asset"]) == 1
    assert append_to_upload({}, "/home/me/s.ma")["asset"] == [{"local": "/home/me/s.ma", "server": "home/me/s.ma"}]
    with pytest.raises(InvalidInputError):
        append_to_upload(upload, [42])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError):
        append_to_upload({"asset": "nope"}, "D:/a.ma")


def test_server_path_follows_the_official_rule() -> None:
    assert server_path("D:\\work\\c05\\a.jpg") == "/D/work/c05/a.jpg"
    assert server_path("//nas/share/a.jpg") == "/nas/share/a.jpg"
    with pytest.raises(InvalidInputError):
        server_path("a")


def test_modifiable_params_become_strings_as_the_official_sdk_writes_them() -> None:
    result = stringify_modifiable_params(TASK)
    info = result["task_info"]
    assert (info["ram"], info["frames_per_task"], info["tiles"], info["enable_layered"]) == ("64", "2", "1.5", "True")
    assert info["time_out"] is None  # not an int/str/float: left alone
    assert info["channel"] == 4  # not a modifiable parameter
    assert result["scene_info_render"] == TASK["scene_info"]
    assert "ram" in MODIFIABLE_PARAMS
    assert len(MODIFIABLE_PARAMS) == 18


def config(config_id: int, **fields: Any) -> HardwareConfig:
    base: dict[str, Any] = {"id": config_id, "type": 1, "model": "Default", "gpu_num": 0, "ram": 64, "platform": 2,
                            "status": 1}
    return HardwareConfig(**{**base, **fields})


def test_hardware_matches_model_ram_and_gpus_on_the_platform_only() -> None:
    configs = [config(1), config(2, ram=128), config(3, platform=9), config(4, status=0),
               config(5, model="RTX", gpu_num=2, ram="128GB", type=2)]
    request = HardwareRequest(ram="64GB")
    assert choose_hardware(TASK, configs, request, platform=2) == {
        "hardwareConfigIds": ["1"], "ram": "64", "graphics_cards_num": "2"}
    gpu = choose_hardware(TASK, configs, HardwareRequest(model=("RTX",), ram=128, gpu_num="2"), platform=2)
    assert gpu == {"hardwareConfigIds": ["5"], "ram": "128", "graphics_cards_num": "2"}
    with pytest.raises(HardwareUnavailableError) as refused:
        choose_hardware(TASK, configs, HardwareRequest(ram="32GB"), platform=2)
    assert [shown["ram"] for shown in refused.value.allowed] == [64, 128, "128GB"]  # not platform 9, not disabled


@pytest.mark.parametrize(("fields", "tips", "reason"), [
    ({"not_support_cg_id": (2000,)}, (), "cgId 2000"),
    ({"not_support_code": "15002,15003"}, ("15003",), "tips codes 15003"),
    ({"not_support_cg_versions": (NotSupportedCgVersion(cg_id=2000, cg_version_name="2020"),)}, (), "version 2020"),
    ({"not_support_plugin_list": ("^YETI 3\\.",)}, (), "plugin yeti 3.6.2"),
])
def test_a_matching_config_that_excludes_the_scene_is_refused(fields: dict[str, Any], tips: tuple[str, ...],
                                                               reason: str) -> None:
    with pytest.raises(HardwareUnavailableError, match=reason):
        choose_hardware(TASK, [config(1, **fields)], HardwareRequest(ram="64GB"), platform=2, tip_codes=tips)


@pytest.mark.parametrize("fields", [
    {"not_support_cg_id": (2001,)},
    {"not_support_code": "150021"},  # codes are whole numbers, not substrings
    {"not_support_cg_versions": (NotSupportedCgVersion(cg_id=2001, cg_version_name="2020"),)},
    {"not_support_plugin_list": ("^vray",)},
])
def test_exclusions_for_other_scenes_do_not_refuse(fields: dict[str, Any]) -> None:
    update = choose_hardware(TASK, [config(1, **fields)], HardwareRequest(ram="64GB"), platform=2, tip_codes=["15002"])
    assert update["hardwareConfigIds"] == ["1"]


@pytest.mark.parametrize("bad", [
    {"ram": "64GB", "model": 5}, {"ram": "64GB", "model": []}, {"ram": None}, {"ram": True}, {"gpu": 1, "ram": 1},
    "Default", None,
])
def test_bad_hardware_requests_are_invalid_input(bad: Any) -> None:
    with pytest.raises(InvalidInputError):
        HardwareRequest.coerce(bad)


def test_the_official_hardware_dict_is_accepted() -> None:
    request = HardwareRequest.coerce({"model": ["A", "B"], "ram": "128GB", "gpuNum": 2})
    assert request == HardwareRequest(model=("A", "B"), ram="128GB", gpu_num=2)


def test_tips_are_sorted_into_errors_and_warnings() -> None:
    explained = [ErrorCodeInfo(code="1", type=1), ErrorCodeInfo(code="2", type=0)]
    errors, warnings = sort_tips({"1": ["x"], "2": [], "3": None}, explained)
    assert [(e.code, e.details) for e in errors] == [("1", ["x"])]
    assert [w.code for w in warnings] == ["2", "3"]
    assert warnings[1].info is None


@pytest.mark.parametrize(("camel", "snake"), [
    ("userId", "user_id"), ("rmbbalance", "rmbbalance"), ("c4dFlag", "c4d_flag"), ("requestURI", "request_uri"),
    ("config_bid", "config_bid"), ("taskOverTimeSec", "task_over_time_sec"),
])
def test_keys_are_renamed_as_the_official_sdk_does(camel: str, snake: str) -> None:
    assert camel_to_snake(camel) == snake
