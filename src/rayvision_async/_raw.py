"""``api.with_raw_response``: endpoint calls that also return what the envelope and HTTP said.

The raw view's groups are generated classes (``api/_generated/``: ``RawQueryEndpoints``…)
with the same signatures as the endpoint methods and ``-> RawResponse[<result>]``,
over a raw caller (:meth:`~._caller.Caller.evolve` with ``raw=True``). A
:class:`RawResponse` is built inside the request loop from the code-200
envelope, with the result already parsed: the retry rules are exactly those of
the plain call (a reply whose data does not fit is retried like any unreadable
body), and ``.parse()`` only hands the result over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from .api._base import GroupBase
from .errors import UnsupportedOperationError
from .wire._envelope import Envelope

if TYPE_CHECKING:
    import httpx

__all__ = ["RawGroupBase", "RawResponse"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class RawResponse(Generic[T]):
    """One successful call: HTTP status and headers; the envelope's ``code``, ``message``, ``requestId``, time."""

    http_status: int
    code: int
    message: str
    request_id: str | None
    #: ``serverTime`` as the service sent it (epoch milliseconds), None when absent.
    server_time_ms: int | None
    _parsed: T = attrs.field(repr=False, alias="parsed")
    #: The reply's headers as ``(name, value)`` byte pairs, in order (see :attr:`headers`).
    raw_headers: Sequence[tuple[bytes, bytes]] = attrs.field(default=(), repr=False, eq=False)

    @property
    def headers(self) -> httpx.Headers:
        """The reply's HTTP headers (case-insensitive; ``.get_list(name)`` for repeated ones)."""
        import httpx

        return httpx.Headers(list(self.raw_headers))

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
                   parsed=parse(envelope), raw_headers=envelope.headers)


class _NotARawEndpoint(UnsupportedOperationError, AttributeError):
    """A raw view offers only single-request endpoint methods (an ``AttributeError`` too, for ``hasattr``)."""


class RawGroupBase(GroupBase):
    """What the generated raw group classes stand on: a group over a raw caller, endpoint methods only."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise _NotARawEndpoint(
            f"with_raw_response.{self.group_name} has no {name!r}: only single-request endpoint methods give a "
            "raw response (helpers such as pagers make several requests)")

    #: The group's name (``"query"``); the generated classes set it.
    group_name = ""
