"""The task commands: ``tasks``, ``frames``, ``restart``, ``stop``/``start``/``abort``/``delete``,
``priority``, ``outputs`` (its ``--download`` in :mod:`._download`) and ``log``.

Each prints a table for people, or JSON with ``--json``. A command that acts on
tasks first asks the service which of the ids it knows (one batched
``queryTaskInfo`` per 100): any unknown id refuses the whole command with exit
code 1, naming them, and nothing changes. ``stop``, ``abort`` and ``delete``
then ask before they act (see :mod:`._ids`).
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from .._client import AsyncRayvisionAPI
from ..errors import NoMoreRecordsError
from ..models import FrameInfo, FrameStatus, TaskInfo
from ._connect import connect
from ._exit import EXIT_API, EXIT_OK, EXIT_USAGE
from ._failure import CommandError
from ._ids import TaskIds, can_ask, confirm, task_ids
from ._output import print_json, print_table

__all__ = ["require_known", "task_row"]

#: The most ids one request of the service takes (the endpoint table's list bound).
_CHUNK = 1000


def task_row(task: TaskInfo) -> dict[str, Any]:
    """A task as ``tasks`` prints it."""
    status = task.task_status
    return {"id": task.id, "alias": task.task_alias, "status": status.name if status is not None else None,
            "status_code": status.value if status is not None else None,
            "done": task.done_frames, "failed": task.failed_frames, "total": task.total_frames,
            "cost": task.render_consume}


def _print_rows(args: argparse.Namespace, rows: list[dict[str, Any]], header: Sequence[str]) -> None:
    if args.json:
        print_json(rows)
    else:
        print_table(header, [list(row.values()) for row in rows])


async def run_tasks(args: argparse.Namespace) -> int:
    """``tasks``: list tasks (filtered by status or keyword), at most ``--limit``."""
    codes = None if args.status is None else sorted({code for group in args.status for code in group})
    rows: list[dict[str, Any]] = []
    async with connect(args) as api, api.query.iter_tasks(status_list=codes, search_keyword=args.search) as pager:
        async for task in pager:
            rows.append(task_row(task))
            if len(rows) >= args.limit:
                break
    _print_rows(args, rows, ("id", "alias", "status", "code", "done", "failed", "total", "cost"))
    return EXIT_OK


def _frame_row(frame: FrameInfo) -> dict[str, Any]:
    status, kind = frame.frame_status, frame.frame_type
    return {"id": frame.id, "index": frame.frame_index, "status": status.name if status is not None else None,
            "status_code": status.value if status is not None else None,
            "type": kind.name if kind is not None else None, "start": frame.start_time, "end": frame.end_time,
            "seconds": frame.frame_execute_time, "cost": frame.fee_amount}


async def run_frames(args: argparse.Namespace) -> int:
    """``frames``: a task's frames, all or those in the statuses asked (``--failed``: failed and timed out)."""
    wanted = {code for group in args.status or () for code in group}
    if args.failed:
        wanted |= {FrameStatus.FAILED.value, FrameStatus.TIMED_OUT.value}
    rows: list[dict[str, Any]] = []
    async with connect(args) as api, api.query.iter_frames(args.task_id) as pager:
        async for frame in pager:
            if wanted and (frame.frame_status is None or frame.frame_status.value not in wanted):
                continue
            rows.append(_frame_row(frame))
            if args.limit and len(rows) >= args.limit:
                break
    _print_rows(args, rows, ("id", "index", "status", "code", "type", "start", "end", "seconds", "cost"))
    return EXIT_OK


async def require_known(api: AsyncRayvisionAPI, command: str, ids: Sequence[int]) -> dict[int, TaskInfo]:
    """The tasks of ``ids``; exit code 1 naming the unknown ones (nothing changed) if the service lacks any."""
    found = await api.poll(ids)
    if found.missing:
        unknown = sorted(found.missing)
        raise CommandError(f"{command}: the service does not know task ids {unknown}; nothing changed", EXIT_API)
    return dict(found.tasks)


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[start:start + _CHUNK]) for start in range(0, len(ids), _CHUNK)]


def _done(args: argparse.Namespace, action: str, ids: Sequence[int], **extra: Any) -> int:
    if args.json:
        print_json({"action": action, "task_ids": list(ids), **extra}, indent=None)
    else:
        listed = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
        print(f"{action}: {len(ids)} task{'s' if len(ids) != 1 else ''} ({listed})", flush=True)
    return EXIT_OK


