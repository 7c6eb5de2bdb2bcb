"""Finding the engine: setting > $RAYVISION_TRANSMITTER > an installed rayvision-sync (through metadata only)."""

from __future__ import annotations

import importlib.metadata
import stat
import sys
from pathlib import Path

import pytest

from rayvision_async import AsyncRayvisionAPI
from rayvision_async.errors import ConfigurationError
from rayvision_async.transfer import Transfer, TransmitterNotFoundError, find_transmitter
from rayvision_async.transfer._locate import engine_file_in_wheel

NO_DISTRIBUTION = importlib.metadata.PackageNotFoundError


def nothing_installed(name: str) -> importlib.metadata.Distribution:
    raise NO_DISTRIBUTION(name)


def executable(path: Path, mode: int = stat.S_IRWXU) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/false\n")
    path.chmod(mode)
    return path


class FakeDistribution(importlib.metadata.Distribution):
    """A distribution whose RECORD lists the wheel's engine file, located under ``root``."""

    def __init__(self, root: Path, files: list[str]) -> None:
        self.root = root
        self.listed = files

    def read_text(self, filename: str) -> str | None:
        if filename == "METADATA":
            return "Metadata-Version: 2.1\nName: rayvision-sync\nVersion: 3.1.8\n"
        if filename == "RECORD":
            return "".join(f"{name},,\n" for name in self.listed)
        return None

    def locate_file(self, path: str | importlib.metadata.PackagePath) -> Path:  # type: ignore[override]
        return self.root / str(path)


def test_the_setting_wins_over_the_environment(tmp_path: Path) -> None:
    setting = executable(tmp_path / "a" / "engine")
    env = executable(tmp_path / "b" / "engine")
    found = find_transmitter(setting, environ={"RAYVISION_TRANSMITTER": str(env)}, lookup=nothing_installed)
    assert found.argv == (str(setting),)
    assert found.source == "the transmitter setting"


def test_the_environment_wins_over_an_installed_distribution(tmp_path: Path) -> None:
    env = executable(tmp_path / "engine")
    distribution = FakeDistribution(tmp_path / "site", [engine_file_in_wheel() or ""])

    found = find_transmitter(environ={"RAYVISION_TRANSMITTER": str(env)}, lookup=lambda name: distribution)
    assert (found.argv, found.source) == ((str(env),), "$RAYVISION_TRANSMITTER")


@pytest.mark.skipif(engine_file_in_wheel() is None, reason="the wheel ships no engine for this platform")
def test_an_installed_distribution_is_found_through_its_file_list_without_importing_it(tmp_path: Path) -> None:
    inside = engine_file_in_wheel()
    assert inside is not None
    engine = executable(tmp_path / "site" / inside)
    asked: list[str] = []

    def lookup(name: str) -> importlib.metadata.Distribution:
        asked.append(name)
        return FakeDistribution(tmp_path / "site", ["rayvision_sync/__init__.py", inside])

    found = find_transmitter(environ={}, lookup=lookup)
    assert found.argv == (str(engine),)
    assert found.source == "the installed rayvision-sync 3.1.8"
    assert found.is_native
    assert asked == ["rayvision-sync"]
    assert "rayvision_sync" not in sys.modules


@pytest.mark.skipif(engine_file_in_wheel() is None, reason="the wheel ships no engine for this platform")
def test_the_wheels_engine_without_the_execute_bit_gets_a_chmod_instruction_not_a_chmod(tmp_path: Path) -> None:
    inside = engine_file_in_wheel()
    assert inside is not None
    engine = executable(tmp_path / "site" / inside, mode=0o644)
    with pytest.raises(ConfigurationError, match=r"not executable.*chmod u\+x"):
        find_transmitter(environ={}, lookup=lambda name: FakeDistribution(tmp_path / "site", [inside]))
    assert stat.S_IMODE(engine.stat().st_mode) == 0o644


def test_nothing_found_says_exactly_how_to_get_an_engine() -> None:
    with pytest.raises(TransmitterNotFoundError) as caught:
        find_transmitter(environ={}, lookup=nothing_installed)
    message = str(caught.value)
    assert isinstance(caught.value, ConfigurationError)
    for needed in ("RAYVISION_TRANSMITTER=", "transmitter=", "pip download rayvision-sync --no-deps", "chmod u+x",
                   "pip install rayvision-sync", "rayvision-async simulate"):
        assert needed in message


def test_a_distribution_without_the_engine_file_is_not_an_engine(tmp_path: Path) -> None:
    distribution = FakeDistribution(tmp_path, ["rayvision_sync/__init__.py"])
    with pytest.raises(TransmitterNotFoundError):
        find_transmitter(environ={}, lookup=lambda name: distribution)


@pytest.mark.parametrize("setting", ["", "   ", [], [""], ["a", 1], b"/bin/x", 7, "a\0b"])
def test_malformed_settings_are_configuration_errors(setting: object) -> None:
    with pytest.raises(ConfigurationError):
        find_transmitter(setting, environ={}, lookup=nothing_installed)  # type: ignore[arg-type]


def test_missing_and_folder_paths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TransmitterNotFoundError, match="does not exist"):
        find_transmitter(tmp_path / "nowhere")
    with pytest.raises(ConfigurationError, match="not a file"):
        find_transmitter(tmp_path)
    with pytest.raises(TransmitterNotFoundError, match=r"\$RAYVISION_TRANSMITTER does not exist"):
        find_transmitter(environ={"RAYVISION_TRANSMITTER": str(tmp_path / "gone")})


def test_a_command_keeps_its_arguments_and_is_not_native(tmp_path: Path) -> None:
    found = find_transmitter([sys.executable, "stand_in.py", "--farm-storage=/x"])
    assert found.argv == (sys.executable, "stand_in.py", "--farm-storage=/x")
    assert not found.is_native


def test_aspera_needs_ascp_beside_the_native_engine(tmp_path: Path) -> None:
    engine = executable(tmp_path / "linux" / "rayvision_transmitter")
    client = AsyncRayvisionAPI("id-0000", "key-0000")
    with pytest.raises(ConfigurationError, match="aspera/ascp"):
        Transfer(client, transmitter=engine).locate()
    assert Transfer(client, transmitter=engine, engine="raysync").locate().argv == (str(engine),)
    executable(tmp_path / "linux" / "aspera" / "ascp")
    assert Transfer(client, transmitter=engine).locate().is_native


def test_a_client_without_an_engine_is_built_and_its_transfer_fails_only_when_used(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAYVISION_TRANSMITTER", raising=False)
    monkeypatch.setattr(importlib.metadata, "distribution", nothing_installed)
    client = AsyncRayvisionAPI("id-0000", "key-0000")
    transfer = client.transfer
    assert transfer is client.transfer
    with pytest.raises(TransmitterNotFoundError):
        transfer.locate()
    assert transfer.engine_starts == 0
