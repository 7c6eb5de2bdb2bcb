"""Counting the event loop's iterations, to see how many a piece of work takes (or leaves to others)."""

from __future__ import annotations

import asyncio


class Iterations:
    """Counts the event loop's iterations: a callback that schedules itself again runs once per iteration."""

    def __init__(self) -> None:
        self.count = 0
        self._loop = asyncio.get_running_loop()
        self._running = True
        self._loop.call_soon(self._tick)

    def _tick(self) -> None:
        self.count += 1
        if self._running:
            self._loop.call_soon(self._tick)

    def stop(self) -> None:
        self._running = False
