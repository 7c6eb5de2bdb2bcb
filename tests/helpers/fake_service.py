"""The one fake transport of the unit tests: an ``httpx.MockTransport`` that plays a script and records.

Pass it to the client as a caller's transport: ``AsyncRayvisionAPI(id, key, transport=fake)``.
Each request takes the next *outcome* of the script (then ``answer``, then the default reply):

* an ``Exception`` — raised, as a transport raises a failure;
* an ``httpx.Response`` — returned as it is;
* a ``Reply`` — an envelope (``code``, ``data``, ``message``, ``request_id``, ``server_time``);
* a callable — called with the request (and awaited if it is a coroutine function), its result is
  the outcome;
* ``None`` — ``answer(request)`` if given, else the default reply: code 200 with
  ``data_by_path[path]`` (or ``default_data``).

``repeat_last=True`` keeps answering with the last outcome of the script once it runs out.
``gate`` (an ``asyncio.Event``) holds every request until it is set, ``hold`` sleeps that long.

Records: ``requests`` (each ``httpx.Request``, its body read), ``bodies(path)``, ``count(path)``,
``signatures``, ``in_flight`` / ``peak``, ``arrived`` (an ``asyncio.Event`` set at the first
request) and ``closed`` (``aclose`` was called: the SDK closes a caller's transport with the client).
As a caller's own transport it is not *vouched*: the SDK treats every failure it raises as one that
may have happened after sending (see the README's Reliability section).
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["FakeService", "Reply", "envelope"]


def envelope(data: Any = None, *, code: int = 200, message: str = "ok", request_id: str | None = None,
             server_time: Any = None) -> dict[str, Any]:
    """The service's reply envelope around ``data``."""
    body: dict[str, Any] = {"version": "1.0.0", "result": code == 200, "message": message, "code": code,
                            "data": data}
    if request_id is not None:
        body["requestId"] = request_id
    if server_time is not None:
        body["serverTime"] = server_time
    return body


@dataclass(frozen=True)
class Reply:
    """A scripted envelope reply (HTTP 200 unless ``status`` says otherwise)."""

    data: Any = None
    code: int = 200
    message: str = "ok"
    request_id: str | None = None
    server_time: Any = None
    status: int = 200

    def response(self) -> httpx.Response:
        return httpx.Response(self.status, json=envelope(self.data, code=self.code, message=self.message,
                                                         request_id=self.request_id, server_time=self.server_time))


Outcome = Any  # Exception | httpx.Response | Reply | Callable[[httpx.Request], Outcome] | None


class FakeService(httpx.MockTransport):
    """Plays ``script`` (then ``answer``, then the default reply) and records every request."""

    def __init__(
        self, *script: Outcome, answer: Callable[[httpx.Request], Outcome] | None = None,
        data_by_path: Mapping[str, Any] | None = None, default_data: Any = None, repeat_last: bool = False,
        gate: asyncio.Event | None = None, hold: float = 0.0,
    ) -> None:
        super().__init__(self._handle)
        self.script = list(script)
        self.answer = answer
        self.data_by_path = dict(data_by_path or {})
        self.default_data = default_data
        self.repeat_last = repeat_last
        self.gate = gate
        self.hold = hold
        self.requests: list[httpx.Request] = []
        self.in_flight = 0
        self.peak = 0
        self.closed = False
        self.arrived = asyncio.Event()

    def _next(self, request: httpx.Request) -> Outcome:
        outcome = None
        if self.script:
            outcome = self.script[0] if self.repeat_last and len(self.script) == 1 else self.script.pop(0)
        if outcome is None and self.answer is not None:
            outcome = self.answer(request)
        return outcome

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        self.arrived.set()
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            if self.gate is not None:
                await asyncio.wait_for(self.gate.wait(), 5)
            if self.hold:
                await asyncio.sleep(self.hold)
            outcome = self._next(request)
            while callable(outcome) and not isinstance(outcome, (httpx.Response, Reply)):
                outcome = outcome(request)
                if inspect.isawaitable(outcome):
                    outcome = await outcome
            if isinstance(outcome, BaseException):
                raise outcome
            if isinstance(outcome, httpx.Response):
                return outcome
            if isinstance(outcome, Reply):
                return outcome.response()
            if outcome is not None:
                raise TypeError(f"not an outcome: {outcome!r}")
            data = self.data_by_path.get(request.url.path, self.default_data)
            return httpx.Response(200, json=envelope(data))
        finally:
            self.in_flight -= 1

    # -- records ----------------------------------------------------------------------------------

    def count(self, path: str | None = None) -> int:
        """Requests to ``path`` (every request when None)."""
        return sum(1 for request in self.requests if path is None or request.url.path == path)

    def bodies(self, path: str | None = None) -> list[dict[str, Any]]:
        """The JSON bodies of the requests to ``path`` (every request when None)."""
        return [json.loads(request.content) for request in self.requests
                if path is None or request.url.path == path]

    @property
    def signatures(self) -> list[str]:
        return [request.headers["signature"] for request in self.requests]

    async def aclose(self) -> None:
        self.closed = True
