"""From a scene analyzer's output to a submitted task, over the endpoint calls it needs (passed in).

:func:`check_analysis` reads the documents and runs the checks that create nothing: the DCC
version and plugins (``supported_plugin``), the hardware (``get_hardware_config``, written as
the official SDK does) and the tips.json codes (``error_detail``: errors refuse, warnings are
reported). :func:`submit_analysis` then fills ``user_id``, ``project_id`` and, last, ``task_id``
(creating one only if task.json has none), stringifies the modifiable parameters, uploads
task.json (and upload/asset/tips.json when given) and submits.

Every failure raises an :class:`~._pipeline_errors.AnalysisSubmitError` naming its step and the
steps done; once a task id exists it carries it and the prepared task.json, so passing that back
resumes without creating another task (a task the service shows submitted is returned as it is).
The create and submit steps are those of :mod:`._renders`: an unknown submit is settled by reading
the task, and a render key finds the task of an earlier attempt.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import attrs

from .._digits import int_of
from .._service_ints import INT32, INT64
from ..api._kinds import text
from ..errors import InvalidInputError
from ..models import ErrorCodeInfo, HardwareConfig, SoftwareDetail
from ..models._checks import install as install_checks
from . import _analysis as analysis
from . import _renders as renders
from ._analysis import HardwareRequest, TipsEntry
from ._pipeline_errors import AnalysisSubmitError, SceneErrorsError, SubmitStepError

__all__ = ["AnalysisCalls", "AnalysisDocuments", "CheckedAnalysis", "SubmittedAnalysis", "check_analysis",
           "submit_analysis"]

logger = logging.getLogger("rayvision_async")

#: A project name, checked as ``add_label`` checks it.
PROJECT_NAME = text(nonempty=True, max_len=255)

#: A document: a dict, or the path of a UTF-8 JSON file.
Source = Mapping[str, Any] | str | os.PathLike[str]


@attrs.frozen(kw_only=True)
class AnalysisCalls:
    """The endpoint calls the pipeline makes (the client passes its own)."""

    supported_plugin: Callable[[int], Awaitable[SoftwareDetail]]
    hardware_configs: Callable[[], Awaitable[tuple[HardwareConfig, ...]]]
    error_detail: Callable[[list[str]], Awaitable[tuple[ErrorCodeInfo, ...]]]
    user_id: Callable[[], Awaitable[int]]
    project_id: Callable[[str], Awaitable[str]]
    #: The create, upload, submit and read calls of the last steps (:mod:`._renders`).
    render: renders.RenderCalls
    #: Optional: send the task's files through the transfer engine (task id, documents by name) before the submit.
    send_files: Callable[[int, Mapping[str, dict[str, Any] | None]], Awaitable[None]] | None = None


@attrs.frozen(kw_only=True)
class AnalysisDocuments:
    """The analyzer's four documents, read (``task`` is required, the others may be absent)."""

    task: dict[str, Any]
    upload: dict[str, Any] | None = None
    asset: dict[str, Any] | None = None
    tips: dict[str, Any] | None = None

    @classmethod
    def read(cls, task_json: Source, upload_json: Source | None = None, asset_json: Source | None = None,
             tips_json: Source | None = None) -> AnalysisDocuments:
        """Read each from a dict or a UTF-8 JSON file path; InvalidInputError names a bad file."""
        def optional(source: Source | None, name: str) -> dict[str, Any] | None:
            return None if source is None else analysis.read_document(source, name)

        task = analysis.read_document(task_json, "task.json")
        _check_task_info(analysis.task_section(task, "task_info"), analysis.task_section(task, "software_config"))
        return cls(task=task, upload=optional(upload_json, "upload.json"), asset=optional(asset_json, "asset.json"),
                   tips=optional(tips_json, "tips.json"))


#: task.json ``task_info`` keys holding ids the pipeline reads, with the range of each (digits only).
_TASK_INFO_IDS: Mapping[str, tuple[int, int]] = {
    "cg_id": (1, INT32[1]), "task_id": (1, INT64[1]), "platform": (0, 9999), "user_id": (1, INT64[1]),
    "project_id": (0, INT64[1]),
}


