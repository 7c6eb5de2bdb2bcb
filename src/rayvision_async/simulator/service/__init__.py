"""The simulator's wire side: the HTTP-free service over a farm, and its transports.

Request bodies (``_body``), operations by SDK method name (``_operations``,
``_ops_*``), routing of both path sets (``_routing``), the wire shape of farm
records (``_wire``), faults (``_faults``), the :class:`Simulator` itself, the
in-process :class:`SimulatorTransport` and the loopback server. It imports
:mod:`..farm`; the farm never imports it.
"""

from ._faults import KINDS, Fault, FaultKind, FaultPlan
from ._server import run_server, serve
from ._simulator import RecordedRequest, SimReply, Simulator
from ._transport import SimulatorTransport

__all__ = [
    "KINDS",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "RecordedRequest",
    "SimReply",
    "Simulator",
    "SimulatorTransport",
    "run_server",
    "serve",
]
