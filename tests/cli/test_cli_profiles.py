"""Profiles: ``configure`` writes a private TOML file (or the keyring), commands read it; flags > env > profile.

Every test has a config folder of its own (``XDG_CONFIG_HOME``); one ``simulate`` server serves the module.
"""

from __future__ import annotations

import json
import stat
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_harness import CLI, Cli, Server, free_port, on_a_terminal, simulate_server

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    yield from simulate_server(tasks=2)


@pytest.fixture
def home(cli: Cli, tmp_path: Path) -> Path:
    """This test's config folder; the config file is ``home / "rayvision-async" / "config.toml"``."""
    cli.env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    return tmp_path / "config"


def _configure(cli: Cli, server: Server, *extra: str, key: str | None = None) -> subprocess.CompletedProcess[str]:
    return cli.run("configure", "--access-id", server.access_id, "--domain", server.domain, "--base-url",
                   server.base_url, "--access-key-stdin", "--key-store", "file", *extra,
                   input=(server.access_key if key is None else key) + "\n")


def test_configure_writes_a_private_file_and_never_prints_the_key(cli: Cli, server: Server, home: Path) -> None:
    done = _configure(cli, server, "--profile", "studio", "--platform", "2", "--protocol", "2018")
    assert done.returncode == 0, done.stderr
    path = home / "rayvision-async" / "config.toml"
    assert str(path) in done.stdout
    assert server.access_key not in done.stdout + done.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"profiles": {"studio": {
        "access_id": server.access_id, "domain": server.domain, "platform": "2", "base_url": server.base_url,
        "protocol": "2018", "access_key": server.access_key}}}
    shown = cli.run("configure", "--show", "--profile", "studio")
    assert shown.returncode == 0, shown.stderr
    assert server.access_id in shown.stdout
    assert "stored in the file" in shown.stdout
    assert server.access_key not in shown.stdout
    as_json = cli.json("configure", "--show", "--profile", "studio")
    assert as_json == {"profile": "studio", "path": str(path), "access_id": server.access_id, "domain": server.domain,
                       "platform": "2", "base_url": server.base_url, "protocol": "2018", "access_key": "file"}
    # a second profile leaves the first as it was
    assert _configure(cli, server, "--profile", "other").returncode == 0
    assert set(tomllib.loads(path.read_text(encoding="utf-8"))["profiles"]) == {"studio", "other"}
    assert cli.json("configure", "--show", "--profile", "studio")["protocol"] == "2018"


def test_commands_use_the_profile(cli: Cli, server: Server, home: Path) -> None:
    assert _configure(cli, server).returncode == 0  # the default profile
    assert isinstance(cli.json("info")["user_id"], int)
    assert _configure(cli, server, "--profile", "night").returncode == 0
    assert cli.json("tasks", "--profile", "night")
    assert cli.json("tasks", env={"RAYVISION_PROFILE": "night"})
    missing = cli.run("tasks", "--profile", "nope")
    assert missing.returncode == 3
    assert missing.stderr.count("\n") == 1
    assert "'nope'" in missing.stderr
    assert "default, night" in missing.stderr
    assert cli.run("tasks", env={"RAYVISION_PROFILE": "nope"}).returncode == 3