def _check_task_info(info: Mapping[str, Any], software: Mapping[str, Any]) -> None:
    """Refuse, before anything is sent, what a later step would refuse only after earlier requests."""
    for key, (low, high) in _TASK_INFO_IDS.items():
        if key != "cg_id" and not _filled(info.get(key)):
            continue
        number = int_of(info.get(key))
        if number is None or not low <= number <= high:
            example = " such as '2000'" if key == "cg_id" else ""
            raise InvalidInputError(f"task.json task_info.{key} must be ASCII digits{example} ({low} to {high}), "
                                    f"not {str(info.get(key))[:40]!r}")
    version = software.get("cg_version")
    if not isinstance(version, str | int) or isinstance(version, bool):
        raise InvalidInputError("task.json software_config.cg_version must be a version such as '2020'")
    name = info.get("project_name")
    if _filled(name):
        PROJECT_NAME.check(name, "task.json task_info.project_name")


@attrs.frozen(kw_only=True)
class CheckedAnalysis:
    """What the checks found: task.json with the hardware written, the chosen ids, the warnings."""

    documents: AnalysisDocuments
    task_json: dict[str, Any]
    hardware_config_ids: tuple[str, ...]
    warnings: tuple[TipsEntry, ...]
    completed: tuple[str, ...]


@attrs.frozen(kw_only=True)
class SubmittedAnalysis:
    """A submitted task: its id, the task.json uploaded, the hardware chosen and the tips warnings."""

    task_id: int
    task_json: dict[str, Any]
    hardware_config_ids: tuple[str, ...]
    warnings: tuple[TipsEntry, ...]
    created: bool  # False when an existing task was resumed (task.json's task id, or the render key's task)


async def _step(name: str, call: Awaitable[Any], completed: list[str], task_id: int | None,
                task_json: dict[str, Any]) -> Any:
    """Await one step's request; a failure becomes a SubmitStepError with the progress so far."""
    try:
        return await call
    except AnalysisSubmitError:
        raise
    except InvalidInputError as exc:
        if task_id is not None:  # a task exists: "nothing was sent" would be untrue
            raise SubmitStepError(f"{type(exc).__name__}: {exc}", step=name, completed=tuple(completed),
                                  task_id=task_id, task_json=task_json) from exc
        exc.add_note(f"{name}: done so far: {', '.join(completed) or 'nothing'}")  # nothing created yet
        raise
    except Exception as exc:
        raise SubmitStepError(f"{type(exc).__name__}: {exc}", step=name, completed=tuple(completed),
                              task_id=task_id, task_json=task_json) from exc


async def check_analysis(documents: AnalysisDocuments, *, hardware: HardwareRequest, platform: int,
                         calls: AnalysisCalls, check_plugins: bool = True) -> CheckedAnalysis:
    """Run the checks that create nothing; raise the step's typed error, else return what they found."""
    task = documents.task
    completed: list[str] = []
    cg_id = _number(task["task_info"]["cg_id"])
    if _filled(task["task_info"].get("platform")):
        platform = _number(task["task_info"]["platform"])

    def progress(exc: AnalysisSubmitError) -> AnalysisSubmitError:
        exc.completed, exc.task_json = tuple(completed), task
        return exc

    detail = await _step("check software", calls.supported_plugin(cg_id), completed, None, task)
    try:
        analysis.check_software(task, detail, check_plugins=check_plugins)
    except AnalysisSubmitError as exc:
        raise progress(exc) from None
    completed.append("checked software")

    configs = await _step("choose hardware", calls.hardware_configs(), completed, None, task)
    tips = documents.tips or {}
    try:
        update = analysis.choose_hardware(task, configs, hardware, platform=platform, tip_codes=tips)
    except AnalysisSubmitError as exc:
        raise progress(exc) from None
    task = {**task, "task_info": {**task["task_info"], **update}}
    completed.append(f"chose hardware {', '.join(update['hardwareConfigIds'])}")

    explained = await _step("check tips", calls.error_detail([str(code) for code in tips]), completed, None,
                            task) if tips else ()
    errors, warnings = analysis.sort_tips(tips, explained)
    if errors:
        listed = "; ".join(f"{entry.code} {entry.info.des_description_cn if entry.info else ''}".strip()
                           for entry in errors)
        raise progress(SceneErrorsError(f"the scene has {len(errors)} error(s): {listed}", step="check tips",
                                        errors=errors, warnings=warnings))
    for entry in warnings:
        logger.warning("analysis warning %s: %s", entry.code, entry.info.des_description_cn if entry.info else "")
    completed.append(f"checked tips ({len(warnings)} warning(s))" if tips else "no tips")
    return CheckedAnalysis(documents=documents, task_json=task, hardware_config_ids=tuple(update["hardwareConfigIds"]),
                           warnings=warnings, completed=tuple(completed))


