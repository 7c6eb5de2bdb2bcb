"""Proxies: a refusal says the proxy refused and nothing was sent; ``NO_PROXY`` is read as httpx reads it.

A loopback proxy answers ``CONNECT`` (an ``https://`` service) or a forwarded request (an ``http://``
service) itself, with the status it is told to. Through the environment (``HTTPS_PROXY``/``HTTP_PROXY``,
for the default transport, a transport subclass and an ``http_client=`` trusting the environment) and
through ``httpx.AsyncClient(proxy=...)``:

* ``CONNECT`` refused with 403 or 407: ``ProxyError`` at once, for a creating call too (nothing was sent,
  and the proxy would answer the same again); with 502 (the proxy could not reach the service) it is
  retried like a connection failure, then ``ProxyError``.
* a plain HTTP proxy's 407, or any status with a ``Proxy-Status`` error saying it never passed the request
  on (RFC 9209): ``ProxyError``; a bare 502 may come after the proxy passed the request on, so a creating
  call is "outcome unknown" there, as before.

The service URL is a loopback port nobody listens on: a request that skipped the proxy fails to connect.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from typing import Any

import attrs
import httpx
import pytest

from helpers.loopback import serve
from rayvision_async import AsyncRayvisionAPI, RetryPolicy, errors
from rayvision_async.wire import AiohttpTransport

ACCESS_ID = "AKIDproxy00000001"
ACCESS_KEY = "proxy-secret-key-0001"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


class MyTransport(AiohttpTransport):
    """A caller's subclass of the default transport: the httpx transport API, not the lean lane."""


@pytest.fixture(autouse=True)
def _no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
async def client_through(
    proxy: Proxy, path: str, base_url: str, monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[AsyncRayvisionAPI]:
    """A client whose requests go through ``proxy``: by the environment, or by ``httpx.AsyncClient(proxy=)``."""
    options: dict[str, Any] = {"base_url": base_url, "retry": RetryPolicy(attempts=3)}
    async with AsyncExitStack() as stack:
        if path == "client-proxy":
            options["http_client"] = await stack.enter_async_context(httpx.AsyncClient(proxy=proxy.url))
        else:
            monkeypatch.setenv("HTTPS_PROXY", proxy.url)
            monkeypatch.setenv("HTTP_PROXY", proxy.url)
            if path == "client-env":
                options["http_client"] = await stack.enter_async_context(httpx.AsyncClient())
            elif path == "transport-subclass":
                options["transport"] = MyTransport()
        yield await stack.enter_async_context(AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, **options))


