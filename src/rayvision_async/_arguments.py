"""Calls that do not fit a public method's signature raise the SDK's own error, not a TypeError.

Python reports a missing, unexpected or repeated argument as a ``TypeError``.
:func:`checked_binding` binds the arguments to the signature first and raises
:class:`~rayvision_async.errors.InvalidInputError` (or the error given, such as
:class:`~rayvision_async.errors.ConfigurationError` for client settings)
instead; only then is the function called, so a ``TypeError`` raised inside it
is never relabelled. Nothing is sent before the binding succeeds.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from .errors import InvalidInputError

__all__ = ["checked_binding"]

P = ParamSpec("P")
R = TypeVar("R")


def checked_binding(
    error: type[InvalidInputError] = InvalidInputError,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function so that arguments not fitting its signature raise ``error``."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(function)
        name = function.__qualname__.replace(".__init__", "")

        @functools.wraps(function)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                signature.bind(*args, **kwargs)
            except TypeError as exc:
                raise error(f"{name}(): {exc}") from None
            return function(*args, **kwargs)

        return call

    return decorate
