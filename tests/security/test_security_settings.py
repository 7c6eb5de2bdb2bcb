"""Settings that would send requests elsewhere or change the exchange are refused at construction.

``base_url`` (and ``$RAYVISION_BASE_URL``) is ``http(s)://host[:port]`` and nothing else: a query or a
fragment sent every call to another URL, userinfo added ``Authorization: Basic`` to every request, and
a NUL or a non-ASCII host raised a raw ``httpx.InvalidURL`` from the constructor. ``default_headers``
may not name the signing headers or headers that change how a request is framed or sent.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rayvision_async import AsyncRayvisionAPI, ConfigurationError

ID, KEY = "AKIDexample", "secretexample"

BAD_BASE_URLS = [
    "https://task.renderbus.com?x=1",
    "https://task.renderbus.com/?x=1",
    "https://task.renderbus.com#frag",
    "https://user:pw@task.renderbus.com",
    "https://user@task.renderbus.com",
    "https://@task.renderbus.com",
    "https://task.render\x00bus.com",
    "https://task\x00",
    "https://tásk.renderbus.com",
    "https://xn--tsk-ioa.renderbus.com\u200b",
    "https://[::1",
    "https://[fe80::1%25eth0]",
    "https://[::g]",
    "https://task.renderbus.com:\uff18\uff10",  # full-width digits in the port
    "https://task.renderbus.com:0",
    "https://task.renderbus.com:65536",
    "https://task.renderbus.com:",
    "https://task..renderbus.com",
    "https://-task.renderbus.com",
    "https://task.renderbus.com/api",
    "https://task.renderbus.com\\@evil.example",
    "https://evil.example\\task.renderbus.com",
    "https://task.renderbus.com\t",
    " https://task.renderbus.com",
    "ftp://task.renderbus.com",
    "//task.renderbus.com",
    "https://" + "a" * 300,
]


@pytest.mark.parametrize("base_url", BAD_BASE_URLS)
def test_a_base_url_that_is_not_scheme_host_port_is_refused(base_url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        AsyncRayvisionAPI(ID, KEY, base_url=base_url)


@pytest.mark.parametrize("base_url", BAD_BASE_URLS)
def test_the_same_rule_holds_for_the_environment(base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if "\x00" in base_url:
        pytest.skip("an environment variable cannot hold a NUL")
    monkeypatch.setenv("RAYVISION_BASE_URL", base_url)
    with pytest.raises(ConfigurationError, match="RAYVISION_BASE_URL"):
        AsyncRayvisionAPI(ID, KEY)


@pytest.mark.parametrize("base_url", ["https://task.renderbus.com", "http://127.0.0.1:8765", "https://[::1]:443",
                                      "https://LOCALHOST:1", "http://10.0.0.1"])
async def test_scheme_host_and_port_are_accepted_and_used(base_url: str) -> None:
    seen: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json={"code": 200, "message": "ok", "data": []})

    async with AsyncRayvisionAPI(ID, KEY, base_url=base_url, transport=httpx.MockTransport(answer)) as api:
        await api.query.platforms()
    assert len(seen) == 1
    assert (seen[0].query, seen[0].fragment, seen[0].userinfo) == (b"", "", b"")
    given = httpx.URL(base_url)
    assert (seen[0].scheme, seen[0].host, seen[0].port) == (given.scheme, given.host, given.port)
    assert seen[0].path == "/api/render/common/queryPlatforms"


EXCHANGE_HEADERS = ["Expect", "expect", "Content-Encoding", "Content-Length", "Transfer-Encoding", "Connection",
                    "Host", "Keep-Alive", "Upgrade", "TE", "Trailer", "Proxy-Authorization", "proxy-connection",
                    "Proxy-Anything", "Range", "X-HTTP-Method-Override", "Accept-Encoding", "Content-Type"]
SIGNING_HEADERS = ["accessId", "ACCESSID", "channel", "platform", "UTCTimestamp", "utctimestamp", "nonce", "Nonce",
                   "version", "signature", "Signature", "languageFlag"]


@pytest.mark.parametrize("name", EXCHANGE_HEADERS + SIGNING_HEADERS)
def test_default_headers_that_change_the_exchange_or_the_signature_are_refused(name: str) -> None:
    value = "100-continue" if name.lower() == "expect" else "1"
    with pytest.raises(ConfigurationError, match="default_headers"):
        AsyncRayvisionAPI(ID, KEY, default_headers={name: value})


@pytest.mark.parametrize("headers", [{"X-Trace": "abc"}, {"User-Agent": "mine/1.0"}, {"Accept-Language": "en"},
                                     {"Authorization": "Bearer t"}, {"X-Proxy-Note": "not a Proxy- header"}])
async def test_other_default_headers_are_sent(headers: dict[str, Any]) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": 200, "message": "ok", "data": []})

    async with AsyncRayvisionAPI(ID, KEY, default_headers=headers, transport=httpx.MockTransport(answer)) as api:
        await api.query.platforms()
    for name, value in headers.items():
        assert seen[0].headers[name] == value
