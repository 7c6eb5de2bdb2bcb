"""pytest fixtures for testing code that talks to the Rayvision API, against the simulator.

The plugin itself is the top-level module ``_rayvision_async_pytestplugin`` (the
``rayvision_async`` pytest11 entry point), kept outside this package so that pytest
start-up imports neither the client nor the simulator; this module re-exports it
under its historical name. Installing the package makes these fixtures available:

``rayvision_farm``
    A seeded :class:`~.farm.Farm` whose clock only moves when the test calls
    ``farm.advance(seconds)``, with file storage in a temporary folder. Override
    this fixture to change the farm (speed, failure rate, child tasks, paging behaviour).
``rayvision_simulator``
    A fresh :class:`~.service.Simulator` over ``rayvision_farm``.
``rayvision_simulator_url``
    ``"http://127.0.0.1:PORT"`` of a loopback server running ``rayvision_simulator``.
``rayvision_transmitter``
    The path of the stand-in transfer engine for ``rayvision_farm``'s storage.
``rayvision_client``
    An ``AsyncRayvisionAPI`` wired to ``rayvision_simulator`` in process (no sockets),
    its ``transfer`` set up for ``rayvision_transmitter``.

The async fixtures need pytest-asyncio; without it they skip the test.
"""

from __future__ import annotations

from _rayvision_async_pytestplugin import (
    SIM_ACCESS_ID,
    SIM_ACCESS_KEY,
    SIM_SEED,
    pytest_fixture_setup,
    rayvision_client,
    rayvision_farm,
    rayvision_simulator,
    rayvision_simulator_url,
    rayvision_transmitter,
)

__all__ = [
    "SIM_ACCESS_ID",
    "SIM_ACCESS_KEY",
    "SIM_SEED",
    "pytest_fixture_setup",
    "rayvision_client",
    "rayvision_farm",
    "rayvision_simulator",
    "rayvision_simulator_url",
    "rayvision_transmitter",
]
