"""Typed, immutable models of the Rayvision render API's responses.

Every model is a frozen attrs class with snake_case attribute names; the wire (camelCase) names
are derived by :mod:`rayvision_async.models._converter`, which is also how these objects are built from
response data (``structure(data, TaskInfo)``). Every field has a default, so a missing field never
fails, and unknown fields are ignored. ``model.to_dict()`` (or :func:`unstructure`) gives the
service's camelCase dict back; structuring that dict again gives an equal model.
"""

from typing import TYPE_CHECKING, Any

from ._base import ServiceModel
from ._checks import install as _install_checks
from .common import ErrorCodeInfo, HardwareConfig, NotSupportedCgVersion, PackNode, Platform, Project, ProjectList
from .enums import TERMINAL_TASK_STATUSES, FrameStatus, FrameType, TaskStatus, TolerantIntEnum
from .frames import FrameInfo, FrameStats
from .page import Page
from .software import (
    CreatedRenderEnv,
    Plugin,
    PluginVersion,
    RenderEnv,
    Software,
    SoftwareDetail,
    SoftwareVersion,
    SupportedSoftware,
)
from .tasks import CreatedTasks, GrabInfo, TaskInfo, TaskInfoPage, TaskKeyValue, TaskProgress
from .transfer import (
    EngineAccount,
    EngineLine,
    OutputFile,
    RaysyncTransfer,
    RaySyncUserKey,
    SubUserOutputBid,
    TransferBid,
    TransferConfig,
    TransferEngine,
    TransferServerInfo,
)
from .user import LoginRecord, OperationRecord, UserProfile, UserSetting

__all__ = [
    "TERMINAL_TASK_STATUSES",
    "CreatedRenderEnv",
    "CreatedTasks",
    "EngineAccount",
    "EngineLine",
    "ErrorCodeInfo",
    "FrameInfo",
    "FrameStats",
    "FrameStatus",
    "FrameType",
    "GrabInfo",
    "HardwareConfig",
    "LoginRecord",
    "NotSupportedCgVersion",
    "OperationRecord",
    "OutputFile",
    "PackNode",
    "Page",
    "Platform",
    "Plugin",
    "PluginVersion",
    "Project",
    "ProjectList",
    "RaySyncUserKey",
    "RaysyncTransfer",
    "RenderEnv",
    "ServiceModel",
    "Software",
    "SoftwareDetail",
    "SoftwareVersion",
    "SubUserOutputBid",
    "SupportedSoftware",
    "TaskInfo",
    "TaskInfoPage",
    "TaskKeyValue",
    "TaskProgress",
    "TaskStatus",
    "TolerantIntEnum",
    "TransferBid",
    "TransferConfig",
    "TransferEngine",
    "TransferServerInfo",
    "UserProfile",
    "UserSetting",
    "unstructure",
]

if TYPE_CHECKING:
    from ._converter import unstructure


def __getattr__(name: str) -> Any:
    """``unstructure`` comes with the converter (cattrs), imported when it is first used."""
    if name == "unstructure":
        from ._converter import unstructure

        return unstructure
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

def _models(base: type) -> list[type]:
    """Every model class under ``base`` (the classes the modules define, not attrs' pre-slots originals)."""
    import sys

    found: list[type] = []
    cls: type
    for cls in base.__subclasses__():
        defined = getattr(sys.modules.get(cls.__module__), cls.__name__, None) is cls
        if defined and cls not in found:
            found.append(cls)
        found += [sub for sub in _models(cls) if sub not in found]
    return found


for _model in _models(ServiceModel):
    _install_checks(_model)  # a model built by hand is checked (models/_checks.py); structuring is not
