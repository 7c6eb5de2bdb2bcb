"""The glue between a scene analyzer's output and a submit, as pure functions on dicts.

An analyzer writes ``task.json``, ``upload.json``, ``asset.json`` and ``tips.json``. The official
SDK's ``RayvisionCheck`` and its file helpers fill and check them before the submit; these are the
same rules without the file writes (each function returns a new dict and leaves its input alone):

* :func:`read_document` reads a dict or a UTF-8 JSON file (``str`` or :class:`os.PathLike` path).
* :func:`update_task_info`, :func:`append_to_task`, :func:`append_to_upload`,
  :func:`stringify_modifiable_params`: the official ``update_task_info``, ``append_to_task``,
  ``append_to_upload`` and the stringification of :data:`MODIFIABLE_PARAMS` in its ``write`` step.
* :func:`check_software` (the DCC version, and plugins, against ``supported_plugin``),
  :func:`choose_hardware` (``get_hardware_config`` and the request), :func:`sort_tips`
  (tips.json codes explained by ``error_detail``): the checks, raising the typed errors of
  :mod:`._pipeline_errors`.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .._arguments import checked_binding
from .._digits import int_of
from .._service_ints import MAX_LIST_ITEMS
from ..api import _kinds as kinds
from ..errors import InvalidInputError
from ..models import ErrorCodeInfo, HardwareConfig, SoftwareDetail
from ..models._checks import install as install_checks
from ._pipeline_errors import HardwareUnavailableError, UnsupportedSoftwareError

__all__ = [
    "MODIFIABLE_PARAMS",
    "HardwareRequest",
    "TipsEntry",
    "append_to_task",
    "append_to_upload",
    "check_software",
    "choose_hardware",
    "read_document",
    "server_path",
    "sort_tips",
    "stringify_modifiable_params",
    "task_section",
    "update_task_info",
]

MODIFIABLE_PARAMS: tuple[str, ...] = (
    "pre_frames", "input_cg_file", "frames_per_task", "test_frames", "job_stop_time", "task_stop_time",
    "time_out", "stop_after_test", "tiles_type", "tiles", "is_layer_rendering", "is_distribute_render",
    "distribute_render_node", "input_project_path", "render_layer_type", "os_name", "ram", "enable_layered",
)  # fmt: skip
"""The ``task_info`` keys whose int/str/float values the official SDK writes as strings."""

Document = dict[str, Any]


def read_document(source: Mapping[str, Any] | str | os.PathLike[str], file_name: str) -> Document:
    """A JSON object from a dict (deep-copied) or a UTF-8 file path; bad input → InvalidInputError."""
    if isinstance(source, Mapping):
        # A JSON round trip copies it and proves it can be uploaded: strict JSON (string keys, no NaN,
        # valid Unicode, not nested too deeply), as the upload itself would check it.
        copied: Document = json.loads(kinds.json_text(source, f"{file_name} (JSON data)"))
        return copied
    if not isinstance(source, str | os.PathLike):
        raise InvalidInputError(f"{file_name} must be a dict or a file path, not {type(source).__name__}")
    path = file_path(source, file_name)
    try:
        with open(path, encoding="utf-8-sig") as handle:
            document = json.load(handle, parse_constant=_not_json)
    except OSError as exc:
        raise InvalidInputError(f"{file_name} {path!r} cannot be read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInputError(f"{file_name} {path!r} is not UTF-8 JSON: {exc}") from None
    except RecursionError:
        raise InvalidInputError(f"{file_name} {path!r} is nested too deeply") from None
    if not isinstance(document, dict):
        raise InvalidInputError(f"{file_name} {path!r} is not a JSON object")
    kinds.json_text(document, f"{file_name} {path!r}")  # e.g. a "\\ud800" escape: a lone surrogate
    return document


def file_path(source: str | os.PathLike[str], name: str) -> str:
    """``os.fspath(source)``, a path of valid Unicode text; anything else is an InvalidInputError."""
    try:
        path = os.fspath(source)
    except Exception as exc:  # a caller's path-like object that fails
        raise InvalidInputError(f"{name} is not a usable path: {type(exc).__name__}") from exc
    if not isinstance(path, str):
        raise InvalidInputError(f"{name} must be a text path, not {type(path).__name__}")
    checked: str = _PATH.check(path, name)
    return checked


#: A file path: non-empty text of at most 4096 characters without a lone surrogate.
_PATH = kinds.text(nonempty=True)


def _not_json(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")


def task_section(task: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``task[key]`` when it is a JSON object (``task_info``, ``software_config``), else InvalidInputError."""
    section = task.get(key)
    if not isinstance(section, dict):
        raise InvalidInputError(f"task.json has no {key!r} object")
    return section


