"""The whole render job: analyzer output → files up → submit → follow → frames down.

* :func:`task_files_sender` is ``submit_analysis(..., upload=True)``'s upload step: it checks
  upload.json and every file it lists and finds the engine *now* (before a task id is created,
  so a bad file or a missing engine costs no task), and returns the step that, once the task
  exists, sends its documents to ``cfg`` and its assets to the input storage.
* :func:`render_job` chains it all for one scene (what a ``render`` command calls): submit with
  upload, then :meth:`~._transfer.Transfer.download_outputs` with ``follow=True``.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._arguments import checked_binding
from ..errors import InvalidInputError
from ..flows._pipeline import SubmittedAnalysis
from ..models._checks import install as install_checks
from ._documents import plan_upload, writable_folder
from ._jobs import DownloadResult
from ._progress import EventCallback, checked_callback
from ._transfer import Transfer, positive_input

if TYPE_CHECKING:
    from .._client import AsyncRayvisionAPI
    from ..flows._analysis import HardwareRequest

__all__ = ["RenderJob", "SendFiles", "render_job", "task_files_sender"]

#: A document: a dict, or the path of a UTF-8 JSON file.
Source = Mapping[str, Any] | str | os.PathLike[str]
#: The upload step: (task id, documents by file name) → files sent.
SendFiles = Callable[[int, Mapping[str, dict[str, Any] | None]], Awaitable[None]]


def task_files_sender(transfer: Transfer, upload_json: Source | None, *,
                      on_event: EventCallback | None = None) -> SendFiles:
    """Check upload.json and its files and find the engine (no request, no engine run); the upload step."""
    if not isinstance(transfer, Transfer):
        raise InvalidInputError(f"transfer must be a Transfer, not {type(transfer).__name__}")
    checked_callback(on_event)
    plan = plan_upload(upload_json) if upload_json is not None else None
    transfer.locate()

    async def send(task_id: int, documents: Mapping[str, dict[str, Any] | None]) -> None:
        await transfer.upload_task_files(task_id, documents, plan, on_event=on_event)

    return send


@attrs.frozen(kw_only=True)
class RenderJob:
    """A finished render job: the submitted task and the downloaded outputs."""

    #: The submitted task, its warnings and the steps done.
    submitted: SubmittedAnalysis
    #: The outputs downloaded.
    download: DownloadResult

    @property
    def task_id(self) -> int:
        """The task's id."""
        return self.submitted.task_id


install_checks(RenderJob)  # built by hand (a test's stand-in result), it refuses wrong types too


@checked_binding()
async def render_job(api: AsyncRayvisionAPI, task_json: Source, upload_json: Source | None = None,
                     asset_json: Source | None = None, tips_json: Source | None = None, *,
                     hardware: HardwareRequest | Mapping[str, Any], dest: str | os.PathLike[str],
                     interval: float = 10.0, timeout: float | None = None, producer: str | None = None,
                     on_event: EventCallback | None = None) -> RenderJob:
    """Submit a scene with its files uploaded, follow it, and download its frames into ``dest`` as they finish.

    Every check that needs no request (the documents, the files upload.json lists, the
    destination, the engine) runs before the first request.
    """
    from .._client import AsyncRayvisionAPI

    if not isinstance(api, AsyncRayvisionAPI):
        raise InvalidInputError(f"api must be an AsyncRayvisionAPI, not {type(api).__name__}")
    positive_input("interval", interval)  # the download's settings are checked before the submit sends anything
    if timeout is not None:
        positive_input("timeout", timeout)
    checked_callback(on_event)
    folder: Path = writable_folder(dest)
    submitted = await api.submit_analysis(task_json, upload_json, asset_json, tips_json, hardware=hardware,
                                          producer=producer, upload=True)
    download = await api.transfer.download_outputs(submitted.task_id, folder, follow=True, interval=interval,
                                                   timeout=timeout, on_event=on_event)
    return RenderJob(submitted=submitted, download=download)
