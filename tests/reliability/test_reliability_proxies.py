"""Proxies: a refusal says the proxy refused and nothing was sent.

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

``NO_PROXY`` is in ``tests/wire/test_no_proxy.py``.

The service URL is a loopback port nobody listens on: a request that skipped the proxy fails to connect.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest

from helpers.loopback import Proxy, proxy
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


@asynccontextmanager
async def client_through(
    through: Proxy, path: str, base_url: str, monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[AsyncRayvisionAPI]:
    """A client whose requests go through ``through``: by the environment, or by ``httpx.AsyncClient(proxy=)``."""
    options: dict[str, Any] = {"base_url": base_url, "retry": RetryPolicy(attempts=3)}
    async with AsyncExitStack() as stack:
        if path == "client-proxy":
            options["http_client"] = await stack.enter_async_context(httpx.AsyncClient(proxy=through.url))
        else:
            monkeypatch.setenv("HTTPS_PROXY", through.url)
            monkeypatch.setenv("HTTP_PROXY", through.url)
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
    async with proxy(status) as refusing, client_through(refusing, path, service, monkeypatch) as api:
        attempt = api.task.create_task(count=1) if call == "create_task" else api.query.task_info([7])
        with pytest.raises(errors.ProxyError) as caught:
            await attempt
        assert api.requests_sent == attempts  # 4xx: at once; 5xx: retried like a connection failure
    assert refusing.lines == [f"CONNECT {service.removeprefix('https://')} HTTP/1.1"] * attempts
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
    async with proxy(status, headers) as refusing, client_through(refusing, path, service, monkeypatch) as api:
        with pytest.raises(outcome) as caught:
            await api.task.create_task(count=1)
        assert api.requests_sent == attempts
    assert refusing.lines == [f"POST {service}/api/render/submit/createTask HTTP/1.1"] * attempts
    if outcome is errors.ProxyError:
        assert "nothing was sent to the service" in str(caught.value)
        assert caught.value.status == status  # type: ignore[attr-defined]
