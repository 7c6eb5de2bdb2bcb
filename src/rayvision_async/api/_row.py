"""What a row of the endpoint table is: :class:`Endpoint`, its :class:`Param` s and their rules.

The rows themselves are in :mod:`._table`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import InvalidInputError
from ._kinds import Kind

__all__ = ["OMIT", "REQUIRED", "RULES", "SPREAD", "Context", "Endpoint", "Param", "Send", "method_docstring",
           "optional"]


class _Required(enum.Enum):
    REQUIRED = "REQUIRED"


REQUIRED = _Required.REQUIRED  #: marks a parameter without a default


class Context(enum.Enum):
    """Defaults computed from the client's settings rather than given by the caller."""

    ZONE = "zone"  # 1 for a renderbus (China) domain, else 2 — as queryPlatforms expects
    TRANSFER_ZONE = "transfer_zone"  # the official SDK's inverse of ZONE for getServerInfo
    PLATFORM = "platform"  # the client's platform, as an int
    OS_NAME = "os_name"  # "windows" or "linux", from the machine the client runs on


class Send(enum.Enum):
    """When a parameter goes into the body."""

    ALWAYS = "always"
    IF_NOT_NONE = "if_not_none"
    IF_TRUTHY = "if_truthy"  # the official SDK omits empty strings, lists and zeros for these


OMIT = "-"  #: ``legacy_wire`` value for a parameter the 2018 path set does not send
SPREAD = "*"  #: ``wire`` value for a mapping whose keys are sent as top-level body fields


@attrs.frozen
class Param:
    """One keyword of a generated method: its Python name, wire name, kind and when it is sent."""

    name: str
    wire: str = attrs.field(kw_only=True)
    kind: Kind = attrs.field(kw_only=True)
    default: Any = attrs.field(default=REQUIRED, kw_only=True)
    send: Send = attrs.field(default=Send.ALWAYS, kw_only=True)
    #: The 2018 wire name when it differs; OMIT when that set does not send it.
    legacy_wire: str | None = attrs.field(default=None, kw_only=True)
    doc: str = attrs.field(default="", kw_only=True)
    #: The 2018 set sends ceil(value / legacy_divisor) (seconds → hours).
    legacy_divisor: int = attrs.field(default=1, kw_only=True)

    @property
    def optional(self) -> bool:
        return self.default is None


@attrs.frozen(kw_only=True)
class Endpoint:
    """One operation of the service: one row of the table."""

    group: str
    name: str
    path: str
    legacy_path: str | None
    returns: Any
    idempotent: bool
    doc: str
    params: tuple[Param, ...] = ()
    paging: str | None = None  # "tasks", "frames" or "records": the page model's item kind
    aliases: tuple[str, ...] = ()
    fixed: Mapping[str, Any] = attrs.field(factory=dict)  # constant wire fields
    rule: str | None = None  # name of a cross-parameter rule in RULES


def optional(name: str, *, wire: str, kind: Kind, legacy_wire: str | None = None, doc: str = "") -> Param:
    """A parameter that defaults to ``None`` and is sent only when given."""
    return Param(name, wire=wire, kind=kind, default=None, send=Send.IF_NOT_NONE, legacy_wire=legacy_wire, doc=doc)


def _require_code_or_codes(wire: dict[str, Any]) -> None:
    if "code" not in wire and "codes" not in wire:
        raise InvalidInputError("error_detail needs code or codes")


def _frame_selection(wire: dict[str, Any]) -> None:
    if wire.get("selectAll") == 1:
        wire.pop("ids", None)
    elif not wire.get("ids"):
        raise InvalidInputError("ids_list is required (and non-empty) when select_all is 0")


def _tree_path_for_task(wire: dict[str, Any]) -> None:
    if "taskId" in wire:
        wire["treePath"] = "/"


#: Cross-parameter rules, applied to the wire body before it is sent.
RULES = {
    "code_or_codes": _require_code_or_codes,
    "frame_selection": _frame_selection,
    "tree_path_for_task": _tree_path_for_task,
}

def method_docstring(endpoint: Endpoint) -> str:
    """The docstring of a generated method: the row's summary, its path(s), retry safety and parameters."""
    lines = [endpoint.doc, "", f"``POST {endpoint.path}``"]
    if endpoint.legacy_path:
        lines.append(f"(2018 path set: ``POST {endpoint.legacy_path}``)")
    lines.append("Safe to retry." if endpoint.idempotent else "Creates or changes work: never retried once sent.")
    documented = [p for p in endpoint.params if p.doc]
    if documented:
        lines.append("")
        lines.extend(f"{p.name}: {p.doc}" for p in documented)
    return "\n".join(lines)
