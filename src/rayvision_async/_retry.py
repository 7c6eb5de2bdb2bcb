"""When a failed request is tried again, and how long to wait first.

The rules (also in the README's "Reliability" section):

==========================================  ==============  ==================
failure                                     idempotent call  creating/changing
==========================================  ==============  ==================
connection could not be opened              retried          retried
pool timeout (nothing sent)                 retried          retried
proxy could not reach the service (5xx)     retried          retried
proxy refused (4xx, 407), certificate       raised           raised
redirect (3xx), never followed              raised           raised (303: OutcomeUnknown)
read timeout, reset after sending           retried          OutcomeUnknown
HTTP 5xx, unreadable body                   retried          OutcomeUnknown
HTTP 429 / 503 with Retry-After             retried          retried (429 only)
envelope code 500 (server error)            retried          raised
envelope code 610 (clock skew)              resynced, once   resynced, once
envelope code 603 (illegal, e.g. a replay)  re-signed, once  re-signed, once
600/601/611/403/… client-side codes         raised           raised
==========================================  ==============  ==================

A "creating or changing" call is one the endpoint table marks
``idempotent=False`` (createTask, submitTask, frame restarts, uploads…).

The request loop (:func:`rayvision_async._request.send`) asks two small
questions here after a failed attempt: :func:`classify` (what kind of failure
is this error?) and :func:`should_retry` (may that kind be tried again for this
call?); :meth:`RetryPolicy.delay` says how long to wait first.
"""

from __future__ import annotations

import contextlib
import enum
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from . import errors
from ._arguments import checked_binding
from .errors import ConfigurationError

__all__ = ["DEFAULT_RETRY", "MAX_CLOCK_OFFSET", "NO_RETRY", "Failure", "RetryPolicy", "classify", "no_backoff",
           "plausible_server_time", "set_testing", "should_retry"]

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
    CLOCK_SKEW = "clock_skew"  # code 610 with a plausible serverTime: adopt the service's clock, resend at once
    ILLEGAL = "illegal"  # code 603: refused by the protocol check (a replayed nonce among others); resend once
    SERVER_CODE = "server_code"  # envelope code 500
    SEE_OTHER = "see_other"  # HTTP 303: never followed nor retried; a creating call may have been processed


def should_retry(failure: Failure, *, idempotent: bool) -> bool:
    """Whether ``failure`` may be retried for an endpoint of the given kind (on the attempt budget).

    A 603's one free resend is the request loop's; another 603 is not retried.
    """
    if failure is Failure.ILLEGAL:
        return False
    if failure in (Failure.CONNECT, Failure.POOL, Failure.THROTTLED, Failure.REFUSED, Failure.CLOCK_SKEW):
        return True
    return idempotent and failure is not Failure.SEE_OTHER


#: The largest clock offset (seconds) a 610 reply may make the signer adopt: 24 hours.
MAX_CLOCK_OFFSET = 86_400.0
#: 2020-01-01T00:00:00Z in epoch milliseconds: no earlier ``serverTime`` is believed.
_EARLIEST_MS = 1_577_836_800_000


def plausible_server_time(server_time_ms: int | None) -> bool:
    """Whether a 610 reply's ``serverTime`` may be adopted as the service's clock.

    It must be integer epoch milliseconds no earlier than 2020-01-01, no later
    than now + 2 days, and within :data:`MAX_CLOCK_OFFSET` of the local clock.
    """
    if type(server_time_ms) is not int:
        return False
    now_ms = time.time() * 1000
    return (_EARLIEST_MS <= server_time_ms <= now_ms + 2 * 86_400_000
            and abs(server_time_ms - now_ms) <= MAX_CLOCK_OFFSET * 1000)


def classify(error: errors.RayvisionError) -> Failure | None:
    """The kind of failure ``error`` is, for retrying; None when it is raised as it is.

    A connect or pool failure means nothing was sent, unless a transport the SDK
    cannot vouch for raised it (``unvouched``): then, like every other transport
    failure and an unreadable reply, the request may have been processed. A
    certificate failure, a proxy's refusal (4xx) and a redirect are raised at
    once: the same answer would come again (a redirect is never followed).
    """
    if isinstance(error, errors.CertificateError):
        return None
    if isinstance(error, errors.ProxyError):
        return Failure.CONNECT if error.status is None or error.status >= 500 else None
    if isinstance(error, errors.RedirectError):
        return Failure.SEE_OTHER if error.status_code == 303 else None
    if isinstance(error, (errors.ConnectError, errors.PoolTimeoutError)) and not error.unvouched:
        return Failure.CONNECT if isinstance(error, errors.ConnectError) else Failure.POOL
    if isinstance(error, (errors.TransportError, errors.MalformedResponseError)):
        return Failure.AFTER_SEND
    if isinstance(error, errors.HTTPStatusError):
        if error.status_code == 429:
            return Failure.THROTTLED
        return Failure.AFTER_SEND if error.status_code >= 500 else None
    if isinstance(error, errors.SignatureExpiredError):
        # The service refused the timestamp before doing anything, so any call may be resent.
        return Failure.CLOCK_SKEW if plausible_server_time(error.server_time_ms) else Failure.REFUSED
    if isinstance(error, errors.IllegalRequestError):
        # Refused before processing, so any call may be resent; signed again, it carries a fresh nonce
        # (another process sharing the access key may have drawn the same one within the window).
        return Failure.ILLEGAL
    if isinstance(error, errors.ServerError):
        return Failure.SERVER_CODE
    return None


def _attempts(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 20:
        raise ConfigurationError(f"{attribute.name} must be an int from 1 to 20, got {type(value).__name__}")


def _seconds(low: float) -> Callable[[object, attrs.Attribute[float], object], None]:
    """A validator: a finite number (never a bool) from ``low`` to one day."""

    def check(instance: object, attribute: attrs.Attribute[float], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= 86400:  # NaN too
            raise ConfigurationError(f"{attribute.name} must be a finite number from {low:g} to 86400")

    return check


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Few attempts, exponential backoff with full jitter, and a cap.

    ``attempts`` counts every try, the first included (``attempts=1`` never
    retries). The wait before retry *n* (1-based) is a random value in
    ``[0, min(max_delay, initial_delay * multiplier ** (n - 1))]``; a server's
    ``Retry-After`` replaces it, capped at ``retry_after_cap``.
    """

    attempts: int = attrs.field(default=3, validator=_attempts)
    initial_delay: float = attrs.field(default=0.25, validator=_seconds(0))
    max_delay: float = attrs.field(default=4.0, validator=_seconds(0))
    multiplier: float = attrs.field(default=2.0, validator=_seconds(1))
    retry_after_cap: float = attrs.field(default=30.0, validator=_seconds(0))

    def delay(self, retry: int, retry_after: float | None = None, *, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry); 0 under :func:`set_testing`."""
        if _testing:
            return 0.0
        if retry_after is not None:
            return max(0.0, min(retry_after, self.retry_after_cap))
        ceiling = min(self.max_delay, self.initial_delay * self.multiplier ** (retry - 1))
        return (rng or random).uniform(0.0, ceiling)


def _checked_init(init: Callable[..., None]) -> Any:
    return checked_binding(ConfigurationError)(init)


# An unknown or positional field raises ConfigurationError too, not attrs' TypeError.
RetryPolicy.__init__ = _checked_init(RetryPolicy.__init__)  # type: ignore[method-assign]

DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(attempts=1)
