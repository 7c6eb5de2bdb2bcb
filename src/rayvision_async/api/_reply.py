"""From a code-200 reply's ``data`` to the row's result: the shape check, then structuring (output only).

``check_shape`` refuses ``data`` of a JSON type the row does not declare (a
:class:`~rayvision_async.errors.MalformedResponseError`, which the request loop
treats like any unreadable reply), and ``result_of`` structures it into the
row's model with the one cattrs converter. The way in, arguments to a wire
body, is :mod:`._body`.

``result_steps`` does what ``result_of`` does in steps, for the big replies the
request loop structures in turns (:mod:`rayvision_async._turns`): a page's items
:data:`STEP_ITEMS` at a time, so no step holds the event loop for more than about
a millisecond.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Generator
from typing import Any, Union, get_args, get_origin

import attrs

from ..errors import MalformedResponseError
from ..models import Page
from ..models._base import PATHS_OR_TEXT
from ._row import Endpoint

__all__ = ["STEP_ITEMS", "check_shape", "has_steps", "result_of", "result_steps"]

#: Items of a page structured per step of :func:`result_steps` (about 0.6 ms for ``queryTaskInfo``).
STEP_ITEMS = 25


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
    converting = _converting()
    try:
        result = (converting.structure(data, returns) if exact is None
                  else converting.structure_reply(data, returns, exact))
    except Exception as exc:  # cattrs raises many kinds; each means "not the documented shape"
        reason = f"data does not fit {getattr(returns, '__name__', returns)}: {type(exc).__name__}"
        raise MalformedResponseError(reason, path=path) from None
    return _nonempty(endpoint, result, path=path)


_CONVERTING: types.ModuleType | None = None


def _converting() -> types.ModuleType:
    """:mod:`~rayvision_async.models._converter`, imported with the first reply rather than with this module
    (cattrs is slow to import), and then kept: an import statement in a function runs on every call."""
    global _CONVERTING
    if _CONVERTING is None:
        from ..models import _converter

        _CONVERTING = _converter
    return _CONVERTING


def _nonempty(endpoint: Endpoint, result: Any, *, path: str) -> Any:
    for name, what in endpoint.nonempty.items():
        if not getattr(result, name):
            raise MalformedResponseError(f"the reply holds no {what}", path=path)
    return result


def has_steps(endpoint: Endpoint) -> bool:
    """Whether :func:`result_steps` may structure ``endpoint``'s result in more than one step (a page's rows)."""
    return bool(_required_keys(endpoint.returns))


def result_steps(endpoint: Endpoint, data: Any, *, path: str,
                 exact: Callable[[], Any] | None = None) -> Generator[None, None, Any]:
    """:func:`result_of` in steps: a generator that yields between steps and returns the result.

    A page whose ``items`` is a list of more than :data:`STEP_ITEMS` rows is
    structured a slice of rows per step (the page's own fields with the first);
    the rows are structured by the same hooks as in one go, so the result is
    equal. Anything unusual on the way (a float to decode exactly, a row that
    does not fit) and every other reply is left to :func:`result_of`, in one
    step, so results and errors are exactly its own.
    """
    yield  # the envelope was decoded in this turn: structuring starts in the next
    items = data.get("items") if isinstance(data, dict) else None
    if not has_steps(endpoint) or type(items) is not list or len(items) <= STEP_ITEMS:
        return result_of(endpoint, data, path=path, exact=exact)
    check_shape(endpoint, data, path=path)
    converter = _converting().converter
    returns = endpoint.returns
    try:
        rows: list[Any] = []
        page: Any = None
        for start in range(0, len(items), STEP_ITEMS):
            if start:
                yield
            part = converter.structure({**data, "items": items[start:start + STEP_ITEMS]}, returns)
            page = part if page is None else page
            rows += part.items
    except Exception:  # an exact decoding needed, or no fit: result_of decides, as for any reply
        return result_of(endpoint, data, path=path, exact=exact)
    return _nonempty(endpoint, attrs.evolve(page, items=tuple(rows)), path=path)
