"""Running the engine as a child process: no shell, a deadline, retries on exit code 1, nothing left behind.

One :class:`EngineRunner` serves one :class:`~.Transfer`. Each run:

* is started with :func:`asyncio.create_subprocess_exec` and an argument list, in a new session
  (POSIX; a new process group on Windows), so the engine and whatever it starts form a group of
  their own that can be ended by its id, never by a process name;
* gets its own log folder, handed to the engine as ``RAYVISION_LOG`` in the child's environment
  only (this SDK's own ``RAYVISION_LOG`` means a log level); the child's environment has no
  ``RAYVISION_API_KEY`` / ``RAYVISION_API_ACCESS_ID``; its working directory is that folder, so
  nothing is written where the caller happens to be;
* receives ``y`` on its standard input, as the official package pipes it (``echo y|``);
* is bounded by a semaphore (``max_concurrency`` engines at once) and a deadline (``timeout``
  seconds per run): past it, or when the awaiting task is cancelled, the group gets SIGTERM, then
  SIGKILL after ``grace`` seconds, and the child is reaped before the error (or the cancellation)
  propagates; after every exit anything left in the group is ended too;
* ends in success (exit code 0), a retry with back-off (exit code 1, "should retry", while the
  :class:`~rayvision_async.RetryPolicy` allows), or :class:`~._errors.TransferError` with the
  exit code and the engine's last output lines, scrubbed of every known secret.

Output lines (stdout and stderr, UTF-8 with replacement) go to ``on_line`` as they arrive.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import attrs

from .._retry import RetryPolicy
from ..errors import ConfigurationError, scrub
from ..models._checks import install as install_checks
from ._errors import TransferError, TransferTimeoutError
from ._locate import Transmitter

__all__ = ["SECRET_ENVIRONMENT", "EngineRunner", "RunResult"]

logger = logging.getLogger("rayvision_async")

#: Variables never passed to the engine (the SDK's credentials).
SECRET_ENVIRONMENT = ("RAYVISION_API_KEY", "RAYVISION_API_ACCESS_ID")
#: Kept per run for errors.
_TAIL_LINES = 40
_MAX_LINE = 65_536
_EXIT_RETRY = 1
_SLUG = re.compile(r"[^A-Za-z0-9_.-]+")


@attrs.frozen
class RunResult:
    """A finished run: its exit code, the runs it took, its last output lines and its log folder."""

    exit_code: int
    attempts: int
    lines: tuple[str, ...]
    log_dir: str


install_checks(RunResult)  # built by hand (a test's stand-in result), it refuses wrong types too


class _Output:
    """Splits a pipe's bytes into lines, scrubs them, keeps the last ones and hands each on."""

    def __init__(self, secrets: Sequence[str], on_line: Callable[[str], None] | None) -> None:
        self.tail: deque[str] = deque(maxlen=_TAIL_LINES)
        self._secrets = secrets
        self._on_line = on_line

    def emit(self, raw: bytes) -> None:
        line = scrub(raw.decode("utf-8", "replace").strip(), self._secrets)
        if line:
            self.tail.append(line)
            if self._on_line is not None:
                self._on_line(line)

    async def pump(self, stream: asyncio.StreamReader) -> None:
        pending = b""
        while chunk := await stream.read(_MAX_LINE):
            *lines, pending = (pending + chunk).replace(b"\r", b"\n").split(b"\n")
            for raw in lines:
                self.emit(raw)
            if len(pending) >= _MAX_LINE:  # an endless line: cut it rather than hold it all
                self.emit(pending)
                pending = b""
        self.emit(pending)


