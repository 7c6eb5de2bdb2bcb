"""Reading a task's task.json: frames range, scene, software, project, camera; refusing bad ids.

The service refuses (600) a task.json whose ``task_info`` carries a key it checks with a value it
cannot use: an empty or foreign ``task_id``/``user_id``, an empty ``project_id``, an unknown
``cg_id``, or ``hardwareConfigIds`` that are not hardware config ids. A key that is absent is not
checked (minimal task.json documents stay accepted).
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from ..._digits import int_of
from ._catalog import CG_IDS, hardware_configs
from ._codes import FarmError
from ._model import SimTask

__all__ = ["TASK_FILES", "TaskJsonReading", "TaskJsonReadings", "apply_task_json", "frame_numbers",
           "parse_frames", "read_task_json"]

#: File names taskJsonFile accepts.
TASK_FILES = frozenset({"task.json", "upload.json", "asset.json", "tips.json"})

_MAX_FRAMES = 100_000
_FRAME_PART = re.compile(r"\s*(-?[0-9]{1,9})\s*(?:-\s*(-?[0-9]{1,9})\s*(?:\[\s*([0-9]{1,9})\s*\])?)?\s*")


def parse_frames(spec: str | int) -> list[str]:
    """Frame numbers of a frames string such as ``"1-10[2],15"`` (an int N means frames 1..N)."""
    return list(frame_numbers(spec))


@functools.lru_cache(maxsize=512)
def frame_numbers(spec: str | int) -> tuple[str, ...]:
    """:func:`parse_frames` as a tuple, remembered for the last few hundred specs (tasks share a few)."""
    if isinstance(spec, int):
        if not 1 <= spec <= _MAX_FRAMES:
            raise FarmError.invalid(f"frame count {spec} out of range")
        return tuple(str(number) for number in range(1, spec + 1))
    frames: list[str] = []
    for part in spec.split(","):
        match = _FRAME_PART.fullmatch(part)
        if match is None:
            raise FarmError.invalid(f"frames {spec!r} are not like '1-10[1]'")
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        step = int(match.group(3)) if match.group(3) is not None else 1
        if last < first or step < 1 or len(frames) + (last - first) // step + 1 > _MAX_FRAMES:
            raise FarmError.invalid(f"frames {spec!r} are not a valid range")
        frames.extend(str(number) for number in range(first, last + 1, step))
    return tuple(frames)


def _find_frames(node: Any) -> str | int | None:
    """The first ``frames`` value (str or int) anywhere in a task.json subtree."""
    if isinstance(node, dict):
        value = node.get("frames")
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return value
        children: Iterable[Any] = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _find_frames(child)
        if found is not None:
            return found
    return None


def _find_camera(node: Any) -> str | None:
    """The first render camera named in a task.json subtree, if any."""
    if isinstance(node, dict):
        for key in ("render_camera", "renderable_camera", "camera"):
            value = node.get(key)
            if isinstance(value, list) and value and isinstance(value[0], str):
                return value[0]
            if isinstance(value, str) and value:
                return value
        return next((found for child in node.values() if (found := _find_camera(child))), None)
    return None


def _digits(value: object) -> int | None:
    number = int_of(value, max_digits=20)
    return number if number is not None and number >= 0 else None


def _check_task_id(task: SimTask, info: dict[str, Any]) -> None:
    """Refuse a ``task_info.task_id`` that is not ``task``'s id (the one check that depends on the task)."""
    if "task_id" in info and _digits(info["task_id"]) != task.id:
        raise FarmError.invalid(f"task.json task_info.task_id {info['task_id']!r} is not {task.id}")


def _checked_ids(info: dict[str, Any], software: dict[str, Any], user_id: int | None) -> int | None:
    """Refuse the ids of ``task_info`` the service would, the task id's apart (see the module docstring); the
    hardware config id chosen (None: none named)."""
    if "user_id" in info and (_digits(info["user_id"]) is None
                              or (user_id is not None and _digits(info["user_id"]) != user_id)):
        raise FarmError.invalid(f"task.json task_info.user_id {info['user_id']!r} is not {user_id}")
    if "project_id" in info and _digits(info["project_id"]) is None:
        raise FarmError.invalid(f"task.json task_info.project_id {info['project_id']!r} is not a project id")
    for where, section in (("task_info", info), ("software_config", software)):
        if "cg_id" in section and _digits(section["cg_id"]) not in CG_IDS:
            raise FarmError.invalid(f"task.json {where}.cg_id {section['cg_id']!r} is not a supported cgId")
    if "hardwareConfigIds" not in info:
        return None
    ids = info["hardwareConfigIds"]
    known = {config["id"] for config in hardware_configs()}
    chosen = [_digits(item) for item in ids] if isinstance(ids, list) else []
    if not chosen or any(item not in known for item in chosen):
        raise FarmError.invalid(f"task.json hardwareConfigIds {ids!r} are not hardware config ids")
    return chosen[0] or 0


