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
from ._retry import RetryPolicy, set_testing
from ._version import __version__
from .errors import APIError, ConfigurationError, InvalidInputError, RayvisionError, RequestOutcomeUnknownError
from .flows._bulk import PartialPollError, PollResult, TaskEvent, TasksNotFoundError, WaitTimeoutError, Watcher
from .flows._paging import Pager
from .models import TERMINAL_TASK_STATUSES, FrameInfo, FrameStatus, FrameType, Page, TaskInfo, TaskStatus
from .wire import AiohttpTransport, SigningTransport, Timeouts

__all__ = [
    "TERMINAL_TASK_STATUSES",
    "APIError",
    "AiohttpTransport",
    "AsyncRayvisionAPI",
    "ConfigurationError",
    "FrameInfo",
    "FrameStatus",
    "FrameType",
    "InvalidInputError",
    "Page",
    "Pager",
    "PartialPollError",
    "PollResult",
    "RayvisionError",
    "RequestOutcomeUnknownError",
    "RetryPolicy",
    "SigningTransport",
    "TaskEvent",
    "TaskInfo",
    "TaskStatus",
    "TasksNotFoundError",
    "Timeouts",
    "WaitTimeoutError",
    "Watcher",
    "__version__",
    "errors",
    "set_testing",
]
