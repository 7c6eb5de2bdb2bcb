"""What every group class stands on: the caller its endpoint methods run through, nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._caller import Caller

__all__ = ["GroupBase"]


class GroupBase:
    """One endpoint group (``api.query``, ``api.task``…): it holds a :class:`~rayvision_async._caller.Caller`."""

    __slots__ = ("_caller",)

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def __repr__(self) -> str:
        return f"<{type(self).__name__} over {self._caller!r}>"
