"""rayvision_async: a typed asyncio SDK for the Rayvision render API (Renderbus / Fox Renderfarm).

The pipeline, one module per step: the endpoint table (:mod:`.endpoints`) →
the client and its one request loop (:mod:`.client`) → the signer transport
(:mod:`.transport`, :mod:`.signing`) → the envelope decoder (:mod:`.envelope`)
→ the models and their one converter (:mod:`.models`, :mod:`.converter`).
"""

from . import errors
from ._client import AsyncRayvisionAPI
from ._retry import RetryPolicy
from ._version import __version__
from .errors import APIError, ConfigurationError, InvalidInputError, RayvisionError, RequestOutcomeUnknownError
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
    "RayvisionError",
    "RequestOutcomeUnknownError",
    "RetryPolicy",
    "SigningTransport",
    "TaskInfo",
    "TaskStatus",
    "Timeouts",
    "__version__",
    "errors",
]
