"""``http_client=``: the caller's ``httpx.AsyncClient`` carries every signed attempt.

Its event hooks, proxies, TLS settings and OpenTelemetry's httpx instrumentation see each attempt,
retries included; its failures are never taken to mean "nothing was sent". Servers are loopback only.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx
import trustme
from aiohttp import web

from rayvision_async import AsyncRayvisionAPI, RetryPolicy, errors
from rayvision_async.wire._signing import SIGNED_HEADER_NAMES, sign_request

ACCESS_ID = "AKIDhttpclient01"
ACCESS_KEY = "http-client-secret-01"
DOMAIN = "task.renderbus.com"
TASK_INFO_OK = {"code": 200, "message": "success", "requestId": "rid-hc",
                "data": {"items": [{"id": 7, "taskStatus": 10}], "pageCount": 1}}
CREATED_OK = {"code": 200, "message": "success", "data": {"taskIdList": [42]}}
#: A host that never resolves (RFC 2606): a request that skipped the proxy or the mock cannot reach anyone.
UNRESOLVABLE = "http://rayvision.invalid"


def signed(request: httpx.Request) -> bool:
    headers = {name: request.headers[name] for name in SIGNED_HEADER_NAMES}
    return request.headers["signature"] == sign_request(ACCESS_KEY, DOMAIN, request.url.path, headers,
                                                        request.content)


def scripted(*replies: int | Exception) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A mock transport answering with the given statuses (200 with an envelope) or raising the exceptions."""
    script = list(replies)
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        step = script.pop(0) if script else 200
        if isinstance(step, Exception):
            raise step
        if step != 200:
            return httpx.Response(step, text="<html>bad gateway</html>")
        return httpx.Response(200, json=CREATED_OK if request.url.path.endswith("createTask") else TASK_INFO_OK)

    return httpx.MockTransport(handle), seen


def client(http_client: httpx.AsyncClient, **options: Any) -> AsyncRayvisionAPI:
    return AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, platform="2", http_client=http_client,
                             retry=RetryPolicy(attempts=3), **options)


async def test_event_hooks_see_every_attempt_retries_included() -> None:
    transport, seen = scripted(503, 502)
    requests: list[httpx.Request] = []
    statuses: list[int] = []

    async def on_request(request: httpx.Request) -> None:
        requests.append(request)

    async def on_response(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    async with httpx.AsyncClient(transport=transport, event_hooks={"request": [on_request],
                                                                   "response": [on_response]}) as http:
        async with client(http) as api:
            page = await api.query.task_info([7])
        assert not http.is_closed  # the caller's client is the caller's to close
    assert page.items[0].id == 7
    assert statuses == [503, 502, 200]
    assert requests == seen
    assert all(signed(request) for request in requests)  # signed before the hooks see it, freshly each time
    assert len({request.headers["nonce"] for request in requests}) == 3


async def test_the_clients_headers_fill_in_and_default_headers_apply() -> None:
    transport, seen = scripted()
    async with httpx.AsyncClient(transport=transport, headers={"X-Team": "render-ops"}) as http, \
            client(http, default_headers={"X-Trace": "t-1"}) as api:
        await api.query.task_info([7])
    (request,) = seen
    assert request.headers["X-Team"] == "render-ops"
    assert request.headers["X-Trace"] == "t-1"
    assert request.headers["User-Agent"].startswith("rayvision-async/")
    assert signed(request)


async def test_its_failures_are_never_taken_to_mean_nothing_was_sent() -> None:
    transport, seen = scripted(httpx.ConnectError("refused"))
    async with httpx.AsyncClient(transport=transport) as http, client(http) as api:
        with pytest.raises(errors.RequestOutcomeUnknownError, match="may have been processed"):
            await api.task.create_task(count=1)
    assert len(seen) == 1
    transport, seen = scripted(httpx.ConnectError("refused"))
    async with httpx.AsyncClient(transport=transport) as http, client(http) as api:
        assert (await api.query.task_info([7])).items[0].id == 7  # an idempotent call is retried
    assert len(seen) == 2


async def test_bad_or_closed_clients_are_configuration_errors() -> None:
    with pytest.raises(errors.ConfigurationError, match=r"httpx\.AsyncClient"):
        AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, http_client=httpx.Client())  # type: ignore[arg-type]
    closed = httpx.AsyncClient()
    await closed.aclose()
    with pytest.raises(errors.ConfigurationError, match="closed"):
        AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, http_client=closed)
    transport, seen = scripted()
    with pytest.raises(errors.ConfigurationError, match="not both"):
        AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, http_client=httpx.AsyncClient(transport=transport),
                          transport=transport)
    http = httpx.AsyncClient(transport=transport)
    api = client(http)
    await http.aclose()
    with pytest.raises(errors.ClientClosedError, match="http_client"):
        await api.query.task_info([7])
    assert seen == []
    await api.aclose()


