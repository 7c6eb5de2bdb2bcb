"""Details of the default transport and the signer: nonces, proxies from the environment."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

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
    assert transport._proxy(httpx.URL("https://task.renderbus.com/x")) == "http://proxy.example:3128"
    assert transport._proxy(httpx.URL("https://internal.example/x")) is None
    assert transport._proxy(httpx.URL("http://127.0.0.1:8/x")) is None  # no HTTP_PROXY set


def test_socks_proxies_are_not_passed_to_aiohttp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    assert AiohttpTransport()._proxy(httpx.URL("https://task.renderbus.com/x")) is None


def test_env_proxies_can_be_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert AiohttpTransport(use_env_proxies=False)._proxy(httpx.URL("https://task.renderbus.com/x")) is None
