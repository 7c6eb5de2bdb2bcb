"""``outputs TASK_ID --download DEST``: a task's output files into a folder, with progress on stderr.

Files already complete in ``DEST`` (the size the service lists) are skipped, so running it again
after an interruption fetches only what is missing; ``--follow`` fetches frames as they finish
until the task ends (what the desktop client calls auto-download). The destination, the task id
and the engine are checked before any engine starts (an unwritable folder: exit code 2; no engine:
3; a task the service does not know: 1). ``--json`` prints the result: every file complete in
``DEST`` (``files``), those fetched now (``downloaded``, ``bytes``) and those already there
(``skipped``).
"""

from __future__ import annotations

import argparse
from typing import Any

from ..transfer import DownloadResult
from ._connect import connect
from ._exit import EXIT_OK
from ._output import print_json
from ._transfers import size, transfer_display

__all__ = ["download_line", "download_result", "run_download"]


def download_result(done: DownloadResult) -> dict[str, Any]:
    """What ``outputs --download --json`` prints."""
    return {"task_id": done.task_id, "dest": str(done.dest), "files": [str(path) for path in done.files],
            "downloaded": [str(path) for path in done.downloaded], "skipped": [str(path) for path in done.skipped],
            "bytes": done.bytes, "runs": done.runs, "rounds": done.rounds}


def download_line(done: DownloadResult) -> str:
    """The result for people."""
    return (f"downloaded {len(done.downloaded)} files ({size(done.bytes)}) of task {done.task_id} into {done.dest}"
            f"; {len(done.skipped)} already complete")


async def run_download(args: argparse.Namespace) -> int:
    """Download the task's outputs into ``--download``; print what was fetched and skipped."""
    async with connect(args, uses=["transmit.get_output_files"]) as api:
        with transfer_display(quiet=args.json) as show:
            done = await api.download_outputs(args.task_id, args.download, follow=args.follow,
                                              interval=args.interval, timeout=args.timeout, on_event=show)
    if args.json:
        print_json(download_result(done), indent=None)
    else:
        print(download_line(done), flush=True)
    return EXIT_OK
