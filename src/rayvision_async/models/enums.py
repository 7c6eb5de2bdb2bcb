"""Status and type codes used by the Rayvision render API.

The service adds codes without notice, so every enum here tolerates unknown values: looking up an
unknown code returns a pseudo-member named ``UNKNOWN_<code>`` instead of raising. Such a member
is still an ``int`` equal to the wire code, so it compares, sorts and serialises like the raw
number. The most recently used :data:`PSEUDO_MEMBER_CACHE_SIZE` pseudo-members per enum are kept
(the same object for the same code); older ones are let go, so a stream of distinct unknown codes
cannot grow memory without bound.
"""

from __future__ import annotations

import enum
import re
import threading
from collections import OrderedDict
from typing import Any, Self

from .._service_ints import INT32
from ..errors import InvalidInputError

__all__ = [
    "TERMINAL_TASK_STATUSES",
    "CodeLookup",
    "FrameStatus",
    "FrameType",
    "TaskStatus",
    "TolerantIntEnum",
]

_PSEUDO_LOCK = threading.Lock()
#: How many pseudo-members each enum keeps (least recently used go first).
PSEUDO_MEMBER_CACHE_SIZE = 1024
_PSEUDO: dict[type, OrderedDict[int, Any]] = {}
_INT_TEXT = re.compile(r"\s*-?[0-9]{1,12}\s*")


class CodeLookup(enum.EnumType):
    """The metaclass of the SDK's enums: ``Enum(code)`` looks one code up (an int, or its digits).

    Anything else is an :class:`InvalidInputError` (a ``ValueError``, as Enum raises): a bool, which
    would otherwise find the member of code 1 or 0, an object that is no code, more arguments.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        given = [*args, *kwargs.values()]
        if len(given) != 1 or (kwargs and "value" not in kwargs):
            raise InvalidInputError(f"{cls.__name__}() looks up one code (value=); it takes no other arguments")
        (value,) = given
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise InvalidInputError(f"{cls.__name__} codes are ints (or their digits), not a {type(value).__name__}")
        if not cls._member_map_:
            raise InvalidInputError(f"{cls.__name__} has no codes of its own: look codes up in its subclasses")
        return super().__call__(value)


class TolerantIntEnum(enum.IntEnum, metaclass=CodeLookup):
    """Base for integer enums that accept codes they do not define.

    ``MyEnum(77)`` for an undefined 77 returns a pseudo-member with ``.value == 77`` and
    ``.name == "UNKNOWN_77"``. Recently used pseudo-members are cached (bounded, see
    :data:`PSEUDO_MEMBER_CACHE_SIZE`), so ``MyEnum(77) is MyEnum(77)`` while 77 is among them;
    compare with ``==``, which always holds. Pseudo-members are not listed when iterating the
    enum. Numeric strings such as ``"4"`` (some endpoints send codes as strings) are accepted too.
    Codes beyond a Java int (32 bits) are no codes: looking them up raises ``ValueError``.
    """

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if isinstance(value, str) and _INT_TEXT.fullmatch(value):
            return cls(int(value))
        if isinstance(value, bool) or not isinstance(value, int) or not INT32[0] <= value <= INT32[1]:
            # The service's codes are Java ints: anything else is no code (a ValueError, as Enum raises).
            shown = repr(value)[:40] if isinstance(value, str) else f"a {type(value).__name__}"
            raise InvalidInputError(f"{cls.__name__} codes are ints of 32 bits (or their digits), not {shown}")
        with _PSEUDO_LOCK:
            cache = _PSEUDO.setdefault(cls, OrderedDict())
            cached: Self | None = cache.get(value)
            if cached is not None:
                cache.move_to_end(value)
                return cached
            member = int.__new__(cls, value)
            member._name_ = f"UNKNOWN_{value}".replace("-", "MINUS_")
            member._value_ = value
            cache[value] = member
            if len(cache) > PSEUDO_MEMBER_CACHE_SIZE:
                cache.popitem(last=False)
            return member

    @property
    def is_known(self) -> bool:
        """False for a pseudo-member made up for a code this SDK does not know."""
        return self._name_ in type(self)._member_map_


class TaskStatus(TolerantIntEnum):
    """Status of a render task (``taskStatus`` / ``preTaskStatus``; ``statusList`` filter)."""

    WAITING = 0
    #: "1/Waiting" in the task-info field tables (the status-code table uses 0).
    WAITING_LEGACY = 1
    RENDERING = 5
    PRE_RENDERING = 8
    STOP = 10
    USER_STOP = 15
    ARREARAGE_STOP = 20
    TIME_OUT_STOP = 23
    FINISHED = 25
    FINISHED_HAS_FAILED = 30
    ABANDON = 35
    FINISHED_TEST = 40
    FAILED = 45
    ANALYSE = 50

    @property
    def is_terminal(self) -> bool:
        """True if the task will not progress further on its own (see TERMINAL_TASK_STATUSES)."""
        return self in TERMINAL_TASK_STATUSES

    @property
    def is_stopped(self) -> bool:
        """True for the stopped kinds (by the user, for arrears, for timing out, or plain stop)."""
        return self in _STOPPED


_STOPPED: frozenset[TaskStatus] = frozenset(
    {TaskStatus.STOP, TaskStatus.USER_STOP, TaskStatus.ARREARAGE_STOP, TaskStatus.TIME_OUT_STOP}
)

TERMINAL_TASK_STATUSES: frozenset[TaskStatus] = frozenset(
    {
        TaskStatus.FINISHED,
        TaskStatus.FINISHED_HAS_FAILED,
        TaskStatus.FINISHED_TEST,
        TaskStatus.ABANDON,
        TaskStatus.FAILED,
        *_STOPPED,
    }
)
"""Task statuses in which a task no longer changes unless someone acts on it.

