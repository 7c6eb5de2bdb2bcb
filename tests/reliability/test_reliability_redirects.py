"""No redirect is ever followed: a 3xx is a ``RedirectError`` naming the status and the target host, on every path.

Two loopback servers: the "service" answers every request with a redirect to the "other host", which
records whatever reaches it. Every redirect status, on every path a request can take (the default
transport's lean lane, its httpx path under a transport subclass, a caller's ``http_client=`` built with
``follow_redirects=True``, respx), for a call that creates work and for a read: the other host receives
nothing, the service exactly one request (never retried), and no result is made up. A 303 ("See Other",
HTTP's answer after processing a request) to a creating call is "outcome unknown"; any other 3xx says the
request was not applied where it was sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
import respx
from aiohttp import web

from helpers import internals
from helpers.loopback import Server, envelope_for, serve
from rayvision_async import AsyncRayvisionAPI, RetryPolicy, errors
from rayvision_async.wire import AiohttpTransport

ACCESS_ID = "AKIDredirect00001"
ACCESS_KEY = "redirect-secret-key-01"
STATUSES = [301, 302, 303, 307, 308]
PATHS = ["default", "transport-subclass", "http_client-following", "respx"]


class MyTransport(AiohttpTransport):
    """A caller's subclass: the channel sends through the httpx transport API, not the lean lane."""


def redirecting(status: int, other: Server) -> Callable[[web.Request, Server], Awaitable[web.Response]]:
    async def answer(request: web.Request, server: Server) -> web.Response:
        return web.Response(status=status, headers={"Location": f"{other.url}{request.path}?stolen=1"})

    return answer


async def other_host(request: web.Request, server: Server) -> web.Response:
    return web.json_response(envelope_for(request.path))  # a "success" the SDK must never return


@asynccontextmanager
async def client_on(path: str, service: Server, other: Server, status: int) -> AsyncIterator[AsyncRayvisionAPI]:
    options: dict[str, Any] = {"base_url": service.url, "retry": RetryPolicy(attempts=3)}
    async with AsyncExitStack() as stack:
        if path == "transport-subclass":
            options["transport"] = MyTransport()
        elif path == "http_client-following":
            options["http_client"] = await stack.enter_async_context(httpx.AsyncClient(follow_redirects=True))
        elif path == "respx":
            router = stack.enter_context(respx.mock(assert_all_called=False))
            router.post(url__startswith=service.url).mock(side_effect=lambda request: httpx.Response(
                status, headers={"Location": f"{other.url}{request.url.path}"}))

            def reached_other(request: httpx.Request) -> httpx.Response:
                other.received.append(request)  # type: ignore[arg-type]
                return httpx.Response(200, json=envelope_for(request.url.path))

            router.route(url__startswith=other.url).mock(side_effect=reached_other)
        api = await stack.enter_async_context(AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, **options))
        if path == "default":
            assert internals.channel(api)._lean is not None  # the lean lane carries these calls
        yield api


def calls(api: AsyncRayvisionAPI) -> dict[str, Callable[[], Awaitable[Any]]]:
    return {"create_task": lambda: api.task.create_task(count=1), "task_info": lambda: api.query.task_info([7])}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("call", ["create_task", "task_info"])
async def test_a_redirect_is_an_error_and_the_other_host_receives_nothing(path: str, status: int, call: str) -> None:
    async with serve(other_host) as other, serve(redirecting(status, other)) as service, \
            client_on(path, service, other, status) as api:
        with pytest.raises(errors.RayvisionError) as caught:
            await calls(api)[call]()
        requests_to_service = api.requests_sent
    error = caught.value
    if status == 303 and call == "create_task":
        assert isinstance(error, errors.RequestOutcomeUnknownError)  # "See Other": it may have been processed
        error = error.__cause__  # type: ignore[assignment]
    assert isinstance(error, errors.RedirectError), repr(error)
    assert error.status_code == status
    assert error.location == other.authority
    assert f"HTTP {status}" in str(error)
    assert other.authority in str(error)
    assert "not followed" in str(error)
    assert not error.followed
    assert requests_to_service == 1  # never retried
    if path != "respx":
        assert len(service.received) == 1
    assert other.received == []  # not the signature, not the access id, not the body: nothing


async def test_a_transport_that_follows_redirects_never_yields_the_other_hosts_reply() -> None:
    """A caller's transport that follows redirects itself (the SDK cannot stop it) is caught afterwards."""

    class Following(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.client = httpx.AsyncClient(follow_redirects=True)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await self.client.send(request)
            return response

        async def aclose(self) -> None:
            await self.client.aclose()

    async with serve(other_host) as other, serve(redirecting(302, other)) as service, \
                AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, base_url=service.url, transport=Following()) as api:
        with pytest.raises(errors.RedirectError) as caught:
            await api.task.create_task(count=1)
    assert caught.value.followed
    assert caught.value.location == other.authority
    assert "reached that host" in str(caught.value)
    assert [request.method for request in other.received] == ["GET"]  # the transport's doing, not the SDK's


@pytest.mark.parametrize(("location", "shown"), [
    (f"http://{ACCESS_ID}.evil.example:8080/x?key={ACCESS_KEY}&s={{signature}}", "***.evil.example:8080"),
    (f"https://user:{ACCESS_KEY}@evil.example/x", "evil.example"),
    ("//evil.example:99/x", "evil.example:99"),
    ("http://[::1]:8080/x", "[::1]:8080"),
    ("/api/elsewhere", "the same host (a relative Location)"),
    ("http://evil.example:80a/x", None),
    ("http://a b.example/", None),
    (None, None),
], ids=["id-in-host", "key-in-userinfo", "scheme-relative", "ipv6", "relative", "bad-port", "space", "none"])
async def test_a_redirect_names_only_the_host_it_pointed_to_scrubbed(location: str | None, shown: str | None) -> None:
    async def hostile(request: web.Request, server: Server) -> web.Response:
        if location is None:
            return web.Response(status=307)
        return web.Response(status=307, headers={"Location": location.replace("{signature}",
                                                                              request.headers["signature"])})

    async with serve(hostile) as service, AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, base_url=service.url) as api:
        with pytest.raises(errors.RedirectError) as caught:
            await api.query.task_info([7])
    signature = service.received[0].headers["signature"]
    assert caught.value.location == shown
    assert ("without a usable Location" in str(caught.value)) is (shown is None)
    for secret in (ACCESS_ID, ACCESS_KEY, signature):
        assert secret not in str(caught.value)
        assert secret not in repr(caught.value)
