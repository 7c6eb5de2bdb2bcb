"""``demo``: the main job on the embedded simulator (live progress on a terminal, or a JSON summary)."""

from __future__ import annotations

import argparse

from ..models import TaskStatus
from ._demo import DemoSettings, run_demo, summary_table
from ._exit import EXIT_API, EXIT_OK
from ._output import console, print_json

__all__: list[str] = []


async def run_demo_command(args: argparse.Namespace) -> int:
    """Run the demo; exit code 1 if a task is still unfinished at its end."""
    settings = DemoSettings(tasks=args.tasks, frames=args.frames, failure_rate=args.failure_rate,
                            speed=args.speed, seed=args.seed, in_process=args.in_process)
    out = None if args.json else console()
    summary = await run_demo(settings, out)
    if out is None:
        print_json(summary.as_dict(), indent=None)
    else:
        out.print(summary_table(summary))
    unfinished = {name for name in summary.statuses if not TaskStatus[name].is_terminal}
    return EXIT_API if unfinished else EXIT_OK
