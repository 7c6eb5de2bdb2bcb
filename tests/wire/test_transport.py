"""The signer transport over respx, a caller's transport and the default aiohttp transport (loopback only)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import respx
from aiohttp import web

from helpers import internals
from helpers.fake_service import FakeService
from rayvision_async import AiohttpTransport, AsyncRayvisionAPI, RetryPolicy, Timeouts, errors
from rayvision_async.wire._signing import SIGNED_HEADER_NAMES, sign_request

ACCESS_ID = "AKIDtransport0001"
ACCESS_KEY = "transport-secret-key-0001"
FAST = RetryPolicy(attempts=3)
TASK_INFO_OK = {"code": 200, "message": "success", "requestId": "rid-1",
                "data": {"items": [{"id": 7, "taskStatus": 10}], "pageCount": 1}}
CREATED_OK = {"code": 200, "message": "success", "data": {"taskIdList": [42], "aliasTaskIdList": ["2W42"]}}


def signature_ok(request: httpx.Request, domain: str) -> bool:
    headers = {name: request.headers[name] for name in SIGNED_HEADER_NAMES}
    expected = sign_request(ACCESS_KEY, domain, request.url.path, headers, request.content)
    return request.headers["signature"] == expected


def recorder(failures: tuple[Exception, ...] = (), on_request: Callable[[], None] | None = None) -> FakeService:
    """A caller's own transport: records requests; fails with the scripted exceptions first."""
    pending = list(failures)

    def answer(request: httpx.Request) -> Any:
        if on_request:
            on_request()
        if pending:
            return pending.pop(0)
        if request.url.path.endswith("/createTask"):
            return httpx.Response(200, json={**TASK_INFO_OK, "data": {"taskIdList": [7]}})
        return httpx.Response(200, json=TASK_INFO_OK)

    return FakeService(answer=answer)


async def test_respx_mock_sees_a_complete_signed_request() -> None:
    router = respx.MockRouter(base_url="https://task.renderbus.com", assert_all_called=False)
    route = router.post("/api/render/handle/queryTaskInfo/v2").mock(return_value=httpx.Response(200, json=TASK_INFO_OK))
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, platform="2",
                                 transport=httpx.MockTransport(router.async_handler)) as api:
        page = await api.query.task_info([7, 8])
    assert [task.id for task in page.items] == [7]
    assert route.call_count == 1
    request = route.calls.last.request
    headers = request.headers
    assert headers["accessId"] == ACCESS_ID
    assert (headers["channel"], headers["platform"], headers["version"]) == ("4", "2", "2.0.0")
    assert headers["languageFlag"] == "0"
    assert headers["Content-Type"] == "application/json"
    assert len(headers["nonce"]) == 6
    assert headers["nonce"].isdigit()
    assert abs(int(headers["UTCTimestamp"]) - time.time()) < 5
    assert json.loads(request.content) == {"taskIds": [7, 8]}
    assert signature_ok(request, "task.renderbus.com")
    assert not signature_ok(request, "task.renderbus.com:443")


async def test_language_flag_is_1_outside_renderbus() -> None:
    router = respx.MockRouter(base_url="https://api.foxrenderfarm.com", assert_all_called=False)
    route = router.post(path__startswith="/api/").mock(return_value=httpx.Response(200, json=TASK_INFO_OK))
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, domain="api.foxrenderfarm.com",
                                 transport=httpx.MockTransport(router.async_handler)) as api:
        await api.query.task_info([1])
    request = route.calls.last.request
    assert request.headers["languageFlag"] == "1"
    assert signature_ok(request, "api.foxrenderfarm.com")


async def test_a_callers_transport_receives_signed_requests_and_is_closed() -> None:
    inner = recorder()
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, domain="sim.local:8443", transport=inner,
                                 base_url="http://127.0.0.1:9") as api:
        await api.query.task_info([1])
        await api.task.create_task()
    assert len(inner.requests) == 2
    assert [r.url.path for r in inner.requests] == ["/api/render/handle/queryTaskInfo/v2",
                                                    "/api/render/submit/createTask"]
    assert all(r.url.host == "127.0.0.1" for r in inner.requests)
    assert all(signature_ok(r, "sim.local:8443") for r in inner.requests)
    assert inner.closed


async def test_every_attempt_is_resigned(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = SimpleNamespace(now=1_700_000_000.0)
    monkeypatch.setattr("rayvision_async.wire._signer.time", SimpleNamespace(time=lambda: clock.now))

    def advance() -> None:
        clock.now += 7

    inner = recorder(failures=(httpx.ConnectError("refused"),), on_request=advance)
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, transport=inner, retry=FAST) as api:
        await api.query.task_info([1])
    first, second = inner.requests
    assert first.headers["nonce"] != second.headers["nonce"]
    assert int(second.headers["UTCTimestamp"]) - int(first.headers["UTCTimestamp"]) == 7
    assert first.headers["signature"] != second.headers["signature"]
    assert signature_ok(first, "task.renderbus.com")
    assert signature_ok(second, "task.renderbus.com")


