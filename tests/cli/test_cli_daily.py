"""The daily jobs as a wrangler runs them: real subprocesses against `rayvision-async simulate` servers.

Two servers serve the whole module: ``frozen`` (speed 0: tasks stay where they are, for stop/start/abort/
delete, priority, labels, projects and environments) and ``rendered`` (fast, with failing frames: tasks
end with some frames failed, for frames, restart, outputs and logs). Each test uses task ids of its own.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_harness import CLI, Cli, Server, free_port, on_a_terminal, printed_details, read_until

TERMINAL = {"FINISHED", "FINISHED_HAS_FAILED", "FAILED"}


def _serve(runner: Cli, *args: str) -> Server:
    process = runner.start("simulate", "--port", str(free_port()), *args, "--json")
    details = printed_details(read_until(process, b"}\n"), as_json=True)
    return Server(process=process, port=0, base_url=details["base_url"], access_id=details["access_id"],
                  access_key=details["access_key"], domain=details["domain"], transmitter=details["transmitter"])


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, Server]]:
    runner = Cli()
    try:
        frozen = _serve(runner, "--speed", "0", "--tasks", "16")
        rendered = _serve(runner, "--speed", "5000", "--failure-rate", "0.3", "--seed", "3", "--tasks", "4")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = runner.run("tasks", "--base-url", rendered.base_url, "--json", env=rendered.env)
            if {row["status"] for row in json.loads(done.stdout)} <= TERMINAL:
                break
            time.sleep(0.2)
        yield {"frozen": frozen, "rendered": rendered}
    finally:
        runner.stop_all()


class Wrangler:
    """Runs commands against one server, its connection flags added."""

    def __init__(self, cli: Cli, server: Server) -> None:
        self.cli, self.server = cli, server

    def run(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return self.cli.run(*args, "--base-url", self.server.base_url, env=self.server.env, input=input)

    def json(self, *args: str, input: str | None = None) -> Any:
        return self.cli.json(*args, "--base-url", self.server.base_url, env=self.server.env, input=input)

    def task(self, task_id: int) -> dict[str, Any]:
        page = self.json("api", "query", "task-info", "--task-ids-list", str(task_id))
        tasks: list[dict[str, Any]] = page["items"]
        return tasks[0]

    def tasks(self) -> dict[int, str]:
        return {row["id"]: row["status"] for row in self.json("tasks", "--limit", "100")}


@pytest.fixture
def frozen(cli: Cli, servers: dict[str, Server]) -> Wrangler:
    return Wrangler(cli, servers["frozen"])


@pytest.fixture
def rendered(cli: Cli, servers: dict[str, Server]) -> Wrangler:
    return Wrangler(cli, servers["rendered"])


def _one_line(done: subprocess.CompletedProcess[str], code: int, *mentions: str) -> None:
    assert done.returncode == code, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    for text in mentions:
        assert text in done.stderr


# -- frames, restart, outputs, log (the rendered farm) -----------------------------------------------------------


def _with_failed_frames(rendered: Wrangler) -> list[int]:
    ids = [task_id for task_id, status in rendered.tasks().items() if status == "FINISHED_HAS_FAILED"]
    assert ids, "the seeded farm fails some frames"
    return ids


def test_frames_lists_all_or_the_failed(rendered: Wrangler) -> None:
    task_id = _with_failed_frames(rendered)[0]
    frames = rendered.json("frames", str(task_id))
    assert len(frames) == rendered.task(task_id)["total_frames"]
    assert {"id", "index", "status", "status_code", "type", "start", "end", "seconds", "cost"} <= set(frames[0])
    failed = rendered.json("frames", str(task_id), "--failed")
    assert failed
    assert failed == [frame for frame in frames if frame["status"] in ("FAILED", "TIMED_OUT")]
    assert rendered.json("frames", str(task_id), "--status", "COMPLETE,5") \
        == [frame for frame in frames if frame["status"] in ("COMPLETE", "FAILED")]
    assert len(rendered.json("frames", str(task_id), "--limit", "2")) == 2
    table = rendered.run("frames", str(task_id), "--failed")
    assert table.returncode == 0, table.stderr
    assert all(str(frame["id"]) in table.stdout for frame in failed)
    _one_line(rendered.run("frames", str(task_id), "--status", "BOGUS"), 2, "BOGUS")


def _recommits(rendered: Wrangler, task_id: int) -> dict[int, int]:
    page = rendered.json("api", "query", "task-frames", "--task-id", str(task_id), "--page-size", "1000")
    return {frame["id"]: frame["recommit_flag"] or 0 for frame in page["items"]}


def test_restart_failed_frames_and_chosen_frames(rendered: Wrangler) -> None:
    task_id = _with_failed_frames(rendered)[0]
    failed = {frame["id"] for frame in rendered.json("frames", str(task_id), "--failed")}
    before = _recommits(rendered, task_id)
    done = rendered.json("restart", str(task_id))
    assert done == {"action": "restarted failed frames", "task_ids": [task_id], "frames": "failed"}
    after = _recommits(rendered, task_id)
    assert {frame for frame in after if after[frame] > before[frame]} == failed  # those, and only those

    frame = rendered.json("frames", str(task_id))[0]
    chosen = rendered.json("restart", str(task_id), "--frames", frame["index"])
    assert chosen["frames"] == [frame["index"]]
    assert _recommits(rendered, task_id)[frame["id"]] == after[frame["id"]] + 1
    by_id = rendered.run("restart", str(task_id), "--frame-ids", str(frame["id"]))
    assert by_id.returncode == 0, by_id.stderr
    assert f"restarted frames: 1 task ({task_id})" in by_id.stdout
    _one_line(rendered.run("restart", str(task_id), str(task_id + 1), "--all-frames"), 2, "one task")


def test_restart_with_an_unknown_id_changes_nothing(rendered: Wrangler) -> None:
    ids = _with_failed_frames(rendered)
    before = {task_id: _recommits(rendered, task_id) for task_id in ids}
    _one_line(rendered.run("restart", *map(str, ids), "424242"), 1, "424242", "nothing changed")
    assert {task_id: _recommits(rendered, task_id) for task_id in ids} == before


def test_outputs_and_a_frames_render_log(rendered: Wrangler) -> None:
    task_id = next(iter(rendered.tasks()))
    files = rendered.json("outputs", str(task_id))
    complete = [frame for frame in rendered.json("frames", str(task_id)) if frame["status"] == "COMPLETE"]
    assert len(files) == len(complete) > 0
    assert all(file["file_name"].endswith(".png") and isinstance(file["file_size"], int) for file in files)
    table = rendered.run("outputs", str(task_id))
    assert files[0]["file_name"] in table.stdout

    frame = complete[0]
    log = rendered.json("log", str(frame["id"]))
    assert log["frame_id"] == frame["id"]
    assert any("finished" in line for line in log["log"])
    text = rendered.run("log", str(frame["id"]))
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines() == log["log"]
    _one_line(rendered.run("log", str(frame["id"]), "--protocol", "2018"), 2, "2018")


# -- stop, start, abort, delete, priority (the frozen farm) ----------------------------------------------------


@pytest.fixture(scope="module")
def spare(servers: dict[str, Server]) -> Iterator[int]:
    """A fresh task id of the frozen farm for each test that asks (the farm has 16)."""

    def ids() -> Iterator[int]:
        yield from range(19097, 19097 + 16)

    return ids()


def test_stop_start_abort_delete(frozen: Wrangler, spare: Iterator[int]) -> None:
    one, two, three = next(spare), next(spare), next(spare)
    assert frozen.json("stop", str(one), str(two), "--yes") == {"action": "stopped", "task_ids": [one, two]}
    assert frozen.task(one)["task_status"] == 10
    assert frozen.json("start", str(one)) == {"action": "started", "task_ids": [one]}
    assert frozen.task(one)["task_status"] != 10
    aborted = frozen.run("abort", str(three), "--yes")
    assert aborted.returncode == 0, aborted.stderr
    assert aborted.stdout == f"abandoned: 1 task ({three})\n"
    assert frozen.task(three)["task_status"] == 35
    assert frozen.json("delete", str(two), "--yes")["action"] == "deleted"
    assert two not in frozen.tasks()


def test_destructive_commands_refuse_without_yes_when_no_one_can_be_asked(frozen: Wrangler,
                                                                         spare: Iterator[int]) -> None:
    task_id = next(spare)
    status = frozen.task(task_id)["task_status"]
    for command in ("stop", "abort", "delete"):
        _one_line(frozen.run(command, str(task_id)), 2, "--yes")
    _one_line(frozen.run("stop", input=f"{task_id}\n"), 2, "--yes")
    assert frozen.task(task_id)["task_status"] == status


def test_unknown_ids_change_nothing_and_are_named(frozen: Wrangler, spare: Iterator[int]) -> None:
    task_id = next(spare)
    for command in ("stop", "abort", "delete"):
        _one_line(frozen.run(command, str(task_id), "424242", "525252", "--yes"), 1, "[424242, 525252]",
                  "nothing changed")
    _one_line(frozen.run("priority", "70", str(task_id), "424242"), 1, "424242")
    assert task_id in frozen.tasks()
    assert frozen.task(task_id)["task_status"] not in (10, 35)


def test_ids_from_standard_input(frozen: Wrangler, spare: Iterator[int]) -> None:
    one, two = next(spare), next(spare)
    assert frozen.json("stop", "--yes", input=f"{one}\n{two}\n")["task_ids"] == [one, two]
    listing = json.dumps([{"id": one, "status": "STOP"}, {"id": two, "status": "STOP"}])
    assert frozen.json("start", "-", input=listing)["task_ids"] == [one, two]  # `tasks --json | start -`
    lines = "".join(json.dumps({"id": task_id, "status": "X"}) + "\n" for task_id in (one, two))
    assert frozen.json("labels", "add", "night", input=lines)["task_ids"] == [one, two]  # `watch --json | …`
    _one_line(frozen.run("start", "-", input="19097 seven\n"), 2, "'seven'")


def test_priority(frozen: Wrangler, spare: Iterator[int]) -> None:
    one, two = next(spare), next(spare)
    assert frozen.json("priority", "80", str(one), str(two)) \
        == {"action": "priority 80", "task_ids": [one, two], "priority": 80}
    assert frozen.task(one)["task_user_level"] == frozen.task(two)["task_user_level"] == 80
    _one_line(frozen.run("priority", "101", str(one)), 2, "101")
    _one_line(frozen.run("priority", "50", str(one), "--protocol", "2018"), 2, "task.update_priority")


def _ask_on_a_terminal(server: Server, args: list[str], answer: bytes) -> tuple[int, str]:
    asked: list[bool] = []

    def reply(shown: bytes) -> bytes | None:
        if asked or b"[y/N]" not in shown:
            return None
        asked.append(True)
        return answer + b"\n"

    run = on_a_terminal([*CLI, *args, "--base-url", server.base_url], {**Cli().env, **server.env}, reply=reply)
    return run.code, run.text


def test_a_terminal_is_asked_first(frozen: Wrangler, spare: Iterator[int]) -> None:
    task_id = next(spare)
    code, text = _ask_on_a_terminal(frozen.server, ["delete", str(task_id)], b"n")
    assert code == 1, text
    assert f"Delete 1 task ({task_id})? [y/N]" in text
    assert "not confirmed; nothing changed" in text
    assert task_id in frozen.tasks()
    code, text = _ask_on_a_terminal(frozen.server, ["delete", str(task_id)], b"y")
    assert code == 0, text
    assert task_id not in frozen.tasks()


# -- environments, projects, labels ---------------------------------------------------------------------------

ENV = {"cgId": 2000, "cgName": "Maya", "cgVersion": "2020", "editName": "lookdev", "renderSystem": 1,
       "pluginIds": []}


def test_render_environments(frozen: Wrangler, tmp_path: Path) -> None:
    document = tmp_path / "env.json"
    document.write_text(json.dumps(ENV), encoding="utf-8")
    assert frozen.json("env", "add", f"@{document}")["action"] == "added"
    listed = {env["edit_name"]: env for env in frozen.json("env", "list")}
    assert listed["lookdev"]["cg_version"] == "2020"
    assert frozen.json("env", "list", "--dcc", "houdini") == []
    assert frozen.json("env", "update", "@-", input=json.dumps({**ENV, "cgVersion": "2018"}))["action"] == "updated"
    assert {env["edit_name"]: env for env in frozen.json("env", "list")}["lookdev"]["cg_version"] == "2018"
    assert frozen.json("env", "default", "lookdev")["action"] == "default"
    table = frozen.run("env", "list")
    assert "lookdev" in table.stdout
    assert "yes" in table.stdout
    _one_line(frozen.run("env", "delete", "nope", "--yes"), 1, "'nope'", "nothing changed")
    _one_line(frozen.run("env", "delete", "lookdev"), 2, "--yes")
    assert frozen.json("env", "delete", "lookdev", "--yes")["action"] == "deleted"
    assert "lookdev" not in {env["edit_name"] for env in frozen.json("env", "list")}
    _one_line(frozen.run("env", "add", "[1]"), 2, "JSON object")


def test_projects(frozen: Wrangler) -> None:
    added = frozen.json("projects", "add", "shots")
    assert added["action"] == "added"
    assert isinstance(added["project_id"], int)
    assert frozen.json("projects", "add", "shots") == {**added, "action": "exists"}
    assert {"project_id": added["project_id"], "project_name": "shots"} in frozen.json("projects", "list")
    _one_line(frozen.run("projects", "delete", "no-such"), 2, "--yes")  # asked before anything is looked up
    _one_line(frozen.run("projects", "delete", "no-such", "--yes"), 1, "'no-such'")
    assert frozen.json("projects", "delete", "shots", "--yes")["action"] == "deleted"
    assert "shots" not in {project["project_name"] for project in frozen.json("projects", "list", "--scope", "all")}


def test_task_labels(frozen: Wrangler, spare: Iterator[int]) -> None:
    one, two = next(spare), next(spare)
    assert frozen.json("labels", "add", "hero", str(one), str(two))["action"] == "labelled"
    assert frozen.json("labels", "list", str(one), str(two)) == [{"id": one, "labels": ["hero"]},
                                                                  {"id": two, "labels": ["hero"]}]
    assert frozen.json("labels", "remove", "hero", str(one))["action"] == "unlabelled"
    assert frozen.json("labels", "list", str(one), str(two)) == [{"id": one, "labels": []},
                                                                  {"id": two, "labels": ["hero"]}]
    _one_line(frozen.run("labels", "add", "hero", "424242"), 1, "424242")


# -- submit -----------------------------------------------------------------------------------------------------

TASK_JSON = {"software_config": {"cg_name": "Maya", "cg_version": "2020", "plugins": {"mtoa": "4.0.0"}},
             "task_info": {"frames": "1-10[1]", "cg_id": "2000", "project_name": "shots", "platform": "2"},
             "scene_info_render": {"defaultRenderLayer": {"common": {"frames": "1-10[1]"}}}}


def _analysis(folder: Path, **task_info: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    document = {**TASK_JSON, "task_info": {**TASK_JSON["task_info"], **task_info}}
    (folder / "task.json").write_text(json.dumps(document), encoding="utf-8")
    scene = folder / "assets" / "a.mb"
    scene.parent.mkdir(exist_ok=True)
    scene.write_bytes(b"//Maya ASCII scene\n" * 64)
    (folder / "upload.json").write_text(json.dumps({"asset": [{"local": str(scene), "server": "/D/a.mb"}]}),
                                        encoding="utf-8")
    (folder / "tips.json").write_text("{}", encoding="utf-8")
    return folder


def test_submit_from_an_analyzers_output(frozen: Wrangler, tmp_path: Path) -> None:
    folder = _analysis(tmp_path / "scene")
    result = frozen.json("submit", str(folder), "--ram", "64GB")
    assert result["created"] is True
    assert result["hardware_config_ids"] == ["1"]
    assert result["task_id"] in frozen.tasks()
    text = frozen.run("submit", str(folder / "task.json"), "--no-checks", "--producer", "night-shift")
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("submitted task ")
    task_id = int(text.stdout.split()[2].rstrip(";"))
    assert frozen.task(task_id)["producer"] == "night-shift"


def test_submit_refuses_before_creating_anything(frozen: Wrangler, tmp_path: Path) -> None:
    before = set(frozen.tasks())
    _one_line(frozen.run("submit", str(_analysis(tmp_path / "a"))), 2, "--ram")
    _one_line(frozen.run("submit", str(tmp_path / "missing"), "--ram", "64GB"), 2, "missing")
    _one_line(frozen.run("submit", str(tmp_path), "--ram", "64GB"), 2, "task.json")
    _one_line(frozen.run("submit", str(_analysis(tmp_path / "b")), "--ram", "1GB"), 1, "hardware")
    _one_line(frozen.run("submit", str(_analysis(tmp_path / "c", cg_id="x")), "--ram", "64GB"), 2, "cg_id")
    assert set(frozen.tasks()) == before


# -- plain JSON needs no rich ---------------------------------------------------------------------------------


def test_every_daily_command_prints_json_without_rich(rendered: Wrangler, tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['rich'] = None\n")
    rendered.cli.env = {**rendered.cli.env, "PYTHONPATH": str(tmp_path)}
    task_id = next(iter(rendered.tasks()))
    frame = rendered.json("frames", str(task_id))[0]["id"]
    for args in (["info"], ["tasks"], ["frames", str(task_id)], ["outputs", str(task_id)], ["log", str(frame)],
                 ["env", "list"], ["projects", "list"], ["labels", "list", str(task_id)], ["start", str(task_id)],
                 ["priority", "60", str(task_id)], ["api", "query", "all-frame-status"]):
        rendered.json(*args)  # exit code 0, an empty stderr, JSON on stdout
    _one_line(rendered.run("frames", str(task_id)), 3, "rich")
