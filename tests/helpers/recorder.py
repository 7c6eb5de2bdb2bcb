"""A client over a transport that records every request: the bad-input tests count what was sent.

Every request is answered with a successful envelope holding an empty page, so
a call that sent something before failing (or did not fail) is caught by the
request count, not masked by a transport error.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Literal

import httpx

from rayvision_async import AsyncRayvisionAPI

ACCESS_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
ACCESS_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"


class Recorder:
    """A transport that records every request and answers it with an empty page."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        data = {"pageCount": 1, "pageNum": 1, "total": 0, "size": 100, "items": []}
        return httpx.Response(200, json={"code": 200, "message": "success", "data": data})


@contextlib.asynccontextmanager
async def recording_client(
    protocol: Literal["current", "2018"] = "current",
) -> AsyncIterator[tuple[AsyncRayvisionAPI, Recorder]]:
    """A client without retries over a :class:`Recorder`, and the recorder."""
    recorder = Recorder()
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, protocol=protocol, transport=httpx.MockTransport(recorder),
                                 max_retries=0) as api:
        yield api, recorder
