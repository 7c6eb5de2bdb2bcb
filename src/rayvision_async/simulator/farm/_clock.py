"""The farm's simulated clock: real monotonic time scaled by ``speed``, plus manual advances."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["SimClock"]


class SimClock:
    """Simulated epoch seconds.

    ``now()`` starts at ``start`` (default: the wall clock when the clock is
    made) and moves ``speed`` simulated seconds per real second; ``speed=0``
    freezes it, so only :meth:`advance` moves it (deterministic tests).
    """

    def __init__(
        self,
        speed: float = 1.0,
        *,
        start: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self._monotonic = monotonic
        self._speed = float(speed)
        self._base_sim = time.time() if start is None else float(start)
        self._base_real = monotonic()

    def now(self) -> float:
        """Current simulated time, epoch seconds."""
        return self._base_sim + (self._monotonic() - self._base_real) * self._speed

    def advance(self, seconds: float) -> None:
        """Move simulated time forward by ``seconds`` (never backwards)."""
        if seconds < 0:
            raise ValueError("the simulated clock cannot go backwards")
        self._base_sim += seconds

    @property
    def speed(self) -> float:
        """Simulated seconds per real second."""
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        if value < 0:
            raise ValueError("speed must be >= 0")
        self._base_sim = self.now()
        self._base_real = self._monotonic()
        self._speed = float(value)
