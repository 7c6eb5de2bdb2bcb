"""The HTTP-free request handler: authentication, routing, envelope, faults, request counting.

:meth:`Simulator.handle` takes a method, a path, headers and body bytes and
returns a :class:`SimReply` (status, headers, body, or an instruction to
reset the connection or answer late). The in-process transport and the
loopback server both drive it; neither adds behaviour of its own.
"""

from __future__ import annotations

import functools
import hmac
import json
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..._arguments import checked_binding
from ..._digits import int_of
from ...api import _kinds as kinds
from ...api._row import Endpoint
from ...errors import ConfigurationError, InvalidInputError
from ...wire._signing import SIGNED_HEADER_NAMES, sign, string_to_sign
from .. import _arguments as check
from ..farm._codes import ENVELOPE_MESSAGES, FarmError
from ..farm._farm import Farm
from ._faults import GARBAGE_SERVER_TIMES, Fault, FaultKind, FaultPlan
from ._operations import dispatch
from ._records import encode_envelope, records_of, to_plain
from ._replay import NonceLedger
from ._routing import Route, Router

__all__ = ["RecordedRequest", "SimReply", "Simulator"]

_JSON = (("Content-Type", "application/json;charset=UTF-8"),)
#: How many of the latest recorded requests keep their reply (a watch's replies are big: 100 tasks, ~130 kB).
REPLIES_KEPT = 1_000


