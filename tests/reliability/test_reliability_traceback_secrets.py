"""A call stopped anywhere leaves no secret in a traceback captured with its locals.

Error trackers and ``traceback.TracebackException(..., capture_locals=True)`` render every local
variable of every frame an exception passed through. While a request is in flight the frames under
the request loop (the signer, the lean lane, the channel, the transports, and httpx's, httpcore's and
aiohttp's own) hold the signed headers. A loopback server holds the call at one point — waiting for a
request slot, in the TLS handshake, mid-send (it stops reading a large body), waiting for the reply,
mid-read (half a body), in the back-off after a 503 — and the call is cancelled there, or stopped by the
caller's ``asyncio.timeout``, on every path (the lean lane, a transport subclass, ``http_client=``).
The captured traceback, rendered with its locals, holds no access id, access key or signature.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import attrs
import httpx
import pytest

from helpers import internals
from rayvision_async import AsyncRayvisionAPI, RetryPolicy, Timeouts
from rayvision_async._tracebacks import forget_locals
from rayvision_async.wire import AiohttpTransport

ACCESS_ID = "AKIDtracebacklocals1"
ACCESS_KEY = "traceback-locals-secret-key-1"
#: A task.json large enough that the client blocks writing it to a server that stopped reading.
LARGE = '{"scene": "' + "x" * (24 * 1024 * 1024) + '"}'
POINTS = ["slot", "handshake", "mid-send", "waiting", "mid-read", "back-off"]
PATHS = ["lean", "transport-subclass", "http_client"]


class MyTransport(AiohttpTransport):
    """A caller's subclass: the httpx transport API."""


@attrs.define
class Holding:
    """A loopback server that holds every request at ``point``; ``reached`` is set once one got there."""

    point: str
    reached: asyncio.Event = attrs.field(factory=asyncio.Event)
    signatures: list[str] = attrs.field(factory=list, repr=False)  # (the test's own frame shows this object)
    writers: list[asyncio.StreamWriter] = attrs.field(factory=list, repr=False)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        try:
            if self.point == "handshake":  # a TLS client waits for a ServerHello that never comes
                self.reached.set()
                await asyncio.sleep(3600)
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            fields = (line.partition(":") for line in head[1:])
            headers = {name.strip().lower(): value.strip() for name, _, value in fields}
            self.signatures.append(headers["signature"])
            if self.point == "mid-send":  # stop reading: the client blocks writing the rest of the body
                await asyncio.sleep(0.3)
                self.reached.set()
                await asyncio.sleep(3600)
            await reader.readexactly(int(headers["content-length"]))
            if self.point == "back-off":
                writer.write(b"HTTP/1.1 503 Busy\r\nRetry-After: 60\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                await asyncio.sleep(0.2)  # the client is asleep in its back-off by now
                self.reached.set()
                return
            if self.point == "mid-read":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                             b'{"code": 200, "data": ')
                await writer.drain()
                await asyncio.sleep(0.1)
            self.reached.set()  # "slot" and "waiting": the request is in, no answer comes
            await asyncio.sleep(3600)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def holding(point: str) -> AsyncIterator[tuple[Holding, int]]:
    server_state = Holding(point)
    server = await asyncio.start_server(server_state.handle, "127.0.0.1", 0)
    try:
        yield server_state, server.sockets[0].getsockname()[1]
    finally:
        for writer in server_state.writers:
            writer.close()
        server.close()
        await server.wait_closed()


@asynccontextmanager
async def client_for(path: str, port: int, point: str) -> AsyncIterator[AsyncRayvisionAPI]:
    scheme = "https" if point == "handshake" else "http"
    options: dict[str, Any] = {
        "base_url": f"{scheme}://127.0.0.1:{port}", "max_concurrency": 1, "timeout": Timeouts(read=60.0),
        "retry": RetryPolicy(attempts=3, initial_delay=60.0, max_delay=60.0)}
    async with AsyncExitStack() as stack:
        if path == "transport-subclass":
            options["transport"] = MyTransport()
        elif path == "http_client":
            options["http_client"] = await stack.enter_async_context(httpx.AsyncClient())
        yield await stack.enter_async_context(AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, **options))


