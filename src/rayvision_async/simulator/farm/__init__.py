"""The simulated render farm's domain: tasks, frames, simulated time, the account. No HTTP, no wire format.

:class:`Farm` is composed of parts it holds and delegates to: a task store
(``farm.store``), a render engine over a :class:`SimClock` (``farm.engine``),
an :class:`Account` (``farm.account``) and task control (``farm.control``).
Nothing here imports :mod:`rayvision_async.simulator.service`.
"""

from ._account import Account, RenderEnv
from ._clock import SimClock
from ._codes import FarmError, FrameStatus, FrameType, TaskStatus
from ._farm import ChildTasks, Farm, PagingEnd
from ._model import Mode, SimFrame, SimTask
from ._storage import FarmStorage

__all__ = [
    "Account",
    "ChildTasks",
    "Farm",
    "FarmError",
    "FarmStorage",
    "FrameStatus",
    "FrameType",
    "Mode",
    "PagingEnd",
    "RenderEnv",
    "SimClock",
    "SimFrame",
    "SimTask",
    "TaskStatus",
]