@dataclass(frozen=True)
class SimReply:
    """What to answer: ``status``/``headers``/``body`` after ``delay`` seconds, or reset the connection."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = _JSON
    body: bytes = b""
    delay: float = 0.0
    reset: bool = False
    before_sending: bool = False  # with reset: the request never reached the server
    trickle: float = 0.0  # > 0: send the body one byte every ``trickle`` seconds

    def json(self) -> Any:
        """The body decoded as JSON (for tests)."""
        return json.loads(self.body)


@dataclass
class RecordedRequest:
    """One request the simulator received, and what became of it."""

    method: str
    path: str
    name: str | None  # endpoint name, None for an unknown path
    headers: dict[str, str]
    body: Any  # decoded JSON, or None if it did not decode
    legacy: bool = False
    code: int | None = None  # envelope code answered (None: no envelope)
    status: int = 200
    fault: FaultKind | None = None
    processed: bool = False  # the farm ran the operation
    reply: SimReply | None = field(default=None, repr=False)  # kept for the last REPLIES_KEPT requests


@dataclass
class _Injection:
    names: frozenset[str] | None
    fault: Fault
    remaining: int


class Simulator:
    """A fake Rayvision service over a :class:`~rayvision_async.simulator.farm.Farm`.

    * Requests must be POSTs signed with ``access_key`` for ``domain`` (or for
      the request's Host header): otherwise envelope code 611.
    * ``UTCTimestamp`` must be within ``signature_window`` seconds of the
      server's clock, which is ``wall_clock()`` plus ``clock_skew``: otherwise
      code 610. Every envelope's ``serverTime`` is that clock, so a client can
      resynchronise from it. (The farm's render time is a separate, simulated
      clock, so ``farm.advance(hours)`` never invalidates signatures.)
    * A ``nonce`` accepted before, while that request's timestamp is still
      inside the window, is a replay: code 603 (see :mod:`._replay`).
    * Paths of both path sets are routed from ``endpoints`` (default: the SDK's
      ``ENDPOINTS``); bodies on 2018 paths are renamed to current wire names.
    * ``faults`` are :class:`~._faults.FaultPlan` s drawn for every request they
      cover; :meth:`inject` queues one-shot faults, which take precedence.
    * ``counts`` / ``path_counts`` count every request received (faulted ones
      too), ``processed`` the operations the farm ran, ``requests`` keeps the
      last ``request_log_limit`` requests (the last :data:`REPLIES_KEPT` of
      them with their ``reply``).
    """

    @checked_binding(ConfigurationError)
    def __init__(
        self,
        access_id: str = "AKIDsimulator0000000000000000000000",
        access_key: str = "simulator-access-key-0000000000000",
        *,
        farm: Farm | None = None,
        domain: str = "task.renderbus.com",
        signature_window: float = 300.0,
        faults: FaultPlan | Iterable[FaultPlan] | None = None,
        clock_skew: float = 0.0,
        endpoints: Iterable[Any] | None = None,
        wall_clock: Callable[[], float] = time.time,
        request_log_limit: int | None = 100_000,
    ) -> None:
        with check.configuration():
            check.text(access_id, "access_id", nonempty=True, max_len=256)
            check.text(access_key, "access_key", nonempty=True, max_len=256)
            if farm is not None:
                check.instance(farm, "farm", Farm)
            check.text(domain, "domain", nonempty=True, max_len=255)
            check.seconds(signature_window, "signature_window")
            plans: list[FaultPlan] = ([] if faults is None else [faults] if isinstance(faults, FaultPlan)
                                      else _PLANS.check(faults, "faults"))
            check.seconds(clock_skew, "clock_skew", low=-check.MAX_SECONDS)
            if endpoints is not None:
                endpoints = _ROWS.check(endpoints, "endpoints")
            check.function(wall_clock, "wall_clock")
            if request_log_limit is not None:
                check.count(request_log_limit, "request_log_limit", 0, 10**8)
        if endpoints is None:
            from ...api._table import ENDPOINTS

            endpoints = ENDPOINTS
        self.access_id = access_id
        self.access_key = access_key
        self.farm = farm if farm is not None else Farm()
        records_of(self.farm)  # from now on the farm's settled tasks get their records as they settle
        self.domain = domain
        self.signature_window = signature_window
        self.fault_plans = plans
        self.clock_skew = clock_skew
        self.router = Router(endpoints)
        self.nonces = NonceLedger()
        self._wall_clock = wall_clock
        self._injections: list[_Injection] = []
        self._request_ids = 0
        #: Requests received, by endpoint name (unknown paths are not counted here).
        self.counts: Counter[str] = Counter()
        #: Requests received, by path.
        self.path_counts: Counter[str] = Counter()
        #: Operations the farm actually ran, by endpoint name.
        self.processed: Counter[str] = Counter()
        #: The requests received, in arrival order (the last ``request_log_limit`` of them).
        self.requests: deque[RecordedRequest] = deque(maxlen=request_log_limit)
        self._replied: deque[RecordedRequest] = deque(maxlen=REPLIES_KEPT)
        #: Exceptions the farm raised unexpectedly (answered as code 500); a test should expect none.
        self.internal_errors: list[BaseException] = []

    # -- configuration ---------------------------------------------------------------------------

    @checked_binding()
    def server_time(self) -> float:
        """The service's clock (epoch seconds): the wall clock plus ``clock_skew``."""
        return self._wall_clock() + self.clock_skew

    @checked_binding()
    def inject(
        self,
        operation: str | None,
        kind: FaultKind,
        *,
        after_processing: bool | None = None,
        times: int = 1,
        before_sending: bool = False,
        delay: float | None = None,
        status: int = 503,
        code: int = 500,
        skew: float = 900.0,
        size: int | None = None,
        pick: float = 0.0,
    ) -> Fault:
        """Apply a fault to the next ``times`` requests to ``operation`` (any request if None).

        ``operation`` is an endpoint name (``"create_task"``); the parameters are
        those of :meth:`Fault.of`.
        """
        if operation is not None:
            check.text(operation, "operation", nonempty=True, max_len=255)
        check.count(times, "times", 1, 10**9)
        fault = Fault.of(
            kind,
            after_processing=after_processing,
            before_sending=before_sending,
            delay=delay,
            status=status,
            code=code,
            skew=skew,
            size=size,
            pick=pick,
        )
        names = None if operation is None else frozenset({operation})
        self._injections.append(_Injection(names, fault, times))
        return fault

    @checked_binding()
    def clear_faults(self) -> None:
        """Drop pending injections and fault plans."""
        self._injections.clear()
        self.fault_plans.clear()

    @checked_binding()
    def call(self, operation: str, body: dict[str, Any] | None = None, *, path: str = "") -> Any:
        """Run an operation on the farm by its SDK method name with a wire-named body; returns the ``data``.

        No HTTP, signature, routing or faults; a refusal raises :class:`~rayvision_async.simulator.FarmError`.
        """
        check.text(operation, "operation", nonempty=True, max_len=255)
        if body is not None and (not isinstance(body, dict) or not all(isinstance(key, str) for key in body)):
            raise InvalidInputError(f"body must be a dict of wire names to values, got a {type(body).__name__}")
        check.text(path, "path")
        return to_plain(dispatch(self.farm, operation, {} if body is None else body, path=path))

    # -- handling --------------------------------------------------------------------------------

    async def handle(self, method: str, path: str, headers: Mapping[str, str], content: bytes) -> SimReply:
        """Serve one request."""
        lowered = {key.lower(): value for key, value in headers.items()}
        route = self.router.resolve(path)
        record = RecordedRequest(method.upper(), path, route.name if route else None, lowered, None)
        self.requests.append(record)
        self.path_counts[path] += 1
        if route is not None:
            self.counts[route.name] += 1
            record.legacy = route.legacy
        try:
            record.body = json.loads(content) if content else {}
        except ValueError:
            record.body = None
        fault = self._next_fault(route)
        record.fault = fault.kind if fault else None
        if fault is not None and not fault.processes:
            reply = self._fault_reply(fault, record, None)
        else:
            reply = self._serve(record, route, lowered, content)
            if fault is not None:
                reply = self._fault_reply(fault, record, reply)
        record.reply = reply
        record.status = reply.status
        if len(self._replied) == REPLIES_KEPT:
            self._replied[0].reply = None  # a long watch would otherwise hold every reply it was sent
        self._replied.append(record)
        return reply

    def _serve(self, record: RecordedRequest, route: Route | None, headers: dict[str, str], content: bytes) -> SimReply:
        version = headers.get("version", "1.0.0")
        if record.method != "POST":
            return self._envelope(record, 603, None, version, status=405, message="only POST is supported")
        if route is None:
            return self._envelope(record, 404, None, version, status=404, message=f"no such path {record.path}")
        if not isinstance(record.body, dict):
            return self._envelope(record, 600, None, version, message="request body is not a JSON object")
        refusal = self._authenticate(record.path, headers, record.body)
        if refusal is not None:
            return self._envelope(record, refusal.code, None, version, message=refusal.message)
        record.processed = True
        self.processed[route.name] += 1
        try:
            body = route.translate(record.body)
            data = dispatch(self.farm, route.operation, body, path=record.path, legacy=route.legacy)
        except FarmError as error:
            return self._envelope(record, error.code, None, version, message=error.message)
        except Exception as error:  # a simulator bug: answer like the service would, keep it for the test
            self.internal_errors.append(error)
            return self._envelope(record, 500, None, version, message=f"internal error: {error!r}")
        return self._envelope(record, 200, data, version)

    def _authenticate(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> FarmError | None:
        """None if the request is signed by this account within the window, else the refusal (``body``: its JSON)."""
        signed: dict[str, str] = {}
        for name in SIGNED_HEADER_NAMES:
            value = headers.get(name.lower())
            if value is None:
                return FarmError(611, f"signature_invalid: missing header {name}")
            signed[name] = value
        if not hmac.compare_digest(signed["accessId"].encode(), self.access_id.encode()):
            return FarmError(611, "signature_invalid: unknown accessId")
        given = headers.get("signature", "")
        domains = dict.fromkeys([self.domain, headers.get("host", self.domain)])
        try:
            valid = any(
                hmac.compare_digest(sign(self.access_key, string_to_sign(domain, path, signed, body)).encode(),
                                    given.encode())
                for domain in domains
            )  # fmt: skip
        except (ValueError, TypeError):
            valid = False
        if not valid:
            return FarmError(611)
        stamp = int_of(signed["UTCTimestamp"], max_digits=12)
        if stamp is None:  # ASCII digits only ("¹" passes str.isdigit() and fails int())
            return FarmError(611, "signature_invalid: UTCTimestamp is not a number")
        now = self.server_time()
        if abs(stamp - now) > self.signature_window:
            return FarmError(610)
        if not self.nonces.admit(signed["accessId"], signed["nonce"], stamp, now=now, window=self.signature_window):
            return FarmError(603, "illegal_protocol: replayed request (its nonce was used within the signature window)")
        return None

    def _envelope(
        self,
        record: RecordedRequest,
        code: int,
        data: Any,
        version: str,
        *,
        status: int = 200,
        message: str | None = None,
        skew: float = 0.0,
        server_time_ms: int | None = None,
    ) -> SimReply:
        self._request_ids += 1
        record.code = code
        envelope = {
            "version": version if version in ("1.0.0", "2.0.0") else "1.0.0",
            "result": code == 200,
            "message": message if message is not None else ENVELOPE_MESSAGES.get(code, "fail"),
            "code": code,
            "data": data,
            "serverTime": int((self.server_time() + skew) * 1000) if server_time_ms is None else server_time_ms,
            "requestId": f"SIM{self._request_ids:08d}-{int(self._wall_clock() * 1000)}",
        }
        return SimReply(status=status, body=encode_envelope(envelope))

    # -- faults ----------------------------------------------------------------------------------

    def _next_fault(self, route: Route | None) -> Fault | None:
        names = route.names() if route is not None else frozenset()
        for injection in self._injections:
            if injection.names is None or not injection.names.isdisjoint(names):
                injection.remaining -= 1
                if injection.remaining == 0:
                    self._injections.remove(injection)
                return injection.fault
        label = route.name if route is not None else "?"
        for plan in self.fault_plans:
            if plan.applies_to(names) or (route is None and plan.operations is None):
                fault = plan.draw(label)
                if fault is not None:
                    return fault
        return None

    def _fault_reply(self, fault: Fault, record: RecordedRequest, served: SimReply | None) -> SimReply:
        version = record.headers.get("version", "1.0.0")
        if fault.kind == "latency":
            assert served is not None
            return SimReply(served.status, served.headers, served.body, delay=fault.delay)
        if fault.kind in _NO_ENVELOPE or (fault.kind == "slow" and served is None):
            record.code = None  # the client gets no readable envelope
        if fault.kind == "reset":
            return SimReply(status=0, body=b"", reset=True, before_sending=fault.before_sending)
        if fault.kind == "slow":
            if served is None:  # dropped by a gateway that eventually gives up
                return SimReply(504, (("Content-Type", "text/html"),), _html(504), delay=fault.delay)
            return SimReply(served.status, served.headers, served.body, delay=fault.delay)
        if fault.kind == "http_5xx":
            headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/html"),)
            if fault.status == 503:
                headers += (("Retry-After", "1"),)
            return SimReply(fault.status, headers, _html(fault.status))
        if fault.kind == "malformed_json":
            body = served.body if served is not None else b'{"version":"2.0.0","result":true,"code":200,"data":{"x"'
            return SimReply(200, _JSON, body[: max(len(body) // 2, 1)])
        if fault.kind == "clock_skew":
            return self._envelope(record, 610, None, version, skew=fault.skew)
        if fault.kind == "garbage_time":
            last = len(GARBAGE_SERVER_TIMES) - 1
            choice = GARBAGE_SERVER_TIMES[min(int(fault.pick * len(GARBAGE_SERVER_TIMES)), last)]
            now = self.server_time()
            garbage = (int(now * 1_000_000) if choice is None else int((now + 10 * 365 * 86400) * 1000)
                       if choice == "future" else int(choice))
            return self._envelope(record, 610, None, version, server_time_ms=garbage)
        if fault.kind == "wrong_shape":
            wrong: Any = "unexpected text" if fault.pick < 0.5 else [{"id": 1}]
            return self._envelope(record, 200, wrong, version)
        if fault.kind == "null_data":
            return self._envelope(record, 200, None, version)
        if fault.kind == "empty_body":
            return SimReply(200, _JSON, b"")
        if fault.kind == "trickle":
            body = served.body if served is not None else self._envelope(record, 500, None, version).body
            return SimReply(200, _JSON, body, trickle=fault.delay)
        if fault.kind == "oversized":
            return SimReply(200, _JSON, _padded_envelope(fault.size))
        if fault.kind == "gzip_bomb":
            return SimReply(200, (*_JSON, ("Content-Encoding", "gzip")), _gzip_bomb(fault.size))
        return self._envelope(record, fault.code, None, version)


#: Fault kinds whose answer holds no envelope the client can read.
_NO_ENVELOPE = frozenset({"reset", "http_5xx", "malformed_json", "empty_body", "oversized", "gzip_bomb"})


@functools.cache
def _padded_envelope(size: int) -> bytes:
    head = b'{"version":"2.0.0","result":true,"code":200,"message":"success","data":{"pad":"'
    tail = b'"},"serverTime":0,"requestId":"pad"}'
    return head + b"x" * max(size - len(head) - len(tail), 0) + tail


@functools.cache
def _gzip_bomb(size: int) -> bytes:
    """A gzip body that inflates to ``size`` bytes of JSON-ish whitespace (made once per size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b" " * 2**20
    parts = [packer.compress(b'{"code":200,"data":')]
    for _ in range(size // len(chunk)):
        parts.append(packer.compress(chunk))
    parts.append(packer.flush())
    return b"".join(parts)


_STATUS_TEXT = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


def _html(status: int) -> bytes:
    text = f"{status} {_STATUS_TEXT.get(status, 'Server Error')}"
    return f"<html><head><title>{text}</title></head><body><center><h1>{text}</h1></center></body></html>".encode()


def _plan(value: Any, name: str) -> FaultPlan:
    """One fault plan of ``Simulator(faults=[...])``."""
    return check.instance(value, name, FaultPlan)


#: ``Simulator(faults=...)`` given as several plans.
_PLANS = kinds.list_of(kinds.Kind("FaultPlan", _plan), nonempty=False)
#: ``Simulator(endpoints=...)``: rows of the endpoint table (``rayvision_async.api._table.ENDPOINTS``).
_ROWS = kinds.list_of(kinds.Kind("Endpoint", lambda value, name: check.instance(value, name, Endpoint)))