def the_call(api: AsyncRayvisionAPI, point: str) -> Callable[[], Awaitable[Any]]:
    if point == "mid-send":
        return lambda: api.transmit.upload_json_content(7, LARGE)
    return lambda: api.query.task_info([7])


def rendered(exc: BaseException) -> str:
    return "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())


@pytest.mark.real_backoff
@pytest.mark.parametrize("stop", ["cancel", "asyncio.timeout"])
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("point", POINTS)
async def test_a_call_stopped_anywhere_leaves_no_secret_in_its_traceback_locals(
    point: str, path: str, stop: str,
) -> None:
    async with holding(point) as (server, port), client_for(path, port, point) as api:
        holder: asyncio.Task[Any] | None = None
        if point == "slot":  # the only request slot is taken: the call waits for it
            holder = asyncio.create_task(api.query.task_info([8]))
        call = the_call(api, point)
        deadline: list[asyncio.Timeout] = []

        async def run() -> Any:
            if stop == "cancel":
                return await call()
            async with asyncio.timeout(3600) as timeout:
                deadline.append(timeout)
                return await call()

        task = asyncio.create_task(run())
        async with asyncio.timeout(30):
            await server.reached.wait()
        await asyncio.sleep(0.05)
        assert not task.done()
        if stop == "cancel":
            task.cancel()
        else:
            deadline[0].reschedule(asyncio.get_running_loop().time())
        with pytest.raises(BaseException) as caught:  # noqa: PT011 - CancelledError or TimeoutError
            await task
        assert isinstance(caught.value, asyncio.CancelledError if stop == "cancel" else TimeoutError)
        text = rendered(caught.value)
        signatures = {*server.signatures, *internals.signer(api)._signatures}
        if holder is not None:
            holder.cancel()
            with pytest.raises(asyncio.CancelledError):
                await holder
    assert signatures, "no request was signed"
    assert "Traceback" in text
    assert "= " in text
    for secret in (ACCESS_ID, ACCESS_KEY, *signatures):
        assert secret not in text, f"{secret[:10]}… in the traceback's locals"


# -- forget_locals: what it clears and what it leaves ------------------------------------------------------


def _raised_in_a_frame_holding(secret: str) -> BaseException:
    def holder() -> None:
        held = secret  # a local of a frame that finishes by raising
        raise ValueError(f"{len(held)} characters")

    try:
        holder()
    except ValueError as exc:
        return exc
    raise AssertionError("not raised")


def test_finished_frames_are_cleared_the_callers_exception_is_left_alone() -> None:
    ours = _raised_in_a_frame_holding(ACCESS_KEY)
    callers = _raised_in_a_frame_holding("the caller's own local")
    ours.__context__ = callers
    forget_locals(ours, callers)
    assert ACCESS_KEY not in rendered(ours)
    assert "the caller's own local" in rendered(callers)  # the caller's frames keep their locals


async def test_a_suspended_coroutines_frame_is_never_cleared() -> None:
    """An exception chained to ours may have been caught by a coroutine that is still running: it is not closed."""
    caught: list[BaseException] = []
    was_caught, release = asyncio.Event(), asyncio.Event()

    async def worker() -> str:
        kept = "still needed"
        try:
            raise KeyError("inner")
        except KeyError as exc:
            caught.append(exc)
            was_caught.set()
            await release.wait()  # suspended, with exc's traceback pointing at this frame
        return kept

    task = asyncio.create_task(worker())
    await was_caught.wait()
    outer = RuntimeError("outer")
    outer.__cause__ = caught[0]
    forget_locals(outer, None)
    release.set()
    assert await task == "still needed"
