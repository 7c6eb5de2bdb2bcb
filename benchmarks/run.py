"""Run the SDK's benchmarks and print a table of ratios (see benchmarks/README.md).

    python benchmarks/run.py [--quick] [--only P1,P2,...] [--json out.json]
    python benchmarks/run.py --profile P1

The bench server (``server.py``) runs in a separate process, pinned to its own CPU when two are
available, so the client process measures only client cost. Every figure is a ratio against a
baseline measured in the same run. Results are also written to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import platform
import selectors
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import httpx

import clients
import official_sdk

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
BENCHES = ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8")
LEVELS = (1, 10, 50)
#: Requests per timed P1 run, by requests in flight (default and --quick).
P1_REQUESTS = {False: {1: 600, 10: 1500, 50: 2000}, True: {1: 200, 10: 400, 50: 600}}
P2_TASKS = 10_000
P2_SAMPLE = 500
#: Calls timed of the official SDK's per-task loop (default and --quick); the table extrapolates to 10,000.
P2_OFFICIAL_SAMPLE = {False: 1000, True: 200}
P4_TASKS = 10_000
#: Poll sizes of P5 (``--quick``: the first two).
P5_SIZES = (1_000, 10_000, 100_000)
#: Poll sizes of P7 (``--quick``: the first).
P7_SIZES = (10_000, 100_000)
#: P8: the round trips of its two servers (seconds), the poll beside the single calls and their interval.
P8_RTT, P8_FAR_RTT, P8_TASKS, P8_EVERY = 0.05, 0.15, 20_000, 0.02

Row = dict[str, Any]


def log(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------- the server process


def _read_port(process: subprocess.Popen[str], timeout: float) -> int:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"bench server exited with code {process.returncode}")
            if selector.select(timeout=0.2):
                line = process.stdout.readline()
                if line.startswith("PORT "):
                    return int(line.split()[1])
    raise TimeoutError("bench server did not report its port")


def _stop(process: subprocess.Popen[str]) -> None:
    for stream in (process.stdin, process.stdout):
        with contextlib.suppress(OSError):
            if stream is not None:
                stream.close()
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


class Server:
    """The running bench server: its URL and a probe of its CPU time."""

    def __init__(self, base_url: str, pid: int) -> None:
        self.base_url = base_url
        self.pid = pid

    def cpu_seconds(self) -> float:
        """User + system CPU seconds of the server process so far (0 where /proc is missing)."""
        try:
            with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def bench_server(cpu: int | None, verify_every: int, delay: float = 0.0) -> Iterator[Server]:
    """Start ``server.py`` in its own process (holding each reply ``delay`` s); always stop it (also on Ctrl-C)."""
    command = [sys.executable, str(HERE / "server.py"), "--port", "0", "--watch-stdin", "--delay", str(delay),
               "--access-key", clients.ACCESS_KEY, "--domain", clients.DOMAIN, "--verify-every", str(verify_every)]
    if cpu is not None:
        command += ["--cpu", str(cpu)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        yield Server(f"http://127.0.0.1:{_read_port(process, timeout=30)}", process.pid)
    finally:
        _stop(process)


def server_call(base_url: str, path: str) -> Any:
    """POST a signed empty body to one of the server's /bench/ paths; return ``data``."""
    content = b"{}"
    reply = httpx.post(base_url + path, content=content, headers=clients.signed_headers(path, content), timeout=30)
    reply.raise_for_status()
    return reply.json()["data"]


# --------------------------------------------------------------------------- the benchmarks


def _row(bench: str, measure: str, value: float | None, text: str, target: str, ok: bool | None) -> Row:
    return {"bench": bench, "measure": measure, "value": value, "text": text, "target": target,
            "status": "info" if ok is None else ("ok" if ok else "MISS")}


