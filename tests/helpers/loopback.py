"""Loopback HTTP servers for the hostile-network tests: a scripted server and a proxy, recording what they get.

Only 127.0.0.1; each server is started inside the test's event loop and stopped by the context manager.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import attrs
from aiohttp import web

__all__ = ["CREATED", "TASK_INFO", "Proxy", "Received", "Server", "proxy", "serve"]

TASK_INFO = {"code": 200, "message": "success", "requestId": "rid-loop",
             "data": {"items": [{"id": 7, "taskStatus": 10}], "pageCount": 1}}
CREATED = {"code": 200, "message": "success", "data": {"taskIdList": [42]}}


@attrs.frozen
class Received:
    """One request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@attrs.define
class Server:
    """A running server: its port and everything it received."""

    port: int
    received: list[Received] = attrs.field(factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def authority(self) -> str:
        return f"127.0.0.1:{self.port}"


def envelope_for(path: str) -> dict[str, Any]:
    """A success envelope fitting the endpoint at ``path`` (createTask or queryTaskInfo)."""
    return CREATED if path.endswith("createTask") else TASK_INFO


@asynccontextmanager
async def serve(
    answer: Callable[[web.Request, Server], Awaitable[web.StreamResponse]] | None = None, *,
    ssl_context: ssl.SSLContext | None = None,
) -> AsyncIterator[Server]:
    """Serve on 127.0.0.1: every request is recorded, then ``answer`` replies (default: a success envelope)."""
    server = Server(port=0)

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        server.received.append(Received(request.method, request.path, dict(request.headers), body))
        if answer is not None:
            return await answer(request, server)
        return web.json_response(envelope_for(request.path))

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, shutdown_timeout=1, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    server.port = runner.addresses[0][1]
    try:
        yield server
    finally:
        await runner.cleanup()


@attrs.define
class Proxy:
    """A loopback proxy answering everything itself: ``status`` (and ``headers``) to each request line it records."""

    status: int
    headers: dict[str, str] = attrs.field(factory=dict)
    lines: list[str] = attrs.field(factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            self.lines.append(head[0])
            length = next((int(line.split(":", 1)[1]) for line in head if line.lower().startswith("content-length:")),
                          0)
            await reader.readexactly(length)
            body = b'{"code": 200, "data": {"taskIdList": [42]}}' if self.status == 200 else b"<html>proxy</html>"
            extra = "".join(f"{name}: {value}\r\n" for name, value in self.headers.items())
            writer.write(f"HTTP/1.1 {self.status} Proxy Says\r\n{extra}Content-Length: {len(body)}\r\n"
                         f"Connection: close\r\n\r\n".encode("latin-1") + body)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def running(proxy: Proxy) -> AsyncIterator[Proxy]:
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    proxy.port = server.sockets[0].getsockname()[1]
    async with server:
        yield proxy


@asynccontextmanager
async def proxy(status: int, headers: dict[str, str] | None = None) -> AsyncIterator[Proxy]:
    """A :class:`Proxy` on 127.0.0.1 answering every request (``CONNECT`` or forwarded) with ``status``."""
    running = Proxy(status, dict(headers or {}))
    server = await asyncio.start_server(running.handle, "127.0.0.1", 0)
    running.port = server.sockets[0].getsockname()[1]
    async with server:
        yield running
