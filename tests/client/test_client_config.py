"""Construction-time validation, lifecycle, views, the concurrency cap and the pool timeout."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from helpers import internals
from helpers.fake_service import FakeService
from rayvision_async import AiohttpTransport, AsyncRayvisionAPI, RetryPolicy, Timeouts, errors
from rayvision_async.wire._signing import SIGNED_HEADER_NAMES, sign_request

ACCESS_ID = "AKIDconfig0001"
ACCESS_KEY = "config-secret-key-0001"
OK_DATA = {"items": [], "pageCount": 0}


def recording(gate: asyncio.Event | None = None, hold: float = 0.0) -> FakeService:
    """Records requests; optionally holds each one until ``gate`` opens; tracks peak in-flight."""
    return FakeService(default_data=OK_DATA, gate=gate, hold=hold)


@pytest.fixture(autouse=True)
def no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAYVISION_API_ACCESS_ID", raising=False)
    monkeypatch.delenv("RAYVISION_API_KEY", raising=False)


def test_missing_credentials_name_the_environment_variables() -> None:
    with pytest.raises(errors.ConfigurationError, match="RAYVISION_API_ACCESS_ID"):
        AsyncRayvisionAPI(transport=recording())
    with pytest.raises(errors.ConfigurationError, match="RAYVISION_API_KEY"):
        AsyncRayvisionAPI(ACCESS_ID, transport=recording())
    with pytest.raises(errors.ConfigurationError, match="RAYVISION_API_ACCESS_ID"):
        AsyncRayvisionAPI(access_key=ACCESS_KEY, transport=recording())


async def test_credentials_fall_back_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAYVISION_API_ACCESS_ID", "AKIDfromEnv01")
    monkeypatch.setenv("RAYVISION_API_KEY", "key-from-env-01")
    transport = recording()
    async with AsyncRayvisionAPI(transport=transport) as api, AsyncRayvisionAPI(
            ACCESS_ID, ACCESS_KEY, transport=transport) as explicit:
        await api.query.task_info([1])
        await explicit.query.task_info([1])
    from_env, from_args = transport.requests
    assert from_env.headers["accessId"] == "AKIDfromEnv01"
    assert from_args.headers["accessId"] == ACCESS_ID
    for request, key in ((from_env, "key-from-env-01"), (from_args, ACCESS_KEY)):
        headers = {name: request.headers[name] for name in SIGNED_HEADER_NAMES}
        assert request.headers["signature"] == sign_request(key, "task.renderbus.com", request.url.path, headers,
                                                            request.content)


def test_malformed_environment_credentials_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAYVISION_API_ACCESS_ID", "AKID with spaces")
    monkeypatch.setenv("RAYVISION_API_KEY", ACCESS_KEY)
    with pytest.raises(errors.ConfigurationError) as caught:
        AsyncRayvisionAPI(transport=recording())
    assert "AKID with spaces" not in str(caught.value)


GOOD: dict[str, Any] = {"access_id": ACCESS_ID, "access_key": ACCESS_KEY}
BAD_SETTINGS: list[dict[str, Any]] = [
    {"access_id": ""}, {"access_id": "    "}, {"access_id": "AKID 0001"}, {"access_id": "AKIDé0001"},
    {"access_id": "abc"}, {"access_id": "x" * 257}, {"access_id": 12345678},
    {"access_key": ""}, {"access_key": "sec ret key"}, {"access_key": "ключ-секрет"}, {"access_key": "k\ney-12"},
    {"domain": "https://task.renderbus.com"}, {"domain": "task.renderbus.com/api"}, {"domain": "task renderbus.com"},
    {"domain": ""}, {"domain": "task.renderbus.com:99999"}, {"domain": "task.renderbus.com:0"}, {"domain": None},
    {"platform": "abc"}, {"platform": ""}, {"platform": "1.5"}, {"platform": "-2"}, {"platform": True},
    {"platform": None}, {"protocol": "2020"}, {"protocol": "v5"}, {"protocol": None},
    {"max_retries": -1}, {"max_retries": 11}, {"max_retries": True}, {"max_retries": "2"}, {"max_retries": 1.0},
    {"max_concurrency": 0}, {"max_concurrency": -3}, {"max_concurrency": 1001}, {"max_concurrency": True},
    {"max_concurrency": "3"},
    {"timeout": -1}, {"timeout": 0}, {"timeout": 1e9}, {"timeout": True}, {"timeout": "5"},
    {"timeout": float("nan")}, {"timeout": float("inf")},
    {"retry": "fast"}, {"retry": 3}, {"base_url": "ftp://127.0.0.1"}, {"base_url": "http://127.0.0.1:8080/api"},
]


@pytest.mark.parametrize("bad", BAD_SETTINGS, ids=repr)
def test_bad_settings_are_rejected_before_anything_is_sent(bad: dict[str, Any]) -> None:
    transport = recording()
    with pytest.raises(errors.ConfigurationError) as caught:
        AsyncRayvisionAPI(**{**GOOD, **bad}, transport=transport)
    assert transport.requests == []
    assert ACCESS_KEY not in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("kwargs", [{"read": -1}, {"read": 0}, {"read": 1e9}, {"connect": True},
                                    {"pool": "1"}, {"connect": 3601}])
def test_bad_timeouts_object(kwargs: dict[str, Any]) -> None:
    with pytest.raises(errors.ConfigurationError):
        Timeouts(**kwargs)


def test_good_settings_are_accepted_without_io() -> None:
    # No running event loop here: construction must not start any I/O.
    api = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, domain="api.foxrenderfarm.com:8443", platform=21,
                            protocol="2018", timeout=Timeouts(read=None, connect=1, pool=None), max_retries=0,
                            max_concurrency=1000)
    assert api.platform == "21"
    assert isinstance(internals.inner(api), AiohttpTransport)
    assert internals.inner(api).open_connections == 0
    assert api.requests_sent == 0
    assert not api.is_closed


async def test_async_with_closes_the_client_and_its_transport() -> None:
    transport = recording()
    async with AsyncRayvisionAPI(**GOOD, transport=transport) as api:
        assert not api.is_closed
        await api.query.task_info([1])
    assert api.is_closed
    assert transport.closed
    with pytest.raises(errors.ClientClosedError):
        await api.query.task_info([1])
    assert len(transport.requests) == 1


async def test_with_options_view_shares_connections_and_leaves_the_parent_open() -> None:
    transport = recording()
    api = AsyncRayvisionAPI(**GOOD, transport=transport, timeout=30)
    async with api.with_options(timeout=Timeouts(read=5, connect=2)) as view:
        await view.query.task_info([1])
        faster = view.with_options(retry=RetryPolicy(attempts=1), timeout=None)
        await faster.query.task_info([2])
    assert not api.is_closed
    assert not transport.closed
    await api.query.task_info([3])
    timeouts = [request.extensions["timeout"] for request in transport.requests]
    assert [(t["read"], t["connect"]) for t in timeouts] == [(5.0, 2.0), (None, 10.0), (30.0, 10.0)]
    with pytest.raises(errors.ConfigurationError):
        api.with_options(max_retries=-1)
    await api.aclose()
    assert transport.closed


async def test_concurrency_cap_holds_across_views() -> None:
    transport = recording(hold=0.01)
    async with AsyncRayvisionAPI(**GOOD, transport=transport, max_concurrency=3) as api:
        view = api.with_options(timeout=10)
        async with asyncio.timeout(5):
            await asyncio.gather(*(
                (view if i % 2 else api).query.task_info([i + 1]) for i in range(20)))
    assert len(transport.requests) == 20
    assert transport.peak == 3


async def test_pool_timeout_when_every_slot_is_busy() -> None:
    gate = asyncio.Event()
    transport = recording(gate=gate)
    api = AsyncRayvisionAPI(**GOOD, transport=transport, max_concurrency=1,
                            timeout=Timeouts(read=5, pool=0.05), retry=RetryPolicy(attempts=2))
    async with api, asyncio.timeout(5):
        blocked = asyncio.create_task(api.query.task_info([1]))
        await transport.arrived.wait()
        with pytest.raises(errors.PoolTimeoutError) as caught:
            await api.task.create_task()
        assert len(transport.requests) == 1
        gate.set()
        await blocked
    assert caught.value.path == "/api/render/submit/createTask"
    assert len(transport.requests) == 1


def test_repr_hides_the_credentials() -> None:
    api = AsyncRayvisionAPI(**GOOD, transport=recording())
    for text in (repr(api), str(api), repr(api.query), repr(api.with_options(timeout=3)), repr(internals.signer(api))):
        assert ACCESS_KEY not in text
        assert ACCESS_ID not in text
    assert "task.renderbus.com" in repr(api)


@pytest.mark.parametrize(("args", "kwargs"), [((), {"reed": 5}), ((1, 2), {}), ((), {"total": "soon"})])
def test_a_careless_timeouts_object_is_a_configuration_error(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    from rayvision_async import ConfigurationError, Timeouts

    with pytest.raises(ConfigurationError):
        Timeouts(*args, **kwargs)