async def test_2018_path_set_sends_version_1_and_legacy_paths() -> None:
    inner = recorder()
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, protocol="2018", transport=inner) as api:
        await api.query.task_info([3])
        await api.task.stop_task([4, 5])
        with pytest.raises(errors.UnsupportedOperationError):
            await api.query.get_pack_node_info()
    assert [r.url.path for r in inner.requests] == ["/api/render/task/queryTaskInfo", "/api/render/task/stopTask"]
    assert [json.loads(r.content) for r in inner.requests] == [{"taskIds": [3]}, {"taskParam": [4, 5]}]
    for request in inner.requests:
        assert request.headers["version"] == "1.0.0"
        assert signature_ok(request, "task.renderbus.com")


# -- the default transport against a loopback server --------------------------------------------

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Loopback(SimpleNamespace):
    port: int
    hits: list[dict[str, Any]]
    release: asyncio.Event
    handler: Handler


@pytest.fixture
async def loopback() -> AsyncIterator[Loopback]:
    server = Loopback(hits=[], release=asyncio.Event())

    async def verify(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {name: request.headers.get(name, "") for name in SIGNED_HEADER_NAMES}
        valid = request.headers.get("signature") == sign_request(
            ACCESS_KEY, "task.renderbus.com", request.path, headers, body)
        server.hits.append({"path": request.path, "body": body, "valid": valid, "headers": request.headers.copy(),
                            "names": [name.decode() for name, _ in request.raw_headers]})
        if not valid:
            return web.json_response({"code": 611, "message": "bad signature"})
        return await server.handler(request)

    async def ok(request: web.Request) -> web.StreamResponse:
        return web.json_response(CREATED_OK if request.path.endswith("createTask") else TASK_INFO_OK)

    server.handler = ok
    app = web.Application()
    app.router.add_post("/{tail:.*}", verify)
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = runner.addresses[0][1]
    try:
        yield server
    finally:
        server.release.set()
        await runner.cleanup()


def loopback_api(port: int) -> AsyncRayvisionAPI:
    return AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, base_url=f"http://127.0.0.1:{port}",
                             timeout=Timeouts(read=0.2, connect=1), retry=FAST)


async def test_aiohttp_transport_sends_signed_requests_and_decodes(loopback: Loopback) -> None:
    api = loopback_api(loopback.port)
    assert isinstance(internals.inner(api), AiohttpTransport)
    async with api:
        page = await api.query.task_info([7])
        created = await api.task.create_task(count=2)
        assert internals.inner(api).open_connections >= 1
    assert api.is_closed
    assert internals.inner(api).open_connections == 0
    assert [task.id for task in page.items] == [7]
    assert created.task_id_list == (42,)
    assert [hit["valid"] for hit in loopback.hits] == [True, True]
    assert loopback.hits[0]["body"] == b'{"taskIds":[7]}'
    assert loopback.hits[0]["headers"]["languageFlag"] == "0"
    assert loopback.hits[1]["path"] == "/api/render/submit/createTask"
    # header names keep the protocol's spelling on the wire, as the official SDK sends them
    assert {"accessId", "UTCTimestamp", "signature", "languageFlag"} <= set(loopback.hits[0]["names"])


async def test_aiohttp_transport_handles_a_compressed_answer(loopback: Loopback) -> None:
    async def gzipped(request: web.Request) -> web.StreamResponse:
        response = web.json_response({**TASK_INFO_OK, "padding": "x" * 4000})
        response.enable_compression(web.ContentCoding.gzip)
        return response

    loopback.handler = gzipped
    async with loopback_api(loopback.port) as api:
        page = await api.query.task_info([7])
    assert [task.id for task in page.items] == [7]
    assert len(loopback.hits) == 1


async def test_aiohttp_transport_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with loopback_api(port) as api:
        with pytest.raises(errors.ConnectError) as caught:
            await api.task.create_task()
    assert api.requests_sent == FAST.attempts
    assert caught.value.path == "/api/render/submit/createTask"


async def test_aiohttp_read_timeout_is_retried_for_an_idempotent_call(loopback: Loopback) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(loopback.release.wait(), 1.0)
        return web.json_response(TASK_INFO_OK)

    loopback.handler = slow
    started = time.perf_counter()
    async with loopback_api(loopback.port) as api:
        with pytest.raises(errors.RequestTimeoutError):
            await api.query.task_info([1])
    assert len(loopback.hits) == FAST.attempts
    assert time.perf_counter() - started < 2.5


async def test_aiohttp_read_timeout_is_not_retried_for_create_task(loopback: Loopback) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(loopback.release.wait(), 1.0)
        return web.json_response(CREATED_OK)

    loopback.handler = slow
    async with loopback_api(loopback.port) as api:
        with pytest.raises(errors.RequestOutcomeUnknownError) as caught:
            await api.task.create_task()
    assert isinstance(caught.value.__cause__, errors.RequestTimeoutError)
    assert len(loopback.hits) == 1
