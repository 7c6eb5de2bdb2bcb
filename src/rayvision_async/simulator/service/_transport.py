"""``SimulatorTransport``: an in-process httpx transport in front of a :class:`~._simulator.Simulator`.

No sockets. A reset becomes ``httpx.ReadError`` (``httpx.ConnectError`` for
a reset before sending); an answer later than the request's read timeout
becomes ``httpx.ReadTimeout`` after sleeping that timeout.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable

import httpx

from ..._arguments import checked_binding
from ...errors import ConfigurationError, InvalidInputError
from .. import _arguments as check
from ._simulator import Simulator

__all__ = ["SimulatorTransport"]


class SimulatorTransport(httpx.AsyncBaseTransport):
    """Serve httpx requests from ``simulator``.

    ``sleep`` performs delays (latency, slow answers); pass a no-op coroutine
    to make them instantaneous while keeping the timeout behaviour.
    """

    #: Its connect failures are raised only when nothing was sent (see ``HttpChannel.vouched``).
    vouches_for_failures = True

    @checked_binding(ConfigurationError)
    def __init__(
        self,
        simulator: Simulator,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        with check.configuration():
            check.instance(simulator, "simulator", Simulator)
            probe = check.function(sleep, "sleep")(0)  # an async function: its call gives an awaitable
            if inspect.iscoroutine(probe):
                probe.close()
            elif not inspect.isawaitable(probe):
                raise InvalidInputError(f"sleep must be an async function, but sleep(0) gave a {type(probe).__name__}")
        self.simulator = simulator
        self._sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in request.headers.raw}
        reply = await self.simulator.handle(request.method, request.url.path, headers, content)
        if reply.reset and reply.before_sending:
            raise httpx.ConnectError("simulated connection reset before sending", request=request)
        if reply.delay > 0:
            timeouts = request.extensions.get("timeout", {})
            read_timeout = timeouts.get("read") if isinstance(timeouts, dict) else None
            if read_timeout is not None and reply.delay > read_timeout:
                await self._sleep(read_timeout)
                raise httpx.ReadTimeout("simulated slow answer", request=request)
            await self._sleep(reply.delay)
        if reply.reset:
            raise httpx.ReadError("simulated connection reset by peer", request=request)
        if reply.trickle > 0:  # every byte arrives within the read timeout; the whole takes long
            await self._sleep(reply.trickle * len(reply.body))
        return httpx.Response(
            status_code=reply.status,
            headers=list(reply.headers),
            content=reply.body,
            request=request,
        )
