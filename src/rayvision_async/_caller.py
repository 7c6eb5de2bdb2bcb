"""The caller: what runs one row of the endpoint table, from arguments to result.

Every endpoint method (``api/_generated/``) is one line, ``self._caller.call(ROWS[name], {...})``.
:meth:`Caller.call` does the rest:

    arguments → the path set's path and wire body (:class:`.api._body.PathSet`)
    → the JSON bytes (:func:`.wire._signing.encode_body`)
    → the request loop (:func:`._request.send`: slot, sign, send, envelope, retry or raise)
    → the row's result (:func:`.api._reply.result_of`), or a :class:`~._raw.RawResponse` around it.

A caller owns the shared :class:`~._request.Connection`, the path set, the
timeouts, the retry policy and the tracing; :meth:`Caller.evolve` gives one with
other options over the same connection (``with_options``, ``with_raw_response``).
Groups and flows hold a caller, never the client.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Generator
from typing import Any, NoReturn, SupportsIndex

import attrs

from ._raw import RawResponse
from ._request import Connection, send
from ._retry import RetryPolicy
from ._tracing import Tracing
from ._unpicklable import refuse
from .api._body import PathSet
from .api._reply import has_steps, result_of, result_steps
from .api._row import Endpoint
from .wire._envelope import Envelope
from .wire._limits import Timeouts
from .wire._signing import encode_body

__all__ = ["Caller"]

_UNCHANGED: Any = object()


def _result(row: Endpoint, path: str, envelope: Envelope) -> Any:
    return result_of(row, envelope.data, path=path, exact=envelope.exact_data)


def _result_steps(row: Endpoint, path: str, envelope: Envelope) -> Generator[None, None, Any]:
    return result_steps(row, envelope.data, path=path, exact=envelope.exact_data)


@attrs.frozen(repr=False)
class Caller:
    """Runs table rows over one connection, with one set of options.

    ``call(row, values)`` sends and returns the row's result (a :class:`RawResponse`
    around it when ``raw``); ``check(row, values)`` raises what ``call`` would raise
    before sending, and sends nothing; ``evolve(...)`` is a caller with other options
    sharing the connection.
    """

    connection: Connection
    paths: PathSet
    timeouts: Timeouts
    policy: RetryPolicy
    tracing: Tracing = attrs.field(factory=Tracing)
    raw: bool = False
    #: Bulk work (a poll's batches): the bulk budget before a slot, turns after single calls.
    bulk: bool = False

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        refuse(self)  # its connection holds the access key: never pickled or deep-copied

    def __deepcopy__(self, memo: dict[int, Any]) -> NoReturn:
        refuse(self)

    def __repr__(self) -> str:
        return (f"Caller(protocol={self.paths.protocol!r}, timeouts={self.timeouts!r}, retry={self.policy!r}"
                f"{', raw=True' if self.raw else ''}{', bulk=True' if self.bulk else ''})")

    def check(self, row: Endpoint, values: dict[str, Any]) -> None:
        """Validate a call of ``row`` with ``values`` without sending anything."""
        self.paths.path(row)
        self.paths.body(row, values)

    async def call(self, row: Endpoint, values: dict[str, Any]) -> Any:
        """Run one table row: arguments → wire body → the request loop → the row's result."""
        paths = self.paths
        path = paths.path(row)
        content = encode_body(paths.body(row, values))
        connection = self.connection
        connection.check_usable(path)
        parse: Callable[[Envelope], Any] = functools.partial(_result, row, path)
        steps: Callable[[Envelope], Generator[None, None, Any]] | None = None
        if self.raw:
            parse = functools.partial(RawResponse.of, parse, scrub=connection.scrub)
        elif has_steps(row):  # a big page is structured a slice of rows per turn
            steps = functools.partial(_result_steps, row, path)
        tracing = self.tracing
        if tracing.provider is not None or "opentelemetry.trace" in sys.modules:  # else nobody can listen
            tracer = tracing.tracer()
            if tracer is not None:
                return await tracing.traced_call(
                    tracer, row, path, lambda exchange: send(
                        connection, path, content, idempotent=row.idempotent, timeouts=self.timeouts,
                        policy=self.policy, parse=parse, exchange=exchange, bulk=self.bulk, parse_steps=steps),
                    scrub=connection.scrub)
        return await send(connection, path, content, idempotent=row.idempotent, timeouts=self.timeouts,
                          policy=self.policy, parse=parse, bulk=self.bulk, parse_steps=steps)

    def evolve(self, *, timeouts: Timeouts = _UNCHANGED, policy: RetryPolicy = _UNCHANGED,
               raw: bool = _UNCHANGED, bulk: bool = _UNCHANGED) -> Caller:
        """A caller with the options given changed, over the same connection."""
        changes: dict[str, Any] = {}
        if bulk is not _UNCHANGED:
            changes["bulk"] = bulk
        if timeouts is not _UNCHANGED:
            changes["timeouts"] = timeouts
        if policy is not _UNCHANGED:
            changes["policy"] = policy
        if raw is not _UNCHANGED:
            changes["raw"] = raw
        return attrs.evolve(self, **changes)
