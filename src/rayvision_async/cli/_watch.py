"""``watch``: follow tasks until they end, with progress; the exit code says how they ended.

The ids come from the arguments, standard input, or ``--all`` (every unfinished
task). Which display (:mod:`._progress`): JSON lines with ``--json``; a live table
when stdout is a terminal and rich is installed; timestamped lines otherwise.
The live table has a row per task while they fit the screen (``--view auto``),
else totals per status with the latest changes.

Exit code: 1 when the service does not know an id, else 5 when a task ended
failed, with failed frames or abandoned, else 6 when one ended stopped, else 0;
each reason is one line on stderr.
"""

from __future__ import annotations

import argparse
import sys

from ..models import TaskInfo, TaskStatus
from ._connect import connect
from ._exit import EXIT_API, EXIT_OK, EXIT_TASK_FAILED, EXIT_TASK_STOPPED, EXIT_USAGE, complain
from ._failure import CommandError
from ._ids import task_ids
from ._progress import JsonLines, Lines, LiveView, Tracker

__all__ = ["FAILED_ENDS", "outcome"]

#: Watched tasks ending in one of these make ``watch`` exit with EXIT_TASK_FAILED.
FAILED_ENDS = frozenset({TaskStatus.FAILED, TaskStatus.FINISHED_HAS_FAILED, TaskStatus.ABANDON})


def outcome(final: dict[int, TaskInfo], lost: set[int], command: str = "watch") -> int:
    """The exit code of ``watch`` (and ``render``): unknown ids, then failed or abandoned tasks, then stopped ones."""
    ends = {task_id: task.task_status for task_id, task in sorted(final.items()) if task.task_status is not None}
    failed = [f"{task_id} {status.name}" for task_id, status in ends.items() if status in FAILED_ENDS]
    stopped = [f"{task_id} {status.name}" for task_id, status in ends.items() if status.is_stopped]
    codes: list[int] = []
    if lost:
        complain(f"{command}: the service does not know task ids {sorted(lost)}")
        codes.append(EXIT_API)
    if failed:
        complain(f"{command}: tasks ended failed or abandoned: {', '.join(failed)}")
        codes.append(EXIT_TASK_FAILED)
    if stopped:
        complain(f"{command}: tasks ended stopped: {', '.join(stopped)}")
        codes.append(EXIT_TASK_STOPPED)
    return codes[0] if codes else EXIT_OK


def _display(args: argparse.Namespace, tracker: Tracker, count: int) -> JsonLines | Lines | LiveView:
    if args.json:
        return JsonLines(tracker)
    if not sys.stdout.isatty():
        return Lines(tracker)
    try:
        from rich.console import Console
    except ImportError:
        return Lines(tracker)
    out = Console(highlight=False)
    fits = count <= out.size.height - 8  # the table's title, header and frame, and a line to spare
    per_task = args.view == "tasks" or (args.view == "auto" and fits)
    return LiveView(tracker, out, per_task=per_task, latest=args.latest)


async def run_watch(args: argparse.Namespace) -> int:
    """Watch the tasks until each ends; print progress; the exit code says how they ended."""
    ids = list(task_ids(args, required=False))
    if not ids and not args.all:
        raise CommandError("watch: give task ids or --all (or pipe the ids in)", EXIT_USAGE)
    async with connect(args) as api:
        if args.all:
            async with api.query.iter_tasks() as pager:
                ids += [task.id async for task in pager
                        if task.id is not None and task.task_status is not None and not task.task_status.is_terminal]
        if not ids:
            complain("watch: nothing to watch")
            return EXIT_OK
        tracker = Tracker()
        display = _display(args, tracker, len(set(ids)))
        watcher = api.watch(ids, interval=args.interval)
        with display:
            async for event in watcher:
                display.event(event)
        display.finish()
        return outcome(watcher.states, watcher.lost)
