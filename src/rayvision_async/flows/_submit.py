"""The official SDK's submit workflows, over the endpoint calls they need (passed in, typed).

``submit_task_json``: create a task id (unless given) → upload ``task.json`` (and
any extra files) → submit. ``check_and_add_project_name``: find a project by
name, creating it once if missing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from ..errors import InvalidInputError
from ..models import CreatedTasks, ProjectList

__all__ = ["check_and_add_project_name", "submit_task_json"]


async def check_and_add_project_name(
    name: str, *, list_projects: Callable[[], Awaitable[ProjectList]], add_project: Callable[[str], Awaitable[None]]
) -> str:
    """The id (as a string) of the project called ``name``, creating it if missing ("" if it never shows)."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError("project name must be a non-empty str")
    for attempt in range(2):
        projects = await list_projects()
        for project in projects.project_name_list:
            if project.project_name == name and project.project_id is not None:
                return str(project.project_id)
        if attempt == 0:
            await add_project(name)
    return ""


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
        created = await create()
        if not created.task_id_list:
            raise InvalidInputError("create_task returned no task id")
        task_id = created.task_id_list[0]
    try:
        await upload(task_id, content, "task.json")
        for file_name, extra in extra_files.items():
            await upload(task_id, extra, file_name)
        await submit(task_id)
    except Exception as exc:
        exc.add_note(f"task id {task_id} was created; pass task_id={task_id} to resume")
        raise
    return task_id
