"""An embedded, signature-checking fake Rayvision render farm (like moto for boto).

* :class:`Farm` — the farm's state and operations over simulated time, no HTTP.
* :class:`Simulator` — the HTTP-free service: verifies signatures, routes both
  path sets from the SDK's endpoint table, answers in the service's envelope,
  injects faults, counts requests.
* :class:`SimulatorTransport` — an in-process ``httpx`` transport;
  :func:`serve` / :func:`run_server` — a loopback HTTP server.
* :class:`FaultPlan` / :class:`Fault` — seeded random and one-shot faults.

Quick start::

    sim = Simulator(farm=Farm(speed=0))
    api = AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=SimulatorTransport(sim))
    ids = (await api.task.create_task())["taskIdList"]
    sim.farm.advance(600)
"""

from .account import Account, RenderEnv
from .clock import SimClock
from .codes import FarmError, FrameStatus, FrameType, TaskStatus
from .farm import Farm
from .faults import Fault, FaultPlan
from .server import run_server, serve
from .service import RecordedRequest, SimReply, Simulator
from .transport import SimulatorTransport

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
