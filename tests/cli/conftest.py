"""Fixtures that run the real command line in subprocesses: ``cli`` and ``start_simulator``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from cli_harness import Cli, Server, free_port, printed_details, read_until


@pytest.fixture
def cli() -> Iterator[Cli]:
    runner = Cli()
    yield runner
    runner.stop_all()


@pytest.fixture
def start_simulator(cli: Cli) -> Callable[..., Server]:
    """``start_simulator("--speed", "0", ...)``: ``simulate --port <free port>`` running, details read."""

    def start(*args: str, as_json: bool = False) -> Server:
        port = free_port()
        process = cli.start("simulate", "--port", str(port), *args, *(["--json"] if as_json else []))
        # the details arrive while the server runs: they must be flushed, not left in a pipe buffer
        output = read_until(process, b"}\n" if as_json else b"Press Ctrl+C to stop.")
        details = printed_details(output, as_json)
        return Server(process=process, port=port, base_url=details["base_url"], access_id=details["access_id"],
                      access_key=details["access_key"], domain=details["domain"],
                      transmitter=details.get("transmitter"))

    return start
