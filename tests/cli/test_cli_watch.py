"""``watch`` progress: timestamped lines into a pipe, JSON lines with --json, a live table on a terminal
(a row per task, or totals when there are more tasks than rows), and a summary at the end."""

from __future__ import annotations

import json
import re

from cli_harness import CLI, Cli, on_a_terminal

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def test_lines_into_a_pipe_are_timestamped_and_end_with_a_summary(cli: Cli) -> None:
    done = cli.run("watch", "--simulate", "--all", "--interval", "0.05")
    lines = done.stdout.splitlines()
    assert done.returncode == 5, done.stderr  # this seeded farm fails some frames
    assert len(lines) >= 4
    for line in lines[:-1]:
        assert re.fullmatch(rf"{STAMP} task \d+: [A-Z_]+  \d+/\d+ done, \d+ failed", line), line
    summary = lines[-1]
    assert re.fullmatch(rf"{STAMP} watched 2 tasks for \d+:\d\d: FINISHED(_HAS_FAILED)? \d, .*frames \d+/\d+ done, "
                        r"\d+ failed", summary), summary


def test_json_lines_carry_the_time(cli: Cli) -> None:
    done = cli.run("watch", "--simulate", "--all", "--interval", "0.05", "--json")
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events
    assert all(re.fullmatch(STAMP, event["time"]) for event in events)
    assert all({"id", "status", "done", "total", "failed", "changes"} <= set(event) for event in events)


def _on_a_terminal(args: list[str], rows: int) -> tuple[int, str]:
    run = on_a_terminal([*CLI, *args], {**Cli().env, "COLUMNS": "120", "LINES": str(rows), "TERM": "xterm"})
    return run.code, run.text


def test_a_terminal_gets_a_live_row_per_task_and_a_summary() -> None:
    code, text = _on_a_terminal(["watch", "--simulate", "--all", "--interval", "0.3"], rows=40)
    assert code == 5, text
    assert "\x1b[" in text  # drawn live
    for heading in ("task", "frames", "done", "failed", "status", "elapsed", "ETA", "watching 2 tasks"):
        assert heading in text
    assert "19100" in text
    assert "19101" in text
    assert "Watch summary" in text
    assert "frames done" in text


def test_more_tasks_than_rows_get_the_totals_and_the_latest_changes() -> None:
    code, text = _on_a_terminal(["watch", "--simulate", "--all", "--interval", "0.3", "--view", "totals",
                                 "--latest", "3"], rows=40)
    assert code == 5, text
    for heading in ("tasks per status", "latest 3 changes", "ended", "frames", "ETA"):
        assert heading in text
    assert "Watch summary" in text
    auto = _on_a_terminal(["watch", "--simulate", "--all", "--interval", "0.3"], rows=6)[1]
    assert "tasks per status" in auto  # 2 tasks do not fit 6 rows less the frame