def bench_p1(server: Server, args: argparse.Namespace) -> tuple[dict[str, Any], list[Row]]:
    requests = {level: args.p1_requests or P1_REQUESTS[args.quick][level] for level in LEVELS}
    repeats = args.repeats or (2 if args.quick else 3)
    names = tuple(args.p1_clients.split(","))
    rows = []
    if "httpx-aiohttp" in names and not clients.httpx_aiohttp_available():
        names = tuple(name for name in names if name != "httpx-aiohttp")
        log("P1: the httpx-aiohttp package is not installed (pip install -e '.[bench]'): its baseline is left out")
        rows.append(_row("P1", "SDK / httpx-aiohttp package, 50 in flight", None, "not measured: not installed",
                         "—", None))
    log(f"P1: {', '.join(names)}; {repeats} alternating runs per level; requests per run {requests}")
    data = asyncio.run(clients.run_p1(server.base_url, levels=LEVELS, requests=requests, repeats=repeats,
                                      warmup=100 if args.quick else 300, names=names, log=log,
                                      server_cpu=server.cpu_seconds))
    rates = data["rates"]
    best = {level: {name: max(values) for name, values in by_name.items()} for level, by_name in rates.items()}
    data.update(best=best, requests=requests, repeats=repeats)
    log("")
    log(f"P1 req/s, best of {repeats} (median)   " + "".join(f"{f'{level} in flight':>22}" for level in LEVELS))
    for name in names:
        cells = "".join(f"{f'{best[str(lv)][name]:,.0f} ({statistics.median(rates[str(lv)][name]):,.0f})':>22}"
                        for lv in LEVELS)
        log(f"  {data['labels'][name]:<38}{cells}")
    busiest = max((max(values), f"{name} at {level} in flight") for level, by_name in data["server_busy"].items()
                  for name, values in by_name.items() if values)
    log(f"  server CPU busy at most {busiest[0]:.0%} of a core (during {busiest[1]}): it is not the bottleneck"
        if busiest[0] < 0.8 else f"  WARNING: server CPU {busiest[0]:.0%} busy during {busiest[1]}: it may limit")
    top = best[str(LEVELS[-1])]
    if "sdk" in top and "httpx+aiohttp" in top:
        ratio = top["sdk"] / top["httpx+aiohttp"]
        rows.append(_row("P1", "SDK / raw httpx on the SDK's AiohttpTransport, 50 in flight", ratio,
                         f"{ratio:.2f}×", "≥ 0.9×", ratio >= 0.9))
    if "sdk" in top and "httpx-aiohttp" in top:
        ratio = top["sdk"] / top["httpx-aiohttp"]
        rows.append(_row("P1", "SDK / httpx-aiohttp package, 50 in flight", ratio, f"{ratio:.2f}×", "—", None))
    if "sdk" in top and "aiohttp" in top:
        ratio = top["sdk"] / top["aiohttp"]
        rows.append(_row("P1", "SDK / raw aiohttp, 50 in flight", ratio, f"{ratio:.2f}×", "≥ 0.6×", ratio >= 0.6))
    cpu_top = {name: max(values) for name, values in data["cpu_rates"][str(LEVELS[-1])].items()}
    data["cpu_best"] = cpu_top
    for other, label in (("aiohttp", "raw aiohttp"), ("httpx-aiohttp", "httpx-aiohttp package")):
        if "sdk" in cpu_top and other in cpu_top:
            ratio = cpu_top["sdk"] / cpu_top[other]
            rows.append(_row("P1", f"SDK / {label}, requests per client CPU second, 50 in flight", ratio,
                             f"{ratio:.2f}×", "—", None))
    if "sdk" in top and "httpx" in top:
        ratio = top["sdk"] / top["httpx"]
        rows.append(_row("P1", "SDK / raw httpx (own transport), 50 in flight", ratio, f"{ratio:.2f}×", "—", None))
    if "sdk-noenv" in top and "aiohttp" in top:
        ratio = top["sdk-noenv"] / top["aiohttp"]
        rows.append(_row("P1", "SDK(use_env_proxies=False) / raw aiohttp, 50 in flight", ratio, f"{ratio:.2f}×",
                         "≥ 0.6×", ratio >= 0.6))
    return data, rows


