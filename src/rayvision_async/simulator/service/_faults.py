"""Fault injection: seeded random faults by rate (:class:`FaultPlan`) and one-shot faults (:class:`Fault`).

Kinds:

``latency``
    The request is served normally, ``delay`` seconds late.
``http_5xx``
    HTTP ``status`` (502/503/504) with an HTML body, as a proxy in front of the service sends.
``reset``
    The connection is reset. ``before_sending=True`` means the request never
    left the client (the in-process transport raises ``httpx.ConnectError``);
    otherwise the client sees a read error.
``malformed_json``
    HTTP 200 with a truncated JSON body.
``slow``
    The answer comes ``delay`` seconds late, meant to exceed the client's read timeout.
``clock_skew``
    Envelope 610 with a ``serverTime`` ``skew`` seconds off the server's clock.
``error``
    An envelope error ``code`` (default 500, internal error).
``wrong_shape``
    A well-formed code-200 envelope whose ``data`` has the wrong JSON type (a string or a list).
``null_data``
    A code-200 envelope with ``"data": null``.
``empty_body``
    HTTP 200 with an empty body.
``trickle``
    The answer comes one byte every ``delay`` seconds (default 0.5 s).
``oversized``
    HTTP 200 with a valid JSON body of ``size`` bytes (default 33 MiB, past the client's default cap).
``gzip_bomb``
    HTTP 200, ``Content-Encoding: gzip``: a small body that inflates to ``size`` bytes (default 512 MiB).
``garbage_time``
    Envelope 610 whose ``serverTime`` is unusable (0, negative, 2**63, microseconds, ten years ahead).

``after_processing=True`` means the farm carried the request out before the
fault hit the answer: the dangerous case where a retry duplicates work. With
``after_processing=False`` the farm never saw the request.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal, cast, get_args

from ..._arguments import checked_binding
from ..._service_ints import INT32, INT64
from ...api import _kinds as arguments
from ...errors import ConfigurationError, InvalidInputError
from .. import _arguments as check

__all__ = ["KINDS", "Fault", "FaultKind", "FaultPlan"]

FaultKind = Literal["latency", "http_5xx", "reset", "malformed_json", "slow", "clock_skew", "error",
                    "wrong_shape", "null_data", "empty_body", "trickle", "oversized", "gzip_bomb", "garbage_time"]

#: Every fault kind.
KINDS: tuple[FaultKind, ...] = get_args(FaultKind)

#: Kinds that may strike after the farm processed the request.
_MAY_FOLLOW_PROCESSING = frozenset({"http_5xx", "reset", "malformed_json", "slow", "error", "wrong_shape",
                                    "null_data", "empty_body", "trickle", "oversized", "gzip_bomb"})
#: Of those, the kinds :meth:`Fault.of` puts before processing unless told otherwise.
_BEFORE_PROCESSING_BY_DEFAULT = frozenset({"http_5xx", "reset", "error"})
#: The unusable ``serverTime`` values a ``garbage_time`` fault picks from (``None``: now in microseconds,
#: ``"future"``: ten years ahead, in milliseconds).
GARBAGE_SERVER_TIMES: tuple[int | str | None, ...] = (0, -1, 2**63, -(2**63), None, "future")


@dataclass(frozen=True)
class Fault:
    """One fault to apply to one request."""

    kind: FaultKind
    after_processing: bool = False
    before_sending: bool = False
    delay: float = 0.0
    status: int = 503
    code: int = 500
    skew: float = 0.0
    size: int = 0  #: oversized / gzip_bomb: the (inflated) body size in bytes
    pick: float = 0.0  #: wrong_shape / garbage_time: which variant, from 0 to 1

    def __post_init__(self) -> None:
        with check.configuration():
            check.one_of(self.kind, "kind", KINDS)
            check.flag(self.after_processing, "after_processing")
            check.flag(self.before_sending, "before_sending")
            check.seconds(self.delay, "delay", high=86400.0)
            check.count(self.status, "status", 100, 599)
            check.count(self.code, "code", INT32[0], INT32[1])
            check.seconds(self.skew, "skew", low=-check.MAX_SECONDS)
            check.count(self.size, "size", 0, 2**33)
            check.seconds(self.pick, "pick", high=1.0)
            if self.after_processing and self.kind not in _MAY_FOLLOW_PROCESSING:
                raise InvalidInputError(f"a {self.kind} fault cannot come after processing")
            if self.before_sending and (self.kind != "reset" or self.after_processing):
                raise InvalidInputError("only a reset before processing can happen before sending")

    @classmethod
    @checked_binding()
    def of(
        cls,
        kind: FaultKind,
        *,
        after_processing: bool | None = None,
        before_sending: bool = False,
        delay: float | None = None,
        status: int = 503,
        code: int = 500,
        skew: float = 900.0,
        size: int | None = None,
        pick: float = 0.0,
    ) -> Fault:
        """A fault of ``kind`` with sensible defaults: a slow, malformed, trickled, wrongly shaped
        or oversized answer follows processing unless told otherwise, every other kind precedes
        it; ``delay`` defaults to 0.1 s for latency, 2 s for a slow answer and 0.5 s per byte
        for a trickle."""
        check.one_of(kind, "kind", KINDS)
        with check.configuration():
            if after_processing is not None:
                check.flag(after_processing, "after_processing")
            check.flag(before_sending, "before_sending")
            if delay is not None:
                check.seconds(delay, "delay", high=86400.0)
            check.count(status, "status", 100, 599)
            check.count(code, "code", INT32[0], INT32[1])
            check.seconds(skew, "skew", low=-check.MAX_SECONDS)
            if size is not None:
                check.count(size, "size", 0, 2**33)
            check.seconds(pick, "pick", high=1.0)
        if after_processing is None:
            after_processing = kind in _MAY_FOLLOW_PROCESSING - _BEFORE_PROCESSING_BY_DEFAULT
        if delay is None:
            delay = {"latency": 0.1, "slow": 2.0, "trickle": 0.5}.get(kind, 0.0)
        if size is None:
            size = {"oversized": 33 * 2**20, "gzip_bomb": 512 * 2**20}.get(kind, 0)
        return cls(
            kind,
            after_processing=after_processing,
            before_sending=before_sending,
            delay=delay,
            status=status,
            code=code,
            skew=skew if kind == "clock_skew" else 0.0,
            size=size,
            pick=pick,
        )

    @property
    def processes(self) -> bool:
        """True if the farm carries the request out (after_processing, or plain latency)."""
        return self.after_processing or self.kind == "latency"


_DEFAULT_WEIGHTS: dict[FaultKind, float] = {
    "latency": 3.0,
    "http_5xx": 2.0,
    "reset": 2.0,
    "malformed_json": 1.0,
    "slow": 1.0,
    "clock_skew": 0.5,
    "error": 1.0,
    "wrong_shape": 1.0,
    "null_data": 0.5,
    "empty_body": 0.5,
    "trickle": 0.5,
    "oversized": 0.25,
    "gzip_bomb": 0.25,
    "garbage_time": 0.5,
}


Fault.__init__ = checked_binding(ConfigurationError)(Fault.__init__)  # type: ignore[method-assign]

#: The lists a FaultPlan takes: fault kinds, endpoint names, HTTP statuses, envelope codes.
_KIND_LIST = arguments.list_of(arguments.choice(KINDS, "FaultKind"))
_NAMES = arguments.list_of(arguments.text(), nonempty=False)
_STATUSES = arguments.list_of(arguments.integer(100, 599), max_items=1000)
_CODES = arguments.list_of(arguments.integer(), max_items=1000)


class FaultPlan:
    """Random faults at ``rate``, reproducible from ``seed``.

    ``kinds`` weights the fault kinds (default: all of them); ``operations``
    limits the plan to those endpoint names (default: every request). Each
    request the plan applies to makes the same number of draws whatever the
    outcome, so two plans with the same seed fed the same requests fault
    the same ones.
    """

    @checked_binding(ConfigurationError)
    def __init__(
        self,
        seed: int = 0,
        rate: float = 0.1,
        kinds: Mapping[FaultKind, float] | Iterable[FaultKind] | None = None,
        *,
        operations: Iterable[str] | None = None,
        latency: tuple[float, float] = (0.01, 0.1),
        slow_delay: float = 2.0,
        trickle_delay: float = 0.5,
        oversized: int = 33 * 2**20,
        gzip_bomb: int = 512 * 2**20,
        skew: float = 900.0,
        http_statuses: Iterable[int] = (502, 503),
        error_codes: Iterable[int] = (500,),
        after_processing_rate: float = 0.5,
    ) -> None:
        with check.configuration():
            check.count(seed, "seed", INT64[0])
            check.seconds(rate, "rate", high=1.0)
            if kinds is None:
                weights = dict(_DEFAULT_WEIGHTS)
            elif isinstance(kinds, Mapping):
                weights = {cast("FaultKind", check.one_of(kind, "kinds", KINDS)):
                           check.seconds(weight, "kinds weight", high=1e9)
                           for kind, weight in arguments.read_mapping(kinds, "kinds").items()}
            else:
                weights = dict.fromkeys(_KIND_LIST.check(kinds, "kinds"), 1.0)
            if not weights or not any(weights.values()):
                raise InvalidInputError("kinds must name at least one fault kind with a weight above 0")
            operations = None if operations is None else _NAMES.check(operations, "operations")
            if not isinstance(latency, tuple) or len(latency) != 2:
                raise InvalidInputError(f"latency must be a (low, high) tuple, got a {type(latency).__name__}")
            low, high = (check.seconds(bound, "latency", high=86400.0) for bound in latency)
            if low > high:
                raise InvalidInputError("latency must be a (low, high) tuple with low <= high")
            check.seconds(slow_delay, "slow_delay", high=86400.0)
            check.seconds(trickle_delay, "trickle_delay", high=86400.0)
            check.count(oversized, "oversized", 0, 2**33)
            check.count(gzip_bomb, "gzip_bomb", 0, 2**33)
            check.seconds(skew, "skew", low=-check.MAX_SECONDS)
            http_statuses = tuple(_STATUSES.check(http_statuses, "http_statuses"))
            error_codes = tuple(_CODES.check(error_codes, "error_codes"))
            check.seconds(after_processing_rate, "after_processing_rate", high=1.0)
        self.seed = seed
        self.rate = rate
        self.weights = weights
        self.operations = None if operations is None else frozenset(operations)
        self.latency = latency
        self.slow_delay = slow_delay
        self.trickle_delay = trickle_delay
        self.sizes = {"oversized": oversized, "gzip_bomb": gzip_bomb}
        self.skew = skew
        self.http_statuses: tuple[int, ...] = http_statuses
        self.error_codes: tuple[int, ...] = error_codes
        self.after_processing_rate = after_processing_rate
        self._rng = random.Random(seed)
        #: (operation, fault or None) for the last 100 000 requests the plan was asked about.
        self.history: deque[tuple[str, Fault | None]] = deque(maxlen=100_000)

    @checked_binding()
    def applies_to(self, names: Iterable[str]) -> bool:
        """True if the plan covers a request known by any of ``names``."""
        wanted = _NAMES.check(names, "names")
        return self.operations is None or not self.operations.isdisjoint(wanted)

    @checked_binding()
    def draw(self, operation: str) -> Fault | None:
        """Decide the fault (or None) for the next request to ``operation``."""
        check.text(operation, "operation")
        rng = self._rng
        hit, pick, param, late = rng.random(), rng.random(), rng.random(), rng.random()
        fault = None
        if hit < self.rate:
            kind = self._pick(pick)
            after = kind in _MAY_FOLLOW_PROCESSING and late < self.after_processing_rate
            fault = self._build(kind, param, after)
        self.history.append((operation, fault))
        return fault

    def _pick(self, point: float) -> FaultKind:
        total = sum(self.weights.values())
        threshold = point * total
        running = 0.0
        for kind, weight in self.weights.items():
            running += weight
            if threshold < running:
                return kind
        return next(kind for kind, weight in reversed(self.weights.items()) if weight > 0)

    def _build(self, kind: FaultKind, param: float, after: bool) -> Fault:
        fault = Fault(kind, after_processing=after)
        if kind == "latency":
            low, high = self.latency
            return replace(fault, delay=low + (high - low) * param)
        if kind == "slow":
            return replace(fault, delay=self.slow_delay)
        if kind == "trickle":
            return replace(fault, delay=self.trickle_delay)
        if kind in self.sizes:
            return replace(fault, size=self.sizes[kind])
        if kind in ("wrong_shape", "garbage_time"):
            return replace(fault, pick=param)
        if kind == "clock_skew":
            return replace(fault, skew=self.skew if param < 0.5 else -self.skew)
        if kind == "http_5xx":
            return replace(fault, status=self.http_statuses[int(param * len(self.http_statuses))])
        if kind == "error":
            return replace(fault, code=self.error_codes[int(param * len(self.error_codes))])
        return fault
