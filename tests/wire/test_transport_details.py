"""Details of the default transport and the signer: nonces, proxies from the environment."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from helpers.fake_service import FakeService
from rayvision_async import AsyncRayvisionAPI, errors
from rayvision_async.wire import AiohttpTransport, SigningTransport
from rayvision_async.wire._signing import NonceSource


def test_nonce_source_gives_six_digit_values_spread_over_the_range() -> None:
    source = NonceSource()
    values = [source() for _ in range(20_000)]  # several refills of the 4 KiB buffer
    assert all(len(value) == 6 and value.isdigit() for value in values)
    numbers = [int(value) for value in values]
    assert min(numbers) >= 100000
    assert max(numbers) <= 999999
    assert len(set(numbers)) > 19_000  # 20,000 draws from 900,000 values: few repeats
    first_digits = Counter(value[0] for value in values)
    assert set(first_digits) == set("123456789")
    assert min(first_digits.values()) > 1800  # each leading digit ~2,222 times if uniform


def test_two_sources_do_not_repeat_each_other() -> None:
    assert [NonceSource()() for _ in range(5)] != [NonceSource()() for _ in range(5)]


def test_proxy_from_the_environment_is_read_once_and_honours_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    transport = AiohttpTransport()
    monkeypatch.delenv("HTTPS_PROXY")  # later changes are not looked up per request
    assert transport.proxy_for(httpx.URL("https://task.renderbus.com/x")) == "http://proxy.example:3128"
    assert transport.proxy_for(httpx.URL("https://internal.example/x")) is None
    assert transport.proxy_for(httpx.URL("http://127.0.0.1:8/x")) is None  # no HTTP_PROXY set


def test_a_socks_proxy_is_an_error_not_silently_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "socks5://user:proxy-pass-1@127.0.0.1:1080")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    transport = AiohttpTransport()
    with pytest.raises(errors.ConfigurationError, match=r"socks5 proxy.*http_client=") as caught:
        transport.proxy_for(httpx.URL("https://task.renderbus.com/x"))
    assert "proxy-pass-1" not in str(caught.value)
    assert transport.proxy_for(httpx.URL("https://internal.example/x")) is None  # NO_PROXY still bypasses it
    with pytest.raises(errors.ConfigurationError, match="socks5"):  # the client says so when it is built
        AsyncRayvisionAPI("AKIDsocks0001", "socks-secret-0001")


def test_all_proxy_is_honoured_like_httpx_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://plain.example:8080")
    transport = AiohttpTransport()
    assert transport.proxy_for(httpx.URL("https://task.renderbus.com/x")) == "http://proxy.example:3128"
    assert transport.proxy_for(httpx.URL("http://task.renderbus.com/x")) == "http://plain.example:8080"


def test_env_proxies_can_be_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert AiohttpTransport(use_env_proxies=False).proxy_for(httpx.URL("https://task.renderbus.com/x")) is None


def _request(extensions: dict[str, object]) -> httpx.Request:
    return httpx.Request("POST", "http://127.0.0.1:8/x", extensions=extensions)


def test_aiohttp_timeouts_follow_each_request_even_when_one_mapping_is_reused() -> None:
    transport = AiohttpTransport()
    shared = {"connect": 1.0, "read": 2.0, "write": 2.0, "pool": 3.0}
    first = transport._timeout(_request({"timeout": shared}))
    assert (first.sock_connect, first.sock_read, first.total) == (1.0, 2.0, None)
    assert transport._timeout(_request({"timeout": shared})) is first  # the SDK's one mapping per Timeouts
    other = transport._timeout(_request({"timeout": {"connect": 5.0, "read": 7.0}}))
    assert (other.sock_connect, other.sock_read) == (5.0, 7.0)
    again = transport._timeout(_request({"timeout": dict(shared)}))  # an equal new mapping: same limits
    assert (again.sock_connect, again.sock_read) == (1.0, 2.0)
    none = transport._timeout(_request({}))
    assert (none.sock_connect, none.sock_read) == (None, None)


async def test_signer_replaces_headers_the_request_already_has() -> None:
    inner = FakeService(httpx.Response(200, content=b"{}"))
    signer = SigningTransport(inner, access_id="AKIDexample", access_key="secret-key",
                              domain="task.renderbus.com", platform="2")
    request = httpx.Request("POST", "http://127.0.0.1:8/x", content=b"{}",
                            headers=[("content-type", "text/plain"), ("Content-Type", "text/html"), ("X-Mine", "1")])
    await signer.handle_async_request(request)
    headers = inner.requests[0].headers
    assert headers.get_list("content-type") == ["application/json"]
    assert headers["x-mine"] == "1"
    assert headers["accessId"] == "AKIDexample"
    assert len(headers["signature"]) > 20


async def _serve_once(reply: bytes) -> tuple[asyncio.Server, str]:
    """A loopback server answering every request with ``reply`` (raw HTTP/1.1 bytes)."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(reply)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/x"


def _chunked(body: bytes, size: int) -> bytes:
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size]) for i in range(0, len(body), size))
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks + b"0\r\n\r\n"


@pytest.mark.parametrize(("framing", "size", "fits"), [
    ("content-length", 3000, True), ("content-length", 5000, False),
    ("chunked", 3000, True), ("chunked", 5000, False),
])
async def test_aiohttp_transport_caps_the_raw_body_with_and_without_a_length(framing: str, size: int,
                                                                            fits: bool) -> None:
    body = b"x" * size
    if framing == "chunked":
        reply = _chunked(body, 700)
    else:
        reply = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
    server, url = await _serve_once(reply)
    transport = AiohttpTransport(use_env_proxies=False)
    try:
        request = httpx.Request("POST", url, content=b"{}", extensions={"rayvision_max_response_bytes": 4000})
        if fits:
            response = await transport.handle_async_request(request)
            assert await response.aread() == body
        else:
            with pytest.raises(httpx.DecodingError, match="larger than 4000"):
                await transport.handle_async_request(request)
    finally:
        await transport.aclose()
        server.close()
        await server.wait_closed()
