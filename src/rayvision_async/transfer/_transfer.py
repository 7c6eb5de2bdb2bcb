"""``api.transfer``: uploads and downloads for one client, composed over its public endpoint methods.

A :class:`Transfer` checks its input (files, upload.json, destination, task id), finds the engine,
reads where files go from the service (once: :mod:`._service`), then runs the jobs of
:mod:`._jobs` through one :class:`~._runner.EngineRunner` (shared concurrency limit, retries,
deadlines). Every check that needs no request runs before the first request, and every check runs
before the first engine start: bad input costs no engine run and transfers nothing.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._arguments import checked_binding
from .._retry import RetryPolicy
from ..api import _kinds as kinds
from ..errors import ConfigurationError, InvalidInputError
from ..flows._analysis import file_path
from ..models import OutputFile, TaskInfo
from . import _jobs as jobs
from ._command import DEFAULT_SPEED_LIMIT, MAX_SPEED_LIMIT, Engine, parse_version
from ._documents import (
    CONFIG_ORDER,
    UploadPlan,
    check_task_id,
    checked_plan,
    config_files,
    plan_upload,
    writable_folder,
)
from ._errors import TransferError, UnknownTaskError
from ._locate import Transmitter, TransmitterSetting, check_setting, find_transmitter
from ._progress import EventCallback, checked_callback
from ._runner import EngineRunner, RunResult
from ._service import Places, ServiceCalls, resolve_places

if TYPE_CHECKING:
    from .._client import AsyncRayvisionAPI

__all__ = ["DEFAULT_ENGINE_RETRY", "Transfer", "positive_input"]

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


def _shown(value: object) -> str:
    """A caller's value for a message: a short repr of a str, else its type (a repr may fail or be huge)."""
    return repr(value)[:40] if isinstance(value, str) else f"a {type(value).__name__}"


def _setting(check: Callable[[Any, str], Any], value: Any, name: str) -> Any:
    """``check(value, name)``, its refusal a ConfigurationError (a setting, not a call, is wrong)."""
    try:
        return check(value, name)
    except ConfigurationError:
        raise
    except InvalidInputError as exc:
        raise ConfigurationError(str(exc)) from None