class EngineRunner:
    """Runs one engine program; see the module docstring for what every run guarantees."""

    def __init__(self, transmitter: Transmitter, *, max_concurrency: int, retry: RetryPolicy, timeout: float,
                 grace: float, log_dir: Path | None, keep_logs: bool = False,
                 secrets: Callable[[], Iterable[str]] = tuple) -> None:
        self.transmitter = transmitter
        self.retry = retry
        self.timeout = timeout
        self.grace = grace
        self.keep_logs = keep_logs
        self._log_root = log_dir
        self._slots = asyncio.Semaphore(max_concurrency)
        self._secrets = secrets
        self._sequence = itertools.count(1)
        #: Engine processes started (every attempt and probe counts).
        self.starts = 0
        #: Process ids of the engines running now.
        self.running: set[int] = set()

    # -- public ------------------------------------------------------------------------------------

    async def run(self, args: Sequence[str], *, label: str, on_line: Callable[[str], None] | None = None,
                  on_retry: Callable[[int, RunResult], None] | None = None) -> RunResult:
        """Run until exit code 0, retrying exit code 1 with back-off; else raise :class:`TransferError`."""
        attempt = 0
        while True:
            attempt += 1
            result = await self._attempt(args, label=label, attempt=attempt, on_line=on_line)
            if result.exit_code == 0:
                return result
            command = self._shown_command(args)
            if result.exit_code != _EXIT_RETRY:
                raise TransferError(f"{label}: the engine failed with exit code {_signed(result.exit_code)}"
                                    f"{_meaning(result.exit_code)}", exit_code=result.exit_code, attempts=attempt,
                                    lines=result.lines, log_dir=result.log_dir, command=command)
            if attempt >= self.retry.attempts:
                raise TransferError(f"{label}: the engine asked to retry (exit code 1) {attempt} time(s); no "
                                    "attempts left", exit_code=result.exit_code, attempts=attempt,
                                    lines=result.lines, log_dir=result.log_dir, command=command)
            if on_retry is not None:
                on_retry(attempt, result)
            delay = self.retry.delay(attempt)
            logger.info("%s: the engine asked to retry (exit code 1, run %d); again in %.2f s", label, attempt, delay)
            await asyncio.sleep(delay)

    async def probe(self, args: Sequence[str], *, label: str,
                    on_line: Callable[[str], None] | None = None) -> RunResult:
        """One run whatever its exit code (``--help``, ``--version``): no retry, same deadline and clean-up.

        Its log folder is removed afterwards (unless ``keep_logs``); ``on_line`` sees every output line.
        """
        return await self._attempt(args, label=label, attempt=1, on_line=on_line, probe=True)

    # -- one attempt -------------------------------------------------------------------------------

    def _secret_values(self) -> tuple[str, ...]:
        values = [os.environ.get(name, "") for name in SECRET_ENVIRONMENT]
        values.extend(self._secrets())
        return tuple(sorted({value for value in values if len(value) >= 4}, key=len, reverse=True))

    def _shown_command(self, args: Sequence[str]) -> tuple[str, ...]:
        secrets = self._secret_values()
        return tuple(scrub(item, secrets) for item in (*self.transmitter.argv, *args))

    def folder(self) -> Path:
        """The folder of this runner's engine logs (created; a new temporary folder unless one was given).

        A temporary folder is removed with the runner when nothing is left in it (a failed run's
        log folder is kept, so the folder an error names stays).
        """
        if self._log_root is None:
            self._log_root = Path(tempfile.mkdtemp(prefix="rayvision-transfer-"))
            weakref.finalize(self, _remove_empty_folders, self._log_root)
        else:
            self._log_root.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self._log_root

    def _run_folder(self, label: str, attempt: int) -> Path:
        folder = self.folder() / f"{next(self._sequence):05d}-{_SLUG.sub('_', label)[:60]}-{attempt}"
        folder.mkdir(mode=0o700)
        return folder

    def _environment(self, folder: Path) -> dict[str, str]:
        environment = {key: value for key, value in os.environ.items()
                       if key not in SECRET_ENVIRONMENT and key != "RAYVISION_LOG_INI"}
        environment["RAYVISION_LOG"] = str(folder)
        return environment

    async def _attempt(self, args: Sequence[str], *, label: str, attempt: int,
                       on_line: Callable[[str], None] | None, probe: bool = False) -> RunResult:
        async with self._slots:
            folder = self._run_folder(label, attempt)
            output = _Output(self._secret_values(), on_line)
            session: dict[str, object] = (
                {"start_new_session": True} if os.name == "posix"
                else {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)})
            try:
                process = await asyncio.create_subprocess_exec(
                    *self.transmitter.argv, *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE, cwd=folder, env=self._environment(folder),
                    **session)  # type: ignore[arg-type]
            except OSError as exc:  # not a program this system can run (format, interpreter, permission)
                shutil.rmtree(folder, ignore_errors=True)
                raise ConfigurationError(f"the transfer engine {self.transmitter.program} cannot be started: "
                                         f"{exc.strerror or exc}") from None
            self.starts += 1
            self.running.add(process.pid)
            logger.debug("%s: engine started, pid %d: %s", label, process.pid, " ".join(self._shown_command(args)))
            try:
                code = await self._supervise(process, output, label=label, args=args, folder=folder, attempt=attempt)
            finally:
                self.running.discard(process.pid)
            logger.debug("%s: engine pid %d exited with code %d", label, process.pid, code)
            lines = tuple(output.tail) or _log_tail(folder, self._secret_values())
            if (code == 0 or probe) and not self.keep_logs:
                shutil.rmtree(folder, ignore_errors=True)
            return RunResult(exit_code=code, attempts=attempt, lines=lines, log_dir=str(folder))

    async def _supervise(self, process: asyncio.subprocess.Process, output: _Output, *, label: str,
                         args: Sequence[str], folder: Path, attempt: int) -> int:
        assert process.stdin is not None
        assert process.stdout is not None
        assert process.stderr is not None
        with contextlib.suppress(OSError):  # the engine may exit before it reads anything
            process.stdin.write(b"y\n")
            process.stdin.close()
        pumps = [asyncio.create_task(output.pump(process.stdout)), asyncio.create_task(output.pump(process.stderr))]
        try:
            async with asyncio.timeout(self.timeout):
                code = await process.wait()
        except TimeoutError:
            await _finish(asyncio.ensure_future(self._end(process, pumps)))
            raise TransferTimeoutError(
                f"{label}: the engine ran longer than {self.timeout:g} s and was ended", attempts=attempt,
                lines=tuple(output.tail) or _log_tail(folder, self._secret_values()), log_dir=str(folder),
                command=self._shown_command(args)) from None
        except BaseException:  # cancelled (or interrupted): end the engine before letting go
            await _finish(asyncio.ensure_future(self._end(process, pumps)))
            raise
        await self._end(process, pumps)
        return code

    async def _end(self, process: asyncio.subprocess.Process, pumps: list[asyncio.Task[None]]) -> None:
        """End the engine (if running) and everything in its group; reap it; drain its pipes."""
        if process.returncode is None:
            _signal_group(process, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), self.grace)
            except TimeoutError:
                _signal_group(process, getattr(signal, "SIGKILL", signal.SIGTERM))
                await process.wait()
        if _signal_group(process, getattr(signal, "SIGKILL", signal.SIGTERM)):  # anything the engine left running
            for _ in range(max(1, int(self.grace / 0.01))):  # SIGKILL lands asynchronously: wait until they are gone
                if not _group_exists(process):
                    break
                await asyncio.sleep(0.01)
        done, pending = await asyncio.wait(pumps, timeout=self.grace)
        for task in pending:
            task.cancel()
        for task in (*done, *pending):
            with contextlib.suppress(BaseException):
                await task


