"""The official SDK's submit workflows, over the endpoint calls they need (passed in, typed).

``submit_task_json``: create a task id (unless given) → upload ``task.json`` (and
any extra files) → submit. ``check_and_add_project_name``: find a project by
name, creating it once if missing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .._service_ints import INT64
from ..api import _kinds as kinds
from ..api._table import ROWS
from ..errors import APIError, InvalidInputError, RequestOutcomeUnknownError
from ..models import CreatedTasks, ProjectList

__all__ = ["check_and_add_project_name", "check_create_options", "created_task_id", "extra_file_texts",
           "submit_task_json"]

#: The ids the task calls take (``submit_task``, ``upload_json_content``): a Java long, at least 1.
ID_RANGE = (1, INT64[1])

#: Check the arguments of the endpoint row with that name without sending (the client's ``_check``).
Check = Callable[[str, dict[str, Any]], None]


def extra_file_texts(extra_files: Mapping[str, Mapping[str, Any] | str] | None, *, check: Check) -> dict[str, str]:
    """``submit_task_json``'s ``extra_files`` as checked JSON texts by file name, before anything is sent."""
    if extra_files is None:
        return {}
    if not isinstance(extra_files, Mapping):
        raise InvalidInputError("extra_files must be a mapping of file name to JSON content")
    texts: dict[str, str] = {}
    for file_name, extra in kinds.read_mapping(extra_files, "extra_files").items():
        if not isinstance(file_name, str):
            raise InvalidInputError(f"extra_files names files by str, not by a {type(file_name).__name__}")
        if file_name == "task.json":
            raise InvalidInputError("extra_files must not hold task.json: pass it as task_json")
        text = kinds.json_text(extra, f"extra_files[{file_name!r:.60}]")
        check("upload_json_content", {"task_id": 1, "content": text, "file_name": file_name})
        texts[file_name] = text
    return texts


def check_create_options(create_options: Mapping[str, Any], *, check: Check) -> None:
    """Refuse ``submit_task_json``'s ``create_task`` options that ``create_task`` would refuse (``count`` is 1)."""
    known = {param.name for param in ROWS["create_task"].params} - {"count"}
    unknown = sorted(set(create_options) - known)
    if unknown:
        raise InvalidInputError(f"submit_task_json(): unknown create_task options {unknown}; known: {sorted(known)}")
    check("create_task", {"count": 1, **create_options})


async def check_and_add_project_name(
    name: str, *, list_projects: Callable[[], Awaitable[ProjectList]], add_project: Callable[[str], Awaitable[None]]
) -> str:
    """The id (as a string) of the project called ``name``, creating it if missing ("" if it never shows).

    Another caller may add the same project between the listing and the add (two submits of one
    new project at once): the add is refused, and the listing after it finds the project. The
    refusal is raised only when the project is still not listed.
    """
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError("project name must be a non-empty str")
    refused: APIError | None = None
    for attempt in range(2):
        projects = await list_projects()
        for project in projects.project_name_list:
            if project.project_name == name and project.project_id is not None:
                return str(project.project_id)
        if attempt == 0:
            try:
                await add_project(name)
            except APIError as exc:
                refused = exc
    if refused is not None:
        raise refused
    return ""


def created_task_id(created: CreatedTasks) -> int:
    """The first id ``create_task`` answered; one that is no task id is an unknown outcome, not bad input.

    Past this point a task may exist, so nothing may raise :class:`InvalidInputError` ("nothing was
    sent"): an id the later calls would refuse (0, negative) means the reply cannot be trusted.
    """
    first = created.task_id_list[0] if created.task_id_list else None
    if first is None or not ID_RANGE[0] <= first <= ID_RANGE[1]:
        raise RequestOutcomeUnknownError(
            f"create_task answered {first!r} instead of a task id: a task may have been created; check "
            "query.get_task_list before creating another", path=ROWS["create_task"].path)
    return first


async def submit_task_json(
    content: str,
    *,
    task_id: int | None,
    extra_files: Mapping[str, Mapping[str, Any] | str],
    create: Callable[[], Awaitable[CreatedTasks]],
    upload: Callable[[int, Mapping[str, Any] | str, str], Awaitable[None]],
    submit: Callable[[int], Awaitable[None]],
) -> int:
    """Create a task id (unless ``task_id`` is given), upload ``content`` as task.json, submit; the id.

    Creating and submitting are never retried once sent, so a failure after the
    task id exists carries a note with that id: resume by passing ``task_id=``.
    """
    if task_id is None:
        task_id = created_task_id(await create())
    try:
        await upload(task_id, content, "task.json")
        for file_name, extra in extra_files.items():
            await upload(task_id, extra, file_name)
        await submit(task_id)
    except Exception as exc:
        exc.add_note(f"task id {task_id} was created; pass task_id={task_id} to resume")
        raise
    return task_id
