"""``submit``: from an analyzer's output (task.json, upload.json, asset.json, tips.json) to a submitted task.

With the checks (the default), ``AsyncRayvisionAPI.submit_analysis``: the
software, the hardware (``--ram``, ``--model``, ``--gpu-num``) and the tips are
checked before a task is created, then the ids are filled, the documents
uploaded and the task submitted. ``--no-checks`` uploads task.json as it is
(``submit_task_json``). A failure after the task was created names it: pass
``--task-id`` to resume with that task instead of creating another.

Uploading the scene's files (``--upload``) comes with the transfer layer: it
goes between the checks and the submit, in :func:`_submit_checked`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .._client import AsyncRayvisionAPI
from ..flows._analysis import read_document
from ._connect import connect
from ._exit import EXIT_OK, EXIT_USAGE
from ._failure import CommandError
from ._output import print_json

__all__: list[str] = []

_EXTRAS = ("upload", "asset", "tips")


def _documents(args: argparse.Namespace) -> tuple[Path, dict[str, Path]]:
    """task.json and the other documents: the flags', else the folder's (when it holds them)."""
    source = Path(args.source)
    if source.is_dir():
        task, folder = source / "task.json", source
        if not task.is_file():
            raise CommandError(f"submit: {source} holds no task.json", EXIT_USAGE)
    elif source.is_file():
        task, folder = source, None
    else:
        raise CommandError(f"submit: no such file or folder: {source}", EXIT_USAGE)
    extras: dict[str, Path] = {}
    for name in _EXTRAS:
        given = getattr(args, f"{name}_json")
        if given is not None:
            extras[name] = Path(given)
        elif folder is not None and (folder / f"{name}.json").is_file():
            extras[name] = folder / f"{name}.json"
    return task, extras


def _task_document(task: Path, task_id: int | None) -> Path | dict[str, Any]:
    """task.json as a path, or read with ``task_id`` written into it (a resumed submit)."""
    if task_id is None:
        return task
    document = read_document(task, "task.json")
    info = document.get("task_info")
    if not isinstance(info, dict):
        raise CommandError(f"submit: {task} has no task_info object", EXIT_USAGE)
    return {**document, "task_info": {**info, "task_id": str(task_id)}}


async def _submit_checked(api: AsyncRayvisionAPI, args: argparse.Namespace, task: Path,
                          extras: dict[str, Path]) -> dict[str, Any]:
    if not args.ram:
        raise CommandError("submit: --ram is required for the hardware check (e.g. --ram 64GB), or pass --no-checks",
                           EXIT_USAGE)
    hardware = {"model": args.model or "Default", "ram": args.ram, "gpuNum": args.gpu_num}
    done = await api.submit_analysis(_task_document(task, args.task_id), extras.get("upload"), extras.get("asset"),
                                     extras.get("tips"), hardware=hardware, producer=args.producer,
                                     check_plugins=not args.no_plugin_check)
    return {"task_id": done.task_id, "created": done.created, "hardware_config_ids": list(done.hardware_config_ids),
            "warnings": [entry.code for entry in done.warnings]}


async def _submit_unchecked(api: AsyncRayvisionAPI, args: argparse.Namespace, task: Path,
                            extras: dict[str, Path]) -> dict[str, Any]:
    files = {f"{name}.json": read_document(path, f"{name}.json") for name, path in extras.items()}
    task_id = await api.submit_task_json(task, producer=args.producer, task_id=args.task_id, extra_files=files)
    return {"task_id": task_id, "created": args.task_id is None, "hardware_config_ids": [], "warnings": []}


async def run_submit(args: argparse.Namespace) -> int:
    """Submit the analyzer's documents; print the task id (and the hardware chosen, the tips' warnings)."""
    task, extras = _documents(args)
    async with connect(args, uses=["transmit.upload_json_content"]) as api:
        submit = _submit_unchecked if args.no_checks else _submit_checked
        result = await submit(api, args, task, extras)
    if args.json:
        print_json(result, indent=None)
    else:
        print(f"submitted task {result['task_id']}" + (" (resumed)" if not result["created"] else "")
              + (f"; hardware {', '.join(result['hardware_config_ids'])}" if result["hardware_config_ids"] else "")
              + (f"; warnings {', '.join(result['warnings'])}" if result["warnings"] else ""), flush=True)
    return EXIT_OK