These are the finished states (finished, finished with failed frames, test finished), abandoned,
failed, and every stopped kind (stopped, stopped by the user, stopped for arrears, stopped for
timing out). A stopped task can be restarted with startTask, but it will not finish by itself, so
anything waiting for the task must stop waiting. Unknown codes are never terminal.
"""


class FrameStatus(TolerantIntEnum):
    """Status of one render frame (``frameStatus`` in queryTaskFrames and task progress)."""

    WAITING = 1
    PROCESSING = 2
    STOPPED = 3
    COMPLETE = 4
    FAILED = 5
    WAITING_PRE_HANDLING = 6
    WAITING_PHOTON_FRAME = 7
    WAITING_PRIORITY = 8
    WAITING_PHOTON_JOB = 9
    WAITING_SETTLEMENT_JOB = 10
    TIMED_OUT = 11

    @property
    def is_done(self) -> bool:
        """True if the frame rendered successfully."""
        return self is FrameStatus.COMPLETE

    @property
    def is_failed(self) -> bool:
        """True if the frame failed or timed out (candidates for recommitting)."""
        return self in _FAILED_FRAMES

    @property
    def is_waiting(self) -> bool:
        """True for every waiting kind (queued, or waiting for another job or frame)."""
        return self in _WAITING_FRAMES


_FAILED_FRAMES: frozenset[FrameStatus] = frozenset({FrameStatus.FAILED, FrameStatus.TIMED_OUT})
_WAITING_FRAMES: frozenset[FrameStatus] = frozenset(
    {
        FrameStatus.WAITING,
        FrameStatus.WAITING_PRE_HANDLING,
        FrameStatus.WAITING_PHOTON_FRAME,
        FrameStatus.WAITING_PRIORITY,
        FrameStatus.WAITING_PHOTON_JOB,
        FrameStatus.WAITING_SETTLEMENT_JOB,
    }
)


class FrameType(TolerantIntEnum):
    """Kind of a render frame (``frameType`` in queryTaskFrames; 2 and 5 for loadTaskProcessImg)."""

    PRE_RENDER = 1
    PHOTON = 2
    COMBINE_PHOTON = 3
    PRIORITY = 4
    MAIN_RENDER = 5
    PRIORITY_COMPOSITE = 6
    MAIN_PICTURE_COMPOSITE = 7
    HOUDINI_SETTLEMENT = 8
    MAX_CHANNEL = 9
