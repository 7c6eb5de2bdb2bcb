"""The careless-call catalogue's parts: wrong values, whether a value fits an annotation, and how a call ends.

Used by ``tests/test_careless_catalogue.py``, which finds the public callables by introspection.
Nothing here knows a particular callable: every rule is about values and annotations.

* :data:`WRONG` — the wrong values, each a fresh object per call (iterators are consumed).
* :func:`fits` — whether a value is of the annotated type (the *shape*; ranges are semantic).
* :func:`must_refuse` — why a value must be refused for an annotation, or None when it may be accepted.
* :func:`run_call` — call, then drive what came back (await it, take one item of an async iterator, enter
  an async context manager, close a client) under a deadline, and report how it ended.
"""

from __future__ import annotations

import asyncio
import collections.abc as abc
import contextlib
import datetime as dt
import inspect
import itertools
import math
import os
import signal
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from rayvision_async.errors import InvalidInputError, RayvisionError

__all__ = ["WRONG", "Ended", "Wrong", "fits", "must_refuse", "run_call", "wire_problems"]

INT64 = (-(2**63), 2**63 - 1)


class _Stuck(BaseException):
    """Raised into a call that loops without returning (an endless iterator read to its end)."""


class HostileIter:
    """An iterable whose iteration raises."""

    def __iter__(self) -> Any:
        raise RuntimeError("hostile __iter__")


class HostileText:
    """An object whose str(), repr(), format() raise."""

    def __str__(self) -> str:
        raise RuntimeError("hostile __str__")

    def __repr__(self) -> str:
        raise RuntimeError("hostile __repr__")

    def __format__(self, spec: str) -> str:
        raise RuntimeError("hostile __format__")