def bench_p2(base_url: str, args: argparse.Namespace,
             plain_server: Callable[[], contextlib.AbstractContextManager[Server]]) -> tuple[dict[str, Any], list[Row]]:
    repeats = args.repeats or (2 if args.quick else 3)
    log(f"P2: api.poll of {P2_TASKS:,} ids, best of {repeats} ...")
    poll_cpu: list[float] = []
    raw_cpu: list[float] = []
    poll: list[float] = []
    raw: list[float] = []
    log("  (alternating with raw aiohttp, the same batched requests (100 ids, 32 in flight), json.loads only)")
    for _ in range(repeats):  # alternate, so a change of machine load falls on both
        poll += asyncio.run(clients.run_poll(base_url, P2_TASKS, 1, cpu=poll_cpu))
        raw += asyncio.run(clients.run_raw_poll(base_url, P2_TASKS, 1, cpu=raw_cpu))
    sample = P2_SAMPLE if args.quick else P2_TASKS
    log(f"P2: sequential baseline, one signed blocking request per id, {sample:,} ids ...")
    sent, seconds = clients.run_sequential(base_url, range(1, sample + 1))
    sequential = seconds * P2_TASKS / sent
    note = f"extrapolated from {sent:,} ids" if sent < P2_TASKS else f"measured over {sent:,} ids"
    ratio = sequential / min(poll)
    floor = min(poll) / min(raw)
    log(f"P2: poll {min(poll):.3f} s (runs {', '.join(f'{t:.3f}' for t in poll)}); raw aiohttp {min(raw):.3f} s "
        f"(runs {', '.join(f'{t:.3f}' for t in raw)}); sequential {sequential:.2f} s ({note}, "
        f"{sent / seconds:,.0f} req/s)")
    cpu_ratio = min(poll_cpu) / min(raw_cpu)
    log(f"P2: client CPU per poll: SDK {min(poll_cpu):.3f} s, raw aiohttp {min(raw_cpu):.3f} s")
    data = {"poll_seconds": poll, "raw_aiohttp_seconds": raw, "poll_cpu_seconds": poll_cpu,
            "raw_aiohttp_cpu_seconds": raw_cpu, "vs_raw_cpu": cpu_ratio, "sequential_seconds": sequential,
            "sequential_sample": sent, "sequential_note": note, "speedup": ratio, "vs_raw": floor,
            "tasks_per_second_poll": P2_TASKS / min(poll)}
    text = f"{ratio:.1f}× faster" + (" (baseline extrapolated)" if sent < P2_TASKS else "")
    rows = [_row("P2", "poll 10,000 tasks: SDK time / raw aiohttp, same batches", floor, f"{floor:.2f}×", "≤ 1.25×",
                 floor <= 1.25),
            _row("P2", "poll 10,000 tasks: SDK / raw aiohttp, client CPU seconds", cpu_ratio, f"{cpu_ratio:.2f}×", "—",
                 None),
            _row("P2", "poll 10,000 tasks vs sequential httpx.Client loop", ratio, text, "—", None)]
    # The official SDK signs with the host:port it is given as its domain, so it gets a server of its own
    # that checks no signatures (the shared one checks against the bench domain).
    with plain_server() as server:
        official = official_sdk.run(server.base_url, sample=P2_OFFICIAL_SAMPLE[args.quick], log=log)
    data["official_sdk"] = official
    if official.get("seconds"):
        per_task = official["seconds"] / official["sent"]
        speedup = per_task * P2_TASKS / min(poll)
        data["official_speedup"] = speedup
        rows.append(_row("P2", "poll 10,000 tasks vs the official SDK's per-task task_info loop", speedup,
                         f"{speedup:.0f}× faster (extrapolated from {official['sent']:,} calls)", "≥ 50×",
                         speedup >= 50))
    else:
        rows.append(_row("P2", "poll 10,000 tasks vs the official SDK's per-task task_info loop", None,
                         f"not measured: {official.get('reason', 'unknown')}", "≥ 50×", None))
    return data, rows


