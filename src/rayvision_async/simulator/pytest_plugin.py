"""pytest fixtures for testing code that talks to the Rayvision API, against the simulator.

Registered as the ``rayvision_async`` pytest11 entry point, so installing the
package makes these fixtures available:

``rayvision_farm``
    A seeded :class:`~.farm.Farm` whose clock only moves when the test calls
    ``farm.advance(seconds)``. Override this fixture to change the farm
    (speed, failure rate, child tasks, paging behaviour).
``rayvision_simulator``
    A fresh :class:`~.service.Simulator` over ``rayvision_farm``.
``rayvision_simulator_url``
    ``"http://127.0.0.1:PORT"`` of a loopback server running ``rayvision_simulator``.
``rayvision_client``
    An ``AsyncRayvisionAPI`` wired to ``rayvision_simulator`` in process (no sockets).

The async fixtures need pytest-asyncio; without it they skip the test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar, cast

import pytest

from .farm import Farm
from .server import serve
from .service import Simulator
from .transport import SimulatorTransport

__all__ = [
    "SIM_ACCESS_ID",
    "SIM_ACCESS_KEY",
    "rayvision_client",
    "rayvision_farm",
    "rayvision_simulator",
    "rayvision_simulator_url",
]

SIM_ACCESS_ID = "AKIDpytestSimulator00000000000000000"
SIM_ACCESS_KEY = "pytest-simulator-access-key-0000000"
SIM_SEED = 20240601

_F = TypeVar("_F", bound=Callable[..., Any])

try:
    import pytest_asyncio

    _HAVE_PYTEST_ASYNCIO = True
    _async_fixture = cast(Callable[[_F], _F], pytest_asyncio.fixture)
except ImportError:  # pragma: no cover - exercised only without pytest-asyncio
    _HAVE_PYTEST_ASYNCIO = False
    _async_fixture = cast(Callable[[_F], _F], pytest.fixture)


@pytest.fixture
def rayvision_farm() -> Farm:
    """A seeded farm on a frozen clock (advance it with ``farm.advance(seconds)``)."""
    return Farm(seed=SIM_SEED, speed=0.0)


@pytest.fixture
def rayvision_simulator(rayvision_farm: Farm) -> Simulator:
    """A simulator over ``rayvision_farm`` with the plugin's credentials."""
    return Simulator(SIM_ACCESS_ID, SIM_ACCESS_KEY, farm=rayvision_farm)


def _need_pytest_asyncio() -> None:
    if not _HAVE_PYTEST_ASYNCIO:  # pragma: no cover
        pytest.skip("the rayvision_async async fixtures need pytest-asyncio")


@_async_fixture
async def rayvision_simulator_url(rayvision_simulator: Simulator) -> AsyncIterator[str]:
    """Base URL of a loopback HTTP server running ``rayvision_simulator``."""
    _need_pytest_asyncio()
    async with serve(rayvision_simulator) as base_url:
        yield base_url


@_async_fixture
async def rayvision_client(rayvision_simulator: Simulator) -> AsyncIterator[Any]:
    """An ``AsyncRayvisionAPI`` whose requests the simulator serves in process."""
    _need_pytest_asyncio()
    from ..client import AsyncRayvisionAPI

    client = AsyncRayvisionAPI(
        access_id=rayvision_simulator.access_id,
        access_key=rayvision_simulator.access_key,
        domain=rayvision_simulator.domain,
        transport=SimulatorTransport(rayvision_simulator),
    )
    try:
        yield client
    finally:
        await client.aclose()
