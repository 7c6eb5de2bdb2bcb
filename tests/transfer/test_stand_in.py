"""The simulator's stand-in engine keeps the real engine's command-line contract, and the farm's storage works."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rayvision_async.simulator import Farm
from rayvision_async.simulator.farm import FarmStorage
from rayvision_async.simulator.farm._catalog import transfer_config
from rayvision_async.simulator.farm._storage import TRANSFER_HOST, TRANSFER_PORTS, frame_image, output_folder
from rayvision_async.simulator.transmitter import LAUNCHER_NAME, PROGRAM, VERSION_LINE, command
from rayvision_async.transfer._command import OPTIONS_USED, Route, Storage, engine_args, parse_version

FACTS = json.loads((Path(__file__).resolve().parents[1] / "data" / "transfer_facts.json").read_text(encoding="utf-8"))


def run(storage: FarmStorage, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([storage.launcher(), *args], capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "RAYVISION_LOG": str(storage.root / "logs"), **(env or {})})


def contract_args(storage: FarmStorage, transmit_type: str, local: str, remote: str, *, bid: str | None = None,
                  keep: bool = False) -> tuple[str, ...]:
    route = Route(engine="aspera", host=TRANSFER_HOST, port=TRANSFER_PORTS["aspera"])
    return engine_args(route, Storage(storage_id=bid or storage.input_bid, user_id=storage.user_id),
                       transmit_type, local, remote, keep=keep)  # type: ignore[arg-type]


def test_help_and_version_exit_1_as_the_real_engine_does(storage: FarmStorage) -> None:
    help_run = run(storage, "--help")
    assert help_run.returncode == 1
    for option in FACTS["engine"]["options"]:
        assert option["long"] in help_run.stdout
        assert option["short"] in help_run.stdout
    version = run(storage, "-v")
    assert (version.returncode, version.stdout.strip()) == (1, VERSION_LINE)
    assert parse_version(version.stdout) == FACTS["engine"]["version"]


@pytest.mark.parametrize(("args", "stderr"), [
    (["--bogus"], "unrecognized arguments"), ([], "'--engine' is required"), (["--engine"], "expected one argument"),
    (["-s", "abc"], "invalid int value"),
])
def test_bad_options_exit_255_with_the_usage_hint(storage: FarmStorage, args: list[str], stderr: str) -> None:
    done = run(storage, *args)
    assert done.returncode == 255
    assert stderr in done.stderr
    assert done.stdout.strip() == "'--help' gives usage information."


def test_the_contracts_measured_exit_codes_hold_for_the_stand_in(storage: FarmStorage) -> None:
    for measured in FACTS["engine"]["measured"]:
        assert run(storage, *measured["args"]).returncode == measured["exit_code"], measured["args"]


def test_upload_path_and_download_path_move_files(storage: FarmStorage, tmp_path: Path) -> None:
    local = tmp_path / "task.json"
    local.write_text('{"a": 1}')
    done = run(storage, *contract_args(storage, "upload_path", str(local), "/19097/cfg/task.json",
                                       bid=storage.config_bid))
    assert done.returncode == 0, done.stderr
    assert storage.config_file(19097, "task.json").read_text() == '{"a": 1}'
    assert f"upload file done ({local})" in done.stdout
    back = run(storage, *contract_args(storage, "download_path", str(tmp_path / "back"), "19097", keep=True,
                                       bid=storage.config_bid))
    assert back.returncode == 0, back.stderr
    assert (tmp_path / "back" / "19097" / "cfg" / "task.json").read_text() == '{"a": 1}'
    missing = run(storage, *contract_args(storage, "download_path", str(tmp_path), "/nothing"))
    assert missing.returncode == 255
    assert "remote path is not exist" in missing.stderr


def test_a_missing_asset_fails_that_file_and_the_run(storage: FarmStorage, tmp_path: Path) -> None:
    present = tmp_path / "a.bin"
    present.write_bytes(b"a")
    listing = tmp_path / "upload.json"
    listing.write_text(json.dumps({"asset": [{"local": str(present), "server": "/a.bin"},
                                             {"local": str(tmp_path / "gone.bin"), "server": "/gone.bin"}]}))
    done = run(storage, *contract_args(storage, "upload_json", str(listing), "/"))
    assert done.returncode == 255
    assert f"upload file fail ({tmp_path / 'gone.bin'})" in done.stdout
    assert storage.input_file("/a.bin").read_bytes() == b"a"


def test_a_remote_path_cannot_leave_the_storage(storage: FarmStorage, tmp_path: Path) -> None:
    local = tmp_path / "x"
    local.write_text("x")
    done = run(storage, *contract_args(storage, "upload_path", str(local), "/../../escape"))
    assert done.returncode == 255
    assert "leaves the storage" in done.stderr
    assert not (storage.root.parent / "escape").exists()


def test_the_farm_file_matches_the_simulated_transfer_config(storage: FarmStorage) -> None:
    config = transfer_config("1", "2", "3", [])
    ports = {engine["engineName"].lower(): engine["respTaskEngineLines"][0]["port"] for engine in config["resqEngines"]}
    hosts = {line["server"] for engine in config["resqEngines"] for line in engine["respTaskEngineLines"]}
    assert {name: ports[name] for name in TRANSFER_PORTS} == TRANSFER_PORTS
    assert hosts == {TRANSFER_HOST}


def test_the_launcher_is_owner_only_and_not_taken_for_the_real_engine(storage: FarmStorage) -> None:
    launcher = storage.launcher()
    assert launcher.name == LAUNCHER_NAME
    assert oct(launcher.stat().st_mode & 0o777) == "0o700"
    assert launcher.read_text().startswith(f"#!{sys.executable}\n")


def test_the_command_form_and_python_m_run_the_same_program(storage: FarmStorage) -> None:
    argv = command(storage.root)
    assert argv[:2] == (sys.executable, str(PROGRAM))
    done = subprocess.run([*argv, "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout.strip()) == (1, VERSION_LINE)
    module = subprocess.run([sys.executable, "-m", "rayvision_async.simulator.transmitter", "--version"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert (module.returncode, module.stdout.strip()) == (1, VERSION_LINE)


def test_the_program_file_imports_only_the_standard_library() -> None:
    tree = ast.parse(PROGRAM.read_text(encoding="utf-8"))
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert all(node.level == 0 for node in ast.walk(tree) if isinstance(node, ast.ImportFrom))
    assert modules <= sys.stdlib_module_names | {"__future__"}


def test_every_option_the_sdk_passes_is_in_the_facts_help() -> None:
    documented = {option["long"] for option in FACTS["engine"]["options"]}
    assert set(OPTIONS_USED) <= documented


# -- the farm's storage ---------------------------------------------------------------------------------


def test_a_farm_with_storage_writes_what_it_renders(rayvision_farm: Farm, storage: FarmStorage) -> None:
    task = rayvision_farm.create_tasks()[0]
    rayvision_farm.upload_file(task.id, "task.json", json.dumps({"task_info": {"frames": "1-2[1]"}}))
    rayvision_farm.submit(task.id)
    rayvision_farm.advance(3600)
    folder = output_folder(task)
    for frame in task.frames:
        assert storage.output_file(folder, f"{folder}.{frame.index}.png").read_bytes() == frame_image(task, frame)
        assert frame_image(task, frame).startswith(b"\x89PNG")


def test_a_farm_without_storage_writes_nothing_and_checks_nothing(tmp_path: Path) -> None:
    farm = Farm(speed=0)
    task = farm.create_tasks()[0]
    farm.upload_file(task.id, "upload.json", json.dumps({"asset": [{"local": "x", "server": "/never/uploaded"}]}))
    farm.upload_file(task.id, "task.json", "{}")
    farm.submit(task.id)
    assert farm.storage is None


def test_the_upload_check_reads_the_engines_cfg_copy_too(rayvision_farm: Farm, storage: FarmStorage) -> None:
    from rayvision_async.simulator.farm import FarmError

    task = rayvision_farm.create_tasks()[0]
    rayvision_farm.upload_file(task.id, "task.json", "{}")
    cfg = storage.config_file(task.id, "upload.json")
    cfg.parent.mkdir(parents=True)
    cfg.write_text(json.dumps({"asset": [{"local": "x", "server": "/D/x.mb"}]}))
    with pytest.raises(FarmError, match="not uploaded"):
        rayvision_farm.submit(task.id)
    storage.input_file("/D/x.mb").parent.mkdir(parents=True)
    storage.input_file("/D/x.mb").write_bytes(b"x")
    rayvision_farm.submit(task.id)
