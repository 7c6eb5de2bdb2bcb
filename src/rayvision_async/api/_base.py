"""What every group class stands on: its client, and the decorator of the generated methods."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from ..errors import InvalidInputError

if TYPE_CHECKING:
    from .._client import AsyncRayvisionAPI

__all__ = ["GroupBase", "endpoint_method"]

P = ParamSpec("P")
R = TypeVar("R")


class GroupBase:
    """One endpoint group of a client (``api.query``, ``api.task``…): it holds the client, nothing else."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncRayvisionAPI) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


def endpoint_method(method: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Report a call that does not fit the method's signature as :class:`InvalidInputError`.

    Calling a coroutine function only binds its arguments (its body runs when
    awaited), so a ``TypeError`` from that call is always a binding error: a
    missing, unexpected or repeated argument. Nothing has been sent then.
    """

    @functools.wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            coroutine = method(*args, **kwargs)
        except TypeError as exc:
            raise InvalidInputError(str(exc)) from None
        return await coroutine

    return call
