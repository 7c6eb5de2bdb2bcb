"""The command line, run as users run it: real subprocesses, one of them on a real terminal (a pty)."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "rayvision_async.cli._main"]
ENV = {key: value for key, value in os.environ.items() if not key.startswith("RAYVISION_")}


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout, env=ENV, check=False)


def test_demo_json_summary_in_a_subprocess() -> None:
    done = run("demo", "--tasks", "4", "--frames", "1-12[1]", "--failure-rate", "0.1", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(summary["task_ids"]) == 4
    assert sum(summary["statuses"].values()) == 4
    assert set(summary["statuses"]) <= {"FINISHED", "FINISHED_HAS_FAILED", "FAILED"}
    assert summary["frames_done"] + summary["frames_failed"] == 4 * 12
    assert float(summary["cost"]) > 0
    # every request the client made reached the simulator over loopback HTTP, and none more
    assert summary["requests_sent"] == summary["requests_served"] > 4 * 3
    assert summary["wall_time"] > 0


def test_demo_on_a_real_terminal_shows_progress_and_summary() -> None:
    leader, follower = pty.openpty()
    process = subprocess.Popen([*CLI, "demo", "--tasks", "3", "--frames", "1-8[1]"], stdin=follower,
                               stdout=follower, stderr=follower, env={**ENV, "COLUMNS": "100", "TERM": "xterm"},
                               close_fds=True)
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the terminal closed: the program exited
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
        code = process.wait(timeout=10)
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()
    text = output.decode("utf-8", "replace")
    assert code == 0, text
    assert "\x1b[" in text  # a terminal gets colours and cursor movement (the live display)
    for expected in ("task 19097", "Demo summary", "frames done", "requests made", "wall time", "FINISHED"):
        assert expected in text


@pytest.mark.parametrize("command", ["demo", "tasks", "watch", "info", "simulate"])
def test_help_everywhere(command: str) -> None:
    done = run(command, "--help")
    assert done.returncode == 0
    assert f"usage: rayvision-async {command}" in done.stdout


def test_tasks_against_the_simulator_as_json() -> None:
    done = run("tasks", "--simulate", "--json", "--limit", "3")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 3
    assert all(isinstance(row["id"], int) and row["status"] for row in rows)


def test_watch_all_against_the_simulator_ends_when_tasks_finish() -> None:
    done = run("watch", "--simulate", "--all", "--interval", "0.05", "--json")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events
    last = {event["id"]: event["status"] for event in events}
    assert all(status in {"FINISHED", "FINISHED_HAS_FAILED", "FAILED"} for status in last.values())


def test_info_against_the_simulator() -> None:
    done = run("info", "--simulate", "--json")
    assert done.returncode == 0, done.stderr
    assert "user id" in json.loads(done.stdout)


def test_missing_credentials_exit_3_without_a_traceback() -> None:
    done = run("tasks")
    assert done.returncode == 3
    assert "RAYVISION_API_ACCESS_ID" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_bad_usage_exits_2() -> None:
    assert run("watch", "--simulate").returncode == 2  # neither ids nor --all
    assert run("demo", "--tasks", "0").returncode == 2
    assert run("no-such-command").returncode == 2


def test_ctrl_c_exits_130_cleanly() -> None:
    process = subprocess.Popen([*CLI, "watch", "--simulate", "--all", "--interval", "30"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        time.sleep(2.0)  # started, first poll done, sleeping until the next one
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert "interrupted" in stdout
    assert "Traceback" not in stdout + stderr


def test_package_is_runnable_as_installed_script() -> None:
    script = Path(sys.executable).with_name("rayvision-async")
    if not script.exists():
        pytest.skip("console script not installed in this environment")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0
    assert "demo" in done.stdout
