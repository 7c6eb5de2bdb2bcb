"""The SDK's transfer constants follow the facts measured on rayvision-sync 3.1.8 (tests/data/transfer_facts.json)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from rayvision_async.flows._analysis import server_path
from rayvision_async.transfer import CONFIG_ORDER, Transfer
from rayvision_async.transfer._command import (
    DEFAULT_SPEED_LIMIT,
    MAX_SPEED_LIMIT,
    OPTIONS_USED,
    Route,
    Storage,
    engine_args,
    parse_version,
)
from rayvision_async.transfer._locate import engine_file_in_wheel
from rayvision_async.transfer._runner import SECRET_ENVIRONMENT

FACTS: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "transfer_facts.json").read_text(encoding="utf-8"))
OFFICIAL = FACTS["official_package"]


def test_config_files_go_up_in_the_official_order() -> None:
    assert list(CONFIG_ORDER) == OFFICIAL["config_upload"]["order"]


@pytest.mark.parametrize(("platform", "key"), [("linux", "linux"), ("win32", "windows")])
def test_the_engine_is_looked_for_where_the_wheel_has_it(platform: str, key: str) -> None:
    assert engine_file_in_wheel(platform) == FACTS["distribution"]["engine_files"][key]
    assert engine_file_in_wheel("darwin") is None


def test_every_option_the_sdk_passes_is_one_the_engine_documents_and_none_carries_a_secret() -> None:
    documented = {option["long"] for option in FACTS["engine"]["options"]}
    assert set(OPTIONS_USED) <= documented
    assert not FACTS["engine"]["takes_secrets"]
    args = engine_args(Route(engine="aspera", host="h", port="1"), Storage(storage_id="2", user_id="3"),
                       "upload_json", "/u.json", "/", keep=False)
    assert [arg.split("=", 1)[0] for arg in args] == list(OPTIONS_USED)
    assert not any(word in " ".join(args).lower() for word in ("password", "key", "token", "secret"))


def test_the_official_defaults_carry_over() -> None:
    signature = inspect.signature(Transfer)
    assert DEFAULT_SPEED_LIMIT == MAX_SPEED_LIMIT == int(OFFICIAL["command"]["speed_default"])
    assert signature.parameters["engine_retries"].default == int(OFFICIAL["command"]["engine_retry_option"])
    assert signature.parameters["protocol"].default == OFFICIAL["command"]["network_mode_default"]
    assert signature.parameters["engine"].default == OFFICIAL["engines"]["default"]
    assert OFFICIAL["config_upload"]["type"] == "upload_path"
    assert OFFICIAL["asset_upload"]["type"] == "upload_json"
    assert OFFICIAL["download"]["type"] == "download_path"


def test_the_version_line_is_read() -> None:
    assert parse_version(FACTS["engine"]["version_line"]) == FACTS["engine"]["version"]
    assert parse_version("no version here") is None


def test_exit_codes_the_runner_acts_on_are_the_documented_ones() -> None:
    assert set(FACTS["engine"]["documented_exit_codes"]) == {"0", "-1", "1"}
    fatal = [item for item in FACTS["engine"]["measured"] if item["exit_code"] == 255]
    assert fatal  # -1 reaches a parent as 255, the code the runner calls fatal


def test_upload_json_shape_and_server_rule() -> None:
    (asset,) = FACTS["upload_json"]["shape"]["asset"]
    assert server_path(asset["local"]) == asset["server"]
    assert FACTS["engine"]["upload_json_elements"] == ["asset", "local", "server"]


def test_the_sdks_credentials_never_reach_the_engine() -> None:
    assert set(SECRET_ENVIRONMENT) == {"RAYVISION_API_KEY", "RAYVISION_API_ACCESS_ID"}
