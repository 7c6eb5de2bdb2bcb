"""``rayvision-async``: the command line.

Commands: ``demo`` (the main job, against the embedded simulator), ``tasks``,
``watch``, ``info`` and ``simulate``. Credentials come from
``RAYVISION_API_ACCESS_ID`` / ``RAYVISION_API_KEY`` or flags; ``--simulate``
runs a command against an embedded simulated farm instead of the service.

Exit codes: 0 success, 1 the service refused, 2 bad usage, 3 configuration
(credentials, domain…), 4 network or unreadable answers, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from .. import errors
from .._client import AsyncRayvisionAPI
from ..models import TaskInfo, TaskStatus
from ..simulator import Farm, Simulator, SimulatorTransport, run_server
from ._demo import DemoSettings, run_demo, summary_table

__all__ = ["main"]

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_CONFIG, EXIT_NETWORK, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rayvision-async", description="Rayvision render API from the shell.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def connected(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--simulate", action="store_true", help="use an embedded simulated farm")
        sub.add_argument("--access-id", help="default: $RAYVISION_API_ACCESS_ID")
        sub.add_argument("--access-key", help="default: $RAYVISION_API_KEY (prefer the variable)")
        sub.add_argument("--domain", default="task.renderbus.com", help="service domain (default: %(default)s)")
        sub.add_argument("--platform", default="4", help="platform number (default: %(default)s)")
        sub.add_argument("--json", action="store_true", help="print JSON instead of tables")
        return sub

    demo = commands.add_parser("demo", help="run the main job against the embedded simulator",
                               description="Create, submit and watch tasks on a simulated farm; "
                                           "restart failed frames; print a summary.")
    demo.add_argument("--tasks", type=int, default=6, help="tasks to submit (default: %(default)s)")
    demo.add_argument("--frames", default="1-24[1]", help="frames per task (default: %(default)s)")
    demo.add_argument("--failure-rate", type=float, default=0.06, help="frame failure rate (default: %(default)s)")
    demo.add_argument("--speed", type=float, default=400.0, help="simulated seconds per real second")
    demo.add_argument("--seed", type=int, default=7, help="random seed of the farm (default: %(default)s)")
    demo.add_argument("--in-process", action="store_true", help="no loopback HTTP: an in-process transport")
    demo.add_argument("--json", action="store_true", help="print the summary as JSON, without live progress")

    tasks = connected("tasks", "list tasks")
    tasks.add_argument("--status", type=int, action="append", help="filter by status code (repeatable)")
    tasks.add_argument("--search", help="filter by keyword")
    tasks.add_argument("--limit", type=int, default=50, help="at most this many tasks (default: %(default)s)")

    watch = connected("watch", "watch tasks until they finish")
    watch.add_argument("ids", nargs="*", type=int, help="task ids")
    watch.add_argument("--all", action="store_true", help="watch every unfinished task")
    watch.add_argument("--interval", type=float, default=5.0, help="seconds between polls (default: %(default)s)")

    connected("info", "show the account's profile and settings")

    simulate = commands.add_parser("simulate", help="serve a simulated farm on loopback HTTP",
                                   description="Serve a signature-checking simulated farm until Ctrl+C.")
    simulate.add_argument("--port", type=int, default=8765, help="port (default: %(default)s; 0: any free port)")
    simulate.add_argument("--host", default="127.0.0.1", help="address (default: %(default)s)")
    simulate.add_argument("--speed", type=float, default=10.0, help="simulated seconds per real second")
    return parser


@contextlib.asynccontextmanager
async def _connect(args: argparse.Namespace) -> AsyncIterator[AsyncRayvisionAPI]:
    if not args.simulate:
        async with AsyncRayvisionAPI(args.access_id, args.access_key, args.domain, args.platform) as api:
            yield api
        return
    sim = Simulator(farm=Farm(seed=1, speed=300, failure_rate=0.1))
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, sim.domain, transport=SimulatorTransport(sim)) as api:
        for index in range(5):  # a few tasks in various states
            await api.submit_task_json({"task_info": {"frames": f"1-{8 + 4 * index}[1]"}, "scene": f"s{index}.mb"})
            sim.farm.advance(150)
        yield api


def _task_row(task: TaskInfo) -> dict[str, Any]:
    return {"id": task.id, "alias": task.task_alias, "status": task.task_status.name if task.task_status else None,
            "done": task.done_frames, "failed": task.failed_frames, "total": task.total_frames,
            "cost": str(task.render_consume) if task.render_consume is not None else None}


def _print_tasks(console: Console, rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(rows))
        return
    table = Table("id", "alias", "status", "done", "failed", "total", "cost")
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row.values()))
    console.print(table)


async def _tasks(args: argparse.Namespace, console: Console) -> int:
    async with _connect(args) as api:
        rows: list[dict[str, Any]] = []
        async with api.query.iter_tasks(status_list=args.status, search_keyword=args.search) as pager:
            async for task in pager:
                rows.append(_task_row(task))
                if len(rows) >= args.limit:
                    break
    _print_tasks(console, rows, args.json)
    return EXIT_OK


async def _watch(args: argparse.Namespace, console: Console) -> int:
    if not args.ids and not args.all:
        console.print("watch: give task ids or --all", style="red")
        return EXIT_USAGE
    async with _connect(args) as api:
        ids = list(args.ids)
        if args.all:
            async with api.query.iter_tasks() as pager:
                ids += [task.id async for task in pager
                        if task.id is not None and task.task_status is not None and not task.task_status.is_terminal]
        if not ids:
            console.print("nothing to watch")
            return EXIT_OK
        watcher = api.watch(ids, interval=args.interval)
        async for event in watcher:
            row = _task_row(event.task)
            if args.json:
                print(json.dumps({**row, "changes": sorted(event.changes)}), flush=True)
            else:
                console.print(f"task {row['id']}: {row['status']}  {row['done']}/{row['total']} done, "
                              f"{row['failed'] or 0} failed")
        if watcher.lost:
            console.print(f"unknown task ids: {sorted(watcher.lost)}", style="red")
            return EXIT_API
    return EXIT_OK


async def _info(args: argparse.Namespace, console: Console) -> int:
    async with _connect(args) as api:
        profile, settings = await asyncio.gather(api.user.query_user_profile(), api.user.query_user_setting())
    rows = {"user id": profile.user_id, "user name": profile.user_name, "platform": profile.platform,
            "balance (RMB)": profile.rmbbalance, "balance (USD)": profile.usdbalance, "coupon": profile.coupon,
            "task timeout (s)": settings.task_over_time_sec}
    if args.json:
        console.print_json(json.dumps({key: None if value is None else str(value) for key, value in rows.items()}))
    else:
        table = Table("setting", "value")
        for key, value in rows.items():
            table.add_row(key, "" if value is None else str(value))
        console.print(table)
    return EXIT_OK


async def _demo(args: argparse.Namespace, console: Console) -> int:
    settings = DemoSettings(tasks=args.tasks, frames=args.frames, failure_rate=args.failure_rate,
                            speed=args.speed, seed=args.seed, in_process=args.in_process)
    summary = await run_demo(settings, None if args.json else console)
    if args.json:
        print(json.dumps(summary.as_dict()), flush=True)
    else:
        console.print(summary_table(summary))
    unfinished = {name for name in summary.statuses if not TaskStatus[name].is_terminal}
    return EXIT_API if unfinished else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    console = Console(stderr=False)
    if args.command == "demo" and not 1 <= args.tasks <= 500:
        console.print("demo: --tasks must be from 1 to 500", style="red")
        return EXIT_USAGE
    try:
        if args.command == "simulate":
            run_server(port=args.port, host=args.host, speed=args.speed)
            return EXIT_OK
        handler = {"demo": _demo, "tasks": _tasks, "watch": _watch, "info": _info}[args.command]
        return asyncio.run(handler(args, console))
    except KeyboardInterrupt:
        console.print("interrupted", style="yellow")
        return EXIT_INTERRUPTED
    except errors.ConfigurationError as exc:
        console.print(f"configuration error: {exc}", style="red")
        return EXIT_CONFIG
    except errors.InvalidInputError as exc:
        console.print(f"invalid input: {exc}", style="red")
        return EXIT_USAGE
    except errors.APIError as exc:
        console.print(f"the service refused: {exc}", style="red")
        return EXIT_API
    except errors.RayvisionError as exc:
        console.print(f"request failed: {exc}", style="red")
        return EXIT_NETWORK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
