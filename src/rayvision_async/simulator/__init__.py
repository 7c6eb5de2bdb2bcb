"""An embedded, signature-checking fake Rayvision render farm (like moto for boto).

* :class:`Farm` — the farm's state and operations over simulated time, no HTTP.
* :class:`Simulator` — the HTTP-free service: verifies signatures, routes both
  path sets from the SDK's endpoint table, answers in the service's envelope,
  injects faults, counts requests.
* :class:`SimulatorTransport` — an in-process ``httpx`` transport;
  :func:`serve` / :func:`run_server` — a loopback HTTP server.
* :class:`FaultPlan` / :class:`Fault` — seeded random and one-shot faults.

Two subpackages, with a one-way dependency ``service → farm``:

* :mod:`.farm` — the domain: clock, task store, render engine, account,
  catalog, task model and task files, task control; no HTTP and no wire
  format, and it imports nothing from :mod:`.service`.
* :mod:`.service` — the wire side: request bodies, operations by SDK method
  name, routing, wire records, faults, the :class:`Simulator`, its transport
  and server. It drives a :class:`Farm`.

Quick start (a doctest: ``tests/simulator/test_simulator_docs.py`` runs it)::

    >>> import asyncio
    >>> from rayvision_async import AsyncRayvisionAPI
    >>> from rayvision_async.simulator import Farm, Simulator, SimulatorTransport
    >>> async def quick_start() -> str:
    ...     sim = Simulator(farm=Farm(speed=0))
    ...     transport = SimulatorTransport(sim)
    ...     async with AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=transport) as api:
    ...         task_id = await api.submit_task_json({"task_info": {"frames": "1-3[1]"}})
    ...         sim.farm.advance(600)
    ...         task = (await api.query.task_info([task_id])).items[0]
    ...         return f"{task.task_status.name}: {task.done_frames} of {task.total_frames} frames"
    >>> asyncio.run(quick_start())
    'FINISHED: 3 of 3 frames'
"""

from .farm import Account, Farm, FarmError, FrameStatus, FrameType, RenderEnv, SimClock, TaskStatus
from .service import Fault, FaultPlan, RecordedRequest, SimReply, Simulator, SimulatorTransport, run_server, serve

__all__ = [
    "Account",
    "Farm",
    "FarmError",
    "Fault",
    "FaultPlan",
    "FrameStatus",
    "FrameType",
    "RecordedRequest",
    "RenderEnv",
    "SimClock",
    "SimReply",
    "Simulator",
    "SimulatorTransport",
    "TaskStatus",
    "run_server",
    "serve",
]
