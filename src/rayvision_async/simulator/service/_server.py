"""A loopback HTTP server (aiohttp) in front of a :class:`~._simulator.Simulator`.

``async with serve(simulator) as base_url:`` runs it inside the current event
loop (the ``simulate`` CLI command uses it); :func:`run_server` runs it until
interrupted. A simulated reset really resets the TCP connection (RST), and a
slow answer really sleeps.
"""

from __future__ import annotations

import asyncio
import re
import socket
import struct
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from ..._arguments import checked_binding
from ...errors import ConfigurationError, InvalidInputError
from .. import _arguments as check
from ..farm._farm import Farm
from ._simulator import Simulator

__all__ = ["build_app", "run_server", "serve"]


def _reset(request: web.Request) -> None:
    """Drop the connection with a TCP RST (SO_LINGER 0), so the client sees a reset, not a close."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def build_app(simulator: Simulator) -> web.Application:
    """An aiohttp application answering every method and path from ``simulator``."""

    async def handler(request: web.Request) -> web.StreamResponse:
        content = await request.read()
        reply = await simulator.handle(request.method, request.path, dict(request.headers), content)
        if reply.delay > 0:
            await asyncio.sleep(reply.delay)
        if reply.reset:
            _reset(request)
            return web.Response(status=500)  # never written: the transport is gone
        if reply.trickle > 0:
            response = web.StreamResponse(status=reply.status, headers=CIMultiDict(reply.headers))
            response.content_length = len(reply.body)
            await response.prepare(request)
            with suppress(ConnectionResetError):  # the client gave up waiting
                for index in range(len(reply.body)):
                    await response.write(reply.body[index:index + 1])
                    await asyncio.sleep(reply.trickle)
                await response.write_eof()
            return response
        return web.Response(status=reply.status, body=reply.body, headers=CIMultiDict(reply.headers))

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


@checked_binding(ConfigurationError)
def serve(
    simulator: Simulator, host: str = "127.0.0.1", port: int = 0, *, keepalive_timeout: float = 75.0,
) -> AbstractAsyncContextManager[str]:
    """Serve ``simulator`` on ``host:port`` (0: a free port): ``async with serve(sim) as base_url:``.

    ``base_url`` is ``"http://host:port"``. The server closes a connection idle for
    ``keepalive_timeout`` seconds (as a real one does). Bad arguments are refused here, before
    anything listens.
    """
    with check.configuration():
        check.instance(simulator, "simulator", Simulator)
        _check_address(host, port)
        check.seconds(keepalive_timeout, "keepalive_timeout", low=0.001, high=86400.0)
    return _serve(simulator, host, port, keepalive_timeout)


def _check_address(host: Any, port: Any) -> None:
    """A host name or address in ASCII (a bad one that still fits is the OS's OSError when binding)."""
    if not isinstance(host, str) or not _HOST.fullmatch(host):
        raise InvalidInputError(f"host must be a host name or an IP address in ASCII, got {check.shown(host)}")
    check.count(port, "port", 0, 65535)


_HOST = re.compile(r"[A-Za-z0-9._:%\[\]-]{1,255}")


@asynccontextmanager
async def _serve(simulator: Simulator, host: str, port: int, keepalive_timeout: float) -> AsyncIterator[str]:
    runner = web.AppRunner(build_app(simulator), access_log=None, handle_signals=False, shutdown_timeout=0.5,
                           keepalive_timeout=keepalive_timeout)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        yield f"http://{shown}:{bound_port}"
    finally:
        await runner.cleanup()


def describe(simulator: Simulator, base_url: str) -> str:
    """How to point a client at a running simulator (printed by :func:`run_server`)."""
    host_port = base_url.split("://", 1)[1]
    return "\n".join(
        [
            f"Rayvision simulator listening on {base_url}",
            f"  access_id:  {simulator.access_id}",
            f"  access_key: {simulator.access_key}",
            f"  sign for domain {simulator.domain!r} and send to base_url={base_url!r},",
            f"  or use domain={host_port!r} with protocol http (the Host header is accepted too).",
            "Press Ctrl+C to stop.",
        ]
    )


def _print_flushed(text: str) -> None:
    print(text, flush=True)  # a parent process reading the pipe sees it at once


@checked_binding(ConfigurationError)
def run_server(
    simulator: Simulator | None = None,
    port: int = 8765,
    host: str = "127.0.0.1",
    *,
    speed: float = 10.0,
    stop: threading.Event | None = None,
    out: Callable[[str], object] = _print_flushed,
) -> None:
    """Serve a simulator until Ctrl+C (or until ``stop`` is set); prints the URL and credentials.

    Without a ``simulator``, a fresh one is made whose farm runs ``speed``
    times faster than real time.
    """
    with check.configuration():
        if simulator is not None:
            check.instance(simulator, "simulator", Simulator)
        _check_address(host, port)
        check.seconds(speed, "speed", high=1e6)
        if stop is not None:
            check.instance(stop, "stop", threading.Event)
        check.function(out, "out")
    sim = simulator if simulator is not None else Simulator(farm=Farm(speed=speed))

    async def main() -> None:
        async with serve(sim, host, port) as base_url:
            out(describe(sim, base_url))
            if stop is None:
                await asyncio.Event().wait()  # until Ctrl+C
            else:
                while not await asyncio.to_thread(stop.wait, 0.1):
                    pass

    with suppress(KeyboardInterrupt):
        asyncio.run(main())
