"""Replay protection: a nonce the service accepted is refused again until its timestamp has expired.

The protocol's ``nonce`` header exists "to prevent replay attacks": a signed request sent twice
carries the same nonce (and timestamp and signature), so the service refuses a nonce it has
accepted from the same access id while that request's timestamp is still inside the signature
window, with code 603 (``ILLEGAL_PROTOCOL``, "illegal request"). Once the timestamp is outside
the window the request would be refused as expired (610) anyway, so the nonce is forgotten then:
the ledger holds at most the nonces of the last two windows' accepted requests.
"""

from __future__ import annotations

import heapq

__all__ = ["NonceLedger"]


class NonceLedger:
    """The nonces accepted within the signature window, by access id."""

    def __init__(self) -> None:
        self._until: dict[tuple[str, str], float] = {}  # (access id, nonce) → when it may be used again
        self._expiries: list[tuple[float, str, str]] = []  # the same, ordered by expiry

    def __len__(self) -> int:
        return len(self._until)

    def admit(self, access_id: str, nonce: str, stamp: float, *, now: float, window: float) -> bool:
        """Record a request's nonce; False if it was accepted before and its request may still be valid.

        ``stamp`` is the request's ``UTCTimestamp``, ``now`` the service's clock, ``window`` the
        signature window (seconds): the request stays acceptable while ``now <= stamp + window``.
        """
        self._forget(now)
        key = (access_id, nonce)
        if key in self._until:
            return False
        until = stamp + window
        self._until[key] = until
        heapq.heappush(self._expiries, (until, access_id, nonce))
        return True

    def _forget(self, now: float) -> None:
        expiries = self._expiries
        while expiries and expiries[0][0] < now:
            until, access_id, nonce = heapq.heappop(expiries)
            if self._until.get((access_id, nonce)) == until:
                del self._until[(access_id, nonce)]
