"""The path set a client speaks: which path each table row goes to, and how its arguments become a body.

Two sets exist: ``"current"`` (what the official SDK 3.x sends, version header
2.0.0) and ``"2018"`` (the 2018–2020 protocol documents, version header 1.0.0),
where some operations do not exist and some parameters are named or typed
differently. A :class:`PathSet` also holds the defaults computed from the
client's domain and platform (:class:`~._row.Context`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from ..errors import UnsupportedOperationError
from ._body import build_body, context_values
from ._row import Context, Endpoint

__all__ = ["PROTOCOLS", "PathSet"]

#: The protocol names a client accepts, and the version header each sends.
PROTOCOLS: Mapping[str, str] = {"current": "2.0.0", "2018": "1.0.0"}


@attrs.frozen
class PathSet:
    """One path set with a client's computed defaults: a row → its path, a row and arguments → its body."""

    protocol: Literal["current", "2018"]
    context: Mapping[Context, Any] = attrs.field(repr=False)

    @classmethod
    def of(cls, protocol: Literal["current", "2018"], *, domain: str, platform: str) -> PathSet:
        return cls(protocol, context_values(domain, platform, legacy=protocol == "2018"))

    @property
    def legacy(self) -> bool:
        """Whether this is the 2018 set."""
        return self.protocol == "2018"

    @property
    def version(self) -> str:
        """The ``version`` header this set sends."""
        return PROTOCOLS[self.protocol]

    def path(self, row: Endpoint) -> str:
        """The row's path in this set; :class:`UnsupportedOperationError` where it does not exist."""
        path = row.legacy_path if self.legacy else row.path
        if path is None:
            raise UnsupportedOperationError(f"{row.group}.{row.name} does not exist in the 2018 path set")
        return path

    def body(self, row: Endpoint, values: Mapping[str, Any]) -> dict[str, Any]:
        """The wire body of a call of ``row`` with ``values`` (checked; raises before anything is sent)."""
        return build_body(row, values, legacy=self.legacy, context=self.context)
