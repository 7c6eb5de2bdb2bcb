"""What every group class stands on: the caller its endpoint methods run through, nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn, SupportsIndex

from .._unpicklable import refuse

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

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        refuse(self)  # the caller holds the access key: never pickled or deep-copied

    def __deepcopy__(self, memo: dict[int, Any]) -> NoReturn:
        refuse(self)
