"""respx's documented patterns intercept the SDK's default (aiohttp-backed) transport, with nothing on the network.

Each test builds a client with no ``transport=``, mocks routes the way respx's documentation
shows (decorator, context manager, the ``respx_mock`` fixture, default settings), and checks
that the route was called and that no connection was opened: a socket guard records (and
refuses) every DNS look-up and connection attempt, and ``base_url`` points at a closed
loopback port where it is set.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import pytest
import respx

from rayvision_async import AsyncRayvisionAPI, errors
from rayvision_async.wire._aiohttp import respx_active
from rayvision_async.wire._signing import SIGNED_HEADER_NAMES, sign_request

ACCESS_ID = "AKIDrespx00001"
ACCESS_KEY = "respx-secret-key-00001"
DOMAIN = "task.renderbus.com"
TASK_INFO_PATH = "/api/render/handle/queryTaskInfo/v2"
CREATE_PATH = "/api/render/submit/createTask"
TASK_INFO_OK = {"code": 200, "message": "success", "requestId": "rid-respx",
                "data": {"items": [{"id": 7, "taskStatus": 10}], "pageCount": 1}}
CREATED_OK = {"code": 200, "message": "success", "data": {"taskIdList": [42], "aliasTaskIdList": ["2W42"]}}


class NetworkAttempt(ConnectionRefusedError):
    """A test under respx tried to reach the network."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Refuse (and record) every DNS look-up and outgoing connection made while the test runs."""
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def guard(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{what}{args[1:3]!r}")
            raise NetworkAttempt(f"{what} attempted under respx: {args[1:3]!r}")
        return guard

    async def refuse_async(*args: Any, **kwargs: Any) -> Any:
        attempts.append(f"loop connection{args[1:3]!r}")
        raise NetworkAttempt("asyncio connection attempted under respx")

    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("connect_ex"))
    monkeypatch.setattr(asyncio.base_events.BaseEventLoop, "create_connection", refuse_async)
    monkeypatch.setattr(asyncio.base_events.BaseEventLoop, "getaddrinfo", refuse_async)
    monkeypatch.setattr(asyncio.base_events.BaseEventLoop, "sock_connect", refuse_async)
    return attempts


def closed_loopback_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def signed_for(request: httpx.Request, domain: str = DOMAIN) -> bool:
    headers = {name: request.headers[name] for name in SIGNED_HEADER_NAMES}
    return request.headers["signature"] == sign_request(ACCESS_KEY, domain, request.url.path, headers,
                                                        request.content)


def client(**options: Any) -> AsyncRayvisionAPI:
    return AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, platform="2", **options)


@respx.mock
async def test_the_global_decorator_intercepts_the_default_transport(no_network: list[str]) -> None:
    route = respx.post(f"https://{DOMAIN}{TASK_INFO_PATH}").mock(return_value=httpx.Response(200, json=TASK_INFO_OK))
    async with client() as api:  # the production domain: only the guard stands between it and the network
        page = await api.query.task_info([7])
    assert route.called
    assert route.call_count == 1
    assert page.items[0].id == 7
    assert signed_for(route.calls.last.request)
    assert no_network == []


@respx.mock(base_url="http://127.0.0.1", assert_all_called=True)
async def test_the_configured_decorator_passes_its_router(respx_mock: respx.MockRouter, no_network: list[str]) -> None:
    base = closed_loopback_url()
    route = respx_mock.post(f"{base}{TASK_INFO_PATH}").respond(200, json=TASK_INFO_OK)
    async with client(base_url=base) as api:
        await api.query.task_info([7])
    assert route.called
    assert no_network == []


async def test_the_context_manager_intercepts_and_then_lets_go(no_network: list[str]) -> None:
    base = closed_loopback_url()
    with respx.mock:
        route = respx.post(f"{base}{TASK_INFO_PATH}").respond(200, json=TASK_INFO_OK)
        async with client(base_url=base) as api:
            await api.query.task_info([7])
            assert respx_active()
        assert route.called
    assert not respx_active()
    assert no_network == []
    # Outside the mock the same kind of client goes to the network again (here: the guard).
    async with client(base_url=base, max_retries=0) as api:
        with pytest.raises(errors.ConnectError):
            await api.query.task_info([7])
    assert no_network