class HostileEq:
    """An object whose comparisons and hash raise."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("hostile __eq__")

    def __hash__(self) -> int:
        raise RuntimeError("hostile __hash__")

    def __lt__(self, other: object) -> bool:
        raise RuntimeError("hostile __lt__")


class HostilePath(os.PathLike[str]):
    """A path-like object whose ``__fspath__`` raises."""

    def __fspath__(self) -> str:
        raise RuntimeError("hostile __fspath__")


class HostileMapping(abc.Mapping[str, Any]):
    """A mapping whose every read raises."""

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("hostile __getitem__")

    def __iter__(self) -> Any:
        raise RuntimeError("hostile __iter__")

    def __len__(self) -> int:
        raise RuntimeError("hostile __len__")


#: More items than any list parameter takes (poll: 1,000,000): an "endless" iterator read this far is read to no end.
_ENDLESS_CAP = 2_000_000


def _endless() -> abc.Iterator[int]:
    """1, 2, 3, … in Python (interruptible), stopping the call at two million items instead of eating memory."""
    for number in itertools.count(1):
        if number > _ENDLESS_CAP:
            raise _Stuck
        yield number


def _raising_items() -> abc.Iterator[int]:
    yield 1
    raise RuntimeError("hostile generator")


def _sync_callable(*args: Any, **kwargs: Any) -> Any:
    return 5  # not an awaitable, not a page


async def _async_wrong(*args: Any, **kwargs: Any) -> Any:
    return 5


@attrs.frozen
class Wrong:
    """One wrong value: a label, a factory (a fresh object each call) and what kind of wrong it is."""

    label: str
    make: Callable[[], Any]
    #: "hostile": raises when the SDK looks at it; "surrogate"/"nan"/"huge"/"digits"/"overlong"/"sync":
    #: of a fitting type but never valid where a value of that kind is read; "" otherwise.
    kind: str = ""


WRONG: tuple[Wrong, ...] = (
    Wrong("none", lambda: None),
    Wrong("true", lambda: True),
    Wrong("false", lambda: False),
    Wrong("zero", lambda: 0),
    Wrong("negative", lambda: -1),
    Wrong("2**63", lambda: 2**63, "huge"),
    Wrong("10**400", lambda: 10**400, "huge"),
    Wrong("float", lambda: 1.5),
    Wrong("nan", lambda: float("nan"), "nan"),
    Wrong("inf", lambda: float("inf"), "nan"),
    Wrong("decimal", lambda: Decimal("1.5")),
    Wrong("complex", lambda: 1j),
    Wrong("empty-text", lambda: ""),
    Wrong("blank-text", lambda: "  "),
    Wrong("text", lambda: "careless"),
    Wrong("surrogate", lambda: "a\ud800b", "surrogate"),
    Wrong("nul", lambda: "a\x00b"),
    Wrong("overlong", lambda: "x" * 100_000, "overlong"),
    Wrong("full-width-digits", lambda: "\uff11\uff12", "digits"),
    Wrong("superscript-digit", lambda: "\u00b9", "digits"),
    Wrong("arabic-indic-time", lambda: "\u0662\u0660\u0662\u0660-\u0660\u0661-\u0660\u0661 "
                                       "\u0660\u0660:\u0660\u0660:\u0660\u0660", "digits"),
    Wrong("full-width-time", lambda: "２０２０-０１-０１ ００:００:００", "digits"),
    Wrong("bytes", lambda: b"1"),
    Wrong("empty-list", lambda: []),
    Wrong("list-of-none", lambda: [None]),
    Wrong("list-of-text", lambda: ["x"]),
    Wrong("tuple", lambda: (1,)),
    Wrong("set", lambda: {1}),
    Wrong("empty-dict", lambda: {}),
    Wrong("int-keyed-dict", lambda: {1: 2}),
    Wrong("iterator", lambda: iter([1, 2])),
    Wrong("endless", _endless),
    Wrong("raising-generator", _raising_items, "hostile"),
    Wrong("hostile-iter", HostileIter, "hostile"),
    Wrong("hostile-text", HostileText, "hostile"),
    Wrong("hostile-eq", HostileEq, "hostile"),
    Wrong("hostile-path", HostilePath, "hostile"),
    Wrong("hostile-mapping", HostileMapping, "hostile"),
    Wrong("sync-callable", lambda: _sync_callable, "sync"),
    Wrong("async-callable", lambda: _async_wrong),
    Wrong("object", object),
    Wrong("datetime-max", lambda: dt.datetime.max.replace(tzinfo=dt.UTC)),
    Wrong("date", lambda: dt.date(2020, 1, 1)),
    # relative: the catalogue runs each call in the test's own folder, where nothing by that name exists
    Wrong("missing-path", lambda: Path("missing-folder/careless/task.json")),
    Wrong("class", lambda: type("Careless", (), {"__init__": lambda self, *args, **kwargs: None})),  # a call: an object
)
#: A short list for the callables that are the same functions bound to another client (views).
SHORT = ("none", "true", "10**400", "nan", "surrogate", "full-width-time", "hostile-iter", "hostile-text", "object")


# -- does a value fit an annotation? -------------------------------------------------------------------------

_ITERABLES = (abc.Iterable, abc.Collection, abc.Sequence, abc.Set, list, tuple, set, frozenset, abc.Iterator)


def fits(value: Any, hint: Any) -> bool:
    """Whether ``value`` has the type ``hint`` names (not whether it is in range or otherwise valid)."""
    if hint is Any or hint is object or isinstance(hint, typing.TypeVar) or hint is inspect.Parameter.empty:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return any(fits(value, arm) for arm in args)
    if origin is typing.Annotated:
        return fits(value, args[0])
    if origin is typing.Literal:
        return any(type(value) is type(arg) and value == arg for arg in args)
    if hint is bool:
        return type(value) is bool
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint is dt.datetime:
        return isinstance(value, dt.datetime)
    if hint is dt.date:
        return isinstance(value, dt.date)
    base = origin or hint
    if base in (abc.Callable, typing.Callable):  # type: ignore[comparison-overlap]
        return callable(value)
    if base is abc.Awaitable:
        return inspect.isawaitable(value)
    if base in (abc.Mapping, dict, abc.MutableMapping):
        if not isinstance(value, abc.Mapping):
            return False
        return _items_fit(value.items(), args)
    if base in _ITERABLES:
        # A text or a mapping is no list of items here (the SDK refuses them where it wants a list).
        if isinstance(value, str | bytes | abc.Mapping) or not isinstance(value, base):
            return False
        if not args or not isinstance(value, list | tuple | set | frozenset):
            return True  # an iterator's items are not looked at here
        if base is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return len(value) == len(args) and all(fits(item, arg) for item, arg in zip(value, args, strict=False))
        return all(fits(item, args[0]) for item in value)
    if base is os.PathLike:
        return isinstance(value, os.PathLike)
    if isinstance(base, type):
        try:
            return isinstance(value, base)
        except TypeError:
            return True
    return True  # an annotation this checker does not know: anything may fit


def _items_fit(items: abc.Iterable[tuple[Any, Any]], args: tuple[Any, ...]) -> bool:
    if len(args) != 2:
        return True
    try:
        return all(fits(key, args[0]) and fits(item, args[1]) for key, item in items)
    except Exception:
        return True  # a hostile mapping: its type fits; reading it is the SDK's business


def _mentions(hint: Any, wanted: tuple[Any, ...]) -> bool:
    """Whether ``hint`` names one of ``wanted`` anywhere inside."""
    if hint in wanted:
        return True
    return any(_mentions(arg, wanted) for arg in typing.get_args(hint) if not isinstance(arg, str | int))


def _callable_of_awaitable(hint: Any) -> bool:
    for arm in typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,):
        if typing.get_origin(arm) is abc.Callable:
            args = typing.get_args(arm)
            if args and typing.get_origin(args[-1]) is abc.Awaitable:
                return True
    return False


def must_refuse(wrong: Wrong, value: Any, hint: Any, *, strict_text: bool = True,
                none_is_default: bool = False) -> str | None:
    """Why ``value`` must be refused for a parameter annotated ``hint``; None if it may be accepted.

    ``strict_text``: the parameter is text the SDK sends or reads (bounded, valid Unicode), not a
    record of the service's own text. ``none_is_default``: None asks for the parameter's default.
    """
    if hint is Any or hint is object or (value is None and none_is_default):
        return None
    if not fits(value, hint):
        return "its type does not fit the annotation"
    if wrong.kind == "hostile":
        return "reading it raises"
    if wrong.kind == "surrogate" and fits(value, str) and strict_text:
        return "a lone surrogate is not text"
    if wrong.kind == "nan" and _mentions(hint, (float,)):
        return "NaN and infinities are no number"
    if wrong.kind == "huge" and _mentions(hint, (int, float)):
        return "no parameter takes an int of that size"
    if wrong.kind == "digits" and _mentions(hint, (dt.datetime, dt.date)) and strict_text:
        return "a time is written in ASCII digits"
    if wrong.kind == "overlong" and strict_text:
        return "no text parameter takes 100,000 characters"
    if wrong.kind == "sync" and _callable_of_awaitable(hint):
        return "a callable returning an awaitable is expected"
    return None


# -- running one call -------------------------------------------------------------------------------------------


@attrs.frozen
class Ended:
    """How a call ended: ``returned`` (its value driven), ``timeout``, or the exception raised."""

    how: str
    error: BaseException | None = None

    @property
    def refused(self) -> bool:
        return isinstance(self.error, InvalidInputError)

    @property
    def sdk_error(self) -> bool:
        return isinstance(self.error, RayvisionError)

    def __str__(self) -> str:
        if self.error is None:
            return self.how
        return f"{self.how}: {type(self.error).__module__}.{type(self.error).__qualname__}: {self.error!s:.300}"


async def _drive(result: Any, deadline: float) -> None:
    """Run what a call gave back far enough for a deferred refusal to show (then close it)."""
    if inspect.isawaitable(result):
        result = await asyncio.wait_for(result, deadline)
    if isinstance(result, contextlib.AbstractAsyncContextManager) and not hasattr(result, "__anext__"):
        async with asyncio.timeout(deadline):
            async with result:
                pass
        return
    if hasattr(result, "__anext__"):
        try:
            with contextlib.suppress(StopAsyncIteration):
                await asyncio.wait_for(result.__anext__(), deadline)
        finally:
            close = getattr(result, "aclose", None)
            if close is not None:
                await asyncio.wait_for(close(), deadline)
        return
    close = getattr(result, "aclose", None)
    if close is not None and type(result).__name__ == "AsyncRayvisionAPI":
        await close()


@contextlib.contextmanager
def _alarm(seconds: float) -> abc.Iterator[None]:
    """Interrupt a synchronous loop after ``seconds`` (asyncio's deadlines only reach awaiting code)."""
    def ring(signum: int, frame: Any) -> None:
        raise _Stuck

    if not hasattr(signal, "setitimer"):  # no interval timers (Windows): asyncio's deadlines only
        yield
        return
    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


async def run_call(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], *,
                   deadline: float = 2.0, in_thread: bool = False) -> Ended:
    """Call and drive; never raises. A call still running after ``deadline`` seconds ends as ``stuck``."""
    try:
        with _alarm(deadline + 1.0):
            if in_thread:
                result = await asyncio.wait_for(asyncio.to_thread(function, *args, **kwargs), deadline)
            else:
                result = function(*args, **kwargs)
            await _drive(result, deadline)
    except _Stuck:
        return Ended("stuck")
    except TimeoutError as exc:
        if isinstance(exc, RayvisionError):
            return Ended("raised", exc)
        return Ended("timeout")
    except (Exception, SystemExit) as exc:  # SystemExit: argparse's answer to a command line (cli.main)
        return Ended("raised", exc)
    return Ended("returned")


# -- what a request body may hold -------------------------------------------------------------------------------


def wire_problems(value: Any, where: str = "body") -> list[str]:
    """What in a decoded request body the service could not read: floats, bools, nulls, ints beyond a long."""
    kind = type(value)
    if kind is dict:
        return [problem for key, child in value.items() for problem in wire_problems(child, f"{where}.{key}")]
    if kind is list:
        return [problem for index, child in enumerate(value) for problem in wire_problems(child, f"{where}[{index}]")]
    if kind is str:
        return []
    if kind is int:
        return [] if INT64[0] <= value <= INT64[1] else [f"{where}: {value} beyond a long"]
    if kind is float and math.isfinite(value):
        return [f"{where}: a float"]
    return [f"{where}: a {kind.__name__}"]