def _document(value: object, name: str) -> Document:
    """A caller's task.json/upload.json mapping, read into a plain dict (InvalidInputError if it is none)."""
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"{name} must be a mapping (a JSON object), not {type(value).__name__}")
    document = kinds.read_mapping(value, name)
    if not all(isinstance(key, str) for key in document):
        raise InvalidInputError(f"{name} has a key that is not a str: JSON objects have text keys")
    return document


@checked_binding()
def update_task_info(task: Mapping[str, Any], updates: Mapping[str, Any]) -> Document:
    """``task`` with ``task_info`` updated; like the official helper, only keys it already has."""
    task, updates = _document(task, "task"), _document(updates, "updates")
    unknown = [key for key in updates if key not in task_section(task, "task_info")]
    if unknown:
        raise InvalidInputError(f"task_info has no {', '.join(map(repr, unknown))}: it cannot be updated")
    result = copy.deepcopy(dict(task))
    result["task_info"].update(copy.deepcopy(dict(updates)))
    return result


@checked_binding()
def append_to_task(task: Mapping[str, Any], additional: Mapping[str, Any], *, cover: bool = True) -> Document:
    """``task`` with ``additional`` merged into ``additional_info``; ``cover=False`` refuses existing keys."""
    task, additional = _document(task, "task"), _document(additional, "additional")
    if not isinstance(cover, bool):
        raise InvalidInputError(f"cover must be a bool, got {type(cover).__name__}")
    existing = task.get("additional_info") or {}
    if not isinstance(existing, dict):
        raise InvalidInputError("task.json additional_info is not a JSON object")
    clashes = [key for key in additional if key in existing]
    if not cover and clashes:
        raise InvalidInputError(f"additional_info already has {', '.join(map(repr, clashes))}")
    result = copy.deepcopy(dict(task))
    result["additional_info"] = {**copy.deepcopy(existing), **copy.deepcopy(dict(additional))}
    return result


def server_path(local: str) -> str:
    """The farm's path of a local file, by the official rule: ``D:\\a\\b`` → ``/D/a/b``, ``/x/y`` → ``x/y``."""
    path = local.replace("\\", "/")
    if len(path) < 2:
        raise InvalidInputError(f"{local!r} is not a file path")
    return "/" + path.replace(":", "") if path[1] == ":" else path[1:]


@checked_binding()
def append_to_upload(upload: Mapping[str, Any], paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
                     ) -> Document:
    """``upload`` with an ``asset`` entry ``{"local", "server"}`` for each path not listed yet.

    Paths are taken as given (forward slashes); the file system is not read, so list files, not folders.
    """
    upload = _document(upload, "upload")
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    elif isinstance(paths, bytes | Mapping) or not isinstance(paths, Iterable):
        raise InvalidInputError("paths must be a path or a list of paths")
    assets = upload.get("asset", [])
    if not isinstance(assets, list):
        raise InvalidInputError("upload.json asset is not a list")
    result = copy.deepcopy(dict(upload))
    listed = {entry.get("local") for entry in assets if isinstance(entry, dict)}
    result["asset"] = copy.deepcopy(assets)
    for count, item in enumerate(kinds.read_items(paths, "paths")):
        if count == MAX_LIST_ITEMS:
            raise InvalidInputError(f"paths may hold at most {MAX_LIST_ITEMS} paths")
        if not isinstance(item, str | os.PathLike):
            raise InvalidInputError(f"paths must be str or os.PathLike, not {type(item).__name__}")
        local = file_path(item, "paths").replace("\\", "/")
        if local not in listed:
            listed.add(local)
            result["asset"].append({"local": local, "server": server_path(local)})
    return result


@checked_binding()
def stringify_modifiable_params(task: Mapping[str, Any]) -> Document:
    """``task`` with the int/str/float values of :data:`MODIFIABLE_PARAMS` in ``task_info`` as strings.

    As the official SDK writes them: ``str(value)``, so ``True`` becomes ``"True"``; a
    missing ``scene_info_render`` is taken from ``scene_info``.
    """
    result = copy.deepcopy(_document(task, "task"))
    info = task_section(result, "task_info")
    for key in MODIFIABLE_PARAMS:
        if isinstance(info.get(key), int | str | float):
            info[key] = str(info[key])
    if not result.get("scene_info_render") and result.get("scene_info"):
        result["scene_info_render"] = result["scene_info"]
    return result


# -- checks against the service's data -------------------------------------------------------------