class TaskJsonReading(NamedTuple):
    """What a task.json sets on a task (None: left as it is), its task id apart (:func:`read_task_json`)."""

    frames_range: str
    scene_name: str | None
    cg_id: int | None
    project_name: str | None
    camera: str | None
    hardware_config_id: int | None

    def apply(self, task: SimTask) -> None:
        """Set what this reading sets on ``task``."""
        task.frames_range = self.frames_range
        if self.hardware_config_id is not None:
            task.hardware_config_id = self.hardware_config_id
        if self.scene_name is not None:
            task.scene_name = self.scene_name
        if self.cg_id is not None:
            task.cg_id = self.cg_id
        if self.project_name is not None:
            task.project_name = self.project_name
        if self.camera is not None:
            task.camera = self.camera


def _sections(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    info: dict[str, Any] = doc["task_info"] if isinstance(doc.get("task_info"), dict) else {}
    software: dict[str, Any] = doc["software_config"] if isinstance(doc.get("software_config"), dict) else {}
    return info, software


def read_task_json(doc: dict[str, Any], default_frames: str, *, user_id: int | None = None) -> TaskJsonReading:
    """What the task.json document ``doc`` sets on any task, checked (all but ``task_info.task_id``).

    Frames come from the first ``frames`` under ``scene_info_render`` (any
    DCC's layout), else ``task_info.frames``, else ``default_frames``; a bad
    range is refused now (600), not at analysis time, and so are bad ids (``user_id`` being the account's).
    """
    info, software = _sections(doc)
    hardware = _checked_ids(info, software, user_id)
    frames = _find_frames(doc.get("scene_info_render")) or info.get("frames") or default_frames
    if isinstance(frames, bool) or not isinstance(frames, (str, int)):
        raise FarmError.invalid("task.json frames must be a string such as '1-10[1]'")
    frame_numbers(frames)
    scene = info.get("input_cg_file")
    cg_id = info.get("cg_id", software.get("cg_id"))
    project = info.get("project_name")
    return TaskJsonReading(
        frames_range=str(frames),
        scene_name=posixpath.basename(scene.replace("\\", "/")) if isinstance(scene, str) and scene else None,
        cg_id=_digits(cg_id),
        project_name=project if isinstance(project, str) else None,
        camera=_find_camera(doc.get("scene_info_render")) or None,
        hardware_config_id=hardware,
    )


def apply_task_json(task: SimTask, doc: dict[str, Any], default_frames: str, *, user_id: int | None = None) -> None:
    """Set ``task``'s frames, scene, cgId, project and camera from a task.json document.

    What :func:`read_task_json` reads, once ``task_info.task_id`` (if given) is found to be
    ``task``'s; a document refused changes nothing.
    """
    _check_task_id(task, _sections(doc)[0])
    read_task_json(doc, default_frames, user_id=user_id).apply(task)


class TaskJsonReadings:
    """:func:`apply_task_json` remembering what the last few task.json texts read as (many tasks share one).

    Only the reading is shared, never a document: each task keeps the one parsed from its own upload.
    """

    def __init__(self, *, size: int = 64, max_chars: int = 65_536) -> None:
        self._size = size
        self._max_chars = max_chars
        self._readings: dict[tuple[str, str, int | None], TaskJsonReading] = {}

    def apply(self, task: SimTask, content: str, doc: dict[str, Any], default_frames: str, *,
              user_id: int | None = None) -> None:
        """:func:`apply_task_json` of ``doc``, the document parsed from ``content``."""
        _check_task_id(task, _sections(doc)[0])
        key = (content, default_frames, user_id)
        reading = self._readings.get(key)
        if reading is None:
            reading = read_task_json(doc, default_frames, user_id=user_id)
            if len(content) <= self._max_chars:
                if len(self._readings) >= self._size:
                    del self._readings[next(iter(self._readings))]  # the oldest
                self._readings[key] = reading
        reading.apply(task)
