"""Every example response in the spec documents structures into its model, with every key modelled.

The examples come from :mod:`spec_examples`. Each is mapped to the model of its endpoint (the last
segment of its interface path, ``/v2`` ignored), or of its SDK call for sections without a path.
"""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar, get_args, get_origin

import attrs
import pytest

from helpers.spec_data import SpecExample, load_examples
from rayvision_async.models import (
    CreatedRenderEnv,
    CreatedTasks,
    ErrorCodeInfo,
    FrameInfo,
    FrameStats,
    Page,
    Platform,
    ProjectList,
    RaySyncUserKey,
    RenderEnv,
    SoftwareDetail,
    SupportedSoftware,
    TaskInfo,
    TaskInfoPage,
    TaskProgress,
    TransferBid,
    TransferConfig,
    TransferServerInfo,
    UserProfile,
    UserSetting,
)
from rayvision_async.models._converter import structure, unstructure, wire_name
from rayvision_async.models._meta import ALIASES

_NO_DATA = object()  # endpoints whose data is null
_TEXT = object()  # endpoints whose data is a bare string ("SUCCESS", "成功")

MODELS: dict[str, Any] = {
    "queryPlatforms": tuple[Platform, ...],
    "queryUserProfile": UserProfile,
    "queryUserSetting": UserSetting,
    "getTransferBid": TransferBid,
    "getBid": TransferBid,
    "createTask": CreatedTasks,
    "queryErrorDetail": tuple[ErrorCodeInfo, ...],
    "queryAnalyseErrorDetail": tuple[ErrorCodeInfo, ...],
    "getTaskList": Page[TaskInfo],
    "queryTaskFrames": Page[FrameInfo],
    "query.get_all_frames": dict[str, FrameInfo],
    "queryAllFrameStats": FrameStats,
    "queryTaskInfo": TaskInfoPage,
    "getLabelList": ProjectList,
    "getList": ProjectList,
    "list": ProjectList,
    "querySupportedSoftware": SupportedSoftware,
    "querySoftwareList": SupportedSoftware,
    "querySupportedPlugin": SoftwareDetail,
    "querySoftwareDetail": SoftwareDetail,
    "addRenderEnv": CreatedRenderEnv,
    "addUserPluginConfig": CreatedRenderEnv,
    "getRenderEnv": tuple[RenderEnv, ...],
    "getUserPluginConfig": tuple[RenderEnv, ...],
    "loadTaskProcessImg": TaskProgress,
    "loadingFrameThumbnail": tuple[str, ...],
    "getTransferServerMsg": TransferServerInfo,
    "getServerInfo": TransferServerInfo,
    "getRaySyncUserKey": RaySyncUserKey,
    "getConfig": TransferConfig,
    "fullSpeed": _TEXT,
    "fullSpeedRendering": _TEXT,
    "setOverTimeStop": _TEXT,
    "setTaskOverTimeStop": _TEXT,
}
for _name in [
    "updateUserSetting",
    "submitTask",
    "task",
    "stopTask",
    "startTask",
    "abortTask",
    "abandonTask",
    "deleteTask",
    "restartFailedFrames",
    "recommitTasks",
    "restartFrame",
    "recommitTaskFrames",
    "addLabel",
    "add",
    "deleteLabel",
    "delete",
    "addTaskLabel",
    "deleteTaskLabel",
    "updateRenderEnv",
    "editUserPluginConfig",
    "deleteRenderEnv",
    "deleteUserPluginConfig",
    "setDefaultRenderEnv",
    "setDefaultUserPluginConfig",
    "taskJsonFile",
]:
    MODELS[_name] = _NO_DATA

EXAMPLES = load_examples()


def endpoint(example: SpecExample) -> str:
    if example.path:
        segments = [s for s in example.path.strip("/").split("/") if s != "v2"]
        return segments[-1]
    assert example.call, example.id
    return example.call


def model_for(example: SpecExample) -> Any:
    name = endpoint(example)
    assert name in MODELS, f"no model mapped for {name} ({example.id})"
    target = MODELS[name]
    data = example.data
    # Documentation slips: querySoftwareDetail/querySupportedPlugin sections that show the
    # software-list response, and thumbnail sections that show "SUCCESS" instead of the paths.
    if target is SoftwareDetail and isinstance(data, dict) and "renderInfoList" in data:
        return SupportedSoftware
    if name == "loadingFrameThumbnail" and isinstance(data, str):
        return _TEXT
    return target


def _field_types(tp: Any) -> dict[str, tuple[attrs.Attribute[Any], Any]]:
    """Wire key (and aliases) → (field, resolved type) for an attrs class or generic alias."""
    origin = get_origin(tp) or tp
    hints = typing.get_type_hints(origin)
    mapping: dict[Any, Any] = {}
    for base in (tp, *getattr(origin, "__orig_bases__", ())):
        base_origin = get_origin(base)
        if base_origin is not None and hasattr(base_origin, "__parameters__"):
            mapping.update(zip(base_origin.__parameters__, get_args(base), strict=False))
    out = {}
    for field in attrs.fields(origin):
        hint = hints[field.name]
        args = get_args(hint)
        if args and isinstance(args[0], TypeVar):
            hint = tuple.__class_getitem__((mapping[args[0]], ...))
        for key in (wire_name(field), *field.metadata.get(ALIASES, ())):
            out[key] = (field, hint)
    return out


def unmodelled_keys(data: Any, tp: Any, where: str = "$") -> list[str]:
    """Keys in ``data`` that no field of ``tp`` (recursively) reads."""
    origin = get_origin(tp)
    args = get_args(tp)
    if data is None:
        return []
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return unmodelled_keys(data, inner[0], where) if len(inner) == 1 else []
    if origin is tuple and isinstance(data, list):
        return [k for i, item in enumerate(data) for k in unmodelled_keys(item, args[0], f"{where}[{i}]")]
    if origin is dict and isinstance(data, dict):
        return [k for key, item in data.items() for k in unmodelled_keys(item, args[1], f"{where}.{key}")]
    if attrs.has(origin or tp) and isinstance(data, dict):
        fields = _field_types(tp)
        missing = []
        for key, value in data.items():
            if key not in fields:
                missing.append(f"{where}.{key}")
            else:
                missing.extend(unmodelled_keys(value, fields[key][1], f"{where}.{key}"))
        return missing
    return []


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example_structures(example: SpecExample) -> None:
    target = model_for(example)
    data = example.data
    if target is _NO_DATA:
        assert data is None
        return
    if target is _TEXT:
        assert isinstance(data, str)
        return
    result = structure(data, target)
    if isinstance(data, list):
        assert isinstance(result, tuple)
        assert len(result) == len(data)
    elif isinstance(data, dict) and attrs.has(get_origin(target) or target):
        assert result != (get_origin(target) or target)(), "nothing was read from the example"
    assert unmodelled_keys(data, target) == []


def test_examples_were_found() -> None:
    assert len(EXAMPLES) >= 100
    assert {endpoint(e) for e in EXAMPLES} <= set(MODELS)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example_round_trips_through_the_service_dict(example: SpecExample) -> None:
    target = model_for(example)
    if target is _NO_DATA or target is _TEXT:
        return
    model = structure(example.data, target)
    service_form = unstructure(model)
    assert structure(service_form, target) == model
    if isinstance(example.data, dict) and attrs.has(get_origin(target) or target):
        assert service_form == model.to_dict()
        wire_keys = {wire_name(field) for field in attrs.fields(get_origin(target) or target)}
        assert set(example.data) & wire_keys <= set(service_form)
