"""The account commands: ``info``, render environments (``env``), projects and task labels.

``projects`` are the service's project labels (``tag.add_label`` /
``delete_label`` / ``get_list``); ``labels`` are labels on tasks
(``tag.add_task_tag`` / ``delete_task_tag``, listed from the tasks themselves).
Deleting an environment or a project asks first unless ``--yes``; a name the
service does not list is refused (exit code 1) before anything changes.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from ..models import RenderEnv
from ._api_spec import ShapeError, convert
from ._connect import connect
from ._exit import EXIT_API, EXIT_OK, EXIT_USAGE
from ._failure import CommandError
from ._ids import can_ask, confirm, task_ids
from ._output import print_json, print_table
from ._tasks import require_known

__all__: list[str] = []

#: ``info``'s values: JSON key → table label.
_INFO_LABELS = {"user_id": "user id", "user_name": "user name", "platform": "platform",
                "rmb_balance": "balance (RMB)", "usd_balance": "balance (USD)", "credit": "credit",
                "coupon": "coupon", "cpu_price": "CPU price", "gpu_price": "GPU price",
                "task_over_time_sec": "task timeout (s)"}


def _done(args: argparse.Namespace, what: dict[str, Any], text: str) -> int:
    if args.json:
        print_json(what, indent=None)
    else:
        print(text, flush=True)
    return EXIT_OK


async def run_info(args: argparse.Namespace) -> int:
    """``info``: the account's profile and settings."""
    async with connect(args) as api:
        profile, settings = await asyncio.gather(api.user.query_user_profile(), api.user.query_user_setting())
    values = {"user_id": profile.user_id, "user_name": profile.user_name, "platform": profile.platform,
              "rmb_balance": profile.rmbbalance, "usd_balance": profile.usdbalance, "credit": profile.credit,
              "coupon": profile.coupon, "cpu_price": profile.cpu_price, "gpu_price": profile.gpu_price,
              "task_over_time_sec": settings.task_over_time_sec}
    if args.json:
        print_json(values)
    else:
        print_table(("setting", "value"), [(_INFO_LABELS[key], value) for key, value in values.items()])
    return EXIT_OK


# -- render environments ---------------------------------------------------------------------------------------


def _env_row(env: RenderEnv) -> tuple[Any, ...]:
    return (env.edit_name, env.cg_name, env.cg_version, env.cg_id, {0: "linux", 1: "windows"}.get(env.os_name or -1),
            "yes" if env.is_default else "", len(env.plugins))


async def run_env_list(args: argparse.Namespace) -> int:
    """``env list``: the render environments (of one DCC with ``--dcc``)."""
    dcc = None if args.dcc is None else convert("int-or-text", args.dcc)
    async with connect(args) as api:
        envs = await api.env.get_render_env(name=dcc)
    if args.json:
        print_json(envs)
    else:
        print_table(("name", "DCC", "version", "cgId", "system", "default", "plugins"), map(_env_row, envs))
    return EXIT_OK


def _document(args: argparse.Namespace) -> Any:
    try:
        return convert("json-object", args.document)
    except ShapeError as exc:
        raise CommandError(f"env {args.action}: {exc}", EXIT_USAGE) from None


async def run_env_add(args: argparse.Namespace) -> int:
    """``env add``: create a render environment from a JSON object."""
    document = _document(args)
    async with connect(args) as api:
        created = await api.env.add_render_env(document)
    return _done(args, {"action": "added", "edit_name": document.get("editName"), "created": created},
                 f"added render environment {document.get('editName')!r}")


async def run_env_update(args: argparse.Namespace) -> int:
    """``env update``: change a render environment (the JSON object names it by ``editName``)."""
    document = _document(args)
    async with connect(args) as api:
        await _require_env(api, args, document.get("editName"))
        await api.env.update_render_env(document)
    return _done(args, {"action": "updated", "edit_name": document.get("editName")},
                 f"updated render environment {document.get('editName')!r}")


async def _require_env(api: Any, args: argparse.Namespace, name: Any) -> None:
    names = {env.edit_name for env in await api.env.get_render_env()}
    if name not in names:
        listed = ", ".join(sorted(map(repr, filter(None, names)))) or "none"
        raise CommandError(f"env {args.action}: no render environment {name!r} (the service lists {listed}); "
                           "nothing changed", EXIT_API)


