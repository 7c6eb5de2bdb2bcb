"""The command line, run as users run it: real subprocesses, one of them on a real terminal (a pty)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cli_harness import BASE_ENV, CLI, Cli, on_a_terminal, read_until

import rayvision_async
from rayvision_async.cli import MISSING_RICH

ENV = BASE_ENV


def test_demo_json_summary_in_a_subprocess(cli: Cli) -> None:
    done = cli.run("demo", "--tasks", "4", "--frames", "1-12[1]", "--failure-rate", "0.1", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(summary["task_ids"]) == 4
    assert sum(summary["statuses"].values()) == 4
    assert set(summary["statuses"]) <= {"FINISHED", "FINISHED_HAS_FAILED", "FAILED"}
    assert summary["frames_done"] + summary["frames_failed"] == 4 * 12
    assert isinstance(summary["cost"], float)
    assert summary["cost"] > 0
    # every request the client made reached the simulator over loopback HTTP, and none more
    assert summary["requests_sent"] == summary["requests_served"] > 4 * 3
    assert summary["wall_time"] > 0


def test_demo_on_a_real_terminal_shows_progress_and_summary() -> None:
    run = on_a_terminal([*CLI, "demo", "--tasks", "3", "--frames", "1-8[1]"],
                        {**ENV, "COLUMNS": "100", "TERM": "xterm"})
    text = run.text
    assert run.code == 0, text
    assert "\x1b[" in text  # a terminal gets colours and cursor movement (the live display)
    for expected in ("task 19097", "Demo summary", "frames done", "requests made", "wall time", "FINISHED"):
        assert expected in text


@pytest.mark.parametrize("command", ["demo", "tasks", "watch", "info", "simulate", "render", "outputs", "submit"])
def test_help_everywhere(cli: Cli, command: str) -> None:
    done = cli.run(command, "--help")
    assert done.returncode == 0
    assert f"usage: rayvision-async {command}" in done.stdout


def test_version_is_the_package_version(cli: Cli) -> None:
    done = cli.run("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"rayvision-async {rayvision_async.__version__}\n"


def test_tasks_against_the_simulator_as_json(cli: Cli) -> None:
    done = cli.run("tasks", "--simulate", "--json", "--limit", "3")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 3
    assert all(isinstance(row["id"], int) and row["status"] for row in rows)
    assert all(isinstance(row["status_code"], int) and isinstance(row["cost"], float) for row in rows)


def _listed(cli: Cli, *status_args: str) -> dict[int, str]:
    done = cli.run("tasks", "--simulate", "--json", *status_args)
    assert done.returncode == 0, done.stderr
    return {row["id"]: row["status"] for row in json.loads(done.stdout)}


def test_status_filter_takes_names_and_codes(cli: Cli) -> None:
    everything = _listed(cli)
    finished = _listed(cli, "--status", "FINISHED")
    assert finished
    assert set(finished.values()) == {"FINISHED"}
    assert finished == {task_id: status for task_id, status in everything.items() if status == "FINISHED"}
    assert _listed(cli, "--status", "25") == finished
    assert _listed(cli, "--status", "finished") == finished
    ended = {task_id: status for task_id, status in everything.items()
             if status in {"FINISHED", "FINISHED_HAS_FAILED"}}
    assert set(ended.values()) == {"FINISHED", "FINISHED_HAS_FAILED"}
    assert _listed(cli, "--status", "finished,FINISHED_HAS_FAILED") == ended
    assert _listed(cli, "--status", "FINISHED", "--status", "30") == ended


def test_watch_all_against_the_simulator_exit_code_says_how_tasks_ended(cli: Cli) -> None:
    done = cli.run("watch", "--simulate", "--all", "--interval", "0.05", "--json")
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events
    last = {event["id"]: event["status"] for event in events}
    assert set(last.values()) <= {"FINISHED", "FINISHED_HAS_FAILED", "FAILED"}
    failed = sorted(task_id for task_id, status in last.items() if status != "FINISHED")
    assert failed  # this seeded farm fails some frames
    assert done.returncode == 5
    assert done.stderr.count("\n") == 1
    assert all(f"{task_id} {last[task_id]}" in done.stderr for task_id in failed)


def test_info_against_the_simulator_is_snake_case_and_typed(cli: Cli) -> None:
    done = cli.run("info", "--simulate", "--json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert set(info) == {"user_id", "user_name", "platform", "rmb_balance", "usd_balance", "credit", "coupon",
                         "cpu_price", "gpu_price", "task_over_time_sec"}
    assert isinstance(info["user_id"], int)
    assert isinstance(info["platform"], int)
    assert isinstance(info["user_name"], str)
    assert isinstance(info["task_over_time_sec"], int)
    assert all(isinstance(info[key], float) for key in ("rmb_balance", "cpu_price", "gpu_price"))
    assert info["rmb_balance"] > 0


def test_errors_go_to_stderr_as_one_unwrapped_line(cli: Cli) -> None:
    done = cli.run("tasks", "--json", env={"COLUMNS": "40"})  # no credentials
    assert done.returncode == 3
    assert done.stdout == ""  # `tasks --json | jq` sees nothing rather than an error message
    assert done.stderr.count("\n") == 1
    assert len(done.stderr) > 60  # longer than the terminal width, and still one line
    assert "--access-id" in done.stderr
    assert "RAYVISION_API_ACCESS_ID" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("args", "mentions"), [
    (["demo", "--speed", "-5"], "--speed"),
    (["demo", "--speed", "nan"], "--speed"),
    (["demo", "--failure-rate", "2"], "--failure-rate"),
    (["demo", "--tasks", "0"], "--tasks"),
    (["simulate", "--port", "99999"], "--port"),
    (["simulate", "--speed", "-1"], "--speed"),
    (["tasks", "--simulate", "--limit", "-1"], "--limit"),
    (["tasks", "--simulate", "--status", "BOGUS"], "BOGUS"),
    (["tasks", "--base-url", "ftp://example.com"], "--base-url"),
    (["tasks", "--simulate", "--base-url", "http://127.0.0.1:1"], "--simulate"),
    (["tasks", "--simulate", "--protocol", "1999"], "--protocol"),
    (["watch", "--simulate", "--interval", "0", "1"], "--interval"),
    (["watch", "--simulate"], "--all"),
    (["no-such-command"], "no-such-command"),
])
def test_bad_values_are_one_line_and_exit_2(cli: Cli, args: list[str], mentions: str) -> None:
    done = cli.run(*args, env={"COLUMNS": "40"})
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert mentions in done.stderr
    assert "Traceback" not in done.stderr


def test_ctrl_c_exits_130_cleanly(cli: Cli) -> None:
    # PYTHONFAULTHANDLER: if it ever does not end, SIGABRT makes it print where each thread is
    process = cli.start("watch", "--simulate", "--all", "--interval", "30", "--json", env={"PYTHONFAULTHANDLER": "1"})
    read_until(process, b"\n")  # started, first poll done, sleeping until the next one
    process.send_signal(signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=60)  # (once 20 s were not enough in a busy CI run)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        _, stderr = process.communicate(timeout=30)
        pytest.fail(f"watch did not end within 60 s of Ctrl+C; its threads:\n{stderr.decode(errors='replace')[-4000:]}")
    assert process.returncode == 130
    assert stderr.decode() == "rayvision-async: interrupted\n"
    assert b"Traceback" not in stdout + stderr


def test_a_closed_stdout_ends_watch_with_141_and_no_traceback(cli: Cli) -> None:
    process = cli.start("watch", "--simulate", "--all", "--interval", "0.05", "--json")
    read_until(process, b"\n")
    assert process.stdout is not None
    process.stdout.close()  # like `| head -1`
    assert process.wait(timeout=30) == 141
    assert process.stderr is not None
    assert b"Traceback" not in process.stderr.read()


def _without_rich(tmp_path: Path) -> dict[str, str]:
    """Environment variables under which ``import rich`` fails, as if the cli extra were not installed."""
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['rich'] = None\n")
    blocked = {"PYTHONPATH": str(tmp_path)}
    probe = subprocess.run([sys.executable, "-c", "import rich"], capture_output=True, text=True,
                           env={**ENV, **blocked}, timeout=30, check=False)
    assert probe.returncode != 0  # the shim works
    return blocked


def test_without_rich_json_works_and_a_table_exits_3_with_a_hint(cli: Cli, tmp_path: Path) -> None:
    blocked = _without_rich(tmp_path)
    rows = cli.json("tasks", "--simulate", env=blocked)
    assert len(rows) == 5
    assert all(isinstance(row["id"], int) for row in rows)
    done = cli.run("tasks", "--simulate", env=blocked)
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr == f"rayvision-async: {MISSING_RICH}\n"
    assert "rayvision-async[cli]" in done.stderr
    assert "--json" in done.stderr


def test_package_is_runnable_as_installed_script() -> None:
    script = Path(sys.executable).with_name("rayvision-async")
    if not script.exists():
        pytest.skip("console script not installed in this environment")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0
    assert "demo" in done.stdout
