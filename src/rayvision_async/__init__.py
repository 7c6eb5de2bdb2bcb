"""rayvision_async: a typed asyncio SDK for the Rayvision render API (Renderbus / Fox Renderfarm).

The pipeline, one folder per stage: ``api/`` (the endpoint table, the methods
generated from it, the groups) → ``_client.py`` and ``_request.py`` (the one
request loop, ``_retry.py`` its policy) → ``wire/`` (signing, the signer
transport, the aiohttp transport, the channel, the envelope) → ``models/``
(attrs classes and the one cattrs converter). Around it: ``flows/`` (paging,
bulk poll/watch/wait, submit), ``simulator/`` and ``cli/``. Public names are
re-exported here; modules with a leading underscore are private.
"""

from . import errors
from ._client import AsyncRayvisionAPI
from ._raw import RawResponse
from ._retry import RetryPolicy, set_testing
from ._version import __version__
from .errors import APIError, ConfigurationError, InvalidInputError, RayvisionError, RequestOutcomeUnknownError
from .flows._analysis import (
    MODIFIABLE_PARAMS,
    HardwareRequest,
    TipsEntry,
    append_to_task,
    append_to_upload,
    stringify_modifiable_params,
    update_task_info,
)
from .flows._bulk import PartialPollError, PollResult, TaskEvent, TasksNotFoundError, WaitTimeoutError, Watcher
from .flows._paging import Pager
from .flows._pipeline import CheckedAnalysis, SubmittedAnalysis
from .flows._pipeline_errors import (
    AnalysisSubmitError,
    HardwareUnavailableError,
    SceneErrorsError,
    SubmitStepError,
    UnsupportedSoftwareError,
)
from .flows._renders import DuplicateRenderError, RenderLookup, RenderOutcomeUnknownError, check_render_key
from .models import (
    TERMINAL_TASK_STATUSES,
    FrameInfo,
    FrameStatus,
    FrameType,
    Page,
    ServiceModel,
    TaskInfo,
    TaskStatus,
    unstructure,
)
from .wire import AiohttpTransport, SigningTransport, Timeouts

__all__ = [
    "MODIFIABLE_PARAMS",
    "TERMINAL_TASK_STATUSES",
    "APIError",
    "AiohttpTransport",
    "AnalysisSubmitError",
    "AsyncRayvisionAPI",
    "CheckedAnalysis",
    "ConfigurationError",
    "DuplicateRenderError",
    "FrameInfo",
    "FrameStatus",
    "FrameType",
    "HardwareRequest",
    "HardwareUnavailableError",
    "InvalidInputError",
    "Page",
    "Pager",
    "PartialPollError",
    "PollResult",
    "RawResponse",
    "RayvisionError",
    "RenderLookup",
    "RenderOutcomeUnknownError",
    "RequestOutcomeUnknownError",
    "RetryPolicy",
    "SceneErrorsError",
    "ServiceModel",
    "SigningTransport",
    "SubmitStepError",
    "SubmittedAnalysis",
    "TaskEvent",
    "TaskInfo",
    "TaskStatus",
    "TasksNotFoundError",
    "Timeouts",
    "TipsEntry",
    "UnsupportedSoftwareError",
    "WaitTimeoutError",
    "Watcher",
    "__version__",
    "append_to_task",
    "append_to_upload",
    "check_render_key",
    "errors",
    "set_testing",
    "stringify_modifiable_params",
    "unstructure",
    "update_task_info",
]
