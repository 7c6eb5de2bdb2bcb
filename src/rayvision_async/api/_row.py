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
    #: The 2018 set sends the value as a str (where its document types the field String).
    legacy_text: bool = attrs.field(default=False, kw_only=True)
    #: Another keyword for the parameter of that name (a documented call form); give one of the two.
    alias_for: str | None = attrs.field(default=None, kw_only=True)

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
    #: Result fields that must not be empty → what they hold: a reply without them is malformed.
    nonempty: Mapping[str, str] = attrs.field(factory=dict)


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


def _labels_to_remove(wire: dict[str, Any]) -> None:
    if not wire.get("labelNames") and not wire.get("labelIds"):
        raise InvalidInputError("delete_task_tag needs labelNames or tag_ids (the labels to remove)")


def _tree_path_for_task(wire: dict[str, Any]) -> None:
    if "taskId" in wire:
        wire["treePath"] = "/"


#: Cross-parameter rules, applied to the wire body before it is sent.
RULES = {
    "code_or_codes": _require_code_or_codes,
    "frame_selection": _frame_selection,
    "labels_to_remove": _labels_to_remove,
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
    legacy = [note for p in endpoint.params if (note := _legacy_note(p))] if endpoint.legacy_path else []
    if legacy:
        lines.extend(["", "In the 2018 path set:", *(f"    {note}" for note in legacy)])
    return "\n".join(lines)


def _legacy_note(param: Param) -> str:
    """How the 2018 path set sends ``param`` differently ("" when it does not)."""
    if param.alias_for is not None:
        return ""
    if param.legacy_wire == OMIT:
        return f"{param.name} does not exist (refused when given)"
    how = []
    if param.legacy_wire is not None and param.legacy_wire != param.wire:
        how.append(f"as {param.legacy_wire}")
    if param.legacy_divisor != 1:
        how.append(f"divided by {param.legacy_divisor} and rounded up")
    if param.legacy_text:
        how.append("as a string")
    return f"{param.name} is sent {', '.join(how)}" if how else ""