async def run_env_delete(args: argparse.Namespace) -> int:
    """``env delete``: delete a render environment (asks first)."""
    can_ask(args)
    async with connect(args) as api:
        await _require_env(api, args, args.name)
        confirm(args, f"delete render environment {args.name!r}")
        await api.env.delete_render_env(args.name)
    return _done(args, {"action": "deleted", "edit_name": args.name}, f"deleted render environment {args.name!r}")


async def run_env_default(args: argparse.Namespace) -> int:
    """``env default``: make a render environment the default."""
    async with connect(args) as api:
        await _require_env(api, args, args.name)
        await api.env.set_default_render_env(args.name)
    return _done(args, {"action": "default", "edit_name": args.name},
                 f"render environment {args.name!r} is the default")


# -- projects --------------------------------------------------------------------------------------------------

_SCOPES = {"own": 0, "main": 1, "all": 2}


async def run_projects_list(args: argparse.Namespace) -> int:
    """``projects list``: the projects (project labels) visible to the account."""
    async with connect(args, uses=["tag.get_list"]) as api:
        projects = (await api.tag.get_list(flag=_SCOPES[args.scope])).projects
    if args.json:
        print_json(projects)
    else:
        print_table(("id", "name"), [(project.project_id, project.project_name) for project in projects])
    return EXIT_OK


async def run_projects_add(args: argparse.Namespace) -> int:
    """``projects add``: add a project (nothing is sent when it exists already)."""
    async with connect(args) as api:
        existing = (await api.tag.get_label_list()).find(args.name)
        if existing is not None:
            return _done(args, {"action": "exists", "name": args.name, "project_id": existing.project_id},
                         f"project {args.name!r} exists already (id {existing.project_id})")
        await api.tag.add_label(args.name)
        added = (await api.tag.get_label_list()).find(args.name)
    project_id = None if added is None else added.project_id
    return _done(args, {"action": "added", "name": args.name, "project_id": project_id},
                 f"added project {args.name!r} (id {project_id})")


async def run_projects_delete(args: argparse.Namespace) -> int:
    """``projects delete``: delete a project (asks first)."""
    can_ask(args)
    async with connect(args) as api:
        listing = await api.tag.get_label_list()
        if listing.find(args.name) is None:
            listed = ", ".join(repr(project.project_name) for project in listing.projects) or "none"
            raise CommandError(f"projects delete: no project {args.name!r} (the service lists {listed}); "
                               "nothing changed", EXIT_API)
        confirm(args, f"delete project {args.name!r}")
        await api.tag.delete_label(args.name)
    return _done(args, {"action": "deleted", "name": args.name}, f"deleted project {args.name!r}")


# -- task labels -----------------------------------------------------------------------------------------------


async def run_labels_list(args: argparse.Namespace) -> int:
    """``labels list``: the labels of tasks."""
    ids = task_ids(args)
    async with connect(args) as api:
        tasks = await require_known(api, "labels list", ids)
    labels = {task_id: list(tasks[task_id].labels) for task_id in ids}
    if args.json:
        print_json([{"id": task_id, "labels": names} for task_id, names in labels.items()])
    else:
        print_table(("id", "labels"), [(task_id, ", ".join(names)) for task_id, names in labels.items()])
    return EXIT_OK


async def _label(args: argparse.Namespace, add: bool) -> int:
    ids = task_ids(args)
    async with connect(args, uses=["tag.add_task_tag" if add else "tag.delete_task_tag"]) as api:
        await require_known(api, f"labels {args.action}", ids)
        if add:
            await api.tag.add_task_tag(args.label, ids)
        else:
            await api.tag.delete_task_tag(ids, [args.label])
    verb = "labelled" if add else "unlabelled"
    return _done(args, {"action": verb, "label": args.label, "task_ids": list(ids)},
                 f"{verb} {len(ids)} task{'s' if len(ids) != 1 else ''} {args.label!r}")


async def run_labels_add(args: argparse.Namespace) -> int:
    """``labels add``: label tasks."""
    return await _label(args, add=True)


async def run_labels_remove(args: argparse.Namespace) -> int:
    """``labels remove``: remove a label from tasks."""
    return await _label(args, add=False)