async def _finish(cleanup: asyncio.Future[None]) -> None:
    """Await ``cleanup`` to its end even if this task is cancelled again meanwhile."""
    while not cleanup.done():
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(cleanup)
    with contextlib.suppress(BaseException):
        cleanup.result()


def _signal_group(process: asyncio.subprocess.Process, signum: int) -> bool:
    """Send ``signum`` to the engine's own process group (POSIX) or to the engine (Windows); whether any got it."""
    try:
        if os.name == "posix":
            os.killpg(process.pid, signum)
        elif process.returncode is None and signum == signal.SIGTERM:
            process.terminate()
        elif process.returncode is None:
            process.kill()
        else:
            return False
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _group_exists(process: asyncio.subprocess.Process) -> bool:
    """Whether a process of the engine's group is still there (a zombie counts until it is reaped)."""
    return os.name == "posix" and _signal_group(process, 0)


def _remove_empty_folders(root: Path) -> None:
    """Remove ``root`` and the folders under it that hold no file."""
    for folder in sorted((path for path in root.rglob("*") if path.is_dir()), key=lambda path: len(path.parts),
                         reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()
    with contextlib.suppress(OSError):
        root.rmdir()


def _log_tail(folder: Path, secrets: Sequence[str]) -> tuple[str, ...]:
    """The last lines of the newest file the engine wrote in its log folder (when it printed nothing)."""
    files = [path for path in folder.rglob("*") if path.is_file()]
    if not files:
        return ()
    newest = max(files, key=lambda path: path.stat().st_mtime)
    with contextlib.suppress(OSError):
        with newest.open("rb") as handle:
            handle.seek(max(0, newest.stat().st_size - 8192))
            text = handle.read().decode("utf-8", "replace")
        return tuple(scrub(line.strip(), secrets) for line in text.splitlines()[-_TAIL_LINES:] if line.strip())
    return ()


def _signed(code: int) -> str:
    """An exit status as the engine documents it: 255 is its -1."""
    return "-1 (255)" if code == 255 else str(code)


def _meaning(code: int) -> str:
    if code == 255:
        return ", a fatal error"
    if code < 0:
        return f", ended by signal {-code}"
    return ""
