"""The command line against its own server: ``simulate --port N`` in one subprocess, ``tasks``/``watch``/``info``
with ``--base-url http://127.0.0.1:N`` in others, with the credentials ``simulate`` printed."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
from collections.abc import Callable

import pytest
from cli_harness import Cli, Server, read_until

from rayvision_async import AsyncRayvisionAPI

StartSimulator = Callable[..., Server]


def test_simulate_prints_what_a_client_needs_at_once_and_ctrl_c_ends_it(
        cli: Cli, start_simulator: StartSimulator) -> None:
    server = start_simulator("--speed", "0")  # fails unless the details arrive while the server still runs
    assert server.base_url == f"http://127.0.0.1:{server.port}"
    assert server.domain == "task.renderbus.com"
    assert len(server.access_id) >= 4
    assert len(server.access_key) >= 4
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=20) == 0
    assert server.process.stderr is not None
    assert b"Traceback" not in server.process.stderr.read()


def test_simulate_json_is_one_line_with_details_that_work(cli: Cli, start_simulator: StartSimulator) -> None:
    server = start_simulator("--speed", "0", as_json=True)
    assert server.base_url == f"http://127.0.0.1:{server.port}"
    done = cli.run("info", "--base-url", server.base_url, "--domain", server.domain, "--json",
                   "--access-id", server.access_id, "--access-key", server.access_key)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["user_id"]


def test_tasks_over_http_with_both_protocols(cli: Cli, start_simulator: StartSimulator) -> None:
    server = start_simulator("--speed", "0", "--tasks", "3")
    listed = {}
    for protocol in ("current", "2018"):
        done = cli.run("tasks", "--base-url", server.base_url + "/", "--protocol", protocol, "--json",
                       env=server.env)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        listed[protocol] = json.loads(done.stdout)
    assert len(listed["current"]) == 3
    assert listed["2018"] == listed["current"]
    ids = [row["id"] for row in listed["current"]]
    limited = cli.run("tasks", "--base-url", server.base_url, "--json", "--limit", "2", env=server.env)
    assert [row["id"] for row in json.loads(limited.stdout)] == ids[:2]
    table = cli.run("tasks", "--base-url", server.base_url, env=server.env)
    assert table.returncode == 0, table.stderr
    assert all(str(task_id) in table.stdout for task_id in ids)


def test_info_over_http_is_typed(cli: Cli, start_simulator: StartSimulator) -> None:
    server = start_simulator("--speed", "0")
    done = cli.run("info", "--base-url", server.base_url, "--json", env=server.env)
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert isinstance(info["user_id"], int)
    assert isinstance(info["rmb_balance"], float)


def test_a_wrong_key_is_refused_with_exit_1(cli: Cli, start_simulator: StartSimulator) -> None:
    server = start_simulator("--speed", "0")
    done = cli.run("info", "--base-url", server.base_url, "--json",
                   env={**server.env, "RAYVISION_API_KEY": "not-the-simulator-key"})
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "611" in done.stderr
    assert "not-the-simulator-key" not in done.stderr


def test_nothing_listening_is_a_network_error_exit_4(cli: Cli, start_simulator: StartSimulator) -> None:
    server = start_simulator("--speed", "0")
    server.process.send_signal(signal.SIGINT)
    server.process.wait(timeout=20)
    done = cli.run("tasks", "--base-url", server.base_url, "--json", env=server.env)
    assert done.returncode == 4
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1


def test_a_busy_port_is_one_line_and_exit_2(cli: Cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = cli.run("simulate", "--port", str(port))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert f"127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("failure_rate", "code", "ends"), [
    ("0", 0, {"FINISHED"}),
    ("1", 5, {"FAILED", "FINISHED_HAS_FAILED"}),
])
def test_watch_exit_code_follows_how_the_tasks_ended(
        cli: Cli, start_simulator: StartSimulator, failure_rate: str, code: int, ends: set[str]) -> None:
    server = start_simulator("--speed", "3000", "--failure-rate", failure_rate, "--tasks", "2")
    listing = cli.run("tasks", "--base-url", server.base_url, "--json", env=server.env)
    ids = sorted(row["id"] for row in json.loads(listing.stdout))
    assert len(ids) == 2
    done = cli.run("watch", "--base-url", server.base_url, *map(str, ids), "--interval", "0.05", "--json",
                   env=server.env)
    last = {event["id"]: event["status"] for event in map(json.loads, done.stdout.splitlines())}
    assert sorted(last) == ids
    assert set(last.values()) <= ends
    assert done.returncode == code, done.stderr
    assert done.stderr.count("\n") == (0 if code == 0 else 1)


async def _act(server: Server, action: str, task_id: int) -> None:
    async with AsyncRayvisionAPI(server.access_id, server.access_key, server.domain,
                                 base_url=server.base_url) as api:
        await getattr(api.task, action)([task_id])


@pytest.mark.parametrize(("action", "code", "status"), [
    ("abort_task", 5, "ABANDON"),
    ("stop_task", 6, "STOP"),
])
def test_watch_exits_non_zero_when_a_task_is_abandoned_or_stopped(
        cli: Cli, start_simulator: StartSimulator, action: str, code: int, status: str) -> None:
    server = start_simulator("--speed", "0", "--tasks", "2")  # a frozen farm: nothing ends by itself
    listing = cli.run("tasks", "--base-url", server.base_url, "--json", env=server.env)
    first, second = sorted(row["id"] for row in json.loads(listing.stdout))
    watch = cli.start("watch", "--base-url", server.base_url, str(first), "--interval", "0.1", "--json",
                      env=server.env)
    seen = json.loads(read_until(watch, b"\n").decode().splitlines()[0])
    assert seen["id"] == first
    assert watch.poll() is None  # still watching: the task has not ended
    asyncio.run(_act(server, action, first))
    stdout, stderr = watch.communicate(timeout=30)
    assert watch.returncode == code
    assert json.loads(stdout.decode().splitlines()[-1])["status"] == status
    assert stderr.decode().count("\n") == 1
    assert f"{first} {status}" in stderr.decode()
    assert str(second) not in stderr.decode()


def test_watch_unknown_id_exits_1(cli: Cli, start_simulator: StartSimulator) -> None:
    server = start_simulator("--speed", "0")
    done = cli.run("watch", "--base-url", server.base_url, "424242", "--interval", "0.05", env=server.env)
    assert done.returncode == 1
    assert "424242" in done.stderr
    assert done.stderr.count("\n") == 1