def bench_p3(args: argparse.Namespace) -> tuple[dict[str, Any], list[Row]]:
    import p3_structuring

    log("P3: decode + structure one getTaskList page ...")
    data = p3_structuring.run_p3(quick=args.quick)
    log("")
    log(f"P3 µs per page (best)          {'100 tasks':>12} {'100 + 200 children':>20}")
    labels = {"sdk_total": "SDK decode + structure", "sdk_decode": "  decode_envelope (orjson)",
              "sdk_structure": "  structure(Page[TaskInfo])", "json_loads_plain": "  (plain json.loads, reference)",
              "msgspec_total": "msgspec typed decode", "msgspec_untyped": "  (msgspec untyped decode, ref.)"}
    for key, label in labels.items():
        log(f"  {label:<32}{data['flat'][key]:>10,.0f} {data['children'][key]:>20,.0f}")
    log(f"  {'bytes per page':<32}{data['flat']['bytes']:>10,.0f} {data['children']['bytes']:>20,.0f}")
    flat, nested = data["flat"]["ratio"], data["children"]["ratio"]
    return data, [
        _row("P3", "SDK / msgspec, decode + structure a 100-task page", flat, f"{flat:.1f}×", "≤ 4.5×", flat <= 4.5),
        _row("P3", "SDK / msgspec, same with 2 children per task", nested, f"{nested:.1f}×", "—", None),
    ]