def check_software(task: Mapping[str, Any], detail: SoftwareDetail, *, check_plugins: bool = True) -> int | None:
    """The software-version id of task.json's ``cg_version``; refuse a version or plugin the farm lacks."""
    software = task_section(task, "software_config")
    version = software.get("cg_version")
    name = software.get("cg_name") or task_section(task, "task_info").get("cg_id")
    versions = {str(item.cg_version): item.id for item in detail.cg_version if item.cg_version is not None}
    if str(version) not in versions:
        raise UnsupportedSoftwareError(
            f"{name} {version} is not supported; supported versions: {', '.join(sorted(versions)) or 'none'}",
            step="check software", supported_versions=tuple(sorted(versions)))
    version_id = versions[str(version)]
    plugins = software.get("plugins") or {}
    if not isinstance(plugins, dict):
        raise InvalidInputError("task.json software_config.plugins is not a JSON object")
    if check_plugins and plugins:
        available: dict[str, set[str]] = {}
        for plugin in detail.cg_plugin:
            if plugin.cv_id == version_id and plugin.plugin_name:
                releases = available.setdefault(plugin.plugin_name.lower(), set())
                releases.update(str(item.plugin_version) for item in plugin.plugin_versions)
        missing = [f"{plugin} {release}" for plugin, release in plugins.items()
                   if not {f"{plugin} {release}", str(release)} & available.get(str(plugin).lower(), set())]
        if missing:
            raise UnsupportedSoftwareError(
                f"{name} {version} has no {', '.join(missing)} on the farm", step="check software",
                supported_versions=tuple(sorted(versions)), unsupported_plugins=tuple(missing))
    return version_id


#: A hardware model name or a gpuNum text, checked as the endpoint table checks names.
_NAME = kinds.text(nonempty=True, max_len=255)