async def _act(args: argparse.Namespace, action: str, question: str | None,
               call: Callable[[AsyncRayvisionAPI], Callable[[list[int]], Awaitable[Any]]], uses: str) -> int:
    ids = task_ids(args)
    if question is not None:
        can_ask(args, ids)  # before connecting: refuse at once when there is no one to ask
    async with connect(args, uses=[uses]) as api:
        await require_known(api, args.command, ids)
        if question is not None:
            confirm(args, f"{question} {len(ids)} task{'s' if len(ids) != 1 else ''}", ids)
        endpoint = call(api)
        for chunk in _chunks(ids):
            await endpoint(chunk)
    return _done(args, action, ids)


async def run_stop(args: argparse.Namespace) -> int:
    """``stop``: stop tasks (asks first)."""
    return await _act(args, "stopped", "stop", lambda api: api.task.stop_task, "task.stop_task")


async def run_start(args: argparse.Namespace) -> int:
    """``start``: start (resume) stopped tasks."""
    return await _act(args, "started", None, lambda api: api.task.start_task, "task.start_task")


async def run_abort(args: argparse.Namespace) -> int:
    """``abort``: abandon tasks (asks first)."""
    return await _act(args, "abandoned", "abandon", lambda api: api.task.abort_task, "task.abort_task")


async def run_delete(args: argparse.Namespace) -> int:
    """``delete``: delete tasks (asks first)."""
    return await _act(args, "deleted", "delete", lambda api: api.task.delete_task, "task.delete_task")


def _one_task(args: argparse.Namespace, ids: TaskIds, how: str) -> int:
    if len(ids) != 1:
        raise CommandError(f"restart: {how} names frames of one task; give one task id, not {len(ids)}", EXIT_USAGE)
    return ids[0]


async def run_restart(args: argparse.Namespace) -> int:
    """``restart``: failed frames of tasks, or chosen frames (by index, by id, all) of one task."""
    ids = task_ids(args)
    if args.frames or args.frame_ids or args.all_frames:
        how = "--frames" if args.frames else "--frame-ids" if args.frame_ids else "--all-frames"
        task = _one_task(args, ids, how)
        async with connect(args) as api:
            await require_known(api, args.command, ids)
            if args.frames:
                await api.query.get_custom_frames(task, args.frames)
            elif args.frame_ids:
                await api.query.restart_frame(task, select_all=0, ids_list=args.frame_ids)
            else:
                await api.query.restart_frame(task, select_all=1)
        which = {"--frames": args.frames, "--frame-ids": args.frame_ids, "--all-frames": "all"}[how]
        return _done(args, "restarted frames", ids, frames=which)
    async with connect(args) as api:
        await require_known(api, args.command, ids)
        for chunk in _chunks(ids):
            await api.query.restart_failed_frames(chunk)
    return _done(args, "restarted failed frames", ids, frames="failed")


async def run_priority(args: argparse.Namespace) -> int:
    """``priority``: set the priority of tasks."""
    ids = task_ids(args)
    async with connect(args, uses=["task.update_priority"]) as api:
        await require_known(api, args.command, ids)
        for task in ids:
            await api.task.update_priority(task, args.level)
    return _done(args, f"priority {args.level}", ids, priority=args.level)


async def run_outputs(args: argparse.Namespace) -> int:
    """``outputs``: a task's output files, or (``--download DEST``) those files fetched into a folder."""
    if args.download is not None:
        from ._download import run_download

        return await run_download(args)
    if args.follow:
        raise CommandError("outputs: --follow needs --download DEST", EXIT_USAGE)
    async with connect(args, uses=["transmit.get_output_files"]) as api:
        files = await api.transmit.get_output_files(task_id=args.task_id)
    if args.json:
        print_json(files)
    else:
        print_table(("name", "size", "modified", "path"),
                    [(file.file_name, file.file_size, file.last_modify, file.file_path) for file in files])
    return EXIT_OK


async def _log_items(api: AsyncRayvisionAPI, frame_id: int, kind: str) -> Any:
    """Every item of the log's pages; the reply itself when it is not a page (the shape is undocumented)."""
    items: list[Any] = []
    number = 1
    while True:
        try:
            reply = await api.query.get_render_log(renderingType=kind, pageNum=number, pageSize=500,
                                                   frame_id=frame_id)
        except NoMoreRecordsError:
            return items
        if not isinstance(reply, dict) or not isinstance(reply.get("items"), list):
            return reply if number == 1 else items
        items += reply["items"]
        count = reply.get("pageCount")
        if not reply["items"] or not isinstance(count, int) or number >= count:
            return items
        number += 1


async def run_log(args: argparse.Namespace) -> int:
    """``log``: a frame's render log, line by line (JSON: the lines, or the reply as it came)."""
    async with connect(args, uses=["query.get_render_log"]) as api:
        log = await _log_items(api, args.frame_id, args.rendering_type)
    if args.json:
        print_json({"frame_id": args.frame_id, "log": log})
    elif isinstance(log, list):
        import json

        for line in log:
            print(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False))
    else:
        print_json(log)
    return EXIT_OK
