"""The one binding rule: a call that does not fit a public callable's signature raises the SDK's own error.

Python reports a missing, unexpected or repeated argument as a ``TypeError``.
:func:`checked_binding` turns that into :class:`~rayvision_async.errors.InvalidInputError`
(or the error given, such as :class:`~rayvision_async.errors.ConfigurationError`
for client settings), and never relabels a ``TypeError`` raised *inside* the
function. Nothing is sent before the binding succeeds.

How the binding is checked depends on the function:

* a coroutine function is simply called: calling one only binds its arguments
  (its body runs when awaited), so a ``TypeError`` from the call itself is always
  a binding error. This is what the generated endpoint methods use; it costs one
  extra frame, no signature work.
* any other function is called, and only if that raises a ``TypeError`` are the
  arguments bound to its signature (``inspect.Signature.bind``): arguments that do
  not bind never reach the body (Python refuses them first), so a failed binding is
  the caller's error; one that binds means the body raised, and that error goes on
  as it is. A call that binds costs one extra frame, no signature work.

A call that fails leaves its arguments, and the local variables of the frames
it ran, out of the traceback (:func:`._tracebacks.forget_locals`): a setting
refused at construction must not put the access key it was given into an error
tracker's captured locals.

:func:`awaited_result` holds a caller's *function* to its contract the same way:
what it gives back must be an awaitable of the expected type.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

from ._tracebacks import forget_locals
from .errors import InvalidInputError

__all__ = ["checked_binding"]

P = ParamSpec("P")
R = TypeVar("R")


def checked_binding(
    error: type[InvalidInputError] = InvalidInputError,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function so that arguments not fitting its signature raise ``error``."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        name = function.__qualname__.replace(".__init__", "")
        if inspect.iscoroutinefunction(function):
            coroutine_function: Callable[..., Any] = function

            @functools.wraps(function)
            async def call_async(*args: Any, **kwargs: Any) -> Any:
                try:
                    coroutine = coroutine_function(*args, **kwargs)  # binds only: the body runs when awaited
                except TypeError as exc:  # Python names the function in this message itself
                    del args, kwargs  # a traceback's locals do not show the arguments (a key among them)
                    raise error(str(exc)) from None
                return await coroutine

            return cast(Callable[P, R], call_async)

        signature = inspect.signature(function)

        @functools.wraps(function)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            handled = sys.exception()  # the caller's: not ours to clear
            try:
                return function(*args, **kwargs)
            except BaseException as exc:
                # A TypeError: arguments that do not bind (the body never ran), or the body's own error.
                problem = _binding_problem(signature, args, kwargs) if isinstance(exc, TypeError) else None
                del args, kwargs
                forget_locals(exc, handled)
                if problem is not None:
                    raise error(f"{name}(): {problem}") from None
                raise

        return call

    return decorate


def _binding_problem(signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """Why ``args`` and ``kwargs`` do not fit ``signature``, or None if they do."""
    try:
        signature.bind(*args, **kwargs)
    except TypeError as exc:
        return str(exc)
    return None


T = TypeVar("T")


async def awaited_result(given: object, expected: type[T], what: str) -> T:
    """Await what a caller's function ``what`` gave; a non-awaitable, or a result not ``expected``, is refused.

    Both are :class:`~rayvision_async.errors.InvalidInputError` (the caller's mistake), never an
    ``AttributeError`` further on.
    """
    if not inspect.isawaitable(given):
        raise InvalidInputError(f"{what} must return an awaitable of a {expected.__name__} (an async function), "
                                f"not a {type(given).__name__}")
    result = await given
    if not isinstance(result, expected):
        raise InvalidInputError(f"{what} gave a {type(result).__name__}, not a {expected.__name__}")
    return result