def _positive(name: str, value: object, *, low: float = 0.0, high: float = 7 * 86400.0, integer: bool = False) -> None:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low < value <= high:  # NaN too
        raise ConfigurationError(f"{name} must be {'an int' if integer else 'a number'} above {low:g} and at most "
                                 f"{high:g}, not {_shown(value) if not isinstance(value, float) else value}")


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
        if not isinstance(engine, str) or engine not in ("aspera", "raysync"):
            raise ConfigurationError(f"engine must be 'aspera' or 'raysync', not {_shown(engine)}")
        if line is not None and (not isinstance(line, str) or not line.strip()):
            raise ConfigurationError("line must be a line name (or None for the service's default line)")
        if line is not None:
            _setting(kinds.text(nonempty=True, max_len=256).check, line, "line")
        _positive("max_concurrency", max_concurrency, high=256, integer=True)
        _positive("timeout", timeout)
        _positive("grace", grace, high=600)
        _positive("speed_limit", speed_limit, high=MAX_SPEED_LIMIT, integer=True)
        _positive("engine_retries", engine_retries, low=-1, high=100, integer=True)
        if type(protocol) is not int or protocol not in (0, 1, 2):
            raise ConfigurationError(f"protocol must be 0, 1 or 2, not {_shown(protocol)}")
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError("retry must be a RetryPolicy")
        log_folder: Path | None = None
        if log_dir is not None:
            if not isinstance(log_dir, str | os.PathLike):
                raise ConfigurationError(f"log_dir must be a folder path, not a {type(log_dir).__name__}")
            folder_text: str = _setting(file_path, log_dir, "log_dir")
            if "\0" in folder_text:
                raise ConfigurationError("log_dir has a NUL character")
            try:
                log_folder = Path(folder_text).expanduser()
            except RuntimeError:  # "~someone" with no such user
                raise ConfigurationError(f"log_dir {folder_text[:200]!r} names no home folder") from None
        if not isinstance(keep_logs, bool):
            raise ConfigurationError("keep_logs must be a bool")
        if transmitter is not None:
            check_setting(transmitter)  # its form now; the program is looked for when first needed
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
        self._log_dir = log_folder
        self.keep_logs = keep_logs
        self._runner: EngineRunner | None = None
        self._places: Places | None = None
        self._places_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return (f"Transfer(engine={self.engine!r}, line={self.line!r}, max_concurrency={self.max_concurrency}, "
                f"timeout={self.timeout:g})")

    # -- the engine ------------------------------------------------------------------------------

    @checked_binding()
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

    @checked_binding()
    async def version(self) -> str:
        """The engine's version, from ``--version`` (``current version: 1.1.5`` → ``"1.1.5"``)."""
        result = await self._engine_runner().probe(["--version"], label="version")
        found = parse_version("\n".join(result.lines))
        if found is None:
            raise TransferError("the engine did not print its version", exit_code=result.exit_code,
                                lines=result.lines, log_dir=result.log_dir)
        return found

    @checked_binding()
    async def probe(self, *args: str) -> RunResult:
        """Run the engine once with ``args`` and return how it ended (any exit code), e.g. ``probe("--version")``.

        For looking at the engine (``--help``, ``--version``, whether it accepts an option), not for
        transfers: no retry; the same deadline, process group and clean-up as every run.
        """
        if len(args) > _MAX_PROBE_ARGS:
            raise InvalidInputError(f"probe takes at most {_MAX_PROBE_ARGS} arguments")
        for index, arg in enumerate(args):
            _ARG.check(arg, f"probe argument {index}")
            if "\0" in arg:
                raise InvalidInputError(f"probe argument {index} has a NUL character")
        return await self._engine_runner().probe(args, label="probe")

    @checked_binding()
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
        checked_callback(on_event)
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

    @checked_binding()
    async def upload_plan(self, plan: UploadPlan, *, on_event: EventCallback | None = None) -> jobs.TransferResult:
        """Upload an upload.json already checked by :func:`~rayvision_async.transfer.plan_upload`.

        A plan not made by ``plan_upload`` (built by hand, or changed with ``attrs.evolve``) is
        checked again from its ``document``, which is what the engine reads.
        """
        plan = checked_plan(plan)
        checked_callback(on_event)
        runner = self._engine_runner()
        places = await self._resolved()
        return await jobs.upload_assets(runner.run, places, plan, workdir=self._workdir(), options=self.options,
                                        on_event=on_event)

    @checked_binding()
    async def upload_task_files(self, task_id: int, documents: Mapping[str, Mapping[str, Any] | None],
                                plan: UploadPlan | None, *, on_event: EventCallback | None = None) -> None:
        """The pipeline's upload step: ``documents`` (name → JSON object) to ``cfg``, then ``plan``'s assets.

        ``documents`` names each of task.json, tips.json, asset.json and upload.json at most once
        (a None value: not sent). They are written as UTF-8 JSON into a folder of this
        transfer's and sent in the official order; the folder is removed afterwards.
        """
        task_id = check_task_id(task_id)
        texts = _config_documents(documents)
        plan = None if plan is None else checked_plan(plan)
        checked_callback(on_event)
        runner = self._engine_runner()
        places = await self._resolved()
        with tempfile.TemporaryDirectory(dir=self._workdir()) as folder:
            paths = []
            for name, text in texts.items():
                path = Path(folder) / name
                path.write_text(text, encoding="utf-8")
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
        positive_input("interval", interval)
        if timeout is not None:
            positive_input("timeout", timeout)
        checked_callback(on_event)
        folder = writable_folder(dest)
        runner = self._engine_runner()
        places = await self._resolved()
        first = await self._known_task(task_id)
        return await jobs.download_outputs(
            runner.run, self._calls, places, task_id, folder, follow=follow, interval=float(interval),
            timeout=None if timeout is None else float(timeout), attempts=self.retry.attempts, options=self.options,
            on_event=on_event, first=first)


def positive_input(name: str, value: object) -> None:
    """A number of seconds above 0 and at most 7 days; else InvalidInputError (a call's argument)."""
    try:
        _positive(name, value)
    except ConfigurationError as exc:
        raise InvalidInputError(str(exc)) from None


#: A probe argument: text of at most 4096 characters (no lone surrogate).
_ARG = kinds.text()
_MAX_PROBE_ARGS = 64


def _config_documents(documents: object) -> dict[str, str]:
    """``documents`` (name → JSON object or None) as JSON texts in the official order; InvalidInputError if not."""
    if not isinstance(documents, Mapping):
        raise InvalidInputError(f"documents must be a mapping of file names to JSON objects, not "
                                f"{type(documents).__name__}")
    given = kinds.read_mapping(documents, "documents")
    unknown = [name for name in given if name not in CONFIG_ORDER]
    if unknown:
        raise InvalidInputError(f"documents may name only {', '.join(CONFIG_ORDER)}; not "
                                f"{', '.join(_shown(name) for name in unknown[:5])}")
    texts = {}
    for name in CONFIG_ORDER:
        document = given.get(name)
        if document is None:
            continue
        if not isinstance(document, Mapping):
            raise InvalidInputError(f"documents[{name!r}] must be a JSON object (a mapping), not "
                                    f"{type(document).__name__}")
        texts[name] = kinds.json_text(document, f"documents[{name!r}]")
    return texts
