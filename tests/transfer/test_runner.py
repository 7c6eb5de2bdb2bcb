"""The engine runner: exit codes, retries, deadlines, cancellation, process groups, secrets, log folders.

Fake engines are tiny Python programs (``fake_engine``); every test checks that no child process
of the test's own is left behind, zombies included.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import shutil
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.processes import alive, linux_only
from rayvision_async import RetryPolicy
from rayvision_async.transfer import TransferError, TransferTimeoutError, Transmitter
from rayvision_async.transfer._runner import EngineRunner

FakeEngine = Callable[[str], Path]
pytestmark = [linux_only, pytest.mark.usefixtures("no_child_left")]


def exists(path: str | None) -> bool:
    return path is not None and Path(path).exists()


def runner(program: Path, tmp_path: Path, *, attempts: int = 3, timeout: float = 30.0, concurrency: int = 4,
           grace: float = 2.0) -> EngineRunner:
    return EngineRunner(Transmitter((str(program),), "test"), max_concurrency=concurrency,
                        retry=RetryPolicy(attempts=attempts), timeout=timeout, grace=grace,
                        log_dir=tmp_path / "logs")


async def test_success_returns_the_output_and_removes_the_log_folder(fake_engine: FakeEngine, tmp_path: Path) -> None:
    program = fake_engine('print("upload file done (/a)"); print("task success: all files are success")\n')
    seen: list[str] = []
    result = await runner(program, tmp_path).run(["--x=1"], label="job", on_line=seen.append)
    assert result.exit_code == 0
    assert result.attempts == 1
    assert seen == ["upload file done (/a)", "task success: all files are success"]
    assert not exists(result.log_dir)
    assert (tmp_path / "logs").is_dir()


async def test_exit_code_1_is_retried_until_it_succeeds(fake_engine: FakeEngine, tmp_path: Path) -> None:
    counter = tmp_path / "count"
    program = fake_engine(f"""
        path = {str(counter)!r}
        runs = int(open(path).read()) + 1 if os.path.exists(path) else 1
        open(path, "w").write(str(runs))
        sys.exit(0 if runs == 3 else 1)
    """)
    engine = runner(program, tmp_path, attempts=3)
    retries: list[int] = []
    result = await engine.run([], label="job", on_retry=lambda attempt, _result: retries.append(attempt))
    assert (result.exit_code, result.attempts, retries) == (0, 3, [1, 2])
    assert engine.starts == 3


async def test_exit_code_1_until_the_attempts_run_out_is_a_transfer_error(fake_engine: FakeEngine,
                                                                        tmp_path: Path) -> None:
    program = fake_engine('print("task failure: has recoverable error, need retry"); sys.exit(1)\n')
    engine = runner(program, tmp_path, attempts=2)
    with pytest.raises(TransferError) as caught:
        await engine.run([], label="upload x")
    assert caught.value.exit_code == 1
    assert caught.value.attempts == 2
    assert engine.starts == 2
    assert "need retry" in str(caught.value)
    assert exists(caught.value.log_dir)  # a failed run's log folder is kept


async def test_exit_code_255_is_fatal_at_once_with_the_engines_last_lines(fake_engine: FakeEngine,
                                                                        tmp_path: Path) -> None:
    program = fake_engine("""
        for index in range(60):
            print(f"line {index}")
        print("remote path is not exist (/x)", file=sys.stderr)
        sys.exit(-1)
    """)
    engine = runner(program, tmp_path)
    with pytest.raises(TransferError) as caught:
        await engine.run(["--remote=/x"], label="download x")
    error = caught.value
    assert (error.exit_code, error.attempts, engine.starts) == (255, 1, 1)
    assert "-1 (255), a fatal error" in str(error)
    assert "remote path is not exist (/x)" in error.lines
    assert len(error.lines) == 40
    assert "line 59" in str(error)
    assert "line 30" not in str(error)  # the message shows the last 20 lines
    assert error.command == (str(program), "--remote=/x")


async def test_a_run_past_its_deadline_is_ended_with_its_group(fake_engine: FakeEngine, tmp_path: Path) -> None:
    program = fake_engine("""
        import subprocess
        helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        print(f"helper {helper.pid}", flush=True)
        time.sleep(600)
    """)
    lines: list[str] = []
    engine = runner(program, tmp_path, timeout=1.5)
    with pytest.raises(TransferTimeoutError) as caught:
        await engine.run([], label="slow", on_line=lines.append)
    helper = int(lines[0].split()[1])
    assert not alive(helper)
    assert engine.running == set()
    assert "ran longer than 1.5 s" in str(caught.value)


async def test_cancelling_a_run_ends_the_engine_and_what_it_started(fake_engine: FakeEngine, tmp_path: Path) -> None:
    program = fake_engine("""
        import signal, subprocess
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # only SIGKILL ends it
        helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        print(f"helper {helper.pid}", flush=True)
        time.sleep(600)
    """)
    lines: list[str] = []
    engine = runner(program, tmp_path, grace=0.5)
    task = asyncio.create_task(engine.run([], label="cancelled", on_line=lines.append))
    for _ in range(200):
        if lines:
            break
        await asyncio.sleep(0.025)
    (pid,) = engine.running
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not alive(pid)
    assert not alive(int(lines[0].split()[1]))
    assert engine.running == set()


async def test_concurrency_is_bounded(fake_engine: FakeEngine, tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    program = fake_engine(f"""
        mark = os.path.join({str(marks)!r}, str(os.getpid()))
        open(mark, "w").close()
        print(len(os.listdir({str(marks)!r})), flush=True)
        time.sleep(0.2)
        os.unlink(mark)
    """)
    engine = runner(program, tmp_path, concurrency=3)
    counts: list[str] = []
    await asyncio.gather(*(engine.run([], label=f"job{index}", on_line=counts.append) for index in range(9)))
    assert engine.starts == 9
    assert max(map(int, counts)) <= 3


async def test_the_engine_gets_its_log_folder_y_on_stdin_and_no_credentials(
        fake_engine: FakeEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="rayvision_async")
    monkeypatch.setenv("RAYVISION_API_KEY", "key-sentinel-0123456789")
    monkeypatch.setenv("RAYVISION_API_ACCESS_ID", "id-sentinel-0123456789")
    program = fake_engine("""
        print("log", os.environ["RAYVISION_LOG"], os.getcwd())
        print("stdin", sys.stdin.read().strip())
        print("key" , os.environ.get("RAYVISION_API_KEY"), os.environ.get("RAYVISION_API_ACCESS_ID"))
        print("leak key-sentinel-0123456789 id-sentinel-0123456789", args)
        sys.exit(-1)
    """)
    engine = runner(program, tmp_path)
    with pytest.raises(TransferError) as caught:
        await engine.run([f"--local={os.environ['RAYVISION_API_KEY']}"], label="secret")
    lines = caught.value.lines
    log_dir = caught.value.log_dir
    assert log_dir is not None
    assert Path(log_dir).parent == tmp_path / "logs"
    assert f"log {log_dir} {log_dir}" in lines
    assert "stdin y" in lines
    assert "key None None" in lines
    text = f"{caught.value}{caught.value.lines}{caught.value.command}{caught.value!r}"
    assert "sentinel" not in text
    assert "engine started" in caplog.text
    assert "--local=***" in caplog.text
    assert "sentinel" not in caplog.text
    assert "".join(traceback.format_exception(caught.value)).count("sentinel") == 0
    assert "leak *** ***" in "\n".join(lines)


async def test_a_probe_returns_any_exit_code_and_keeps_no_log(fake_engine: FakeEngine, tmp_path: Path) -> None:
    program = fake_engine('print("current version: 9.9"); sys.exit(1)\n')
    engine = runner(program, tmp_path)
    result = await engine.probe(["--version"], label="version")
    assert (result.exit_code, result.lines) == (1, ("current version: 9.9",))
    assert not exists(result.log_dir)


async def test_a_killed_engine_is_a_transfer_error_naming_the_signal(fake_engine: FakeEngine, tmp_path: Path) -> None:
    program = fake_engine("import signal; os.kill(os.getpid(), signal.SIGKILL)\n")
    with pytest.raises(TransferError, match="ended by signal 9"):
        await runner(program, tmp_path).run([], label="killed")


async def test_a_program_that_cannot_start_is_a_configuration_error(tmp_path: Path) -> None:
    from rayvision_async.errors import ConfigurationError

    program = tmp_path / "not-a-program"
    program.write_bytes(b"\x7fELF garbage")
    program.chmod(0o700)
    engine = runner(program, tmp_path)
    with pytest.raises(ConfigurationError, match="cannot be started"):
        await engine.run([], label="garbage")
    assert engine.starts == 0


async def test_a_temporary_log_folder_goes_with_its_runner_unless_a_failed_run_is_in_it(
        fake_engine: FakeEngine, tmp_path: Path) -> None:
    ok = fake_engine("sys.exit(0)\n")
    bad = fake_engine("""
        open(os.path.join(os.environ["RAYVISION_LOG"], "engine.log"), "w").write("boom")
        sys.exit(-1)
    """)
    kept = None
    for program in (ok, bad):
        engine = EngineRunner(Transmitter((str(program),), "test"), max_concurrency=1, retry=RetryPolicy(attempts=1),
                              timeout=30, grace=1, log_dir=None)
        with contextlib.suppress(TransferError):
            await engine.run([], label="run")
        root = engine.folder()
        assert exists(str(root))
        del engine
        gc.collect()
        if program is ok:
            assert not exists(str(root))
        else:
            kept = root
    assert kept is not None
    assert exists(str(kept))  # the failed run's log folder, which its error named
    shutil.rmtree(kept)


async def test_an_engine_that_prints_nothing_is_explained_by_its_log_file(fake_engine: FakeEngine,
                                                                         tmp_path: Path) -> None:
    program = fake_engine("""
        with open(os.path.join(os.environ["RAYVISION_LOG"], "transmit.log"), "w") as log:
            log.write("connect failed: 127.0.0.1:9\\nremote mount is offline\\n")
        sys.exit(-1)
    """)
    with pytest.raises(TransferError) as caught:
        await runner(program, tmp_path).run([], label="silent")
    assert caught.value.lines == ("connect failed: 127.0.0.1:9", "remote mount is offline")
