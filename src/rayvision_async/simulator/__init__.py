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

Quick start::

    sim = Simulator(farm=Farm(speed=0))
    api = AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=SimulatorTransport(sim))
    ids = (await api.task.create_task()).task_id_list
    sim.farm.advance(600)
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
