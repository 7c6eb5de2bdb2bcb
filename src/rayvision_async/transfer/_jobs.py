"""The whole jobs, as functions over typed callables: config files up, assets up, outputs down.

* :func:`upload_config`: one ``upload_path`` run per file, to ``/<task id>/cfg/<name>`` in the
  config storage, in the official order (task.json, tips.json, asset.json, upload.json).
* :func:`upload_assets`: one ``upload_json`` run for a checked upload.json, into the input storage
  (the engine sends each ``local`` file to its ``server`` path).
* :func:`download_outputs`: the task's output listing (``transmit.get_output_files``) against the
  destination: files already there with the listed size are skipped; each output folder with
  something missing is one ``download_path`` run (folder kept, as the official package downloads);
  afterwards every listed file must be on disk with its size, else another run, then
  :class:`~._errors.IncompleteTransferError`. With ``follow=True`` it repeats every ``interval``
  seconds until the task is terminal, fetching frames as they finish (the desktop client's
  "auto-download"); the last round runs after the terminal status was seen.

Each job reports progress through a :class:`~._progress.Progress` and returns a result saying what
moved; an engine failure is a :class:`~._errors.TransferError` from the runner.
"""

from __future__ import annotations

import asyncio
import json
import posixpath
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import attrs

from ..errors import MalformedResponseError
from ..models import OutputFile, TaskInfo
from ..models._checks import install as install_checks
from ._command import DEFAULT_SPEED_LIMIT, Storage, engine_args
from ._documents import UploadPlan
from ._errors import IncompleteTransferError, TransferTimeoutError, UnknownTaskError
from ._progress import EventCallback, Progress
from ._runner import RunResult
from ._service import Places, ServiceCalls

__all__ = ["DownloadResult", "EngineOptions", "RunEngine", "TransferResult", "download_outputs", "upload_assets",
           "upload_config"]


class RunEngine(Protocol):
    """Run the engine with these arguments until success (:meth:`EngineRunner.run`)."""

    async def __call__(self, args: Sequence[str], *, label: str, on_line: Callable[[str], None] | None = None,
                       on_retry: Callable[[int, RunResult], None] | None = None) -> RunResult: ...


@attrs.frozen(kw_only=True)
class EngineOptions:
    """Per-run engine options: speed limit (KB/s), the engine's own retries, its protocol (raysync)."""

    speed_limit: int = DEFAULT_SPEED_LIMIT
    retries: int = 2
    protocol: int = 0


@attrs.frozen(kw_only=True)
class TransferResult:
    """An upload that finished: the local files sent, their bytes, and the engine runs it took."""

    #: The local files sent.
    files: tuple[str, ...]
    #: Their combined size in bytes.
    bytes: int
    #: Engine runs it took (retries included).
    runs: int


@attrs.frozen(kw_only=True)
class DownloadResult:
    """A download that finished: files fetched, files already complete, bytes fetched, runs and rounds."""

    #: The task whose outputs these are.
    task_id: int
    #: The local folder they were written to.
    dest: Path
    #: Files fetched by this download.
    downloaded: tuple[Path, ...]
    #: Files already complete on disk, not fetched again.
    skipped: tuple[Path, ...]
    #: Bytes fetched by this download.
    bytes: int
    #: Engine runs it took (retries included).
    runs: int
    #: Rounds of listing the task's outputs (more than one when following a running task).
    rounds: int

    @property
    def files(self) -> tuple[Path, ...]:
        """Every output file now complete in ``dest``."""
        return (*self.downloaded, *self.skipped)


for _record in (TransferResult, DownloadResult):
    install_checks(_record)  # built by hand (a test's stand-in result), they refuse wrong types too


async def _run(run_engine: RunEngine, progress: Progress, args: Sequence[str], label: str) -> int:
    """One engine job with progress hooked up; the number of runs it took."""
    progress.mark()
    result = await run_engine(args, label=label, on_line=progress.line,
                              on_retry=lambda attempt, _result: progress.retrying(attempt))
    return result.attempts


def _sizes(files: Sequence[Path]) -> dict[str, int]:
    return {str(path): path.stat().st_size for path in files}


