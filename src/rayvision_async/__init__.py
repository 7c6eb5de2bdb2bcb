"""rayvision_async: a typed asyncio SDK for the Rayvision render API (Renderbus / Fox Renderfarm).

The pipeline, one folder per stage: ``api/`` (the endpoint table, the methods
generated from it, the groups) → ``_client.py`` and ``_request.py`` (the one
request loop, ``_retry.py`` its policy) → ``wire/`` (signing, the signer
transport, the aiohttp transport, the channel, the envelope) → ``models/``
(attrs classes and the one cattrs converter). Around it: ``flows/`` (paging,
bulk poll/watch/wait, submit), ``simulator/`` and ``cli/``. Public names are
re-exported here; modules with a leading underscore are private.
"""

import importlib as _importlib
import typing as _typing

from ._version import __version__

if _typing.TYPE_CHECKING:  # the names as type checkers and documentation tools see them
    from . import errors
    from ._client import AsyncRayvisionAPI
    from ._raw import RawResponse
    from ._retry import RetryPolicy, set_testing
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

#: Each public name → the module that defines it: imported when the name is first used, so
#: ``import rayvision_async`` costs next to nothing and the client imports what it needs.
_HOMES: dict[str, str] = {
    "APIError": ".errors",
    "ConfigurationError": ".errors",
    "InvalidInputError": ".errors",
    "RayvisionError": ".errors",
    "RequestOutcomeUnknownError": ".errors",
    "errors": ".errors",
    "AsyncRayvisionAPI": "._client",
    "RawResponse": "._raw",
    "RetryPolicy": "._retry",
    "set_testing": "._retry",
    "HardwareRequest": ".flows._analysis",
    "MODIFIABLE_PARAMS": ".flows._analysis",
    "TipsEntry": ".flows._analysis",
    "append_to_task": ".flows._analysis",
    "append_to_upload": ".flows._analysis",
    "stringify_modifiable_params": ".flows._analysis",
    "update_task_info": ".flows._analysis",
    "PartialPollError": ".flows._bulk",
    "PollResult": ".flows._bulk",
    "TaskEvent": ".flows._bulk",
    "TasksNotFoundError": ".flows._bulk",
    "WaitTimeoutError": ".flows._bulk",
    "Watcher": ".flows._bulk",
    "Pager": ".flows._paging",
    "CheckedAnalysis": ".flows._pipeline",
    "SubmittedAnalysis": ".flows._pipeline",
    "AnalysisSubmitError": ".flows._pipeline_errors",
    "HardwareUnavailableError": ".flows._pipeline_errors",
    "SceneErrorsError": ".flows._pipeline_errors",
    "SubmitStepError": ".flows._pipeline_errors",
    "UnsupportedSoftwareError": ".flows._pipeline_errors",
    "DuplicateRenderError": ".flows._renders",
    "RenderLookup": ".flows._renders",
    "RenderOutcomeUnknownError": ".flows._renders",
    "check_render_key": ".flows._renders",
    "FrameInfo": ".models",
    "FrameStatus": ".models",
    "FrameType": ".models",
    "Page": ".models",
    "ServiceModel": ".models",
    "TERMINAL_TASK_STATUSES": ".models",
    "TaskInfo": ".models",
    "TaskStatus": ".models",
    "unstructure": ".models",
    "AiohttpTransport": ".wire",
    "SigningTransport": ".wire",
    "Timeouts": ".wire",
}


def __getattr__(name: str) -> _typing.Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = _importlib.import_module(home, __name__)
    value = module if name == "errors" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
