"""The limits of one attempt: :class:`Timeouts`, and the largest reply read.

Here rather than with the channel so that the client's settings can be checked
(and ``rayvision_async.Timeouts`` imported) without importing httpx or aiohttp:
an ``httpx.Timeout`` is recognised only once httpx is imported, which it must
be for a caller to hold one.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .. import errors
from .._arguments import checked_binding

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "Timeouts"]

#: The largest decoded reply body read (32 MiB); a larger one is a MalformedResponseError.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024


def _seconds(name: str, value: Any) -> float | None:
    """One timeout: a number in (0, 3600] seconds (never a bool) as a float, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
        raise errors.ConfigurationError(f"{name} timeout must be a number in (0, 3600] seconds or None")
    return float(value)


def _read(value: Any) -> float | None:
    return _seconds("read", value)


def _connect(value: Any) -> float | None:
    return _seconds("connect", value)


def _pool(value: Any) -> float | None:
    return _seconds("pool", value)


_AUTO = -1.0  # a total still to be derived from read (set in __attrs_post_init__)


def _total(value: Any) -> float | None:
    if value is _AUTO or (isinstance(value, str) and value == "auto"):
        return _AUTO
    return _seconds("total", value)


@attrs.frozen
class Timeouts:
    """Connect, read, pool and total timeouts in seconds (``None`` = no limit).

    ``read`` bounds each wait for bytes; ``total`` bounds one whole attempt
    (connect, send, read every byte), so a reply trickling in slowly still ends.
    It defaults to twice ``read`` (at least 60 s; no limit when ``read`` is None).
    """

    read: float | None = attrs.field(default=30.0, converter=_read)
    connect: float | None = attrs.field(default=10.0, kw_only=True, converter=_connect)
    pool: float | None = attrs.field(default=30.0, kw_only=True, converter=_pool)
    #: ``"auto"`` (the default) becomes twice ``read``, at least 60 s (None when ``read`` is None).
    total: float | None = attrs.field(default=_AUTO, kw_only=True, converter=_total)
    #: The ``timeout`` request extension httpx transports read.
    extension: Mapping[str, float | None] = attrs.field(init=False, eq=False, repr=False)

    @extension.default
    def _extension(self) -> Mapping[str, float | None]:
        return {"connect": self.connect, "read": self.read, "write": self.read, "pool": self.pool}

    def __attrs_post_init__(self) -> None:
        if self.total == _AUTO:
            object.__setattr__(self, "total", None if self.read is None else max(60.0, 2 * self.read))

    @classmethod
    def coerce(cls, value: Timeouts | httpx.Timeout | float | None) -> Timeouts:
        """Accept a :class:`Timeouts`, an ``httpx.Timeout``, a single number (the read timeout) or None.

        An ``httpx.Timeout``'s connect, read and pool limits are taken as they are; its write limit
        must equal its read limit (the SDK applies the read limit to writing its small bodies).
        """
        if isinstance(value, Timeouts):
            return value
        httpx = sys.modules.get("httpx")  # an httpx.Timeout means httpx is imported
        if httpx is not None and isinstance(value, httpx.Timeout):
            if value.write != value.read:
                raise errors.ConfigurationError(
                    "an httpx.Timeout's write timeout must equal its read timeout (the SDK writes with the read "
                    "limit); use rayvision_async.Timeouts for read, connect, pool and total limits")
            return cls(read=value.read, connect=value.connect, pool=value.pool)
        return cls(read=value)


# An unknown or positional field raises ConfigurationError too, not attrs' TypeError.
Timeouts.__init__ = checked_binding(errors.ConfigurationError)(Timeouts.__init__)  # type: ignore[method-assign]
