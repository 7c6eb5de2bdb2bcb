"""Fixtures for the flow tests: a simulator whose farm renders at once, and a client over it (in memory)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from rayvision_async import AsyncRayvisionAPI
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport


@pytest.fixture
def sim() -> Simulator:
    return Simulator(farm=Farm(speed=0.0))


@pytest.fixture
async def api(sim: Simulator) -> AsyncIterator[AsyncRayvisionAPI]:
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain,
                                 transport=SimulatorTransport(sim)) as client:
        yield client
