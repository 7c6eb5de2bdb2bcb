"""Running the real command line in subprocesses: ``Cli``, a ``Server`` started by ``simulate``, pipe reading,
a pseudo-terminal (:func:`on_a_terminal`)."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

CLI = [sys.executable, "-m", "rayvision_async.cli"]
#: The environment without any RAYVISION_ variable of the machine running the tests, and with a config folder
#: of its own (no profile of the machine's user is read).
BASE_ENV = {key: value for key, value in os.environ.items() if not key.startswith("RAYVISION_")}
BASE_ENV["XDG_CONFIG_HOME"] = os.path.join(tempfile.gettempdir(), f"rayvision-cli-tests-{os.getpid()}-none")


def read_until(process: subprocess.Popen[bytes], marker: bytes, timeout: float = 30) -> bytes:
    """Read the process's stdout as it arrives until ``marker`` appears; fail after ``timeout`` s."""
    assert process.stdout is not None
    output = b""
    deadline = time.monotonic() + timeout
    while marker not in output:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(f"no {marker!r} within {timeout} s; got {output!r}")
        ready, _, _ = select.select([process.stdout], [], [], min(remaining, 0.5))
        if ready:
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                pytest.fail(f"stdout closed before {marker!r}; got {output!r} (exit {process.wait()})")
            output += chunk
    return output


@dataclass
class TerminalRun:
    """What a program run on a pseudo-terminal did: its exit code, what the terminal showed, its piped stdout."""

    code: int
    text: str
    stdout: bytes = b""


def on_a_terminal(args: Sequence[str], env: Mapping[str, str], *, reply: Callable[[bytes], bytes | None] | None = None,
                  pipe_stdout: bool = False, timeout: float = 60) -> TerminalRun:
    """Run ``args`` with a pseudo-terminal as stdin, stdout and stderr, reading it until the program exits.

    ``reply(shown)`` sees everything shown so far after each read; bytes it returns are typed in.
    ``pipe_stdout``: stdout is a pipe instead (stdin empty), as for ``--json`` with a person watching.
    """
    leader, follower = pty.openpty()
    process = subprocess.Popen(list(args), stdin=subprocess.DEVNULL if pipe_stdout else follower,
                               stdout=subprocess.PIPE if pipe_stdout else follower, stderr=follower, env=dict(env),
                               close_fds=True)
    os.close(follower)
    shown = stdout = b""
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the terminal closed: the program exited
                    break
                if not chunk:
                    break
                shown += chunk
                typed = reply(shown) if reply is not None else None
                if typed is not None:
                    os.write(leader, typed)
            elif process.poll() is not None:
                break
        if pipe_stdout:
            stdout, _ = process.communicate(timeout=20)
        code = process.wait(timeout=20)
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()
            process.wait()
    return TerminalRun(code, shown.decode("utf-8", "replace"), stdout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Cli:
    """Runs ``python -m rayvision_async.cli``; remembers the processes it started, to stop them."""

    env: dict[str, str] = field(default_factory=lambda: dict(BASE_ENV))
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def run(self, *args: str, env: Mapping[str, str] | None = None, timeout: float = 60,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run the command line; standard input is ``input``, else empty (never the test runner's)."""
        return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout,
                              env={**self.env, **(env or {})}, check=False, input=input,
                              stdin=subprocess.DEVNULL if input is None else None)

    def json(self, *args: str, env: Mapping[str, str] | None = None, input: str | None = None) -> Any:
        """Run with ``--json``; assert exit code 0 and an empty stderr; the parsed stdout."""
        done = self.run(*args, "--json", env=env, input=input)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        return json.loads(done.stdout)

    def start(self, *args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
        process = subprocess.Popen([*CLI, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE,
                                   env={**self.env, **(env or {})})
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


@dataclass
class Server:
    """A ``rayvision-async simulate`` subprocess and the connection details it printed."""

    process: subprocess.Popen[bytes]
    port: int
    base_url: str
    access_id: str
    access_key: str
    domain: str
    #: The stand-in transfer engine for the server's farm storage (what ``simulate`` prints).
    transmitter: str | None = None

    @property
    def env(self) -> dict[str, str]:
        """Environment variables a client needs for this server's credentials (and its transfer engine)."""
        env = {"RAYVISION_API_ACCESS_ID": self.access_id, "RAYVISION_API_KEY": self.access_key}
        if self.transmitter:
            env["RAYVISION_TRANSMITTER"] = self.transmitter
        return env


def printed_details(output: bytes, as_json: bool) -> dict[str, str]:
    text = output.decode()
    if as_json:
        details: dict[str, str] = json.loads(text.splitlines()[0])
        return details
    fields = dict(line.strip().split(":", 1) for line in text.splitlines() if line.startswith("  "))
    return {key: value.strip() for key, value in fields.items()}


def simulate_server(tasks: int) -> Iterator[Server]:
    """``rayvision-async simulate`` on a free port with ``tasks`` tasks, for a fixture: ``yield from`` it."""
    runner = Cli()
    process = runner.start("simulate", "--port", str(free_port()), "--speed", "0", "--tasks", str(tasks), "--json")
    try:
        details = printed_details(read_until(process, b"}\n"), as_json=True)
        yield Server(process=process, port=0, base_url=details["base_url"], access_id=details["access_id"],
                     access_key=details["access_key"], domain=details["domain"])
    finally:
        runner.stop_all()
