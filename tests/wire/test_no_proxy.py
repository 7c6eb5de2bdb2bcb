"""``NO_PROXY`` has one meaning for both transports: httpx's (``wire/_proxies.py``).

A loopback proxy answers every request it is sent; a loopback server stands for the service. Test host
names (``example.com`` and ``*.example``) resolve to 127.0.0.1 for aiohttp and httpx alike (the test
patches ``socket.getaddrinfo``), so a request reaches either the proxy or the server directly. For each
``NO_PROXY`` form in the table and each target host, the default transport and an
``httpx.AsyncClient()`` passed as ``http_client=`` make the same choice, and it is the one in the table.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from typing import Any

import httpx
import pytest

from helpers.loopback import proxy, serve
from rayvision_async import AsyncRayvisionAPI, RetryPolicy, errors

ACCESS_ID = "AKIDnoproxy000001"
ACCESS_KEY = "no-proxy-secret-key-01"


@pytest.fixture(autouse=True)
def _no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


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


#: The target hosts; each NO_PROXY form below says, per host, direct (D) or through the proxy (P).
TARGETS = ["example.com", "www.example.com", "wwwexample.com", "127.0.0.1", "localhost", "svc.internal.example"]
NO_PROXY_TABLE = [
    ("example.com", "DDPPPP"),
    (".example.com", "PDPPPP"),  # subdomains only (the default transport's old rule also bypassed example.com)
    ("EXAMPLE.COM", "DDPPPP"),
    ("*.example.com", "PPPPPP"),  # a literal "*." matches nothing in httpx
    ("example.com:{port}", "DDPPPP"),  # the port the request uses: bypassed (the old rule ignored ports)
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
        async with serve() as direct, proxy(200) as forwarding:
            monkeypatch.setenv("HTTP_PROXY", forwarding.url)
            monkeypatch.setenv("NO_PROXY", no_proxy.format(port=direct.port))
            seen: dict[str, str] = {}
            for lane in ("default", "httpx"):
                for host in TARGETS:
                    before = (len(direct.received), len(forwarding.lines))
                    async with AsyncExitStack() as stack:
                        http = await stack.enter_async_context(httpx.AsyncClient()) if lane == "httpx" else None
                        api = await stack.enter_async_context(
                            AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, base_url=f"http://{host}:{direct.port}",
                                              http_client=http, retry=RetryPolicy(attempts=1)))
                        await api.task.create_task(count=1)
                    reached = (len(direct.received) - before[0], len(forwarding.lines) - before[1])
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