async def test_respx_mocks_a_plain_client_passed_in(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.post(f"{UNRESOLVABLE}/api/render/handle/queryTaskInfo/v2").respond(200, json=TASK_INFO_OK)
    async with httpx.AsyncClient() as http, client(http, base_url=UNRESOLVABLE) as api:
        await api.query.task_info([7])
    assert route.called
    assert signed(route.calls.last.request)


# -- proxies and TLS, against loopback servers -------------------------------------------------------------


@pytest.fixture
async def proxy() -> AsyncIterator[list[tuple[str, bytes]]]:
    """A loopback HTTP proxy that answers every request itself; yields the request lines and bodies it got."""
    received: list[tuple[str, bytes]] = []
    answers = [b'{"code": 200, "message": "ok", "data": {"items": [{"id": 7}], "pageCount": 1}}']

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        length = next(int(line.split(":", 1)[1]) for line in head if line.lower().startswith("content-length:"))
        received.append((head[0], await reader.readexactly(length)))
        body = answers[0]
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    received.append((f"port {server.sockets[0].getsockname()[1]}", b""))
    async with server:
        yield received


async def test_the_clients_proxy_carries_every_request(proxy: list[tuple[str, bytes]]) -> None:
    port = int(proxy.pop(0)[0].split()[1])
    async with httpx.AsyncClient(proxy=f"http://127.0.0.1:{port}") as http, \
            client(http, base_url=UNRESOLVABLE) as api:
        await api.query.task_info([7])
        await api.query.task_info([8])
    lines = [line for line, _ in proxy]
    assert lines == [f"POST {UNRESOLVABLE}/api/render/handle/queryTaskInfo/v2 HTTP/1.1"] * 2
    assert b"[8]" in proxy[1][1]


@pytest.fixture
async def tls_server() -> AsyncIterator[tuple[int, trustme.CA]]:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response(TASK_INFO_OK)

    app = web.Application()
    app.router.add_post("/{tail:.*}", answer)
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    try:
        yield runner.addresses[0][1], ca
    finally:
        await runner.cleanup()


async def test_the_clients_tls_settings_are_used(tls_server: tuple[int, trustme.CA]) -> None:
    port, ca = tls_server
    base_url = f"https://127.0.0.1:{port}"
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)
    async with httpx.AsyncClient(verify=trusting) as http, client(http, base_url=base_url) as api:
        assert (await api.query.task_info([7])).items[0].id == 7
    # The same server through the default transport: the test CA is not trusted there.
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, base_url=base_url, max_retries=0) as api:
        with pytest.raises(errors.ConnectError, match=f"127.0.0.1:{port}"):
            await api.query.task_info([7])


# -- OpenTelemetry's httpx instrumentation ---------------------------------------------------------------


async def test_opentelemetry_httpx_instrumentation_sees_every_attempt() -> None:
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    transport, seen = scripted(503)
    async with httpx.AsyncClient(transport=transport) as http:
        HTTPXClientInstrumentor.instrument_client(http, tracer_provider=provider)
        async with client(http) as api:
            await api.query.task_info([7])
    spans = exporter.get_finished_spans()
    assert len(spans) == len(seen) == 2

    def status(span: Any) -> Any:
        attributes: Callable[[str], Any] = (span.attributes or {}).get
        return attributes("http.response.status_code", attributes("http.status_code"))

    assert [status(span) for span in spans] == [503, 200]
    assert all(span.name.startswith("POST") for span in spans)
    assert all(ACCESS_KEY not in str(dict(span.attributes or {})) for span in spans)
