"""The lean lane (default transport, no httpx objects) sends and reads exactly what the httpx path does.

A loopback server records the raw bytes of every request; the same call is made
on the lean lane (the default ``AiohttpTransport``) and on the httpx path (a
subclass of it, which the channel never takes the lean lane for), with the clock
and the nonce frozen, so both requests must be byte for byte the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import zlib
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
import respx

from helpers import internals
from rayvision_async import AiohttpTransport, AsyncRayvisionAPI, RetryPolicy, errors

ACCESS_ID = "AKIDlean0000lane0001"
ACCESS_KEY = "lean-lane-secret-key-0001"
NOW = 1_767_225_600.0  # frozen clock: both lanes sign the same UTCTimestamp
TASK = {"id": 7, "userName": "lean", "taskStatus": 25}
ENVELOPE = json.dumps({"code": 200, "message": "success", "requestId": "rid-lean",
                       "data": {"pageCount": 1, "pageNum": 1, "total": 1, "size": 100, "items": [TASK]}}).encode()


class HttpxPath(AiohttpTransport):
    """The SDK's transport under another class: the channel sends through httpx objects."""


class Recording:
    """A keep-alive loopback server: records each request's raw bytes, answers each with ``reply``."""

    def __init__(self, reply: bytes) -> None:
        self.reply = reply
        self.requests: list[bytes] = []
        self.received = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                self.requests.append(head + await reader.readexactly(length))
                self.received.set()
                writer.write(self.reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def reply(body: bytes, *, status: str = "200 OK", extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n%s" % (
        status.encode(), len(body), extra, body)


@contextlib.asynccontextmanager
async def serving(recording: Recording) -> AsyncIterator[str]:
    server = await asyncio.start_server(recording.handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


def client(url: str, *, lean: bool, **options: object) -> AsyncRayvisionAPI:
    transport = None if lean else HttpxPath(use_env_proxies=False)
    api = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, base_url=url, transport=transport, default_headers={"X-Trace": "t1"},
                            retry=RetryPolicy(attempts=1), **options)  # type: ignore[arg-type]
    assert (internals.channel(api)._lean is not None) is lean
    internals.signer(api)._nonce = lambda: "424242"  # type: ignore[method-assign]
    return api


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rayvision_async.wire._signer.time", SimpleNamespace(time=lambda: NOW))


async def both_lanes(server_reply: bytes, **options: object) -> list[tuple[object, bytes]]:
    """The same call on the lean lane, then on the httpx path (one server): each result and request sent."""
    recording = Recording(server_reply)
    results: list[object] = []
    async with serving(recording) as url:
        for lean in (True, False):
            async with client(url, lean=lean, **options) as api:
                try:
                    results.append(await api.query.task_info([7, 8]))
                except errors.RayvisionError as exc:
                    results.append((type(exc), str(exc)))
    assert len(recording.requests) == 2
    return list(zip(results, recording.requests, strict=True))


async def test_the_lean_lane_sends_the_same_bytes_and_logs_the_same_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="rayvision_async")
    (lean, lean_sent), (httpx_path, httpx_sent) = await both_lanes(reply(ENVELOPE))
    assert lean == httpx_path
    assert [task.id for task in lean.items] == [7]  # type: ignore[attr-defined]
    sent = [lean_sent, httpx_sent]
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("POST ")]
    assert sent[0] == sent[1]
    head = sent[0].split(b"\r\n\r\n")[0].decode()
    assert "UTCTimestamp: 1767225600" in head
    assert "nonce: 424242" in head
    assert "X-Trace: t1" in head
    assert f"accessId: {ACCESS_ID}" in head
    assert sent[0].endswith(b'{"taskIds":[7,8]}')
    assert len(lines) == 2
    assert lines[0] == lines[1]
    assert ACCESS_ID not in lines[0]
    assert "'signature': '***'" in lines[0]


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_an_encoded_reply_is_decoded_alike(encoding: str) -> None:
    body = gzip.compress(ENVELOPE) if encoding == "gzip" else zlib.compress(ENVELOPE)
    server_reply = reply(body, extra=f"Content-Encoding: {encoding}\r\n".encode())
    results = [result for result, _ in await both_lanes(server_reply)]
    assert results[0] == results[1]
    assert [task.id for task in results[0].items] == [7]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("body", "extra"), [
    (gzip.compress(b" " * 300_000), b"Content-Encoding: gzip\r\n"),  # a small bomb past the cap once decoded
    (b"x" * 300_000, b""),  # plainly too large
    (b"\x1f\x8b not gzip at all", b"Content-Encoding: gzip\r\n"),
    (ENVELOPE, b"Content-Encoding: gzip, br\r\n"),
])
async def test_unreadable_replies_fail_alike(body: bytes, extra: bytes) -> None:
    results = [result for result, _ in await both_lanes(reply(body, extra=extra), max_response_bytes=100_000)]
    assert results[0] == results[1]
    assert results[0][0] is errors.MalformedResponseError  # type: ignore[index]


async def test_retry_after_of_a_503_is_read_alike() -> None:
    server_reply = reply(b"busy", status="503 Service Unavailable", extra=b"Retry-After: 7\r\n")
    outcomes = []
    for lean in (True, False):
        recording = Recording(server_reply)
        async with serving(recording) as url, client(url, lean=lean) as api:
            with pytest.raises(errors.RayvisionError) as caught:
                await api.query.task_info([7])
        outcomes.append((type(caught.value), str(caught.value), getattr(caught.value, "retry_after", None)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][2] == 7.0


async def test_nothing_listening_is_a_vouched_connect_error_on_both_lanes() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    outcomes = []
    for lean in (True, False):
        async with client(f"http://127.0.0.1:{port}", lean=lean) as api:
            with pytest.raises(errors.ConnectError) as caught:
                await api.task.create_task()
            inner = internals.inner(api)
            assert isinstance(inner, AiohttpTransport)
            assert inner._fresh_session is not None  # a creating call asks for a fresh connection
            assert inner._session is None
        outcomes.append((str(caught.value), caught.value.unvouched))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][1] is False


async def test_an_active_respx_router_sees_the_default_client_s_calls() -> None:
    async with respx.mock(assert_all_called=True) as router:
        route = router.post("https://task.renderbus.com/api/render/handle/queryTaskInfo/v2").respond(
            200, content=ENVELOPE)
        async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY) as api:
            assert internals.channel(api)._lean is not None
            assert [task.id for task in (await api.query.task_info([7])).items] == [7]
    assert route.call_count == 1


@pytest.mark.parametrize("lean", [True, False])
async def test_closing_the_client_mid_call_is_client_closed_on_both_lanes(lean: bool) -> None:
    recording = Recording(b"")  # answers nothing: the call waits until the client closes

    async with serving(recording) as url:
        api = client(url, lean=lean)
        call = asyncio.ensure_future(api.query.task_info([7]))
        async with asyncio.timeout(5):
            await recording.received.wait()
        await api.aclose()
        with pytest.raises(errors.ClientClosedError):
            await call
