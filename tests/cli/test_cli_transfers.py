"""The whole job from the shell: ``submit`` with its files up, ``outputs --download``, ``render``, the ``demo``.

Real subprocesses against ``rayvision-async simulate`` servers (their farm keeps its files in a temporary
folder, and the printed ``RAYVISION_TRANSMITTER`` is the simulator's stand-in engine for it), or ``--simulate``:
exit codes, stdout (``--json`` parsed), stderr (progress for people, one line for an error), the files on disk
compared byte for byte with the farm's, and no engine process left after Ctrl+C.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_harness import Cli, Server

from helpers.processes import alive, descendants, linux_only
from rayvision_async import TaskStatus
from rayvision_async.simulator.transmitter import queue_fault

TASK_JSON = {
    "software_config": {"cg_name": "Maya", "cg_version": "2020", "plugins": {"mtoa": "4.0.0"}},
    "task_info": {"task_id": "", "user_id": "", "project_id": "", "project_name": "trailer", "cg_id": "2000",
                  "platform": "2", "input_cg_file": "", "frames_per_task": 1, "time_out": 43200, "ram": "64"},
    "scene_info_render": {"defaultRenderLayer": {"common": {"frames": "1-4", "all_camera": ["persp"]}}},
}


def scene(folder: Path, name: str = "hero", *, missing: bool = False, base: Path | None = None) -> Path:
    """What an analyzer leaves: task.json, upload.json (its files real, unless ``missing``), tips.json.

    The paths in them are absolute, or relative to ``base`` (the folder the commands run in).
    """
    assets = folder / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    files = {assets / f"{name}.mb": hashlib.sha256(name.encode()).digest() * 200,
             assets / "maps" / f"{name}_wood.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 9}
    for path, content in files.items():
        path.parent.mkdir(exist_ok=True)
        if not missing:
            path.write_bytes(content)
    def shown(path: Path) -> str:
        return str(path) if base is None else path.relative_to(base).as_posix()

    task = json.loads(json.dumps(TASK_JSON))
    task["task_info"]["input_cg_file"] = shown(assets / f"{name}.mb")
    (folder / "task.json").write_text(json.dumps(task), encoding="utf-8")
    (folder / "upload.json").write_text(json.dumps({"asset": [
        {"local": shown(path), "server": f"/{name}/{path.relative_to(folder).as_posix()}"} for path in files]}),
        encoding="utf-8")
    (folder / "tips.json").write_text("{}", encoding="utf-8")
    return folder


def storage_of(server: Server) -> Path:
    """The server's farm storage (the stand-in's launcher lies in it)."""
    assert server.transmitter
    return Path(server.transmitter).parent


def stored(server: Server, name: str) -> list[Path]:
    return sorted(path for path in storage_of(server).rglob(name) if path.is_file())


def one_line(done: subprocess.CompletedProcess[str], code: int, *mentions: str) -> None:
    assert done.returncode == code, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    for text in mentions:
        assert text in done.stderr, done.stderr


class Wrangler:
    """Commands against one ``simulate`` server, with its credentials and its stand-in engine in the environment."""

    def __init__(self, cli: Cli, server: Server) -> None:
        self.cli, self.server = cli, server

    def run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return self.cli.run(*args, "--base-url", self.server.base_url, env={**self.server.env, **(env or {})},
                            timeout=120)

    def json(self, *args: str) -> Any:
        done = self.run(*args, "--json")
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""  # --json into a pipe: progress would be for people; a script's stderr is errors
        return json.loads(done.stdout)

    def task(self, task_id: int) -> dict[str, Any]:
        items: list[dict[str, Any]] = self.json("api", "query", "task-info", "--task-ids-list", str(task_id))["items"]
        return items[0]

    def wait(self, task_id: int) -> dict[str, Any]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            task = self.task(task_id)
            if TaskStatus(task["task_status"]).is_terminal:
                return task
            time.sleep(0.2)
        pytest.fail(f"task {task_id} did not end")


@pytest.fixture
def fast(cli: Cli, start_simulator: Callable[..., Server]) -> Wrangler:
    """A farm that renders a 4-frame task in well under a second, with no failures."""
    return Wrangler(cli, start_simulator("--speed", "20000", "--tasks", "2"))


# -- submit: the scene's files go up ---------------------------------------------------------------------------


def test_submit_uploads_the_files_upload_json_lists_then_submits(fast: Wrangler, tmp_path: Path) -> None:
    folder = scene(tmp_path / "shot")
    result = fast.json("submit", str(folder), "--ram", "64GB")
    assets = [Path(item["local"]) for item in json.loads((folder / "upload.json").read_text())["asset"]]
    # task.json, upload.json and tips.json to the task's cfg folder, and the two assets
    assert result["uploaded"]["files"] == 5
    assert result["uploaded"]["bytes"] > sum(path.stat().st_size for path in assets)
    assert result["created"] is True
    for path in assets:  # on the farm, byte for byte
        (copy,) = stored(fast.server, path.name)
        assert copy.read_bytes() == path.read_bytes()
    assert stored(fast.server, "upload.json")  # the documents too, in the task's cfg folder
    assert fast.task(result["task_id"])["submit_date"]


def test_submit_for_people_shows_transfer_progress_on_stderr_and_the_result_on_stdout(fast: Wrangler,
                                                                                     tmp_path: Path) -> None:
    done = fast.run("submit", str(scene(tmp_path / "shot")), "--ram", "64GB")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1
    assert done.stdout.startswith("submitted task ")
    assert "; uploaded 5 files (" in done.stdout
    lines = done.stderr.splitlines()
    assert any(line.endswith("upload assets: started: 2 files, 8.5 KiB") for line in lines), lines
    assert any(line.endswith("upload assets: done: 2 files, 8.5 KiB") for line in lines), lines
    assert any("upload config of task" in line and "done: 3 files" in line for line in lines), lines
    assert all(line[:4].isdigit() and line[19] == "Z" for line in lines)  # each timestamped


def test_without_the_upload_the_farm_refuses_the_submit(fast: Wrangler, tmp_path: Path) -> None:
    done = fast.run("submit", str(scene(tmp_path / "shot", "nobody-sent-me")), "--ram", "64GB", "--no-upload")
    assert done.returncode == 1, done.stderr
    assert "not uploaded" in done.stderr
    assert done.stderr.count("\n") == 1


def test_the_same_render_key_twice_is_one_task(fast: Wrangler, tmp_path: Path) -> None:
    folder = scene(tmp_path / "shot")
    first = fast.json("submit", str(folder), "--ram", "64GB", "--render-key", "shot010-v3")
    again = fast.json("submit", str(folder), "--ram", "64GB", "--render-key", "shot010-v3")
    assert again["task_id"] == first["task_id"]
    assert (first["created"], again["created"]) == (True, False)
    assert again["render_key"] == "shot010-v3"
    assert again["uploaded"] == {"files": 0, "bytes": 0}  # submitted already: nothing sent again
    keyed = [task for task in fast.json("tasks", "--limit", "100")
             if "render-key:shot010-v3" in fast.task(task["id"])["labels"]]
    assert [task["id"] for task in keyed] == [first["task_id"]]
    one_line(fast.run("submit", str(folder), "--ram", "64GB", "--render-key", "Shot 10"), 2, "render_key")


def test_no_checks_uploads_the_assets_too(fast: Wrangler, tmp_path: Path) -> None:
    folder = scene(tmp_path / "shot", "plain")
    task = json.loads((folder / "task.json").read_text())
    task["task_info"] = {"frames": "1-2[1]", "input_cg_file": task["task_info"]["input_cg_file"]}
    (folder / "task.json").write_text(json.dumps(task), encoding="utf-8")
    result = fast.json("submit", str(folder), "--no-checks", "--render-key", "plain-1")
    assert result["uploaded"]["files"] == 2
    assert stored(fast.server, "plain.mb")
    assert fast.json("submit", str(folder), "--no-checks", "--render-key", "plain-1")["task_id"] == result["task_id"]


# -- outputs --download --------------------------------------------------------------------------------------------


def test_outputs_download_fetches_the_frames_then_skips_them(fast: Wrangler, tmp_path: Path) -> None:
    task_id = fast.json("tasks")[-1]["id"]
    task = fast.wait(task_id)
    dest = tmp_path / "frames"
    first = fast.json("outputs", str(task_id), "--download", str(dest))
    assert len(first["downloaded"]) == task["done_frames"] > 0
    assert first["files"] == first["downloaded"]
    assert first["skipped"] == []
    assert first["bytes"] == sum(Path(path).stat().st_size for path in first["files"])
    for path in map(Path, first["files"]):
        (rendered,) = stored(fast.server, path.name)
        assert path.read_bytes() == rendered.read_bytes()  # what the simulated render wrote
    again = fast.json("outputs", str(task_id), "--download", str(dest))
    assert (again["downloaded"], again["bytes"], sorted(again["skipped"])) == ([], 0, sorted(first["files"]))
    text = fast.run("outputs", str(task_id), "--download", str(dest))
    assert text.returncode == 0, text.stderr
    assert text.stdout == (f"downloaded 0 files (0 B) of task {task_id} into {dest}; "
                           f"{task['done_frames']} already complete\n")
    assert f"download task {task_id}: done: {task['done_frames']} files" in text.stderr


def test_outputs_follow_fetches_frames_until_the_task_ends(cli: Cli, start_simulator: Callable[..., Server],
                                                           tmp_path: Path) -> None:
    slow = Wrangler(cli, start_simulator("--speed", "60"))
    submitted = slow.json("submit", str(scene(tmp_path / "shot")), "--ram", "64GB")
    done = slow.json("outputs", str(submitted["task_id"]), "--download", str(tmp_path / "out"), "--follow",
                     "--interval", "0.2")
    task = slow.task(submitted["task_id"])
    assert TaskStatus(task["task_status"]) is TaskStatus.FINISHED  # it returned once the task had ended
    assert len(done["files"]) == task["done_frames"] == 4
    assert done["rounds"] > 1  # it saw the task rendering, and looked again


def test_a_retried_engine_run_is_shown_and_a_failed_one_is_exit_code_4(fast: Wrangler, tmp_path: Path) -> None:
    task_id = fast.json("tasks")[-1]["id"]
    fast.wait(task_id)
    queue_fault(storage_of(fast.server), "exit1")  # "should retry": another run, after a pause
    done = fast.run("outputs", str(task_id), "--download", str(tmp_path / "a"))
    assert done.returncode == 0, done.stderr
    assert f"download task {task_id}: the engine asked for another run (run 2)" in done.stderr
    queue_fault(storage_of(fast.server), "fatal")  # exit code -1: no retry
    failed = fast.run("outputs", str(task_id), "--download", str(tmp_path / "b"))
    assert failed.returncode == 4, failed.stderr
    progress, error = failed.stderr.splitlines()  # the transfer's start (for people), then the error's one line
    assert progress.endswith(f"download task {task_id}: started: 8 files, 18.8 KiB")
    assert error.startswith("rayvision-async: transfer failed: ")
    assert "(engine log folder: " in error
    assert error.endswith("the engine's last lines: task failure: simulated fatal error")


# -- render: the whole job ----------------------------------------------------------------------------------------


def test_render_submits_watches_and_downloads_in_one_command(fast: Wrangler, tmp_path: Path) -> None:
    dest = tmp_path / "frames"
    done = fast.json("render", str(scene(tmp_path / "shot")), "--ram", "64GB", "--dest", str(dest),
                     "--interval", "0.1", "--render-key", "hero-render")
    assert done["status"] == "FINISHED"
    assert done["uploaded"]["files"] == 5
    files = [Path(path) for path in done["download"]["files"]]
    assert len(files) == done["frames_total"] == done["frames_done"] == 4
    for path in files:
        assert path.parent.parent == dest
        (rendered,) = stored(fast.server, path.name)
        assert path.read_bytes() == rendered.read_bytes()
    again = fast.json("render", str(scene(tmp_path / "shot")), "--ram", "64GB", "--dest", str(dest),
                      "--interval", "0.1", "--render-key", "hero-render")
    assert again["task_id"] == done["task_id"]  # the same render: nothing submitted, uploaded or fetched again
    assert (again["created"], again["uploaded"]["files"], again["download"]["downloaded"]) == (False, 0, [])


def test_render_for_people_and_its_exit_code_when_frames_fail(cli: Cli, start_simulator: Callable[..., Server],
                                                              tmp_path: Path) -> None:
    failing = Wrangler(cli, start_simulator("--speed", "20000", "--failure-rate", "0.5", "--seed", "4"))
    done = failing.run("render", str(scene(tmp_path / "shot")), "--ram", "64GB", "--dest", str(tmp_path / "f"),
                       "--interval", "0.1")
    assert done.returncode == 5, done.stderr  # watch's code: some frames failed (the finished ones are down)
    first, last = done.stdout.splitlines()
    assert first.startswith("submitted task ")
    assert " FINISHED_HAS_FAILED: " in last
    assert "downloaded " in last
    assert "render: tasks ended failed or abandoned" in done.stderr.splitlines()[-1]
    task_id = first.split()[2].rstrip(";")
    assert any(f"task {task_id}: FINISHED_HAS_FAILED" in line for line in done.stderr.splitlines())  # the watch's
    assert any("watched 1 task for " in line for line in done.stderr.splitlines())
    assert any("download task" in line for line in done.stderr.splitlines())


# -- bad input: one line, the exit code, before any request or engine ----------------------------------------------


@pytest.fixture
def nowhere(cli: Cli, tmp_path: Path) -> Iterator[Callable[..., subprocess.CompletedProcess[str]]]:
    """Commands against a base URL where nothing listens (a request would be exit code 4), with an engine that
    leaves a mark if it is ever started."""
    marker = tmp_path / "engine-started"
    engine = tmp_path / "engine"
    engine.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 0\n", encoding="utf-8")
    engine.chmod(0o700)
    env = {"RAYVISION_API_ACCESS_ID": "AKIDnowhere", "RAYVISION_API_KEY": "nowhere-key",
           "RAYVISION_TRANSMITTER": str(engine)}

    def run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return cli.run(*args, "--base-url", "http://127.0.0.1:9", env={**env, **(env_extra or {})})

    yield run
    assert not marker.exists()


def test_a_file_upload_json_lists_that_is_missing_is_refused_first(nowhere: Callable[..., Any],
                                                                    tmp_path: Path) -> None:
    folder = scene(tmp_path / "shot", missing=True)
    for args in (["submit", str(folder), "--ram", "64GB"], ["submit", str(folder), "--no-checks"],
                 ["render", str(folder), "--ram", "64GB", "--dest", str(tmp_path / "out")]):
        one_line(nowhere(*args), 2, "invalid input", "hero.mb", "does not exist")


def test_a_destination_that_cannot_be_written_is_refused_first(nowhere: Callable[..., Any], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    one_line(nowhere("outputs", "19097", "--download", str(blocker / "frames")), 2, "cannot be written")
    one_line(nowhere("outputs", "19097", "--download", str(blocker)), 2, "is not a folder")
    one_line(nowhere("render", str(scene(tmp_path / "shot")), "--ram", "64GB", "--dest", str(blocker)), 2,
             "is not a folder")
    one_line(nowhere("outputs", "19097", "--follow"), 2, "--download")


@pytest.mark.skipif(any(True for _ in importlib.metadata.distributions(name="rayvision-sync")),
                    reason="an installed rayvision-sync provides an engine")
def test_no_engine_is_a_configuration_error_of_one_line_with_a_pointer(nowhere: Callable[..., Any],
                                                                        tmp_path: Path) -> None:
    folder = scene(tmp_path / "shot")
    for args in (["submit", str(folder), "--ram", "64GB"], ["outputs", "19097", "--download", str(tmp_path / "o")],
                 ["render", str(folder), "--ram", "64GB", "--dest", str(tmp_path / "o")]):
        done = nowhere(*args, env_extra={"RAYVISION_TRANSMITTER": ""})
        one_line(done, 3, "configuration error: no transfer engine (rayvision_transmitter) was found",
                 "RAYVISION_TRANSMITTER", "https://github.com/rayvision-async/rayvision-async#transfers")
    one_line(nowhere("submit", str(folder), "--ram", "64GB", env_extra={"RAYVISION_TRANSMITTER": str(tmp_path / "x")}),
             3, "does not exist", "#transfers")


def test_a_task_the_service_does_not_know_is_exit_code_1(fast: Wrangler, tmp_path: Path) -> None:
    one_line(fast.run("outputs", "99999", "--download", str(tmp_path / "o")), 1, "does not know task ids [99999]")


# -- Ctrl+C: nothing left behind ------------------------------------------------------------------------------------


@linux_only
def test_ctrl_c_during_a_download_leaves_no_engine_process(fast: Wrangler, tmp_path: Path) -> None:
    task_id = fast.json("tasks")[-1]["id"]
    fast.wait(task_id)
    queue_fault(storage_of(fast.server), "hang")  # the engine starts a helper, then never finishes
    process = fast.cli.start("outputs", str(task_id), "--download", str(tmp_path / "out"), "--base-url",
                             fast.server.base_url, env=fast.server.env)
    deadline = time.monotonic() + 60
    engines: dict[int, str] = {}
    while len(engines) < 2:  # the engine and the helper it started
        assert time.monotonic() < deadline, "the engine did not start"
        assert process.poll() is None, process.communicate()
        engines = descendants(process.pid)
        time.sleep(0.05)
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert stderr.decode().splitlines()[-1] == "rayvision-async: interrupted"
    assert b"Traceback" not in stderr
    deadline = time.monotonic() + 10
    while any(alive(pid, started) for pid, started in engines.items()) and time.monotonic() < deadline:
        time.sleep(0.05)  # the helper, orphaned by the engine's end, is reaped by init
    assert not [pid for pid, started in engines.items() if alive(pid, started)]


# -- the demo: the whole job offline ----------------------------------------------------------------------------------


def test_the_demo_downloads_exactly_the_frames_the_farm_rendered(cli: Cli, tmp_path: Path) -> None:
    dest, farm = tmp_path / "frames", tmp_path / "farm"
    done = cli.run("demo", "--tasks", "2", "--frames", "1-6[1]", "--failure-rate", "0.2", "--dest", str(dest),
                   "--farm-storage", str(farm), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["outputs_match"] is True
    assert summary["files_uploaded"] == 2 * 5  # per task: 3 documents and 2 scene files
    downloaded = sorted(path for path in dest.rglob("*") if path.is_file())
    assert len(downloaded) == summary["files_downloaded"] == summary["frames_done"] > 0
    assert sum(path.stat().st_size for path in downloaded) == summary["bytes_downloaded"]
    for path in downloaded:  # the bytes the simulated render wrote, read from the farm's own storage
        (rendered,) = [found for found in farm.rglob(path.name) if found.parent.name == path.parent.name]
        assert path.read_bytes() == rendered.read_bytes()
        assert path.read_bytes().startswith(b"\x89PNG")
    assert os.listdir(farm)


def test_the_demo_refuses_a_destination_it_cannot_write(cli: Cli, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    one_line(cli.run("demo", "--dest", str(blocker), "--json"), 2, "is not a folder")


def test_on_a_terminal_the_progress_is_live_on_stderr_and_stdout_keeps_the_result(fast: Wrangler,
                                                                                  tmp_path: Path) -> None:
    from cli_harness import CLI, on_a_terminal

    run = on_a_terminal([*CLI, "render", str(scene(tmp_path / "shot")), "--ram", "64GB", "--dest",
                         str(tmp_path / "frames"), "--interval", "0.1", "--json", "--base-url", fast.server.base_url],
                        {**fast.cli.env, **fast.server.env, "COLUMNS": "120", "TERM": "xterm"}, pipe_stdout=True)
    text, stdout = run.text, run.stdout
    assert run.code == 0, text
    assert json.loads(stdout)["status"] == "FINISHED"  # --json: the result alone, even with a person watching
    assert "\x1b[" in text  # live: colours and cursor movement
    for expected in ("upload assets", "2/2 files", "upload config of task", "watching 1 tasks", "download task",
                     "4/4 files"):
        assert expected in text, expected
