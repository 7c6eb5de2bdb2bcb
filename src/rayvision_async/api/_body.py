"""From a call's arguments to the wire body, as one table row says.

``build_body`` checks each value with its kind and names it for the chosen path
set, and ``result_of`` structures the envelope's ``data`` into the row's
response model. Everything here raises before a request is sent.
"""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any, Union, get_args, get_origin

import attrs

from ..errors import InvalidInputError, MalformedResponseError, UnsupportedOperationError
from ..models import Page
from ..models._converter import PATHS_OR_TEXT, structure, structure_reply
from ._kinds import is_empty_of
from ._row import OMIT, REQUIRED, RULES, SPREAD, Context, Endpoint, Send

__all__ = ["build_body", "check_shape", "context_values", "result_of"]


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


@functools.cache
def _allowed(returns: Any) -> tuple[type, ...] | None:
    """The JSON types a reply's ``data`` may have for ``returns`` (None: anything goes); once per type."""
    if returns is None or returns is Any or returns is str:
        return None
    if returns == PATHS_OR_TEXT:
        return (list, str, type(None))
    allowed = _shape(returns)
    if allowed is not None and list in allowed:
        allowed = (*allowed, type(None))  # a null sequence is an empty one
    return allowed


@functools.cache
def _required_keys(returns: Any) -> tuple[str, ...]:
    """Keys a reply's ``data`` object must have: a page's ``items`` (every documented page has it)."""
    origin = get_origin(returns) or returns
    return ("items",) if isinstance(origin, type) and issubclass(origin, Page) else ()


def _shape(returns: Any) -> tuple[type, ...] | None:
    arms = get_args(returns) if get_origin(returns) in (Union, types.UnionType) else (returns,)
    allowed: list[type] = []
    for arm in arms:
        origin = get_origin(arm) or arm
        if arm is type(None):
            allowed.append(type(None))
        elif origin is tuple:
            allowed.append(list)
        elif arm is str:
            allowed.append(str)
        elif isinstance(origin, type) and attrs.has(origin):
            allowed.append(dict)
        else:
            return None
    return tuple(allowed)


def check_shape(endpoint: Endpoint, data: Any, *, path: str) -> None:
    """Raise :class:`MalformedResponseError` if ``data`` is not of the JSON type the row declares.

    An object (model or page) must be a JSON object, and a page one with
    ``items``; a tuple a JSON array (or ``null``, an empty list), and ``null`` only where the row allows it
    (``X | None``). Rows returning ``None``, ``Any`` or ``str`` accept anything,
    and ``PATHS_OR_TEXT`` a list, a bare text or ``null``.
    """
    returns = endpoint.returns
    allowed = _allowed(returns)
    if allowed is not None and type(data) not in allowed:
        got = "null" if data is None else type(data).__name__
        raise MalformedResponseError(
            f"data is {got}, not the {getattr(returns, '__name__', returns)} the endpoint returns", path=path)
    for key in _required_keys(returns):
        if isinstance(data, dict) and key not in data:
            raise MalformedResponseError(f"data is an object without {key!r}, not the "
                                         f"{getattr(returns, '__name__', returns)} the endpoint returns", path=path)


def result_of(endpoint: Endpoint, data: Any, *, path: str, exact: Callable[[], Any] | None = None) -> Any:
    """Check ``data``'s JSON shape against ``endpoint.returns`` and structure it.

    ``data`` is the reply's fast decoding; ``exact()`` decodes the reply again with money as
    ``Decimal`` of the literal sent (``Envelope.exact_data``). Raw results (``Any``, ``str``) come
    from the exact decoding; models from the fast one unless a float in it cannot be trusted.
    """
    check_shape(endpoint, data, path=path)
    returns = endpoint.returns
    if returns is None:
        return None
    if returns is Any or returns is str:
        if exact is not None and not isinstance(data, str) and data is not None:
            try:
                data = exact()
            except (ValueError, RecursionError):  # e.g. an integer of more than 4300 digits
                raise MalformedResponseError("data cannot be decoded exactly", path=path) from None
        if returns is Any:
            return data
        return data if isinstance(data, str) else ("" if data is None else str(data))
    try:
        result = structure(data, returns) if exact is None else structure_reply(data, returns, exact)
    except Exception as exc:  # cattrs raises many kinds; each means "not the documented shape"
        reason = f"data does not fit {getattr(returns, '__name__', returns)}: {type(exc).__name__}"
        raise MalformedResponseError(reason, path=path) from None
    for name, what in endpoint.nonempty.items():
        if not getattr(result, name):
            raise MalformedResponseError(f"the reply holds no {what}", path=path)
    return result