async def test_the_async_context_manager_with_settings(no_network: list[str]) -> None:
    async with respx.mock(base_url=f"https://{DOMAIN}", assert_all_called=False) as mock:
        route = mock.post(CREATE_PATH, name="create").respond(200, json=CREATED_OK)
        mock.post(TASK_INFO_PATH).respond(200, json=TASK_INFO_OK)
        async with client() as api:
            created = await api.task.create_task(count=1)
        assert mock["create"] is route
    assert created.task_id_list == (42,)
    assert route.call_count == 1
    assert no_network == []


async def test_the_respx_mock_fixture_with_default_settings(respx_mock: respx.MockRouter,
                                                           no_network: list[str]) -> None:
    route = respx_mock.post(f"https://{DOMAIN}{TASK_INFO_PATH}").respond(200, json=TASK_INFO_OK)
    async with client() as api:
        await api.query.task_info([7])
        await api.query.task_info([8])
    assert route.call_count == 2
    bodies = [call.request.content for call in route.calls]
    assert b"7" in bodies[0]
    assert b"8" in bodies[1]
    assert all(signed_for(call.request) for call in route.calls)  # each attempt freshly signed
    assert no_network == []


@pytest.mark.respx(base_url=f"https://{DOMAIN}")
async def test_the_fixture_configured_by_its_marker(respx_mock: respx.MockRouter, no_network: list[str]) -> None:
    route = respx_mock.post(TASK_INFO_PATH).respond(200, json=TASK_INFO_OK)
    async with client() as api:
        await api.query.task_info([7])
    assert route.called
    assert no_network == []


async def test_the_httpx_mocker_intercepts_too(no_network: list[str]) -> None:
    with respx.mock(using="httpx") as mock:
        route = mock.post(f"https://{DOMAIN}{TASK_INFO_PATH}").respond(200, json=TASK_INFO_OK)
        async with client() as api:
            await api.query.task_info([7])
    assert route.called
    assert no_network == []


@pytest.mark.respx(assert_all_called=False)
async def test_an_unmocked_request_fails_the_test_as_respx_says(respx_mock: respx.MockRouter,
                                                                no_network: list[str]) -> None:
    other = respx_mock.post(f"https://{DOMAIN}/other").respond(200, json=TASK_INFO_OK)
    async with client() as api:
        with pytest.raises(AssertionError, match="not mocked"):
            await api.query.task_info([7])
    assert not other.called
    assert no_network == []


async def test_side_effects_follow_the_production_retry_rules(respx_mock: respx.MockRouter,
                                                              no_network: list[str]) -> None:
    # A connect failure on the (vouched) default path means "nothing was sent": even a creating call is retried.
    create = respx_mock.post(f"https://{DOMAIN}{CREATE_PATH}").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json=CREATED_OK)])
    # A read timeout after sending: a creating call is not repeated.
    submit = respx_mock.post(f"https://{DOMAIN}/api/render/submit/task").mock(
        side_effect=httpx.ReadTimeout("slow"))
    async with client() as api:
        assert (await api.task.create_task(count=1)).task_id_list == (42,)
        with pytest.raises(errors.RequestOutcomeUnknownError):
            await api.task.submit_task(42)
    assert create.call_count == 2
    assert submit.call_count == 1
    assert no_network == []


async def test_a_mock_closed_client_sends_nothing(respx_mock: respx.MockRouter, no_network: list[str]) -> None:
    route = respx_mock.post(f"https://{DOMAIN}{TASK_INFO_PATH}").respond(200, json=TASK_INFO_OK)
    api = client()
    await api.query.task_info([7])
    await api.aclose()
    with pytest.raises(errors.ClientClosedError):
        await api.query.task_info([7])
    assert route.call_count == 1
    assert no_network == []
