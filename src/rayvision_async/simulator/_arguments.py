"""The simulator's public callables refuse careless arguments as the client does.

A refusal is an :class:`~rayvision_async.errors.InvalidInputError` (a
:class:`~rayvision_async.errors.ConfigurationError` from a constructor), raised
before the farm changes or a server starts; never a ``TypeError``, a
``ValueError`` or an endless loop. The checks reuse the endpoint table's
kinds (:mod:`rayvision_async.api._kinds`), so a text, a count or a list is
bounded here as it is for a request. :class:`~.farm.FarmError` stays what the
farm answers for a request the service would refuse (an unknown task, a task
submitted twice).
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from .._service_ints import INT64
from ..api import _kinds as kinds
from ..errors import ConfigurationError, InvalidInputError

__all__ = ["configuration", "count", "flag", "folder", "function", "instance", "one_of", "seconds", "shown", "text",
           "texts"]

T = TypeVar("T")

#: The longest span of simulated time the simulator takes (ten years, in seconds).
MAX_SECONDS = 10 * 365 * 86400.0


@contextlib.contextmanager
def configuration() -> Iterator[None]:
    """Inside a constructor: every refusal is a ConfigurationError (a setting, not a call, is wrong)."""
    try:
        yield
    except ConfigurationError:
        raise
    except InvalidInputError as exc:
        raise ConfigurationError(str(exc)) from None


def flag(value: Any, name: str) -> bool:
    """A bool (never a truthy stand-in such as "no" or 1)."""
    if not isinstance(value, bool):
        raise InvalidInputError(f"{name} must be a bool, got a {type(value).__name__}")
    return value


def seconds(value: Any, name: str, *, low: float = 0.0, high: float = MAX_SECONDS) -> float:
    """A finite number of seconds (or a rate) from ``low`` to ``high``, as a float."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:  # NaN fails too
        shown = repr(value) if isinstance(value, float) else f"a {type(value).__name__}"
        raise InvalidInputError(f"{name} must be a number from {low:g} to {high:g}, got {shown}")
    return float(value)


def count(value: Any, name: str, low: int = 0, high: int = INT64[1]) -> int:
    """An int (never a bool) from ``low`` to ``high``."""
    if type(value) is int and low <= value <= high and INT64[0] <= value <= INT64[1]:
        return value  # what the kind's check returns for a plain int in range, without building its message
    checked: int = _integer(low, high).check(value, name)
    return checked


def text(value: Any, name: str, *, nonempty: bool = False, max_len: int = kinds.MAX_TEXT_CHARS) -> str:
    """A str of valid Unicode, at most ``max_len`` characters (``nonempty``: not blank)."""
    if type(value) is str and value.isascii() and len(value) <= max_len and (not nonempty or value.strip()):
        return value  # what the kind's check returns for ASCII text that fits (no surrogate can be in it)
    checked: str = _text(nonempty, max_len).check(value, name)
    return checked


@functools.lru_cache(maxsize=64)
def _integer(low: int, high: int) -> kinds.Kind:
    """The kind :func:`count` checks with (made once per bounds: the farm checks ids on every call)."""
    return kinds.integer(low, high, width=INT64)


@functools.lru_cache(maxsize=64)
def _text(nonempty: bool, max_len: int) -> kinds.Kind:
    """The kind :func:`text` checks with (made once per bounds)."""
    return kinds.text(nonempty=nonempty, max_len=max_len)


def texts(value: Any, name: str) -> list[str]:
    """A list (any iterable but a str or a mapping) of texts, counted as it is read."""
    checked: list[str] = kinds.list_of(kinds.text(), nonempty=False).check(value, name)
    return checked


def folder(value: Any, name: str) -> str:
    """A folder's path (a str or path-like): non-empty valid Unicode without NUL, at most 4096 characters."""
    if not isinstance(value, str | os.PathLike):
        raise InvalidInputError(f"{name} must be a folder path, got {shown(value)}")
    try:
        path = os.fspath(value)
    except Exception as exc:  # a caller's path-like object that fails
        raise InvalidInputError(f"{name} is not a usable path: {type(exc).__name__}") from None
    if not isinstance(path, str):
        raise InvalidInputError(f"{name} must be a text path, got {shown(path)}")
    text(path, name, nonempty=True)
    if "\0" in path:
        raise InvalidInputError(f"{name} has a NUL character")
    return path


def one_of(value: Any, name: str, choices: Iterable[str]) -> str:
    """One of the ``choices`` texts."""
    allowed = tuple(choices)
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInputError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {shown(value)}")
    return value


def instance(value: Any, name: str, cls: type[T]) -> T:
    """An instance of ``cls``."""
    if not isinstance(value, cls):
        raise InvalidInputError(f"{name} must be a {cls.__name__}, got a {type(value).__name__}")
    return value


def function(value: Any, name: str) -> Callable[..., Any]:
    """A callable."""
    if not callable(value):
        raise InvalidInputError(f"{name} must be a function, got a {type(value).__name__}")
    checked: Callable[..., Any] = value
    return checked


def shown(value: Any) -> str:
    """A caller's value for a message: a short repr of a str, else its type (a repr may fail or be huge)."""
    return repr(value)[:40] if isinstance(value, str) else f"a {type(value).__name__}"
