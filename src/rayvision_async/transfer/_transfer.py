"""``api.transfer``: uploads and downloads for one client, composed over its public endpoint methods.

A :class:`Transfer` checks its input (files, upload.json, destination, task id), finds the engine,
reads where files go from the service (once: :mod:`._service`), then runs the jobs of
:mod:`._jobs` through one :class:`~._runner.EngineRunner` (shared concurrency limit, retries,
deadlines). Every check that needs no request runs before the first request, and every check runs
before the first engine start: bad input costs no engine run and transfers nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._arguments import checked_binding
from .._retry import RetryPolicy
from ..errors import ConfigurationError, InvalidInputError
from ..models import OutputFile, TaskInfo
from . import _jobs as jobs
from ._command import DEFAULT_SPEED_LIMIT, MAX_SPEED_LIMIT, Engine, parse_version
from ._documents import CONFIG_ORDER, UploadPlan, check_task_id, config_files, plan_upload, writable_folder
from ._errors import TransferError, UnknownTaskError
from ._locate import Transmitter, TransmitterSetting, find_transmitter
from ._progress import EventCallback
from ._runner import EngineRunner, RunResult
from ._service import Places, ServiceCalls, resolve_places

if TYPE_CHECKING:
    from .._client import AsyncRayvisionAPI

__all__ = ["DEFAULT_ENGINE_RETRY", "Transfer"]

#: Retries of an engine run that exits with code 1 ("should retry"): 3 runs, 2 s → 60 s back-off.
DEFAULT_ENGINE_RETRY = RetryPolicy(attempts=3, initial_delay=2.0, max_delay=60.0)


def _service_calls(api: AsyncRayvisionAPI) -> ServiceCalls:
    async def task(task_id: int) -> TaskInfo | None:
        page = await api.query.task_info([task_id])
        return next((item for item in page.items if item.id == task_id), None)

    async def outputs(task_id: int) -> tuple[OutputFile, ...]:
        return await api.transmit.get_output_files(task_id=task_id)

    return ServiceCalls(profile=api.user.query_user_profile, bids=api.user.get_transfer_bid,
                        transfer_config=api.transmit.get_transfer_config, task=task, outputs=outputs)


def _positive(name: str, value: object, *, low: float = 0.0, high: float = 7 * 86400.0, integer: bool = False) -> None:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low < value <= high:  # NaN too
        raise ConfigurationError(f"{name} must be {'an int' if integer else 'a number'} above {low:g} and at most "
                                 f"{high:g}, not {value!r}")


class Transfer:
    """Uploads and downloads through the transfer engine, for one client (``api.transfer``).

    Settings (each checked here; a bad one is a ``ConfigurationError``):

    * ``transmitter``: the engine, a path or a command (list of strings); default
      ``$RAYVISION_TRANSMITTER``, else an installed ``rayvision-sync``'s engine. It is looked for
      when first needed, so a client without one works until a transfer is asked for.
    * ``engine``: ``"aspera"`` (the official default; it needs ``aspera/ascp`` beside the engine)
      or ``"raysync"``; ``line``: the server line's name (default: the one the service marks default).
    * ``max_concurrency``: engines running at once (4); ``retry``: runs and back-off for exit code
      1 (:data:`DEFAULT_ENGINE_RETRY`); ``timeout``: seconds one engine run may take (5 h, as the
      official Raysync path allows); ``grace``: seconds between SIGTERM and SIGKILL.
    * ``speed_limit`` (KB/s, at most 1048576), ``engine_retries`` (the engine's own ``--retry``, 2),
      ``protocol`` (raysync: 0 UDP then TCP, 1 UDP, 2 TCP).
    * ``log_dir``: where each run's engine log folder goes (default: a new temporary folder, removed
      with this object unless a failed run's log is in it); a successful run's folder is removed
      unless ``keep_logs``.
    """

    @checked_binding(ConfigurationError)
    def __init__(
        self,
        api: AsyncRayvisionAPI | ServiceCalls,
        *,
        transmitter: TransmitterSetting | None = None,
        engine: Literal["aspera", "raysync"] = "aspera",
        line: str | None = None,
        max_concurrency: int = 4,
        retry: RetryPolicy | None = None,
        timeout: float = 18_000.0,
        grace: float = 5.0,
        speed_limit: int = DEFAULT_SPEED_LIMIT,
        engine_retries: int = 2,
        protocol: int = 0,
        log_dir: str | os.PathLike[str] | None = None,
        keep_logs: bool = False,
    ) -> None:
        if engine not in ("aspera", "raysync"):
            raise ConfigurationError(f"engine must be 'aspera' or 'raysync', not {engine!r}")
        if line is not None and (not isinstance(line, str) or not line.strip()):
            raise ConfigurationError("line must be a line name (or None for the service's default line)")
        _positive("max_concurrency", max_concurrency, high=256, integer=True)
        _positive("timeout", timeout)
        _positive("grace", grace, high=600)
        _positive("speed_limit", speed_limit, high=MAX_SPEED_LIMIT, integer=True)
        _positive("engine_retries", engine_retries, low=-1, high=100, integer=True)
        if isinstance(protocol, bool) or protocol not in (0, 1, 2):
            raise ConfigurationError(f"protocol must be 0, 1 or 2, not {protocol!r}")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError("retry must be a RetryPolicy")
        if log_dir is not None and (not isinstance(log_dir, str | os.PathLike) or not os.fspath(log_dir)):
            raise ConfigurationError("log_dir must be a folder path")
        if not isinstance(keep_logs, bool):
            raise ConfigurationError("keep_logs must be a bool")
        if transmitter is not None and not isinstance(transmitter, str | os.PathLike | Sequence):
            raise ConfigurationError(f"transmitter must be a path or a command, not {type(transmitter).__name__}")
        from .._client import AsyncRayvisionAPI

        if not isinstance(api, AsyncRayvisionAPI | ServiceCalls):
            raise ConfigurationError(f"api must be an AsyncRayvisionAPI (or ServiceCalls), not {type(api).__name__}")
        self._calls = api if isinstance(api, ServiceCalls) else _service_calls(api)
        self._setting = transmitter
        self.engine: Engine = engine
        self.line = line
        self.max_concurrency = max_concurrency
        self.retry = retry or DEFAULT_ENGINE_RETRY
        self.timeout = float(timeout)
        self.grace = float(grace)
        self.options = jobs.EngineOptions(speed_limit=speed_limit, retries=engine_retries, protocol=protocol)
        self._log_dir = Path(log_dir).expanduser() if log_dir is not None else None
        self.keep_logs = keep_logs
        self._runner: EngineRunner | None = None
        self._places: Places | None = None
        self._places_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return (f"Transfer(engine={self.engine!r}, line={self.line!r}, max_concurrency={self.max_concurrency}, "
                f"timeout={self.timeout:g})")

    # -- the engine ------------------------------------------------------------------------------

    def locate(self) -> Transmitter:
        """The engine that will run (found once); ``ConfigurationError`` says how to get one. Starts nothing."""
        return self._engine_runner().transmitter

    @property
    def engine_starts(self) -> int:
        """Engine processes started so far (each retry and probe counts)."""
        return 0 if self._runner is None else self._runner.starts

    @property
    def running(self) -> frozenset[int]:
        """Process ids of the engines running now."""
        return frozenset(() if self._runner is None else self._runner.running)

    def _engine_runner(self) -> EngineRunner:
        if self._runner is None:
            transmitter = find_transmitter(self._setting)
            if self.engine == "aspera" and transmitter.is_native:
                name = "ascp.exe" if sys.platform.startswith("win") else "ascp"
                ascp = transmitter.program.parent / "aspera" / name
                if not ascp.is_file():
                    raise ConfigurationError(
                        f"engine='aspera' needs {ascp} beside the engine (without it the engine retries forever): "
                        "extract the wheel's whole transmission folder for your platform, or use engine='raysync'")
            self._runner = EngineRunner(transmitter, max_concurrency=self.max_concurrency, retry=self.retry,
                                        timeout=self.timeout, grace=self.grace, log_dir=self._log_dir,
                                        keep_logs=self.keep_logs)
        return self._runner

    async def version(self) -> str:
        """The engine's version, from ``--version`` (``current version: 1.1.5`` → ``"1.1.5"``)."""
        result = await self._engine_runner().probe(["--version"], label="version")
        found = parse_version("\n".join(result.lines))
        if found is None:
            raise TransferError("the engine did not print its version", exit_code=result.exit_code,
                                lines=result.lines, log_dir=result.log_dir)
        return found

    async def probe(self, *args: str) -> RunResult:
        """Run the engine once with ``args`` and return how it ended (any exit code), e.g. ``probe("--version")``.

        For looking at the engine (``--help``, ``--version``, whether it accepts an option), not for
        transfers: no retry; the same deadline, process group and clean-up as every run.
        """
        if not all(isinstance(arg, str) for arg in args):
            raise InvalidInputError("probe arguments must be strings")
        return await self._engine_runner().probe(args, label="probe")

    async def engine_help(self) -> str:
        """The engine's ``--help`` text (it exits with code 1 after printing it, as documented)."""
        lines: list[str] = []
        await self._engine_runner().probe(["--help"], label="help", on_line=lines.append)
        return "\n".join(lines)

    async def _resolved(self) -> Places:
        async with self._places_lock:
            if self._places is None:
                self._places = await resolve_places(self._calls, engine=self.engine, line=self.line)
            return self._places

    async def _known_task(self, task_id: int) -> TaskInfo:
        task = await self._calls.task(task_id)
        if task is None:
            raise UnknownTaskError(task_id)
        return task

    # -- uploads ---------------------------------------------------------------------------------

    @checked_binding()
    async def upload_config(self, task_id: int, *files: str | os.PathLike[str],
                            on_event: EventCallback | None = None) -> jobs.TransferResult:
        """Upload a task's configuration files (task.json, tips.json, asset.json, upload.json…) to its ``cfg``.

        One engine run per file, in the official order, to ``/<task_id>/cfg/<name>`` in the
        account's config storage. A missing or unreadable file, a repeated name, an unknown task or
        no engine: ``InvalidInputError`` / ``ConfigurationError`` before any engine starts.
        """
        task_id = check_task_id(task_id)
        paths = config_files(files)
        runner = self._engine_runner()
        places = await self._resolved()
        await self._known_task(task_id)
        return await jobs.upload_config(runner.run, places, task_id, paths, options=self.options, on_event=on_event)

    @checked_binding()
    async def upload_assets(self, upload_json: Mapping[str, Any] | str | os.PathLike[str], *,
                            on_event: EventCallback | None = None) -> jobs.TransferResult:
        """Upload the files listed in upload.json (a dict or a UTF-8 JSON file) into the account's input storage.

        Every listed file is checked first (exists, is a file, can be read; see
        :func:`~rayvision_async.transfer.plan_upload`); then one engine run sends them all, each to
        its ``server`` path.
        """
        plan = plan_upload(upload_json)
        return await self.upload_plan(plan, on_event=on_event)

    async def upload_plan(self, plan: UploadPlan, *, on_event: EventCallback | None = None) -> jobs.TransferResult:
        """Upload an upload.json already checked by :func:`~rayvision_async.transfer.plan_upload`."""
        if not isinstance(plan, UploadPlan):
            raise InvalidInputError("plan must be an UploadPlan (from plan_upload)")
        runner = self._engine_runner()
        places = await self._resolved()
        return await jobs.upload_assets(runner.run, places, plan, workdir=self._workdir(), options=self.options,
                                        on_event=on_event)

    async def upload_task_files(self, task_id: int, documents: Mapping[str, Mapping[str, Any] | None],
                                plan: UploadPlan | None, *, on_event: EventCallback | None = None) -> None:
        """The pipeline's upload step: ``documents`` (name → JSON object) to ``cfg``, then ``plan``'s assets.

        The documents are written as UTF-8 JSON into a folder of this transfer's and sent in the
        official order; the folder is removed afterwards.
        """
        task_id = check_task_id(task_id)
        runner = self._engine_runner()
        places = await self._resolved()
        with tempfile.TemporaryDirectory(dir=self._workdir()) as folder:
            paths = []
            for name in CONFIG_ORDER:
                document = documents.get(name)
                if document is not None:
                    path = Path(folder) / name
                    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
                    paths.append(path)
            if paths:
                await jobs.upload_config(runner.run, places, task_id, paths, options=self.options, on_event=on_event)
        if plan is not None:
            await jobs.upload_assets(runner.run, places, plan, workdir=self._workdir(), options=self.options,
                                     on_event=on_event)

    def _workdir(self) -> Path:
        folder = self._engine_runner().folder() / "documents"
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder

    # -- downloads -------------------------------------------------------------------------------

    @checked_binding()
    async def list_outputs(self, task_id: int) -> tuple[OutputFile, ...]:
        """What the service lists as the task's output files (``transmit.get_output_files``)."""
        task_id = check_task_id(task_id)
        await self._known_task(task_id)
        return await self._calls.outputs(task_id)

    @checked_binding()
    async def download_outputs(self, task_id: int, dest: str | os.PathLike[str], *, follow: bool = False,
                               interval: float = 10.0, timeout: float | None = None,
                               on_event: EventCallback | None = None) -> jobs.DownloadResult:
        """Download a task's output files into ``dest`` (folders kept: ``dest/<task id>_<scene>/...``).

        Files already in ``dest`` with the size the service lists are skipped. ``follow=True``
        keeps going every ``interval`` seconds while the task renders, fetching frames as they
        finish, and returns once the task is terminal and everything is down; ``timeout``
        (seconds, default none) bounds the whole call (``TransferTimeoutError``). A destination
        that cannot be written, an unknown task or no engine: ``InvalidInputError`` /
        ``ConfigurationError`` before any engine starts.
        """
        task_id = check_task_id(task_id)
        if not isinstance(follow, bool):
            raise InvalidInputError("follow must be a bool")
        _positive_input("interval", interval)
        if timeout is not None:
            _positive_input("timeout", timeout)
        folder = writable_folder(dest)
        runner = self._engine_runner()
        places = await self._resolved()
        first = await self._known_task(task_id)
        return await jobs.download_outputs(
            runner.run, self._calls, places, task_id, folder, follow=follow, interval=float(interval),
            timeout=None if timeout is None else float(timeout), attempts=self.retry.attempts, options=self.options,
            on_event=on_event, first=first)


def _positive_input(name: str, value: object) -> None:
    try:
        _positive(name, value)
    except ConfigurationError as exc:
        raise InvalidInputError(str(exc)) from None
