"""The farm's simulated clock: real monotonic time scaled by ``speed``, plus manual advances."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable

from ..._arguments import checked_binding
from ...errors import ConfigurationError
from .. import _arguments as check

__all__ = ["SimClock"]

#: The fastest a clock runs (simulated seconds per real second) and the last epoch second it shows.
_MAX_SPEED = 1e6
_LAST_EPOCH_SECOND = 253_402_300_799.0  # 9999-12-31T23:59:59Z


class SimClock:
    """Simulated epoch seconds.

    ``now()`` starts at ``start`` (default: the wall clock when the clock is
    made) and moves ``speed`` simulated seconds per real second; ``speed=0``
    freezes it, so only :meth:`advance` moves it (deterministic tests).
    """

    @checked_binding(ConfigurationError)
    def __init__(
        self,
        speed: float = 1.0,
        *,
        start: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        with check.configuration():
            check.seconds(speed, "speed", high=_MAX_SPEED)
            if start is not None:
                check.seconds(start, "start", high=_LAST_EPOCH_SECOND)
            reading = check.function(monotonic, "monotonic")()
            if inspect.iscoroutine(reading):
                reading.close()
            base_real = check.seconds(reading, "monotonic()", low=-1e18, high=1e18)  # seconds, not an awaitable
        self._monotonic = monotonic
        self._speed = float(speed)
        self._base_sim = time.time() if start is None else float(start)
        self._base_real = base_real

    @checked_binding()
    def now(self) -> float:
        """Current simulated time, epoch seconds."""
        return self._base_sim + (self._monotonic() - self._base_real) * self._speed

    @checked_binding()
    def advance(self, seconds: float) -> None:
        """Move simulated time forward by ``seconds`` (never backwards)."""
        self._base_sim += check.seconds(seconds, "seconds (the simulated clock cannot go backwards)")

    @property
    def speed(self) -> float:
        """Simulated seconds per real second."""
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        check.seconds(value, "speed", high=_MAX_SPEED)
        self._base_sim = self.now()
        self._base_real = self._monotonic()
        self._speed = float(value)
