"""The client a command talks through: the resolved settings (:mod:`._profiles`), or a simulated farm.

``--simulate`` gives a client of an embedded simulator seeded with a few tasks in
various states (no sockets), whose farm keeps its files in a temporary folder and whose
transfers use the simulator's stand-in engine for it; otherwise the credentials must be
there (exit code 3 naming the flag, the variable and ``configure`` when one is missing).
``--engine`` (the commands that move files) chooses the transfer engine's protocol.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from collections.abc import AsyncIterator, Sequence
from typing import Literal, cast

from .._client import AsyncRayvisionAPI
from ..errors import ConfigurationError
from ._exit import EXIT_USAGE
from ._failure import CommandError
from ._generated_api import METHODS
from ._profiles import Settings, resolve

__all__ = ["connect", "settings_of"]

#: Endpoint methods the 2018 path set does not have, as (group, method).
_NOT_IN_2018 = frozenset((method.group, method.name) for method in METHODS if not method.in_2018)


def settings_of(args: argparse.Namespace) -> Settings:
    """The command's settings: flags, else variables, else the profile, else defaults."""
    return resolve(args)


def _protocol(settings: Settings) -> Literal["current", "2018"]:
    if settings.protocol not in ("current", "2018"):
        raise ConfigurationError(f"protocol must be current or 2018, not {settings.protocol!r} "
                                 f"(from the {settings.sources.get('protocol', 'default')})")
    return cast("Literal['current', '2018']", settings.protocol)


def _require_path_set(args: argparse.Namespace, protocol: str, uses: Sequence[str]) -> None:
    if protocol != "2018":
        return
    missing = [use for use in uses if tuple(use.split(".")) in _NOT_IN_2018]
    if missing:
        raise CommandError(f"{args.command}: the 2018 path set has no {', '.join(missing)} (use --protocol current)",
                           EXIT_USAGE)


@contextlib.asynccontextmanager
async def connect(args: argparse.Namespace, *, uses: Sequence[str] = (), settings: Settings | None = None
                  ) -> AsyncIterator[AsyncRayvisionAPI]:
    """A client for the command: the service (or ``--base-url``) with its settings, or ``--simulate``'s farm.

    ``uses`` names the endpoints (``"task.update_priority"``) the command calls: with the 2018 path set,
    one it lacks is refused (exit code 2) before the client is made.
    """
    if getattr(args, "simulate", False):
        _require_path_set(args, args.protocol or "current", uses)
        from ..simulator import Farm, Simulator, SimulatorTransport
        from ._serve import seed_tasks

        protocol: Literal["current", "2018"] = args.protocol or "current"
        with tempfile.TemporaryDirectory(prefix="rayvision-simulate-") as storage:
            sim = Simulator(farm=Farm(seed=1, speed=300, failure_rate=0.1, storage=storage))
            await seed_tasks(sim, 5, advance=150)  # a few tasks in various states
            async with AsyncRayvisionAPI(sim.access_id, sim.access_key, sim.domain, protocol=protocol,
                                         transport=SimulatorTransport(sim)) as api:
                _use_engine(api, args, str(sim.farm.storage.launcher()) if sim.farm.storage else None)
                yield api
        return
    settings = settings or resolve(args)
    _require_path_set(args, settings.protocol, uses)
    for what, flag, value, variable in (("access id", "--access-id", settings.access_id, "RAYVISION_API_ACCESS_ID"),
                                        ("access key", "--access-key", settings.access_key, "RAYVISION_API_KEY")):
        if not value:
            raise ConfigurationError(f"no {what}: pass {flag}, set {variable} or run rayvision-async configure "
                                     f"(profile {settings.profile!r})")
    async with AsyncRayvisionAPI(settings.access_id, settings.access_key, settings.domain, settings.platform,
                                 protocol=_protocol(settings), base_url=settings.base_url) as api:
        _use_engine(api, args, None)
        yield api


def _use_engine(api: AsyncRayvisionAPI, args: argparse.Namespace, transmitter: str | None) -> None:
    """The client's transfers: ``transmitter`` (the simulated farm's stand-in) and ``--engine``, when given."""
    engine = getattr(args, "engine", None)
    if transmitter is None and engine is None:
        return  # the client's own: $RAYVISION_TRANSMITTER or an installed rayvision-sync, engine aspera
    from ..transfer import Transfer

    api.transfer = Transfer(api, transmitter=transmitter, engine=engine or "aspera")