def bench_p4(base_url: str, args: argparse.Namespace) -> tuple[dict[str, Any], list[Row]]:
    server_call(base_url, "/bench/reset")
    log(f"P4: watch {P4_TASKS:,} tasks (interval 0.05 s) in a fresh process ...")
    command = [sys.executable, str(HERE / "p4_memory.py"), "--base-url", base_url, "--tasks", str(P4_TASKS)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        out, _ = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
    if process.returncode != 0:
        raise RuntimeError(f"p4_memory.py exited with code {process.returncode}")
    data = json.loads(out.strip().splitlines()[-1])
    peak_mb = (data["peak_kib"] - data["baseline_kib"]) / 1024
    held_mb = (data["held_kib"] - data["baseline_kib"]) / 1024
    per_k = peak_mb / (data["tasks"] / 1000)
    data.update(peak_mb=peak_mb, held_mb=held_mb, peak_mb_per_1000=per_k)
    log(f"P4: baseline {data['baseline_kib'] / 1024:.1f} MB after imports and a client opened; peak "
        f"+{peak_mb:.1f} MB, held +{held_mb:.1f} MB; {data['events']:,} events in {data['rounds']} rounds, "
        f"{data['seconds']:.1f} s")
    return data, [
        _row("P4", f"peak RSS over baseline, watching {data['tasks']:,} tasks", peak_mb,
             f"{peak_mb:.1f} MB = {per_k:.2f} MB per 1,000 tasks", "report", None),
        # the whole process too: what the SDK loads lazily moves between the baseline and the watch
        _row("P4", "peak RSS of the whole process", data["peak_kib"] / 1024,
             f"{data['peak_kib'] / 1024:.1f} MB", "—", None),
    ]


def bench_p5(base_url: str, args: argparse.Namespace, cpu: int | None) -> tuple[dict[str, Any], list[Row]]:
    sizes = P5_SIZES[:2] if args.quick else P5_SIZES
    repeats = 2 if args.quick else 3
    data: dict[str, Any] = {"sizes": {}}
    for tasks in sizes:
        server_call(base_url, "/bench/reset")
        log(f"P5: poll {tasks:,} ids in a fresh process, {repeats} runs ...")
        command = [sys.executable, str(HERE / "p5_scale.py"), "--base-url", base_url, "--tasks", str(tasks),
                   "--repeats", str(repeats)] + (["--cpu", str(cpu)] if cpu is not None else [])
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"p5_scale.py exited with code {done.returncode}: {done.stderr[-500:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        best = min(result["runs"], key=lambda run: run["wall"])
        result.update(best_wall=best["wall"], us_per_task=best["wall"] / tasks * 1e6,
                      cpu_us_per_task=min(run["cpu"] for run in result["runs"]) / tasks * 1e6,
                      gc_share=statistics.median(run["gc"] / run["cpu"] for run in result["runs"]))
        data["sizes"][str(tasks)] = result
        log(f"P5: {tasks:>7,} ids: {result['us_per_task']:.1f} µs per task (best of {repeats}; "
            f"{result['cpu_us_per_task']:.1f} µs of CPU), GC "
            f"{result['gc_share']:.0%} of CPU, peak +{result['peak_per_task_kib']:.2f} KiB per task "
            f"(held +{result['held_per_task_kib']:.2f} KiB)")
    first, last = data["sizes"][str(sizes[0])], data["sizes"][str(sizes[-1])]
    growth = last["us_per_task"] / first["us_per_task"]
    cpu_growth = last["cpu_us_per_task"] / first["cpu_us_per_task"]
    rows = [_row("P5", f"poll time per task, {sizes[-1]:,} vs {sizes[0]:,} ids", growth, f"{growth:.2f}×",
                 "≈ 1× (linear)", None),
            _row("P5", f"poll CPU per task, {sizes[-1]:,} vs {sizes[0]:,} ids", cpu_growth, f"{cpu_growth:.2f}×",
                 "≈ 1× (linear)", None),
            _row("P5", f"GC share of CPU, {sizes[0]:,} → {sizes[-1]:,} ids", last["gc_share"],
                 f"{first['gc_share']:.0%} → {last['gc_share']:.0%}", "report", None)]
    peak = last["peak_per_task_kib"]
    target = sizes[-1] == 100_000
    rows.append(_row("P5", f"peak RSS per task held by a {sizes[-1]:,}-id poll", peak, f"{peak:.2f} KiB",
                     "≤ 1.5 KiB" if target else "report", peak <= 1.5 if target else None))
    return data, rows


def bench_p6(args: argparse.Namespace) -> tuple[dict[str, Any], list[Row]]:
    """The simulator at a studio's scale (``simulator_scale.py``, its own processes)."""
    size = ["--tasks", "20000", "--rendering", "2000", "--rounds", "2"] if args.quick else []
    log("P6: the simulator: seeding, then watch rounds over every task (simulator_scale.py) ...")
    done = subprocess.run([sys.executable, str(HERE / "simulator_scale.py"), "--json", *size], capture_output=True,
                          text=True, timeout=1800, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"simulator_scale.py exited with code {done.returncode}: {done.stderr[-500:]}")
    data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    first, *later = data["rounds"]
    steady = min(later or [first], key=lambda round_: round_["simulator_cpu"])
    log(f"P6: seeded {data['tasks']:,} tasks in {data['seed_seconds']:.2f} s ({data['seed_cpu_seconds']:.2f} s CPU); "
        f"watch round: simulator {first['simulator_cpu']:.2f} s CPU first, {steady['simulator_cpu']:.2f} s after")
    label = f"{data['tasks']:,} tasks ({data['rendering']:,} rendering)"
    return data, [
        _row("P6", f"seeding {label}, CPU (wall)", data["seed_cpu_seconds"],
             f"{data['seed_cpu_seconds']:.2f} s ({data['seed_seconds']:.2f} s)", "< 5 s",
             data["seed_cpu_seconds"] < 5.0),
        _row("P6", "simulator CPU per watch round, first (records made as tasks settled)", first["simulator_cpu"],
             f"{first['simulator_cpu']:.2f} s", "< 1 s", first["simulator_cpu"] < 1.0),
        _row("P6", "simulator CPU per watch round, steady", steady["simulator_cpu"],
             f"{steady['simulator_cpu']:.2f} s = {steady['simulator_cpu'] / steady['client_cpu']:.2f}× the SDK's",
             "< 1 s", steady["simulator_cpu"] < 1.0),
    ]


def _fairness(*arguments: str, cpu: int | None) -> dict[str, Any]:
    """One ``fairness.py`` measure in a fresh process (pinned like the client); its JSON."""
    command = [sys.executable, str(HERE / "fairness.py"), *arguments] + (["--cpu", str(cpu)] if cpu is not None else [])
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"fairness.py {arguments[0]} exited with code {done.returncode}: {done.stderr[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _spread(values: list[float], unit: str = " ms", digits: int = 1) -> str:
    """The median and the range of ``values``: ``"3.1 ms (2.9–3.4)"``."""
    return f"{statistics.median(values):.{digits}f}{unit} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def bench_p7(base_url: str, args: argparse.Namespace, cpu: int | None) -> tuple[dict[str, Any], list[Row]]:
    """Event-loop lag beside a poll: the SDK and raw aiohttp, each size in fresh processes, alternating."""
    sizes = P7_SIZES[:1] if args.quick else P7_SIZES
    repeats = 2 if args.quick else 3
    data: dict[str, Any] = {"sizes": {}}
    rows = []
    for tasks in sizes:
        runs: dict[str, list[dict[str, Any]]] = {"sdk": [], "raw": []}
        log(f"P7: a 1 ms ticker beside a poll of {tasks:,} ids: SDK and raw aiohttp, {repeats} processes each ...")
        for repeat in range(repeats):
            for client in ("sdk", "raw") if repeat % 2 == 0 else ("raw", "sdk"):
                server_call(base_url, "/bench/reset")
                result = _fairness("lag", "--base-url", base_url, "--tasks", str(tasks), "--client", client,
                                   "--repeats", "1", cpu=cpu)
                runs[client] += result["runs"]
        data["sizes"][str(tasks)] = runs
        for client, label in (("sdk", "SDK"), ("raw", "raw aiohttp")):
            measured = runs[client]
            log(f"P7: {tasks:>7,} ids, {label:<11}: lag p99 {_spread([run['p99_ms'] for run in measured])}, "
                f"max {_spread([run['max_ms'] for run in measured])}, longest GC pause "
                f"{_spread([run['gc_longest_ms'] for run in measured])}, p50 "
                f"{_spread([run['p50_ms'] for run in measured])}; own work (thread CPU while the ticker slept) p99 "
                f"{_spread([run['cpu_p99_ms'] for run in measured])}; poll "
                f"{_spread([run['wall'] for run in measured], ' s', 2)}")
        sdk, raw = runs["sdk"], runs["raw"]
        p99 = statistics.median(run["p99_ms"] for run in sdk)
        raw_p99 = statistics.median(run["p99_ms"] for run in raw)
        worst = statistics.median(run["max_ms"] for run in sdk)
        raw_worst = statistics.median(run["max_ms"] for run in raw)
        own = statistics.median(run["cpu_p99_ms"] for run in sdk)
        raw_own = statistics.median(run["cpu_p99_ms"] for run in raw)
        wall = statistics.median(run["wall"] for run in sdk) / statistics.median(run["wall"] for run in raw)
        target = tasks == 100_000
        rows += [
            _row("P7", f"loop lag p99 beside a poll of {tasks:,} ids (raw aiohttp)", p99,
                 f"{p99:.1f} ms ({raw_p99:.1f} ms)", "≤ 10 ms" if target else "report", p99 <= 10 if target else None),
            _row("P7", "  the same p99, own work only: thread CPU while the ticker slept (raw aiohttp)", own,
                 f"{own:.1f} ms ({raw_own:.1f} ms)", "report", None),
            _row("P7", f"loop lag max beside a poll of {tasks:,} ids (raw aiohttp)", worst,
                 f"{worst:.0f} ms ({raw_worst:.0f} ms)", "≤ 25 ms or ≤ raw" if target else "report",
                 (worst <= 25 or worst <= raw_worst) if target else None),
            _row("P7", f"poll of {tasks:,} ids beside the ticker: SDK time / raw aiohttp", wall, f"{wall:.2f}×",
                 "report", None),
        ]
    return data, rows


def bench_p8(args: argparse.Namespace, cpu: tuple[int | None, int | None]) -> tuple[dict[str, Any], list[Row]]:
    """Single calls during polls, and the default poll, against servers a round trip away."""
    data: dict[str, Any] = {}
    rows = []
    with bench_server(cpu[1], 0, delay=P8_RTT) as server:
        for polls in (1, 2):
            log(f"P8: a task_info call every {P8_EVERY * 1000:.0f} ms during {polls} poll(s) of {P8_TASKS:,} ids in "
                f"all, {P8_RTT * 1000:.0f} ms round trip ...")
            result = _fairness("singles", "--base-url", server.base_url, "--tasks", str(P8_TASKS), "--every",
                               str(P8_EVERY), "--polls", str(polls), cpu=cpu[0])
            data[f"singles_{polls}"] = result
            log(f"P8: {result['calls']} calls: median {result['median'] * 1000:.0f} ms = {result['median_rtts']:.2f} "
                f"round trips (alone {result['rtt'] * 1000:.0f} ms), p90 {result['p90'] * 1000:.0f} ms, max "
                f"{result['max'] * 1000:.0f} ms; the poll(s) took {result['poll_wall']:.2f} s")
            ratio = result["median_rtts"]
            rows.append(_row("P8", f"single call during {'a poll' if polls == 1 else 'two polls'} of {P8_TASKS:,} "
                                   f"ids, median, in round trips of {P8_RTT * 1000:.0f} ms", ratio,
                             f"{ratio:.2f} ({result['median'] * 1000:.0f} ms)", "≤ 1.5", ratio <= 1.5))
    with bench_server(cpu[1], 0, delay=P8_FAR_RTT) as server:
        log(f"P8: the default poll of {P2_TASKS:,} ids, {P8_FAR_RTT * 1000:.0f} ms round trip ...")
        result = _fairness("rtt", "--base-url", server.base_url, "--tasks", str(P2_TASKS), "--repeats", "3",
                           cpu=cpu[0])
        data["far_poll"] = result
        best = min(result["seconds"])
        ideal = math.ceil(P2_TASKS / 100 / 32) * P8_FAR_RTT  # rounds of 32 batches of 100 in flight
        log(f"P8: {', '.join(f'{seconds:.2f}' for seconds in result['seconds'])} s; the ideal at 32 in flight "
            f"{ideal:.2f} s")
        rows.append(_row("P8", f"default poll of {P2_TASKS:,} ids, {P8_FAR_RTT * 1000:.0f} ms round trip (ideal at 32 "
                               "in flight)", best, f"{best:.2f} s ({ideal:.2f} s)", "report", None))
    return data, rows


# --------------------------------------------------------------------------- output


def print_summary(rows: list[Row]) -> None:
    wide = max([len("measure"), *(len(row["measure"]) for row in rows)]) + 2
    result = max([len("result"), *(len(row["text"]) for row in rows)]) + 2
    target = max([len("target"), *(len(row["target"]) for row in rows)]) + 2
    log("")
    log(f"{'':<5}{'measure':<{wide}}{'result':<{result}}{'target':<{target}}status")
    for row in rows:
        log(f"{row['bench']:<5}{row['measure']:<{wide}}{row['text']:<{result}}{row['target']:<{target}}"
            f"{row['status']}")


def metadata(args: argparse.Namespace, cpus: tuple[int | None, int | None]) -> dict[str, Any]:
    packages = {}
    for name in ("rayvision-async", "httpx", "aiohttp", "attrs", "cattrs", "orjson", "msgspec", "httpx-aiohttp"):
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = "not installed"
    return {"started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "python": platform.python_version(),
            "machine": platform.machine(), "cpus": os.cpu_count(), "client_cpu": cpus[0], "server_cpu": cpus[1],
            "quick": args.quick, "packages": packages}


def write_json(document: dict[str, Any], extra: str | None) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"bench-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    text = json.dumps(document, indent=2, default=str)
    path.write_text(text, encoding="utf-8")
    if extra:
        Path(extra).write_text(text, encoding="utf-8")
    return path


def pick_cpus(pin: bool) -> tuple[int | None, int | None]:
    """(client CPU, server CPU): two distinct CPUs when available, else no pinning."""
    if not pin or not hasattr(os, "sched_getaffinity"):
        return None, None
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return None, None
    os.sched_setaffinity(0, {available[0]})
    return available[0], available[1]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmarks of rayvision_async (see benchmarks/README.md).")
    parser.add_argument("--quick", action="store_true", help="smaller runs (about a quarter of the time)")
    parser.add_argument("--only", default=",".join(BENCHES), help=f"comma-separated subset of {','.join(BENCHES)}")
    parser.add_argument("--json", metavar="PATH", help="also write the JSON results here")
    parser.add_argument("--profile", choices=("P1", "P2"), help="profile the SDK hot path of P1 or P2 instead")
    parser.add_argument("--profiler", choices=("cprofile", "pyinstrument"), default="cprofile")
    parser.add_argument("--p1-requests", type=int, help="requests per timed P1 run (all levels)")
    parser.add_argument("--p1-clients", default=",".join(clients.P1_CLIENTS),
                        help=f"P1 clients, of {', '.join(clients.P1_CLIENTS + clients.EXTRA_CLIENTS)}")
    parser.add_argument("--repeats", type=int, help="timed runs per P1 level / P2 poll (default 3, --quick 2)")
    parser.add_argument("--verify-every", type=int, default=50, help="server checks 1 signature in N (0: none)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin client and server to separate CPUs")
    args = parser.parse_args(argv)
    args.only = [name.strip().upper() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(BENCHES)
    known_clients = set(clients.P1_CLIENTS + clients.EXTRA_CLIENTS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    if not set(args.p1_clients.split(",")) <= known_clients:
        parser.error(f"--p1-clients takes names from {', '.join(sorted(known_clients))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cpus = pick_cpus(not args.no_pin)
    started = time.perf_counter()
    document: dict[str, Any] = {"meta": metadata(args, cpus), "results": {}, "summary": []}
    rows: list[Row] = []
    with bench_server(cpus[1], args.verify_every) as server:
        base_url = server.base_url
        log(f"bench server at {base_url} (server CPU {cpus[1]}, client CPU {cpus[0]})")
        if args.profile:
            import profiling

            requests = args.p1_requests or (1000 if args.quick else 3000)
            trust_env = args.p1_clients.split(",")[0] != "sdk-noenv"
            save_to = RESULTS / f"profile-{args.profile}{'' if trust_env else '-noenv'}.pstats"
            log(asyncio.run(profiling.profile_sdk(args.profile, base_url, requests=requests, profiler=args.profiler,
                                                  save_to=save_to, trust_env=trust_env)))
            return 0
        for bench in args.only:
            bench_started = time.perf_counter()
            if bench == "P1":
                data, new = bench_p1(server, args)
            elif bench == "P2":
                data, new = bench_p2(base_url, args, lambda: bench_server(cpus[1], 0))
            elif bench == "P3":
                data, new = bench_p3(args)
            elif bench == "P4":
                data, new = bench_p4(base_url, args)
            elif bench == "P6":
                data, new = bench_p6(args)
            elif bench == "P7":
                data, new = bench_p7(base_url, args, cpus[0])
            elif bench == "P8":
                data, new = bench_p8(args, cpus)
            else:
                data, new = bench_p5(base_url, args, cpus[0])
            data["seconds"] = time.perf_counter() - bench_started
            document["results"][bench] = data
            rows += new
            log(f"({bench} took {data['seconds']:.0f} s)\n")
        if args.verify_every:
            stats = server_call(base_url, "/bench/stats")
            document["results"]["signatures"] = stats
            log(f"server signature check (1 in {args.verify_every}): {stats['verified']:,} good, "
                f"{stats['badSignatures']:,} bad, of {stats['requests']:,} requests")
            if stats["badSignatures"]:
                rows.append(_row("--", "requests with a bad signature (a client under test mis-signs)",
                                 stats["badSignatures"], str(stats["badSignatures"]), "0", False))
    document["summary"] = rows
    document["meta"]["seconds"] = time.perf_counter() - started
    print_summary(rows)
    path = write_json(document, args.json)
    log(f"\n{time.perf_counter() - started:.0f} s; results in {path}" + (f" and {args.json}" if args.json else ""))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; the bench server was stopped", file=sys.stderr)
        sys.exit(130)
