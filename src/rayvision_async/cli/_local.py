"""``demo``: the whole render job on the embedded simulator (live progress on a terminal, or a JSON summary)."""

from __future__ import annotations

import argparse

from ..models import TaskStatus
from ..transfer._documents import writable_folder
from ._demo import DemoSettings, run_demo, summary_table
from ._exit import EXIT_API, EXIT_OK, complain
from ._output import console, print_json

__all__: list[str] = []


def _settings(args: argparse.Namespace) -> DemoSettings:
    """The demo's settings; a folder that cannot be written is exit code 2 before the farm starts."""
    dest, storage = (None if folder is None else str(writable_folder(folder)) for folder in (args.dest,
                                                                                               args.farm_storage))
    return DemoSettings(tasks=args.tasks, frames=args.frames, failure_rate=args.failure_rate, speed=args.speed,
                        seed=args.seed, in_process=args.in_process, dest=dest, farm_storage=storage)


async def run_demo_command(args: argparse.Namespace) -> int:
    """Run the demo; exit code 1 if a task is still unfinished at its end, or the frames differ from the farm's."""
    settings = _settings(args)
    out = None if args.json else console()
    summary = await run_demo(settings, out)
    if out is None:
        print_json(summary.as_dict(), indent=None)
    else:
        out.print(summary_table(summary))
    unfinished = {name for name in summary.statuses if not TaskStatus[name].is_terminal}
    if unfinished:
        complain(f"demo: tasks still unfinished: {', '.join(sorted(unfinished))}")
    if not summary.outputs_match:
        complain("demo: the downloaded frames differ from those the simulated farm rendered")
    return EXIT_API if unfinished or not summary.outputs_match else EXIT_OK
