"""Status codes of the simulated farm and the envelope codes its service answers with.

The simulator keeps its own copies of these numbers (it does not import the
SDK's enums), so it checks the SDK against the protocol documents rather than
against itself.
"""

from __future__ import annotations

import enum
from typing import Any

from ...errors import InvalidInputError

__all__ = [
    "ENVELOPE_MESSAGES",
    "FarmError",
    "FrameStatus",
    "FrameType",
    "TaskStatus",
]


class _Codes(enum.EnumType):
    """``Status(code)`` takes one int code of the enum; anything else is an InvalidInputError."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        given = [*args, *kwargs.values()]
        value = given[0] if len(given) == 1 and (not kwargs or "value" in kwargs) else None
        if value is None or isinstance(value, bool) or not isinstance(value, int) \
                or value not in cls._value2member_map_:
            shown = value if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**9 \
                else f"a {type(value).__name__}"
            raise InvalidInputError(f"{shown} is no {cls.__name__} code (one int code, no other arguments)")
        return super().__call__(value)


class TaskStatus(enum.IntEnum, metaclass=_Codes):
    """``taskStatus`` codes (protocol "Task status description")."""

    WAITING = 0
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


class FrameStatus(enum.IntEnum, metaclass=_Codes):
    """``frameStatus`` codes of queryTaskFrames (protocol "frameStatus": 1 to 11).

    The farm stores 1 to 5 and 11; 6 to 10 are what it reports for a waiting
    frame held behind an earlier pass (see :mod:`._passes`).
    """

    WAITING = 1
    PROCESSING = 2
    STOPPED = 3
    COMPLETE = 4
    FAILED = 5
    WAITING_PRE_HANDLING = 6  # behind the pre-render frame
    WAITING_PHOTON_FRAME = 7  # behind a photon frame of the same task
    WAITING_PRIORITY = 8  # behind the priority frames
    WAITING_PHOTON_JOB = 9  # behind the photon child task
    WAITING_SETTLEMENT_JOB = 10  # behind the Houdini settlement (simulation) frame
    TIMED_OUT = 11  # the task hit its over-time stop before the frame ended


class FrameType(enum.IntEnum, metaclass=_Codes):
    """``frameType`` codes used by the simulator (a subset of the documented nine)."""

    PRE_RENDER = 1
    PHOTON = 2
    PRIORITY = 4
    MAIN = 5
    SETTLEMENT = 8  # Houdini settlement (simulation) frame


#: Envelope ``message`` for each code (the protocol's "Info" column).
ENVELOPE_MESSAGES: dict[int, str] = {
    200: "success",
    100: "fail",
    301: "need_redirect",
    403: "forbidden",
    404: "resource_not_found",
    500: "internal_error",
    600: "parameter_invalid",
    601: "parameter_cant_be_empty",
    602: "need_user_login",
    603: "illegal_protocol",
    605: "vinsufficient_permissions",
    608: "user_area_error",
    610: "signature_expired",
    611: "signature_invalid",
    700: "do_not_have_any_more_record",
}


class FarmError(Exception):
    """An operation refused by the farm; the service answers it as an envelope ``code``."""

    def __init__(self, code: int, message: str | None = None) -> None:
        self.code = code
        self.message = message if message is not None else ENVELOPE_MESSAGES.get(code, "fail")
        super().__init__(f"{code}: {self.message}")

    @classmethod
    def invalid(cls, message: str) -> FarmError:
        """Code 600, parameter invalid."""
        return cls(600, message)

    @classmethod
    def missing(cls, name: str) -> FarmError:
        """Code 601, required parameter missing."""
        return cls(601, f"parameter {name} can't be empty")

    @classmethod
    def not_found(cls, what: str) -> FarmError:
        """Code 404, resource not found."""
        return cls(404, f"{what} not found")

    @classmethod
    def fail(cls, message: str) -> FarmError:
        """Code 100, generic failure."""
        return cls(100, message)
