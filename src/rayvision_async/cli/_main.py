"""``rayvision-async``: the command line.

Commands: ``demo`` (the main job, against the embedded simulator), ``tasks``,
``watch``, ``info`` and ``simulate``. Credentials come from
``RAYVISION_API_ACCESS_ID`` / ``RAYVISION_API_KEY`` or flags; ``--simulate``
runs a command against an embedded simulated farm instead of the service, and
``--base-url`` sends its requests to another server (such as one that
``rayvision-async simulate`` runs).

Results go to stdout; errors go to stderr as one unwrapped line. Exit codes
are in :mod:`._exit`: 0 success, 1 the service refused, 2 bad usage, 3
configuration, 4 network, 5/6 ``watch`` saw a task fail / stop, 130
interrupted, 141 stdout closed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from .. import errors
from .._client import AsyncRayvisionAPI
from ..models import TaskInfo, TaskStatus
from ..simulator import Farm, Simulator, SimulatorTransport
from ._demo import DemoSettings, run_demo, summary_table
from ._exit import (
    EXIT_API,
    EXIT_CONFIG,
    EXIT_INTERRUPTED,
    EXIT_NETWORK,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_TASK_FAILED,
    EXIT_TASK_STOPPED,
    EXIT_USAGE,
    complain,
)
from ._options import build_parser
from ._serve import seed_tasks, simulate

__all__ = ["main"]

#: Watched tasks ending in one of these make ``watch`` exit with EXIT_TASK_FAILED.
FAILED_ENDS = frozenset({TaskStatus.FAILED, TaskStatus.FINISHED_HAS_FAILED, TaskStatus.ABANDON})


@contextlib.asynccontextmanager
async def _connect(args: argparse.Namespace) -> AsyncIterator[AsyncRayvisionAPI]:
    if not args.simulate:
        for what, flag, value, env in (("access id", "--access-id", args.access_id, "RAYVISION_API_ACCESS_ID"),
                                       ("access key", "--access-key", args.access_key, "RAYVISION_API_KEY")):
            if value is None and env not in os.environ:
                raise errors.ConfigurationError(f"no {what}: pass {flag} or set {env}")
        async with AsyncRayvisionAPI(args.access_id, args.access_key, args.domain, args.platform,
                                     protocol=args.protocol, base_url=args.base_url) as api:
            yield api
        return
    sim = Simulator(farm=Farm(seed=1, speed=300, failure_rate=0.1))
    await seed_tasks(sim, 5, advance=150)  # a few tasks in various states
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, sim.domain, protocol=args.protocol,
                                 transport=SimulatorTransport(sim)) as api:
        yield api


def _decimal_as_number(value: object) -> float:
    if isinstance(value, Decimal):
        return float(value)  # JSON numbers; the service's amounts have a few decimal places
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _print_json(value: Any, *, indent: int | None = 2) -> None:
    sys.stdout.write(json.dumps(value, indent=indent, default=_decimal_as_number) + "\n")
    sys.stdout.flush()


def _task_row(task: TaskInfo) -> dict[str, Any]:
    status = task.task_status
    return {"id": task.id, "alias": task.task_alias, "status": status.name if status is not None else None,
            "status_code": status.value if status is not None else None,
            "done": task.done_frames, "failed": task.failed_frames, "total": task.total_frames,
            "cost": task.render_consume}


def _print_rows(console: Console, header: Sequence[str], rows: list[dict[str, Any]]) -> None:
    table = Table(*header)
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row.values()))
    console.print(table)


async def _tasks(args: argparse.Namespace, console: Console) -> int:
    codes = None if args.status is None else sorted({code for group in args.status for code in group})
    async with _connect(args) as api:
        rows: list[dict[str, Any]] = []
        async with api.query.iter_tasks(status_list=codes, search_keyword=args.search) as pager:
            async for task in pager:
                rows.append(_task_row(task))
                if len(rows) >= args.limit:
                    break
    if args.json:
        _print_json(rows)
    else:
        _print_rows(console, ("id", "alias", "status", "code", "done", "failed", "total", "cost"), rows)
    return EXIT_OK


def _watch_outcome(final: dict[int, TaskInfo], lost: set[int]) -> int:
    """The exit code of ``watch``: unknown ids, then failed or abandoned tasks, then stopped ones."""
    ends = {task_id: task.task_status for task_id, task in sorted(final.items()) if task.task_status is not None}
    failed = [f"{task_id} {status.name}" for task_id, status in ends.items() if status in FAILED_ENDS]
    stopped = [f"{task_id} {status.name}" for task_id, status in ends.items() if status.is_stopped]
    codes: list[int] = []
    if lost:
        complain(f"watch: the service does not know task ids {sorted(lost)}")
        codes.append(EXIT_API)
    if failed:
        complain(f"watch: tasks ended failed or abandoned: {', '.join(failed)}")
        codes.append(EXIT_TASK_FAILED)
    if stopped:
        complain(f"watch: tasks ended stopped: {', '.join(stopped)}")
        codes.append(EXIT_TASK_STOPPED)
    return codes[0] if codes else EXIT_OK


async def _watch(args: argparse.Namespace, console: Console) -> int:
    if not args.ids and not args.all:
        complain("watch: give task ids or --all")
        return EXIT_USAGE
    async with _connect(args) as api:
        ids = list(args.ids)
        if args.all:
            async with api.query.iter_tasks() as pager:
                ids += [task.id async for task in pager
                        if task.id is not None and task.task_status is not None and not task.task_status.is_terminal]
        if not ids:
            complain("watch: nothing to watch")
            return EXIT_OK
        watcher = api.watch(ids, interval=args.interval)
        async for event in watcher:
            row = _task_row(event.task)
            if args.json:
                _print_json({**row, "changes": sorted(event.changes)}, indent=None)
            else:
                console.print(f"task {row['id']}: {row['status']}  {row['done']}/{row['total']} done, "
                              f"{row['failed'] or 0} failed")
        return _watch_outcome(watcher.states, watcher.lost)


#: ``info``'s values: JSON key → table label.
_INFO_LABELS = {"user_id": "user id", "user_name": "user name", "platform": "platform",
                "rmb_balance": "balance (RMB)", "usd_balance": "balance (USD)", "credit": "credit",
                "coupon": "coupon", "cpu_price": "CPU price", "gpu_price": "GPU price",
                "task_over_time_sec": "task timeout (s)"}


async def _info(args: argparse.Namespace, console: Console) -> int:
    async with _connect(args) as api:
        profile, settings = await asyncio.gather(api.user.query_user_profile(), api.user.query_user_setting())
    values = {"user_id": profile.user_id, "user_name": profile.user_name, "platform": profile.platform,
              "rmb_balance": profile.rmbbalance, "usd_balance": profile.usdbalance, "credit": profile.credit,
              "coupon": profile.coupon, "cpu_price": profile.cpu_price, "gpu_price": profile.gpu_price,
              "task_over_time_sec": settings.task_over_time_sec}
    if args.json:
        _print_json(values)
    else:
        _print_rows(console, ("setting", "value"),
                    [{"setting": _INFO_LABELS[key], "value": value} for key, value in values.items()])
    return EXIT_OK


async def _demo(args: argparse.Namespace, console: Console) -> int:
    settings = DemoSettings(tasks=args.tasks, frames=args.frames, failure_rate=args.failure_rate,
                            speed=args.speed, seed=args.seed, in_process=args.in_process)
    summary = await run_demo(settings, None if args.json else console)
    if args.json:
        _print_json(summary.as_dict(), indent=None)
    else:
        console.print(summary_table(summary))
    unfinished = {name for name in summary.statuses if not TaskStatus[name].is_terminal}
    return EXIT_API if unfinished else EXIT_OK


def _run(args: argparse.Namespace) -> int:
    console = Console(soft_wrap=True, highlight=False)
    try:
        if args.command == "simulate":
            return simulate(args)
        handler = {"demo": _demo, "tasks": _tasks, "watch": _watch, "info": _info}[args.command]
        return asyncio.run(handler(args, console))
    except KeyboardInterrupt:
        complain("interrupted")
        return EXIT_INTERRUPTED
    except errors.ConfigurationError as exc:
        complain(f"configuration error: {exc}")
        return EXIT_CONFIG
    except errors.InvalidInputError as exc:
        complain(f"invalid input: {exc}")
        return EXIT_USAGE
    except errors.APIError as exc:
        complain(f"the service refused: {exc}")
        return EXIT_API
    except errors.RayvisionError as exc:
        complain(f"request failed: {exc}")
        return EXIT_NETWORK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:  # Ctrl+C outside the event loop's own handling (its start or its teardown)
        complain("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away: point stdout at /dev/null so the interpreter's final flush cannot fail too
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
