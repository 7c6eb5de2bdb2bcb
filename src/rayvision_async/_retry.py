"""When a failed request is tried again, and how long to wait first.

The rules (also in the README's "Reliability" section):

==========================================  ==============  ==================
failure                                     idempotent call  creating/changing
==========================================  ==============  ==================
connection could not be opened              retried          retried
pool timeout (nothing sent)                 retried          retried
read timeout, reset after sending           retried          OutcomeUnknown
HTTP 5xx, unreadable body                   retried          OutcomeUnknown
HTTP 429 / 503 with Retry-After             retried          retried (429 only)
envelope code 500 (server error)            retried          raised
envelope code 610 (clock skew)              resynced, once   resynced, once
600/601/611/403/… client-side codes         raised           raised
==========================================  ==============  ==================

A "creating or changing" call is one the endpoint table marks
``idempotent=False`` (createTask, submitTask, frame restarts, uploads…).
"""

from __future__ import annotations

import contextlib
import enum
import random
from collections.abc import Iterator

import attrs

__all__ = ["DEFAULT_RETRY", "NO_RETRY", "Failure", "RetryPolicy", "no_backoff", "set_testing", "should_retry"]

_testing = False


def set_testing(enabled: bool) -> None:
    """Make every retry wait 0 s (back-off and ``Retry-After`` alike), for test suites.

    The number of attempts is unchanged: tests still see every retry happen, only
    without sleeping. The switch is process-wide; see also :func:`no_backoff`.
    """
    global _testing
    _testing = bool(enabled)


@contextlib.contextmanager
def no_backoff(enabled: bool = True) -> Iterator[None]:
    """:func:`set_testing` for the duration of a ``with`` block, restoring the previous state."""
    previous = _testing
    set_testing(enabled)
    try:
        yield
    finally:
        set_testing(previous)


class Failure(enum.Enum):
    """What went wrong with one attempt, as far as retrying is concerned."""

    CONNECT = "connect"  # never reached the server
    POOL = "pool"  # waited for a connection slot; never sent
    AFTER_SEND = "after_send"  # read timeout, reset, HTTP 5xx, unreadable body: may have been processed
    THROTTLED = "throttled"  # HTTP 429: refused before processing
    REFUSED = "refused"  # code 610 with an unusable serverTime: refused before processing
    SERVER_CODE = "server_code"  # envelope code 500


def should_retry(failure: Failure, *, idempotent: bool) -> bool:
    """Whether ``failure`` may be retried for an endpoint of the given kind."""
    if failure in (Failure.CONNECT, Failure.POOL, Failure.THROTTLED, Failure.REFUSED):
        return True
    return idempotent


def _not_bool(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool):
        raise TypeError(f"{attribute.name} must be an int, not a bool")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Few attempts, exponential backoff with full jitter, and a cap.

    ``attempts`` counts every try, the first included (``attempts=1`` never
    retries). The wait before retry *n* (1-based) is a random value in
    ``[0, min(max_delay, initial_delay * multiplier ** (n - 1))]``; a server's
    ``Retry-After`` replaces it, capped at ``retry_after_cap``.
    """

    attempts: int = attrs.field(default=3, validator=attrs.validators.and_(
        attrs.validators.instance_of(int), _not_bool,
        attrs.validators.in_(range(1, 21))))
    initial_delay: float = attrs.field(default=0.25, validator=attrs.validators.ge(0))
    max_delay: float = attrs.field(default=4.0, validator=attrs.validators.ge(0))
    multiplier: float = attrs.field(default=2.0, validator=attrs.validators.ge(1))
    retry_after_cap: float = attrs.field(default=30.0, validator=attrs.validators.ge(0))

    def delay(self, retry: int, retry_after: float | None = None, *, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry); 0 under :func:`set_testing`."""
        if _testing:
            return 0.0
        if retry_after is not None:
            return max(0.0, min(retry_after, self.retry_after_cap))
        ceiling = min(self.max_delay, self.initial_delay * self.multiplier ** (retry - 1))
        return (rng or random).uniform(0.0, ceiling)


DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(attempts=1)
