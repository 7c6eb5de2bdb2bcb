"""From a call's arguments to its path and wire body, as one table row and the path set say (input only).

Two path sets exist: ``"current"`` (what the official SDK 3.x sends, version
header 2.0.0) and ``"2018"`` (the 2018–2020 protocol documents, version header
1.0.0), where some operations do not exist and some parameters are named or
typed differently. A :class:`PathSet` (one per client) gives a row's path and,
through ``build_body``, its body: each value checked with its kind and named for
the set, with the defaults computed from the client's domain and platform
(:class:`~._row.Context`). Everything here raises before a request is sent. The
way back, a reply's ``data`` to the row's result, is :mod:`._reply`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from ..errors import InvalidInputError, UnsupportedOperationError
from ._kinds import is_empty_of
from ._row import OMIT, REQUIRED, RULES, SPREAD, Context, Endpoint, Send

__all__ = ["PROTOCOLS", "PathSet", "build_body", "context_values"]


def context_values(domain: str, platform: str, *, legacy: bool = False) -> dict[Context, Any]:
    """The values of the table's :class:`Context` defaults for a client's settings.

    ``TRANSFER_ZONE`` is the official SDK's inverted zone in the current path
    set (what the service it talks to expects) and the protocol document's
    (China 1, elsewhere 2) in the 2018 set.
    """
    china = "renderbus" in domain.lower()
    return {
        Context.ZONE: 1 if china else 2,
        Context.TRANSFER_ZONE: (1 if china else 2) if legacy else (2 if china else 1),
        Context.PLATFORM: int(platform),
        Context.OS_NAME: "windows" if sys.platform.startswith("win") else "linux",
    }


def build_body(
    endpoint: Endpoint, values: Mapping[str, Any], *, legacy: bool, context: Mapping[Context, Any]
) -> dict[str, Any]:
    """The wire body for ``values`` in the current or the 2018 (``legacy``) path set."""
    body: dict[str, Any] = dict(endpoint.fixed)
    values = _resolve_aliases(endpoint, values)
    for param in endpoint.params:
        if param.alias_for is not None:
            continue
        value = values.get(param.name, param.default)
        if value is None:
            value = param.default  # None asks for the default
        if value is REQUIRED:
            also = "".join(f" (or {p.name!r})" for p in endpoint.params if p.alias_for == param.name)
            raise InvalidInputError(f"{endpoint.name}() missing required argument {param.name!r}{also}")
        if isinstance(value, Context):
            value = context[value]
        if value is None or (param.send is Send.IF_TRUTHY and is_empty_of(param.kind, value)):
            continue  # the official SDK omits these empty values; an empty value of another type is refused
        if legacy and param.legacy_wire == OMIT and values.get(param.name) not in (None, param.default):
            raise UnsupportedOperationError(
                f"{endpoint.name}(): {param.name!r} does not exist in the 2018 path set")
        checked = param.kind.check(value, param.name)
        if param.wire == SPREAD:
            body.update(checked)
        else:
            body[param.wire] = checked
    if endpoint.rule is not None:
        RULES[endpoint.rule](body)
    if legacy:
        body = _to_legacy(endpoint, body)
    return body


def _resolve_aliases(endpoint: Endpoint, values: Mapping[str, Any]) -> Mapping[str, Any]:
    """``values`` with each alias keyword (``render_env=``) moved to the parameter it stands for."""
    resolved = values
    for alias in endpoint.params:
        if alias.alias_for is None or values.get(alias.name) is None:
            continue
        if values.get(alias.alias_for) is not None:
            raise InvalidInputError(
                f"{endpoint.name}() got both {alias.alias_for!r} and {alias.name!r}: give one of them")
        resolved = {**resolved, alias.alias_for: values[alias.name]}
    return resolved


def _to_legacy(endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
    renamed = dict(body)
    for param in endpoint.params:
        if param.wire not in renamed:
            continue
        if param.legacy_wire == OMIT:
            del renamed[param.wire]
            continue
        value = renamed.pop(param.wire)
        if param.legacy_divisor != 1:
            value = -(-value // param.legacy_divisor)
        if param.legacy_text:
            value = str(value)
        renamed[param.legacy_wire or param.wire] = value
    return renamed


#: The protocol names a client accepts, and the version header each sends.
PROTOCOLS: Mapping[str, str] = {"current": "2.0.0", "2018": "1.0.0"}


@attrs.frozen
class PathSet:
    """One path set with a client's computed defaults: a row → its path, a row and arguments → its body."""

    protocol: Literal["current", "2018"]
    context: Mapping[Context, Any] = attrs.field(repr=False)
    #: Whether this is the 2018 set.
    legacy: bool = attrs.field(init=False, repr=False)

    @legacy.default
    def _legacy(self) -> bool:
        return self.protocol == "2018"

    @classmethod
    def of(cls, protocol: Literal["current", "2018"], *, domain: str, platform: str) -> PathSet:
        return cls(protocol, context_values(domain, platform, legacy=protocol == "2018"))

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
