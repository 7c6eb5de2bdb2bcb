"""Request nonces: six digits, as the official SDK sends them, never repeated within 900,000 requests.

The protocol's ``nonce`` header exists to stop replays: the service refuses a nonce it has seen
within its signature window. Six random digits would repeat by chance (two of 1,300 requests
share one half the time), so a busy client would see its own requests refused. Instead, every
signer of a process draws from one sequence: a counter, from a random start, put through a
keyed permutation of the 900,000 six-digit values. Consecutive nonces look random, and none
repeats before 900,000 more have been drawn (at 1,500 requests a second, more than the ten
minutes a nonce can matter). The permutation is a four-round Feistel network on 20 bits, its
round tables drawn from ``os.urandom`` (a fresh key per process, and again in a forked child),
cycle-walked into the 900,000 values. Drawing is thread-safe.
"""

from __future__ import annotations

import itertools
import os
import threading

__all__ = ["NonceSource", "make_nonce"]

_VALUES = 900_000  # the six-digit numbers 100000..999999
_HALF_BITS = 10  # the Feistel network works on 2 * 10 bits: 1,048,576 >= _VALUES
_HALF_MASK = (1 << _HALF_BITS) - 1
_ROUNDS = 4


class _Sequence:
    """The process's nonces: ``start + n`` for n = 0, 1, 2… through a keyed permutation of the values."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.rekey()

    def rekey(self) -> None:
        """A new random key and start (for a new process)."""
        raw = os.urandom(_ROUNDS * (1 << _HALF_BITS) * 2 + 4)
        self._tables = tuple(
            tuple(int.from_bytes(raw[at : at + 2], "big") & _HALF_MASK
                  for at in range(table * (2 << _HALF_BITS), (table + 1) * (2 << _HALF_BITS), 2))
            for table in range(_ROUNDS)
        )
        self._positions = itertools.count(int.from_bytes(raw[-4:], "big") % _VALUES)

    def _permute(self, value: int) -> int:
        while True:  # cycle-walk: a permutation of 2**20 values, applied until it lands below _VALUES
            left, right = value >> _HALF_BITS, value & _HALF_MASK
            for table in self._tables:
                left, right = right, left ^ table[right]
            value = (left << _HALF_BITS) | right
            if value < _VALUES:
                return value

    def draw(self) -> str:
        """The next nonce."""
        with self._lock:
            position = next(self._positions) % _VALUES
        return str(100000 + self._permute(position))


_SEQUENCE = _Sequence()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_SEQUENCE.rekey)


def make_nonce() -> str:
    """The next six-digit nonce of this process (see the module docstring)."""
    return _SEQUENCE.draw()


class NonceSource:
    """What a signer calls for each attempt's nonce: the process's sequence (:func:`make_nonce`).

    One per signer, as before; every source of a process shares the sequence, so two clients
    never send the same nonce either.
    """

    __slots__ = ()

    def __call__(self) -> str:
        return _SEQUENCE.draw()