PATHS = ["default-env", "transport-subclass", "client-env", "client-proxy"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("status", "attempts"), [(403, 1), (407, 1), (502, 3)])
@pytest.mark.parametrize("call", ["create_task", "task_info"])
async def test_a_refused_tunnel_says_the_proxy_refused_and_nothing_was_sent(
    path: str, status: int, attempts: int, call: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = f"https://127.0.0.1:{unused_port()}"
    async with running(Proxy(status)) as proxy, client_through(proxy, path, service, monkeypatch) as api:
        attempt = api.task.create_task(count=1) if call == "create_task" else api.query.task_info([7])
        with pytest.raises(errors.ProxyError) as caught:
            await attempt
        assert api.requests_sent == attempts  # 4xx: at once; 5xx: retried like a connection failure
    assert proxy.lines == [f"CONNECT {service.removeprefix('https://')} HTTP/1.1"] * attempts
    assert caught.value.status == status
    assert "proxy refused" in str(caught.value)
    assert "nothing was sent" in str(caught.value)
    assert f"HTTP {status}" in str(caught.value)
    assert not caught.value.unvouched  # the refusal came before the request, whatever the transport


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("status", "headers", "outcome", "attempts"), [
    (407, {"Proxy-Authenticate": 'Basic realm="proxy"'}, errors.ProxyError, 1),
    (502, {"Proxy-Status": 'squid.example; error=connection_refused; details="no route"'}, errors.ProxyError, 3),
    (403, {"Proxy-Status": "edge, gateway; error=http_request_denied"}, errors.ProxyError, 1),
    (502, {}, errors.RequestOutcomeUnknownError, 1),  # a bare 502: the proxy may have passed the request on
    (502, {"Proxy-Status": "gateway; error=connection_terminated"}, errors.RequestOutcomeUnknownError, 1),
], ids=["407", "502-connection-refused", "403-denied", "502-bare", "502-terminated"])
async def test_a_plain_http_proxys_error_says_what_can_be_known(
    path: str, status: int, headers: dict[str, str], outcome: type[Exception], attempts: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = f"http://127.0.0.1:{unused_port()}"
    async with running(Proxy(status, headers)) as proxy, client_through(proxy, path, service, monkeypatch) as api:
        with pytest.raises(outcome) as caught:
            await api.task.create_task(count=1)
        assert api.requests_sent == attempts
    assert proxy.lines == [f"POST {service}/api/render/submit/createTask HTTP/1.1"] * attempts
    if outcome is errors.ProxyError:
        assert "nothing was sent to the service" in str(caught.value)
        assert caught.value.status == status  # type: ignore[attr-defined]


# -- NO_PROXY: one rule (httpx's) for both transports --------------------------------------------------------


@contextmanager
def names_on_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every ``*.example`` name (and ``example.com``) resolves to 127.0.0.1, for aiohttp and httpx alike."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if isinstance(name, str) and (name.endswith(".example") or name.rstrip(".").endswith("example.com")):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield


#: NO_PROXY forms → for each target host, whether it is reached directly (D) or through the proxy (P).
TARGETS = ["example.com", "www.example.com", "wwwexample.com", "127.0.0.1", "localhost", "svc.internal.example"]
NO_PROXY_TABLE = [
    ("example.com", "DDPPPP"),
    (".example.com", "PDPPPP"),  # subdomains only (urllib's rule also bypassed example.com itself)
    ("EXAMPLE.COM", "DDPPPP"),
    ("*.example.com", "PPPPPP"),  # a literal "*." matches nothing in httpx
    ("example.com:{port}", "DDPPPP"),  # the port the request uses: bypassed (urllib's rule ignored ports)
    ("example.com:1", "PPPPPP"),  # another port: not bypassed
    ("127.0.0.1", "PPPDPP"),
    ("127.0.0.1:{port}", "PPPDPP"),
    ("localhost", "PPPPDP"),
    ("localhost:{port}", "PPPPDP"),
    ("localhost:1", "PPPPPP"),
    ("internal.example", "PPPPPD"),
    ("http://www.example.com", "PDPPPP"),  # a scheme-qualified entry
    ("https://www.example.com", "PPPPPP"),  # ... for another scheme
    ("127.0.0.0/8", "PPPPPP"),  # no ranges: only 127.0.0.0 itself
    ("*", "DDDDDD"),
    ("  example.com , localhost ", "DDPPDP"),
    ("", "PPPPPP"),
]


@pytest.mark.parametrize(("no_proxy", "expected"), NO_PROXY_TABLE, ids=[form or "empty" for form, _ in NO_PROXY_TABLE])
async def test_no_proxy_is_read_as_httpx_reads_it_by_both_transports(
    no_proxy: str, expected: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    with names_on_loopback(monkeypatch):
        async with serve() as direct, running(Proxy(200)) as proxy:
            monkeypatch.setenv("HTTP_PROXY", proxy.url)
            monkeypatch.setenv("NO_PROXY", no_proxy.format(port=direct.port))
            seen: dict[str, str] = {}
            for lane in ("default", "httpx"):
                for host in TARGETS:
                    base_url = f"http://{host}:{direct.port}"
                    before = (len(direct.received), len(proxy.lines))
                    async with AsyncExitStack() as stack:
                        http = await stack.enter_async_context(httpx.AsyncClient()) if lane == "httpx" else None
                        api = await stack.enter_async_context(
                            AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, base_url=base_url, http_client=http,
                                              retry=RetryPolicy(attempts=1)))
                        await api.task.create_task(count=1)
                    reached = (len(direct.received) - before[0], len(proxy.lines) - before[1])
                    assert reached in ((1, 0), (0, 1)), (lane, host, reached)
                    seen[lane] = seen.get(lane, "") + ("D" if reached == (1, 0) else "P")
    assert seen["httpx"] == expected  # the table is httpx's behaviour
    assert seen["default"] == seen["httpx"]  # and the default transport's


def test_a_no_proxy_entry_httpx_cannot_read_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "example.com,[::1]")
    with pytest.raises(httpx.InvalidURL):
        httpx.AsyncClient()
    with pytest.raises(errors.ConfigurationError, match="NO_PROXY"):
        AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY)
    monkeypatch.delenv("HTTPS_PROXY")  # without a proxy NO_PROXY changes nothing, so it is not refused
    AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY)
