"""``submit``: from an analyzer's output (task.json, upload.json, asset.json, tips.json) to a submitted task.

With the checks (the default), ``AsyncRayvisionAPI.submit_analysis``: the
software, the hardware (``--ram``, ``--model``, ``--gpu-num``) and the tips are
checked before a task is created, then the ids are filled, the documents
uploaded and the task submitted. ``--no-checks`` uploads task.json as it is
(``submit_task_json``). A failure after the task was created names it: pass
``--task-id`` to resume with that task instead of creating another; or give
every run ``--render-key KEY``: the same key resumes the same task and never
submits twice, so running the same command again after a crash is safe.

**The scene's files go up by default** when there is an upload.json: the
documents to the task's ``cfg`` folder and every file upload.json lists to the
input storage, through the transfer engine, before the submit (``--no-upload``
skips it, for files already on the farm). A task whose files are missing
renders nothing useful (the simulated farm refuses its submit), and the
analyzer wrote upload.json precisely to say what must go up. Every listed file
and the engine are checked before the first request (a missing file: exit code
2; no engine: 3). With ``--no-checks`` the files go up before the task is
created, the documents through the API only. Transfer progress (files, bytes)
goes to stderr (see :mod:`._transfers`); stdout holds only the result.
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import Any

import attrs

from .._client import AsyncRayvisionAPI
from ..flows._analysis import read_document
from ..transfer import UploadPlan, plan_upload
from ._connect import connect
from ._exit import EXIT_OK, EXIT_USAGE
from ._failure import CommandError
from ._output import print_json
from ._transfers import TransferCount, transfer_display

__all__ = ["Scene", "scene_of", "submit_line", "submit_scene"]

_EXTRAS = ("upload", "asset", "tips")


@attrs.frozen
class Scene:
    """An analyzer's output as given: task.json, the other documents, and whether its files go up."""

    task: Path
    extras: dict[str, Path]
    #: Whether the documents and the files upload.json lists go through the transfer engine.
    upload: bool
    #: ``--no-checks`` with upload: upload.json checked here (with the checks, ``submit_analysis`` checks it).
    plan: UploadPlan | None = None


def _documents(args: argparse.Namespace) -> tuple[Path, dict[str, Path]]:
    """task.json and the other documents: the flags', else the folder's (when it holds them)."""
    source = Path(args.source)
    if source.is_dir():
        task, folder = source / "task.json", source
        if not task.is_file():
            raise CommandError(f"{args.command}: {source} holds no task.json", EXIT_USAGE)
    elif source.is_file():
        task, folder = source, None
    else:
        raise CommandError(f"{args.command}: no such file or folder: {source}", EXIT_USAGE)
    extras: dict[str, Path] = {}
    for name in _EXTRAS:
        given = getattr(args, f"{name}_json")
        if given is not None:
            extras[name] = Path(given)
        elif folder is not None and (folder / f"{name}.json").is_file():
            extras[name] = folder / f"{name}.json"
    return task, extras


def scene_of(args: argparse.Namespace) -> Scene:
    """What to submit, checked as far as it can be without a request (exit code 2 for a bad argument)."""
    task, extras = _documents(args)
    if not args.no_checks and not args.ram:
        raise CommandError(f"{args.command}: --ram is required for the hardware check (e.g. --ram 64GB), or pass "
                           "--no-checks", EXIT_USAGE)
    upload = "upload" in extras and not args.no_upload
    plan = plan_upload(extras["upload"]) if upload and args.no_checks else None
    return Scene(task=task, extras=extras, upload=upload, plan=plan)


def _task_document(task: Path, task_id: int | None) -> Path | dict[str, Any]:
    """task.json as a path, or read with ``task_id`` written into it (a resumed submit)."""
    if task_id is None:
        return task
    document = read_document(task, "task.json")
    info = document.get("task_info")
    if not isinstance(info, dict):
        raise CommandError(f"submit: {task} has no task_info object", EXIT_USAGE)
    return {**document, "task_info": {**info, "task_id": str(task_id)}}


async def _submit_checked(api: AsyncRayvisionAPI, args: argparse.Namespace, scene: Scene,
                          count: TransferCount) -> dict[str, Any]:
    hardware = {"model": args.model or "Default", "ram": args.ram, "gpuNum": args.gpu_num}
    extras = scene.extras
    done = await api.submit_analysis(_task_document(scene.task, args.task_id), extras.get("upload"),
                                     extras.get("asset"), extras.get("tips"), hardware=hardware,
                                     producer=args.producer, check_plugins=not args.no_plugin_check,
                                     upload=scene.upload, on_event=count if scene.upload else None,
                                     render_key=args.render_key)
    return {"task_id": done.task_id, "created": done.created, "hardware_config_ids": list(done.hardware_config_ids),
            "warnings": [entry.code for entry in done.warnings]}


async def _submit_unchecked(api: AsyncRayvisionAPI, args: argparse.Namespace, scene: Scene,
                            count: TransferCount) -> dict[str, Any]:
    files = {f"{name}.json": read_document(path, f"{name}.json") for name, path in scene.extras.items()}
    if scene.plan is not None:
        api.transfer.locate()  # no engine: exit code 3 before any request
        await api.transfer.upload_plan(scene.plan, on_event=count)
    task_id = await api.submit_task_json(scene.task, producer=args.producer, task_id=args.task_id,
                                         render_key=args.render_key, extra_files=files)
    return {"task_id": task_id, "created": args.task_id is None, "hardware_config_ids": [], "warnings": []}


async def submit_scene(api: AsyncRayvisionAPI, args: argparse.Namespace, scene: Scene,
                       count: TransferCount) -> dict[str, Any]:
    """Submit ``scene`` (its files up unless ``--no-upload``); the result ``submit --json`` prints."""
    submit = _submit_unchecked if args.no_checks else _submit_checked
    result = await submit(api, args, scene, count)
    return {**result, "render_key": args.render_key, "uploaded": count.totals() if scene.upload else None}


def submit_line(result: dict[str, Any]) -> str:
    """The result for people: ``submitted task 19102; hardware 1; uploaded 3 files (5.1 KiB)``."""
    from ._transfers import size

    uploaded = result["uploaded"]
    return (f"submitted task {result['task_id']}" + (" (resumed)" if not result["created"] else "")
            + (f"; hardware {', '.join(result['hardware_config_ids'])}" if result["hardware_config_ids"] else "")
            + (f"; warnings {', '.join(result['warnings'])}" if result["warnings"] else "")
            + (f"; uploaded {uploaded['files']} files ({size(uploaded['bytes'])})" if uploaded else ""))


async def run_submit(args: argparse.Namespace) -> int:
    """Submit the analyzer's documents (files up); print the task id (and the hardware chosen, the tips' warnings)."""
    scene = scene_of(args)
    async with connect(args, uses=["transmit.upload_json_content"]) as api:
        with contextlib.ExitStack() as stack:
            count = stack.enter_context(transfer_display(quiet=args.json)) if scene.upload else TransferCount()
            result = await submit_scene(api, args, scene, count)
    if args.json:
        print_json(result, indent=None)
    else:
        print(submit_line(result), flush=True)
    return EXIT_OK

