"""``render``: the whole job as one command — analyzer output → files up → submit → watch → frames down.

1. Everything that needs no request is checked first: the documents, ``--ram``, the files
   upload.json lists, the destination (created if missing, proven writable) and the engine
   (exit code 2, or 3 without an engine; nothing is created).
2. The submit is ``submit``'s (:mod:`._submit`): the files go up through the transfer engine before
   the task is submitted (unless ``--no-upload``); ``--render-key`` makes running the same command
   again after a crash resume the same task.
3. The task is watched until it ends, with ``watch``'s progress (a live table on a terminal,
   timestamped lines otherwise), then its frames are downloaded into ``--dest`` (files already
   complete there are skipped, so a second run fetches only what is missing).

Progress goes to stderr and stdout holds the result (``--json``: one object). Watching to the end
and then downloading keeps one display at a time; ``outputs TASK --download DEST --follow`` fetches
frames while a task still renders. The exit code is ``watch``'s: 0 finished, 5 some frames failed or
the task failed (what finished is downloaded), 6 stopped.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..flows._bulk import TaskEvent
from ..transfer._documents import writable_folder
from ._connect import connect
from ._download import download_result
from ._output import print_json
from ._progress import Lines, LiveView, Tracker
from ._submit import scene_of, submit_line, submit_scene
from ._transfers import size, transfer_display
from ._watch import outcome

__all__: list[str] = []


class _Quiet:
    """``--json`` without a terminal on stderr: the watch shows nothing (a script's stderr holds errors only)."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def event(self, event: TaskEvent) -> None:
        self.tracker.update(event)

    def finish(self) -> None:
        pass


def _watch_display(args: argparse.Namespace, tracker: Tracker) -> Lines | LiveView | _Quiet:
    """``watch``'s displays, on stderr: a live table on a terminal (with rich), else lines (none with ``--json``)."""
    if sys.stderr.isatty():
        try:
            from rich.console import Console
        except ImportError:
            pass
        else:
            return LiveView(tracker, Console(stderr=True, highlight=False), per_task=True, latest=0)
    return _Quiet(tracker) if args.json else Lines(tracker, stream=sys.stderr)


async def run_render(args: argparse.Namespace) -> int:
    """Submit with the files up, watch until the task ends, download its frames; ``watch``'s exit code."""
    scene = scene_of(args)
    dest = writable_folder(args.dest)
    async with connect(args, uses=["transmit.upload_json_content", "transmit.get_output_files"]) as api:
        api.transfer.locate()  # the download needs it even with --no-upload: exit code 3 before any request
        with transfer_display(quiet=args.json) as count:
            submitted = await submit_scene(api, args, scene, count)
        task_id = submitted["task_id"]
        if not args.json:
            print(submit_line(submitted), flush=True)
        tracker = Tracker()
        watcher = api.watch([task_id], interval=args.interval)
        with _watch_display(args, tracker) as display:
            async for event in watcher:
                display.event(event)
        display.finish()
        with transfer_display(quiet=args.json) as show:
            done = await api.download_outputs(task_id, dest, on_event=show)
    task = watcher.states.get(task_id)
    status = None if task is None or task.task_status is None else task.task_status.name
    result: dict[str, Any] = {**submitted, "status": status,
                              "frames_done": None if task is None else task.done_frames,
                              "frames_failed": None if task is None else task.failed_frames,
                              "frames_total": None if task is None else task.total_frames,
                              "download": download_result(done)}
    if args.json:
        print_json(result, indent=None)
    else:
        print(f"task {task_id} {status}: {result['frames_done']}/{result['frames_total']} frames done, "
              f"{result['frames_failed'] or 0} failed; downloaded {len(done.downloaded)} files ({size(done.bytes)}) "
              f"into {done.dest}, {len(done.skipped)} already complete", flush=True)
    return outcome(watcher.states, watcher.lost, "render")