async def upload_config(run_engine: RunEngine, places: Places, task_id: int, files: Sequence[Path], *,
                        options: EngineOptions, on_event: EventCallback | None = None) -> TransferResult:
    """Upload a task's configuration files (checked, in order) to ``/<task_id>/cfg/``."""
    sizes = _sizes(files)
    progress = Progress(f"upload config of task {task_id}", on_event, sizes=sizes, files_total=len(files),
                        bytes_total=sum(sizes.values()))
    progress.emit("started")
    runs = 0
    for path in files:
        args = engine_args(places.route, places.config, "upload_path", str(path), f"/{task_id}/cfg/{path.name}",
                           keep=False, speed_limit=options.speed_limit, retries=options.retries,
                           protocol=options.protocol)
        runs += await _run(run_engine, progress, args, f"upload {path.name} of task {task_id}")
        _complete(progress, [str(path)])
    progress.emit("finished")
    return TransferResult(files=tuple(map(str, files)), bytes=sum(sizes.values()), runs=runs)


async def upload_assets(run_engine: RunEngine, places: Places, plan: UploadPlan, *, workdir: Path,
                        options: EngineOptions, on_event: EventCallback | None = None) -> TransferResult:
    """Upload the files of a checked upload.json into the input storage (one engine job)."""
    progress = Progress("upload assets", on_event, sizes={asset.local: asset.size for asset in plan.assets},
                        files_total=len(plan.assets), bytes_total=plan.total_bytes)
    progress.emit("started")
    if not plan.assets:
        progress.emit("finished")
        return TransferResult(files=(), bytes=0, runs=0)
    listing = _write_listing(workdir, plan)
    try:
        args = engine_args(places.route, places.assets, "upload_json", str(listing), "/", keep=False,
                           speed_limit=options.speed_limit, retries=options.retries, protocol=options.protocol)
        runs = await _run(run_engine, progress, args, "upload assets")
    finally:
        listing.unlink(missing_ok=True)
    _complete(progress, [asset.local for asset in plan.assets])
    progress.emit("finished")
    return TransferResult(files=tuple(asset.local for asset in plan.assets), bytes=plan.total_bytes, runs=runs)


def _write_listing(workdir: Path, plan: UploadPlan) -> Path:
    """The checked upload.json, written where the engine reads it (a folder of the SDK's)."""
    workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
    listing = workdir / f"upload-{uuid.uuid4().hex}.json"
    listing.write_text(json.dumps(plan.document, ensure_ascii=False), encoding="utf-8")
    return listing


def _complete(progress: Progress, paths: Sequence[str]) -> None:
    """Count as done the files of a successful run (those the engine's lines did not report)."""
    for path in paths:
        progress.count(path)


# -- download ----------------------------------------------------------------------------------------


@attrs.frozen
class _Wanted:
    folder: str
    local: Path
    size: int | None


def _size_of(file: OutputFile) -> int | None:
    value = file.file_size
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None


def _listed(files: Sequence[OutputFile], dest: Path) -> list[_Wanted]:
    """The listed files (not folders) with their local place under ``dest``; a path leaving it is malformed."""
    wanted = []
    for file in files:
        if file.directory or not file.file_path:
            continue
        relative = posixpath.normpath(file.file_path.replace("\\", "/").lstrip("/"))
        parts = relative.split("/")
        if relative in ("", ".") or ".." in parts or len(parts) < 2:
            raise MalformedResponseError(f"the output listing has a path outside a task folder: {file.file_path!r}",
                                         path="/api/render/file/operate/getOutputUserDirFile")
        wanted.append(_Wanted(folder=parts[0], local=dest.joinpath(*parts), size=_size_of(file)))
    return wanted


def _complete_size(item: _Wanted) -> int | None:
    """The size of ``item`` on disk if it is complete (the listed size, when one is listed), else None."""
    try:
        size = item.local.stat().st_size
    except OSError:
        return None
    return size if item.size is None or size == item.size else None