def test_flags_win_over_variables_which_win_over_the_profile(cli: Cli, server: Server, home: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens: a request sent there ends in exit code 4
    assert cli.run("configure", "--access-id", server.access_id, "--domain", server.domain, "--base-url", dead,
                   "--access-key-stdin", "--key-store", "file", input=server.access_key + "\n").returncode == 0
    assert cli.run("info", "--json").returncode == 4  # the profile's URL
    assert cli.run("info", "--json", env={"RAYVISION_BASE_URL": server.base_url}).returncode == 0  # env > profile
    assert cli.run("info", "--json", "--base-url", server.base_url,
                   env={"RAYVISION_BASE_URL": dead}).returncode == 0  # flag > env
    wrong = cli.run("info", "--json", "--base-url", server.base_url, env={"RAYVISION_API_KEY": "wrong-key"})
    assert wrong.returncode == 1  # the variable's key, not the profile's: the service refuses its signature
    assert "611" in wrong.stderr
    assert cli.run("info", "--json", "--base-url", server.base_url, "--access-key", server.access_key,
                   env={"RAYVISION_API_KEY": "wrong-key"}).returncode == 0  # flag > env
    # another access id (from the environment) never signs with the profile's key
    other = cli.run("info", "--json", "--base-url", server.base_url, env={"RAYVISION_API_ACCESS_ID": "someone-else"})
    assert other.returncode == 3
    assert "no access key" in other.stderr


def test_a_config_file_others_may_read_is_refused(cli: Cli, server: Server, home: Path) -> None:
    assert _configure(cli, server).returncode == 0
    path = home / "rayvision-async" / "config.toml"
    for mode in (0o644, 0o640, 0o602):
        path.chmod(mode)
        for args in (["info", "--json"], ["configure", "--show"]):
            done = cli.run(*args)
            assert done.returncode == 3, done.stderr
            assert done.stdout == ""
            assert done.stderr.count("\n") == 1
            assert f"chmod 600 {path}" in done.stderr
            assert server.access_key not in done.stderr
    path.chmod(0o600)
    assert cli.run("info", "--json").returncode == 0


@pytest.mark.parametrize(("text", "mentions"), [
    ("profiles = [", "not valid TOML"),
    ("profiles = 3", "table of profiles"),
    ("[profiles.default]\naccess_id = 7", "table of strings"),
    ("[profiles.default]\nregion = 'eu'", "region"),
])
def test_a_malformed_config_file_is_one_line_exit_3(cli: Cli, home: Path, text: str, mentions: str) -> None:
    path = home / "rayvision-async" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    done = cli.run("tasks", "--json")
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1
    assert mentions in done.stderr


def test_configure_needs_something_to_set(cli: Cli, home: Path) -> None:
    done = cli.run("configure")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert not (home / "rayvision-async" / "config.toml").exists()
    assert cli.run("configure", "--show").returncode == 3  # no profile yet


def test_the_key_goes_to_the_keyring_when_there_is_one(cli: Cli, server: Server, home: Path, tmp_path: Path) -> None:
    keyring_file = tmp_path / "keyring.json"
    cli.env.update({"PYTHONPATH": str(HERE), "PYTHON_KEYRING_BACKEND": "keyring_file_backend.FileKeyring",
                    "RAYVISION_TEST_KEYRING": str(keyring_file)})
    done = cli.run("configure", "--access-id", server.access_id, "--domain", server.domain, "--base-url",
                   server.base_url, "--access-key-stdin", input=server.access_key + "\n")
    assert done.returncode == 0, done.stderr
    assert "in the keyring" in done.stdout
    assert json.loads(keyring_file.read_text()) == {"rayvision-async": {server.access_id: server.access_key}}
    config = (home / "rayvision-async" / "config.toml").read_text(encoding="utf-8")
    assert server.access_key not in config
    assert cli.json("configure", "--show")["access_key"] == "keyring"
    assert isinstance(cli.json("info")["user_id"], int)  # signed with the keyring's key


def test_interactive_configure_asks_and_never_echoes_the_key(cli: Cli, server: Server, home: Path) -> None:
    answers = [server.access_id, server.domain, "", server.base_url, "", server.access_key]

    answered_at = [0]  # how much had been shown when the last answer was typed

    def reply(shown: bytes) -> bytes | None:  # a new prompt ends in ':' (the echo of an answer does not)
        if not answers or not shown[answered_at[0]:].rstrip().endswith(b":"):
            return None
        answered_at[0] = len(shown)
        return answers.pop(0).encode() + b"\n"

    run = on_a_terminal([*CLI, "configure", "--key-store", "file"], cli.env, reply=reply)
    text = run.text
    assert run.code == 0, text
    assert "Access key (not shown" in text
    assert server.access_key not in text
    assert cli.json("configure", "--show")["platform"] == "4"  # Enter took the default
    assert isinstance(cli.json("info")["user_id"], int)
