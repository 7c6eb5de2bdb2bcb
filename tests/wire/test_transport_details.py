"""Details of the default transport and the signer: nonces, proxies from the environment."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from rayvision_async import AsyncRayvisionAPI, errors
from rayvision_async.wire import AiohttpTransport
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