async def download_outputs(run_engine: RunEngine, calls: ServiceCalls, places: Places, task_id: int, dest: Path, *,
                           follow: bool, interval: float, timeout: float | None, attempts: int,
                           options: EngineOptions, on_event: EventCallback | None = None,
                           first: TaskInfo | None = None) -> DownloadResult:
    """Download a task's outputs into ``dest`` (see the module docstring); ``first`` is the task if known."""
    progress = Progress(f"download task {task_id}", on_event)
    state = _DownloadState()
    try:
        async with asyncio.timeout(timeout):
            await _download_rounds(run_engine, calls, places, task_id, dest, follow=follow, interval=interval,
                                   attempts=attempts, options=options, progress=progress, state=state, first=first)
    except TimeoutError:
        raise TransferTimeoutError(
            f"download of task {task_id}: not finished within {timeout:g} s ({len(state.downloaded)} file(s) "
            f"downloaded, {len(state.skipped)} already complete)", attempts=state.runs) from None
    progress.emit("finished")
    return DownloadResult(task_id=task_id, dest=dest, downloaded=tuple(state.downloaded), skipped=tuple(state.skipped),
                          bytes=state.bytes, runs=state.runs, rounds=state.rounds)


@attrs.define
class _DownloadState:
    downloaded: list[Path] = attrs.Factory(list)
    skipped: list[Path] = attrs.Factory(list)
    seen: set[Path] = attrs.Factory(set)
    bytes: int = 0
    runs: int = 0
    rounds: int = 0


async def _download_rounds(run_engine: RunEngine, calls: ServiceCalls, places: Places, task_id: int, dest: Path, *,
                           follow: bool, interval: float, attempts: int, options: EngineOptions, progress: Progress,
                           state: _DownloadState, first: TaskInfo | None) -> None:
    task = first
    while True:
        if task is None:
            task = await calls.task(task_id)
            if task is None:
                raise UnknownTaskError(task_id)
        terminal = task.is_terminal
        state.rounds += 1
        listed = [item for item in _listed(await calls.outputs(task_id), dest) if item.local not in state.seen]
        progress.files_total = len(state.seen) + len(listed)
        progress.bytes_total = None if any(item.size is None for item in listed) else (
            progress.bytes_done + sum(item.size or 0 for item in listed))
        if state.rounds == 1:
            progress.emit("started")
        for item in listed:
            size = _complete_size(item) if item.size is not None else None
            if size is None:
                continue
            state.seen.add(item.local)
            if progress.is_counted(str(item.local)):  # an earlier run of this call fetched it with its folder
                state.downloaded.append(item.local)
                state.bytes += size
            else:
                state.skipped.append(item.local)
                progress.count(str(item.local), kind="skipped")
        missing = [item for item in listed if item.local not in state.seen]
        if missing:
            await _fetch(run_engine, places.outputs_of(task), missing, places, task_id, dest, attempts=attempts,
                         options=options, progress=progress, state=state)
        if not follow or terminal:
            return
        await asyncio.sleep(interval)
        task = None


async def _fetch(run_engine: RunEngine, storage: Storage, missing: list[_Wanted], places: Places, task_id: int,
                 dest: Path, *, attempts: int, options: EngineOptions, progress: Progress,
                 state: _DownloadState) -> None:
    """Run the engine per output folder until every missing file is complete (``attempts`` checks)."""
    progress.know_sizes({str(item.local): item.size for item in missing if item.size is not None})
    progress.mark()
    for check in range(1, attempts + 1):
        for folder in sorted({item.folder for item in missing}):
            args = engine_args(places.route, storage, "download_path", str(dest), folder, keep=True,
                               speed_limit=options.speed_limit, retries=options.retries, protocol=options.protocol)
            state.runs += await _run(run_engine, progress, args, f"download {folder} of task {task_id}")
        for item in missing:
            size = _complete_size(item)
            if size is not None:
                state.seen.add(item.local)
                state.downloaded.append(item.local)
                state.bytes += size
                progress.count(str(item.local))
        missing = [item for item in missing if item.local not in state.seen]
        progress.uncount(str(item.local) for item in missing)
        if not missing:
            return
        if check < attempts:
            progress.attempt = check + 1
            progress.emit("retrying")
    raise IncompleteTransferError(f"download of task {task_id}", files=[str(item.local) for item in missing],
                                  attempts=state.runs)
