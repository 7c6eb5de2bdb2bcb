"""pytest fixtures for testing code that talks to the Rayvision API, against the simulator.

Registered as the ``rayvision_async`` pytest11 entry point, so installing the
package makes these fixtures available:

``rayvision_farm``
    A seeded :class:`~rayvision_async.simulator.Farm` whose clock only moves when
    the test calls ``farm.advance(seconds)``, with file storage in ``tmp_path``
    (renders write their images there). Override this fixture to change the
    farm (speed, failure rate, child tasks, paging behaviour).
``rayvision_simulator``
    A fresh :class:`~rayvision_async.simulator.Simulator` over ``rayvision_farm``.
``rayvision_simulator_url``
    ``"http://127.0.0.1:PORT"`` of a loopback server running ``rayvision_simulator``.
``rayvision_transmitter``
    The path of the simulator's stand-in transfer engine for ``rayvision_farm``'s
    storage (a farm without storage gets one in a temporary folder): what
    ``$RAYVISION_TRANSMITTER`` would hold.
``rayvision_client``
    An ``AsyncRayvisionAPI`` wired to ``rayvision_simulator`` in process (no sockets),
    its ``transfer`` set up for ``rayvision_transmitter``.

The async fixtures need pytest-asyncio; without it they skip the test. They are
declared with ``pytest_asyncio.fixture``, so they work in pytest-asyncio's strict
mode (the test itself still needs ``@pytest.mark.asyncio`` there, or
``asyncio_mode = "auto"``).

This is a top-level module, not part of the ``rayvision_async`` package, so that
pytest loading the plugin imports neither the package (its ``__init__`` imports
the client) nor the simulator: each fixture imports what it needs when a test
first requests it. ``rayvision_async.simulator.pytest_plugin`` re-exports it.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

if TYPE_CHECKING:
    from rayvision_async import AsyncRayvisionAPI
    from rayvision_async.simulator import Farm, Simulator

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

SIM_ACCESS_ID = "AKIDpytestSimulator00000000000000000"
SIM_ACCESS_KEY = "pytest-simulator-access-key-0000000"
SIM_SEED = 20240601

_F = TypeVar("_F", bound=Callable[..., Any])

try:  # already imported when pytest-asyncio is installed: pytest loads it as the "asyncio" plugin
    import pytest_asyncio

    _async_fixture = cast(Callable[[_F], _F], pytest_asyncio.fixture)
except ImportError:  # pragma: no cover - exercised only without pytest-asyncio installed
    _async_fixture = cast(Callable[[_F], _F], pytest.fixture)

#: The fixtures that need pytest-asyncio's event loop (see :func:`pytest_fixture_setup`).
_ASYNC_FIXTURES = frozenset({"rayvision_simulator_url", "rayvision_client"})


@pytest.fixture
def rayvision_farm(tmp_path_factory: pytest.TempPathFactory) -> Farm:
    """A seeded farm on a frozen clock (advance it with ``farm.advance(seconds)``), with file storage."""
    from rayvision_async.simulator import Farm

    return Farm(seed=SIM_SEED, speed=0.0, storage=tmp_path_factory.mktemp("rayvision-farm"))


@pytest.fixture
def rayvision_simulator(rayvision_farm: Farm) -> Simulator:
    """A simulator over ``rayvision_farm`` with the plugin's credentials."""
    from rayvision_async.simulator import Simulator

    return Simulator(SIM_ACCESS_ID, SIM_ACCESS_KEY, farm=rayvision_farm)


@_async_fixture
async def rayvision_simulator_url(rayvision_simulator: Simulator) -> AsyncIterator[str]:
    """Base URL of a loopback HTTP server running ``rayvision_simulator``."""
    from rayvision_async.simulator import serve

    async with serve(rayvision_simulator) as base_url:
        yield base_url


@pytest.fixture
def rayvision_transmitter(rayvision_farm: Farm, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The stand-in transfer engine's path for ``rayvision_farm``'s storage (attached if the farm has none)."""
    storage = rayvision_farm.storage or rayvision_farm.attach_storage(tmp_path_factory.mktemp("rayvision-farm"))
    return str(storage.launcher())


@_async_fixture
async def rayvision_client(rayvision_simulator: Simulator, rayvision_transmitter: str,
                           tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncRayvisionAPI]:
    """An ``AsyncRayvisionAPI`` whose requests the simulator serves in process; transfers use the stand-in."""
    from rayvision_async import AsyncRayvisionAPI
    from rayvision_async.simulator import SimulatorTransport
    from rayvision_async.transfer import Transfer

    client = AsyncRayvisionAPI(
        access_id=rayvision_simulator.access_id,
        access_key=rayvision_simulator.access_key,
        domain=rayvision_simulator.domain,
        transport=SimulatorTransport(rayvision_simulator),
    )
    client.transfer = Transfer(client, transmitter=rayvision_transmitter,
                               log_dir=tmp_path_factory.mktemp("rayvision-transfer"))
    try:
        yield client
    finally:
        await client.aclose()


def _pytest_asyncio_active(config: pytest.Config) -> bool:
    """Whether pytest-asyncio's plugin is registered (it is installed and not disabled by ``-p no:asyncio``)."""
    plugin = sys.modules.get("pytest_asyncio.plugin")
    return plugin is not None and config.pluginmanager.is_registered(plugin)


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> None:
    """Skip a test that requests this plugin's async fixtures when pytest-asyncio cannot run them.

    Without pytest-asyncio nothing runs an async fixture's body, and pytest fails the test; the
    fixture's own code cannot say why, so the check is made here, before pytest sets the fixture up.
    """
    if (
        fixturedef.argname in _ASYNC_FIXTURES
        and getattr(fixturedef.func, "__module__", None) == __name__
        and not _pytest_asyncio_active(request.config)
    ):
        pytest.skip(
            f"the {fixturedef.argname} fixture (rayvision_async) needs pytest-asyncio, "
            "which is not installed or is disabled: pip install pytest-asyncio"
        )
