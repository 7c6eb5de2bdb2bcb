"""Shared harness of the per-endpoint wire tests (``test_endpoint_wire*.py``).

A :class:`Case` is one call of one endpoint with the path and body the spec
documents say it must produce, written by hand from
``incumbent-sdk-facts.md`` §B (current path set, version
header 2.0.0) and ``protocol-v5-2020-en.txt`` (2018 path set, version header
1.0.0) — never computed from the endpoint table, which is what is under test.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import respx

from rayvision_async import AsyncRayvisionAPI
from rayvision_async.api._table import ENDPOINTS
from rayvision_async.errors import InvalidInputError, UnsupportedOperationError

RENDERBUS = "task.renderbus.com"
FOX = "task.foxrenderfarm.com"
#: What the official SDK sends as ``osName`` by default: the machine the client runs on.
THIS_OS = "windows" if sys.platform.startswith("win") else "linux"

UNSUPPORTED = "unsupported"  # no 2018 path: UnsupportedOperationError, nothing sent
INVALID = "invalid"  # the 2018 call must be refused (InvalidInputError), nothing sent
SKIP = "skip"  # this case says nothing about the 2018 set
SAME = "same"  # the 2018 body equals the current one


class JsonText:
    """Compares equal to a str holding JSON that decodes to ``value`` (a wire ``content`` field)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and json.loads(other) == self.value

    def __hash__(self) -> int:
        return hash(json.dumps(self.value, sort_keys=True))

    def __repr__(self) -> str:
        return f"JsonText({self.value!r})"


@dataclass(frozen=True)
class Case:
    """One call, its expected current and 2018 requests, and the ``data`` the service answers."""

    path: str
    legacy_path: str | None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    legacy_body: dict[str, Any] | str = SAME
    reply: Any = None  # the envelope's ``data``
    domain: str = RENDERBUS
    client_platform: str = "4"  # the client's ``platform`` setting
    result: Any = ...  # when given, the call's return value must equal it
    via: str | None = None  # call this method name (an alias) instead of the endpoint's own

    def describe(self, name: str) -> str:
        shown = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.via or name}({', '.join(shown)}) on {self.domain}"


def case(path: str, legacy_path: str | None, *args: Any, body: dict[str, Any], legacy: dict[str, Any] | str = SAME,
         reply: Any = None, domain: str = RENDERBUS, client_platform: str = "4", result: Any = ...,
         via: str | None = None, **kwargs: Any) -> Case:
    """A :class:`Case`; ``args``/``kwargs`` are the call's, the keywords before them the expectations."""
    if legacy_path is None and legacy == SAME:
        legacy = UNSUPPORTED
    return Case(path, legacy_path, args, kwargs, body, legacy, reply, domain, client_platform, result, via)


def envelope(data: Any) -> dict[str, Any]:
    return {"version": "1.0.0", "result": True, "message": "success", "code": 200, "data": data,
            "serverTime": 1535957894211, "requestId": "T6ADVY-1577953977699"}


async def check_case(group: str, name: str, item: Case, protocol: str) -> None:
    """Make the call against respx and compare path, version header and parsed body with ``item``."""
    legacy = protocol == "2018"
    expected_path = item.legacy_path if legacy else item.path
    expected_body = item.body if not legacy or item.legacy_body == SAME else item.legacy_body
    if legacy and item.legacy_body == SKIP:
        return
    router = respx.MockRouter(base_url=f"https://{item.domain}", assert_all_mocked=True)
    route = router.post(expected_path or "/never-called").respond(200, json=envelope(item.reply))
    stray = router.route().respond(200, json=envelope(item.reply))
    api = AsyncRayvisionAPI("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                            domain=item.domain, platform=item.client_platform, protocol=protocol,
                            transport=httpx.MockTransport(router.async_handler), max_retries=0)
    method = getattr(getattr(api, group), item.via or name)
    what = item.describe(name)
    async with api:
        if expected_body in (UNSUPPORTED, INVALID):
            error = UnsupportedOperationError if expected_body == UNSUPPORTED else InvalidInputError
            with pytest.raises(error):
                await method(*item.args, **item.kwargs)
            assert not router.calls, f"{what}: a request was sent although the call must be refused"
            return
        result = await method(*item.args, **item.kwargs)
    sent = [call.request.url.path for call in router.calls]
    assert not stray.called, f"{what}: sent to {sent}, expected {expected_path}"
    assert route.call_count == 1, f"{what}: expected one request to {expected_path}, got {sent}"
    request = route.calls.last.request
    assert request.method == "POST"
    assert request.headers["version"] == ("1.0.0" if legacy else "2.0.0")
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == expected_body, f"{what} ({protocol})"
    if item.result is not ...:
        assert result == item.result


def params_for(groups: set[str]) -> list[Any]:
    """One pytest param per (table row of ``groups``, protocol), id ``<name>-<protocol>``."""
    out = []
    for endpoint in ENDPOINTS:
        if endpoint.group not in groups:
            continue
        for protocol in ("current", "2018"):
            out.append(pytest.param(endpoint.group, endpoint.name, protocol, id=f"{endpoint.name}-{protocol}"))
    return out