def _filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _number(value: object) -> int:
    """An id of task_info, already checked by :func:`_check_task_info`."""
    number = int_of(value)
    if number is None:
        raise InvalidInputError(f"task.json task_info holds {str(value)[:40]!r} where an id belongs")
    return number


async def submit_analysis(checked: CheckedAnalysis, *, calls: AnalysisCalls,
                          render_key: str | None = None) -> SubmittedAnalysis:
    """Fill the ids of a checked analysis, upload its documents and submit it (safe to call again).

    A task.json with a task id resumes that task; with ``render_key`` (and no task id) the task
    carrying the key is resumed, else one is created carrying it. A task the service shows
    submitted is returned as it is, without uploading again (see :mod:`._renders`).
    """
    completed = list(checked.completed)
    task = analysis.stringify_modifiable_params(checked.task_json)
    info = task["task_info"]
    task_id = _number(info["task_id"]) if _filled(info.get("task_id")) else None
    if not _filled(info.get("user_id")):
        info["user_id"] = str(await _step("user id", calls.user_id(), completed, task_id, task))
        completed.append("filled user_id")
    if not _filled(info.get("project_id")):
        name = info.get("project_name")
        project = await _step("project", calls.project_id(name), completed, task_id, task) if name else "0"
        if not project:
            raise SubmitStepError(f"project {name!r} was added but never listed", step="project",
                                  completed=tuple(completed), task_id=task_id, task_json=task)
        info["project_id"] = str(project)
        completed.append(f"filled project_id {project}")
    render = calls.render

    def submitted(known: int) -> SubmittedAnalysis:
        return SubmittedAnalysis(task_id=known, task_json=task, hardware_config_ids=checked.hardware_config_ids,
                                 warnings=checked.warnings, created=False)

    created = False
    if task_id is None and render_key is not None:
        lookup = renders.find_render(render_key, list_tasks=render.list_tasks)
        found = await _step("find render", lookup, completed, None, task)
        if found.task_id is not None:
            task_id = found.task_id
            info["task_id"] = str(task_id)
            completed.append(f"found task {task_id} by its render key")
            if found.submitted:
                return submitted(task_id)
    elif task_id is not None:
        if await _step("check task", renders.already_submitted(task_id, render_key, render), completed, task_id,
                       task):
            return submitted(task_id)
        completed.append(f"task {task_id} is not submitted yet")
    if task_id is None:
        labels = renders.create_labels(None, render_key)
        task_id, created = await _step("create task", renders.create_task(labels, render_key, render), completed,
                                       None, task)
        info["task_id"] = str(task_id)
        completed.append(f"{'created' if created else 'found'} task {task_id}")
    uploads = {"task.json": task, "upload.json": checked.documents.upload, "asset.json": checked.documents.asset,
               "tips.json": checked.documents.tips}
    for file_name, document in uploads.items():
        if document is not None:
            content = json.dumps(document, ensure_ascii=False)
            await _step(f"upload {file_name}", render.upload(task_id, content, file_name), completed, task_id, task)
            completed.append(f"uploaded {file_name}")
    if calls.send_files is not None:
        await _step("send files", calls.send_files(task_id, uploads), completed, task_id, task)
        completed.append("sent the files through the transfer engine")
    await _step("submit", renders.submit_task(task_id, render_key, render), completed, task_id, task)
    return SubmittedAnalysis(task_id=task_id, task_json=task, hardware_config_ids=checked.hardware_config_ids,
                             warnings=checked.warnings, created=created)


for _record in (AnalysisDocuments, CheckedAnalysis, SubmittedAnalysis):
    install_checks(_record)  # built by hand, they refuse wrong types too (models/_checks.py)