def _shown(value: object) -> str:
    """A short, safe rendering of a caller's value for a message (repr may fail or be huge)."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        return repr(_amount_text(value)[:40])
    return f"a {type(value).__name__}"


def _amount_text(value: object) -> str:
    """``str(value)``, but "" for an int too large for any amount (str() refuses more than 4300 digits)."""
    return "" if isinstance(value, int) and not -(10**18) < value < 10**18 else str(value)


def _gigabytes(value: object) -> int | None:
    match = re.fullmatch(r"\s*([0-9]{1,18})\s*(?:GB?)?\s*", _amount_text(value), re.IGNORECASE) \
        if value is not None else None
    return int(match.group(1)) if match else None


def _gpu_count(value: object) -> int:
    """GPUs of a request or config: None, 0 and "" are none; "2" and "2*RTX" are 2."""
    match = re.match(r"\s*([0-9]{1,18})(?![0-9])", _amount_text(value)) if value not in (None, "") else None
    return int(match.group(1)) if match else 0


@attrs.frozen(kw_only=True)
class HardwareRequest:
    """The hardware to render on, as the official ``hardware_config`` dict says it.

    ``model`` is a model name, a list of them, or any name containing ``"Default"`` for every
    model; ``ram`` is ``"128GB"`` (or 128); ``gpu_num`` the GPUs per node (None for CPU).
    """

    ram: str | int
    model: str | tuple[str, ...] = "Default"
    gpu_num: int | str | None = None

    def __attrs_post_init__(self) -> None:
        models = (self.model,) if isinstance(self.model, str) else self.model
        if not isinstance(models, tuple) or not models or len(models) > 1000:
            raise InvalidInputError("hardware model must be a name or a list of names")
        for name in models:
            _NAME.check(name, "hardware model")
        if isinstance(self.ram, bool) or not isinstance(self.ram, str | int) or _gigabytes(self.ram) is None:
            raise InvalidInputError(f"hardware ram must look like '64GB', not {_shown(self.ram)}")
        if self.gpu_num is not None:
            if isinstance(self.gpu_num, bool) or not isinstance(self.gpu_num, int | str):
                raise InvalidInputError(f"hardware gpuNum must be a count such as 2, not {_shown(self.gpu_num)}")
            if isinstance(self.gpu_num, int) and not 0 <= self.gpu_num <= 1000:
                raise InvalidInputError(f"hardware gpuNum must be from 0 to 1000, not {_shown(self.gpu_num)}")
            if isinstance(self.gpu_num, str):
                _NAME.check(self.gpu_num, "hardware gpuNum")

    @classmethod
    @checked_binding()
    def coerce(cls, value: HardwareRequest | Mapping[str, Any]) -> HardwareRequest:
        """A request from itself or from the official dict ``{"model", "ram", "gpuNum"}``."""
        if isinstance(value, HardwareRequest):
            return value
        if not isinstance(value, Mapping):
            raise InvalidInputError("hardware must be a HardwareRequest or a dict with model, ram and gpuNum")
        value = kinds.read_mapping(value, "hardware")
        unknown = [key for key in value if key not in ("model", "ram", "gpuNum", "gpu_num")]
        if unknown:
            raise InvalidInputError(f"hardware has unknown keys {[_shown(key) for key in unknown][:10]}; "
                                    "use model, ram, gpuNum")
        if "ram" not in value:
            raise InvalidInputError("hardware needs a ram such as '64GB'")
        model = value.get("model", "Default")
        if not isinstance(model, str | list | tuple):
            raise InvalidInputError("hardware model must be a name or a list of names")
        return cls(model=model if isinstance(model, str) else tuple(kinds.read_items(model, "hardware model")),
                   ram=value["ram"], gpu_num=value.get("gpuNum", value.get("gpu_num")))


def choose_hardware(
    task: Mapping[str, Any], configs: Iterable[HardwareConfig], request: HardwareRequest,
    *, platform: int, tip_codes: Iterable[str] = (),
) -> dict[str, Any]:
    """The ``task_info`` update for ``request``: ``hardwareConfigIds``, ``ram``, ``graphics_cards_num``.

    The official rules: enabled configs of ``platform`` whose model, RAM and GPU count match are
    chosen; a matching config that excludes the cgId, one of the tips codes, the software version or
    (by regular expression on ``"name version"``) a plugin is refused. No match lists what is allowed.
    """
    info, software = task_section(task, "task_info"), task_section(task, "software_config")
    cg_id, cg_version = int_of(info.get("cg_id")), str(software.get("cg_version"))
    if cg_id is None:
        raise InvalidInputError("task.json task_info.cg_id must be a cgId such as '2000'")
    plugins = software.get("plugins") or {}
    configs = list(configs)
    ram, gpus = _gigabytes(request.ram), _gpu_count(request.gpu_num)
    wanted = (request.model,) if isinstance(request.model, str) else request.model
    if any("Default" in name for name in wanted):
        wanted = tuple(dict.fromkeys(config.model for config in configs if config.model))
    codes = {str(code) for code in tip_codes}
    ids: list[str] = []
    allowed: list[dict[str, Any]] = []
    for config in configs:
        if not config.status or config.platform != platform:
            continue
        shown = {"model": config.model, "ram": config.ram, "gpuNum": config.gpu_num}
        allowed.append(shown)
        if config.model not in wanted or _gigabytes(config.ram) != ram or _gpu_count(config.gpu_num) != gpus:
            continue
        reason = None
        if cg_id in config.not_support_cg_id:
            reason = f"cgId {cg_id}"
        elif excluded := sorted(codes & set(re.findall(r"[0-9]+", str(config.not_support_code or "")))):
            reason = f"tips codes {', '.join(excluded)}"
        elif any(item.cg_id == cg_id and item.cg_version_name == cg_version for item in config.not_support_cg_versions):
            reason = f"version {cg_version}"
        else:
            for pattern in config.not_support_plugin_list:
                for plugin, release in plugins.items():
                    found = re.findall(pattern, f"{plugin} {release}", re.IGNORECASE)
                    if found and found[0]:
                        reason = f"plugin {plugin} {release}"
        if reason is not None:
            raise HardwareUnavailableError(f"hardware {shown} does not support {reason}", step="choose hardware",
                                           allowed=tuple(allowed))
        ids.append(str(config.id))
    if not ids:
        raise HardwareUnavailableError(
            f"no hardware config on platform {platform} is {request.model} with {request.ram} and {gpus} GPUs; "
            f"allowed: {allowed}", step="choose hardware", allowed=tuple(allowed))
    return {"hardwareConfigIds": ids, "ram": str(ram), "graphics_cards_num": str(gpus) if gpus else "2"}


@attrs.frozen(kw_only=True)
class TipsEntry:
    """One tips.json code: what the analyzer wrote (``details``) and the service's explanation."""

    code: str
    details: Any = None
    info: ErrorCodeInfo | None = None

    @property
    def is_error(self) -> bool:
        """True for a type-1 code (an error); warnings (type 0) and codes the service does not explain are not."""
        return self.info is not None and str(self.info.type) == "1"


def sort_tips(tips: Mapping[str, Any], explained: Iterable[ErrorCodeInfo]) -> tuple[tuple[TipsEntry, ...], ...]:
    """``(errors, warnings)`` of tips.json's codes, each with the service's explanation."""
    by_code = {str(info.code): info for info in explained}
    entries = [TipsEntry(code=str(code), details=details, info=by_code.get(str(code)))
               for code, details in tips.items()]
    return tuple(e for e in entries if e.is_error), tuple(e for e in entries if not e.is_error)


for _record in (HardwareRequest, TipsEntry):
    install_checks(_record)  # built by hand, they refuse wrong types too (models/_checks.py)
