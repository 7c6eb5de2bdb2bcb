"""Uploads and downloads through Rayvision's transfer engine, asynchronously, without ``rayvision-sync``.

The pipeline, one module per stage:

1. ``_documents`` — check what is given before anything starts: upload.json and the files it
   lists, configuration files, a download destination, a task id.
2. ``_locate`` — find the engine (``rayvision_transmitter``): a setting, ``$RAYVISION_TRANSMITTER``,
   or an installed ``rayvision-sync``'s files read through package metadata (never imported).
3. ``_service`` — ask the service where files go: the engine's server line, the storage ids
   (bids), the user ids.
4. ``_command`` — build each engine run's arguments (a list, never a shell string).
5. ``_runner`` — run the engine as a child process: a deadline, cancellation that ends it and
   everything it started (its own process group), bounded concurrency, retries on exit code 1,
   typed errors carrying its last output lines, a log folder of the SDK's choosing.
6. ``_progress`` — turn its output into :class:`TransferEvent` s for a callback.
7. ``_jobs`` — the whole jobs over those parts: config files up, assets up, outputs down
   (optionally following a rendering task); :class:`Transfer` (``api.transfer``) composes them.
8. ``_render`` — the render job end to end: ``task_files_sender`` (the upload step of
   ``submit_analysis(..., upload=True)``) and :func:`render_job` (submit with upload, then follow
   and download), the call a ``render`` command makes.

``api.transfer`` is a :class:`Transfer` with default settings; assign your own
(``api.transfer = Transfer(api, transmitter=..., max_concurrency=8)``) to change them.
"""

from ._documents import CONFIG_ORDER, Asset, UploadPlan, plan_upload
from ._errors import (
    IncompleteTransferError,
    TransferError,
    TransferTimeoutError,
    TransmitterNotFoundError,
    UnknownTaskError,
)
from ._jobs import DownloadResult, TransferResult
from ._locate import ENV_VAR, Transmitter, find_transmitter
from ._progress import EventCallback, TransferEvent
from ._render import RenderJob, render_job
from ._runner import RunResult
from ._transfer import DEFAULT_ENGINE_RETRY, Transfer

# The parts the pipeline is built from (``Route``, ``Storage``, ``engine_args``, ``Places``, ``ServiceCalls``,
# ``EngineOptions``, ``task_files_sender``…) stay in their modules: they take values the SDK checked.
__all__ = [
    "CONFIG_ORDER",
    "DEFAULT_ENGINE_RETRY",
    "ENV_VAR",
    "Asset",
    "DownloadResult",
    "EventCallback",
    "IncompleteTransferError",
    "RenderJob",
    "RunResult",
    "Transfer",
    "TransferError",
    "TransferEvent",
    "TransferResult",
    "TransferTimeoutError",
    "Transmitter",
    "TransmitterNotFoundError",
    "UnknownTaskError",
    "UploadPlan",
    "find_transmitter",
    "plan_upload",
    "render_job",
]
