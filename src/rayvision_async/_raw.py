"""``api.with_raw_response``: endpoint calls that also return what the envelope and HTTP said.

A :class:`RawResponse` is built inside the request loop from the code-200
envelope, with the result already parsed: the retry rules are exactly those of
the plain call (a reply whose data does not fit is retried like any unreadable
body), and ``.parse()`` only hands the result over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from .api._table import ROWS
from .wire import Envelope

if TYPE_CHECKING:
    from ._client import AsyncRayvisionAPI

__all__ = ["RawResponse", "RawResponseView"]

T = TypeVar("T")

_GROUPS = ("user", "task", "query", "tag", "env", "transmit")
#: Per group, the names that are one endpoint call (table rows and their aliases), so one envelope.
_ENDPOINT_NAMES: dict[str, frozenset[str]] = {
    group: frozenset(name for row in ROWS.values() if row.group == group for name in (row.name, *row.aliases))
    for group in _GROUPS
}


@attrs.frozen(kw_only=True)
class RawResponse(Generic[T]):
    """One successful call: the HTTP status, the envelope's ``code``, ``message``, ``requestId`` and ``serverTime``."""

    http_status: int
    code: int
    message: str
    request_id: str | None
    #: ``serverTime`` as the service sent it (epoch milliseconds), None when absent.
    server_time_ms: int | None
    _parsed: T = attrs.field(repr=False, alias="parsed")

    @property
    def server_time(self) -> dt.datetime | None:
        """``serverTime`` as an aware UTC datetime (None when the envelope had none or it is out of range)."""
        if self.server_time_ms is None:
            return None
        try:
            return dt.datetime.fromtimestamp(self.server_time_ms / 1000, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None

    def parse(self) -> T:
        """The result the plain call returns (a model, a tuple of models, or None)."""
        return self._parsed

    @classmethod
    def of(cls, parse: Callable[[Envelope], Any], envelope: Envelope, *,
           scrub: Callable[[str | None], str | None]) -> RawResponse[Any]:
        """Parse ``envelope`` and keep what it said beside the result (texts scrubbed like error messages)."""
        return cls(http_status=envelope.http_status, code=envelope.code, message=scrub(envelope.message) or "",
                   request_id=scrub(envelope.request_id), server_time_ms=envelope.server_time_ms,
                   parsed=parse(envelope))


class _RawGroup:
    """One endpoint group of a raw view: only its single-call endpoint methods."""

    __slots__ = ("_group", "_name")

    def __init__(self, group: object, name: str) -> None:
        self._group = group
        self._name = name

    def __repr__(self) -> str:
        return f"<raw-response {self._name} group>"

    def __dir__(self) -> list[str]:
        return sorted(_ENDPOINT_NAMES[self._name])

    def __getattr__(self, name: str) -> Callable[..., Awaitable[RawResponse[Any]]]:
        if name not in _ENDPOINT_NAMES[self._name]:
            raise AttributeError(
                f"with_raw_response.{self._name} has no {name!r}: only single-request endpoint methods give a "
                "raw response (helpers such as pagers make several requests)")
        method: Callable[..., Awaitable[RawResponse[Any]]] = getattr(self._group, name)
        return method


class RawResponseView:
    """``api.with_raw_response``: the endpoint groups, each call returning a :class:`RawResponse`."""

    __slots__ = ("_client", *_GROUPS)

    user: _RawGroup
    task: _RawGroup
    query: _RawGroup
    tag: _RawGroup
    env: _RawGroup
    transmit: _RawGroup

    def __init__(self, client: AsyncRayvisionAPI) -> None:
        self._client = client
        for name in _GROUPS:
            object.__setattr__(self, name, _RawGroup(getattr(client, name), name))

    def __repr__(self) -> str:
        return f"<with_raw_response of {self._client!r}>"
