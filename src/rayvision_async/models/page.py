"""The paginated envelope used by list endpoints (getTaskList, queryTaskFrames, taskRecord, …)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

import attrs

from ._base import ServiceModel
from ._meta import int32

__all__ = ["Page"]

T = TypeVar("T")


@attrs.frozen(kw_only=True, weakref_slot=False)
class Page(ServiceModel, Generic[T]):
    """One page of results: ``items`` plus the paging counters the service reports.

    Structure it with a concrete item type, e.g. ``structure(data, Page[TaskInfo])``.
    ``page_count`` is the number of pages, ``total`` the number of records and ``size`` the page
    size. Iterating a page iterates its items.
    """

    items: tuple[T, ...] = ()
    page_num: int | None = int32()
    page_count: int | None = None
    total: int | None = None
    size: int | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_next(self) -> bool:
        """True if the service reports pages after this one (``page_num < page_count``)."""
        if self.page_num is None or self.page_count is None:
            return False
        return self.page_num < self.page_count
