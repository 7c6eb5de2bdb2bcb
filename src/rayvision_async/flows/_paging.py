"""Async iteration over paged results (task lists, frames, records).

A :class:`Pager` asks for page 1, 2, … through a ``fetch(page_number)``
coroutine and stops at the page count the service reports, on an empty page,
or when the service answers code 700 ("no more records"). It never asks for
a page twice, skips items already yielded on an earlier page (pages shift when
tasks are added while you iterate), and can prefetch the next page while the
caller works on the current one.

Iterate items with ``async for item in pager`` or pages with
``async for page in pager.pages()``. Use ``async with pager:`` (or
``await pager.aclose()``) to stop early and cancel a prefetch in flight. A
consumer cancelled while it waits for a page cancels the prefetch too; one
that stops elsewhere without closing the pager leaves the prefetch to finish
on its own (its result is discarded, its error never reported).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

from .._arguments import awaited_result, checked_binding
from ..api import _kinds as kinds
from ..errors import InvalidInputError, NoMoreRecordsError
from ..models import Page

__all__ = ["Pager"]

T = TypeVar("T")


def _retrieve(task: asyncio.Task[Any]) -> None:
    # A prefetch the consumer never awaits (it stopped without closing the pager) must not
    # log "exception was never retrieved"; an awaited one re-raises its error as usual.
    if not task.cancelled():
        task.exception()


def _item_key(item: Any) -> Hashable | None:
    return getattr(item, "id", None)


_PAGE_NUMBER = kinds.integer(1)  # an Integer (int32) field, like every page number


class Pager(Generic[T]):
    """Items of a paged listing, fetched lazily page by page."""

    @checked_binding()
    def __init__(
        self,
        fetch: Callable[[int], Awaitable[Page[T]]],
        *,
        start_page: int = 1,
        end_page: int | None = None,
        prefetch: bool = False,
        key: Callable[[Any], Hashable | None] = _item_key,
    ) -> None:
        if not callable(fetch) or not callable(key):
            raise InvalidInputError("fetch and key must be callables")
        _PAGE_NUMBER.check(start_page, "start_page")
        if end_page is not None:
            _PAGE_NUMBER.check(end_page, "end_page")
        if not isinstance(prefetch, bool):
            raise InvalidInputError(f"prefetch must be a bool, got {type(prefetch).__name__}")
        self._fetch = fetch
        self._next_number = start_page
        self._end_page = end_page
        self._prefetch = prefetch
        self._key = key
        self._page_count: int | None = None
        self._pending: asyncio.Task[Page[T]] | None = None
        self._buffer: deque[T] = deque()
        self._seen: set[Hashable] = set()
        self._done = False
        #: Page numbers fetched so far, in order (each at most once).
        self.fetched: list[int] = []

    # -- pages -------------------------------------------------------------------------------------

    def _has_more(self, number: int) -> bool:
        if self._end_page is not None and number > self._end_page:
            return False
        return self._page_count is None or number <= self._page_count

    @checked_binding()
    async def next_page(self) -> Page[T] | None:
        """The next page, or None once the listing is exhausted."""
        if self._done or not self._has_more(self._next_number):
            await self.aclose()
            return None
        number = self._next_number
        pending, self._pending = self._pending, None
        self.fetched.append(number)
        try:
            page = await (pending if pending is not None else self._fetched(number))
        except NoMoreRecordsError:
            await self.aclose()
            return None
        except BaseException:
            await self.aclose()
            raise
        self._next_number = number + 1
        if page.page_count is not None:
            self._page_count = page.page_count
        if not page.items:
            await self.aclose()
            return None
        if self._prefetch and self._has_more(self._next_number):
            self._pending = asyncio.ensure_future(self._fetched(self._next_number))
            self._pending.add_done_callback(_retrieve)
        return page

    async def _fetched(self, number: int) -> Page[T]:
        """``fetch(number)``, refusing what a careless ``fetch`` gives back instead of a page."""
        return await awaited_result(self._fetch(number), Page, f"fetch({number})")

    @checked_binding()
    def pages(self) -> AsyncIterator[Page[T]]:
        """Iterate whole pages instead of items."""
        return _PageIterator(self)

    # -- items -------------------------------------------------------------------------------------

    def __aiter__(self) -> Pager[T]:
        return self

    async def __anext__(self) -> T:
        while True:
            while self._buffer:
                item = self._buffer.popleft()
                key = self._key(item)
                if key is None:
                    return item
                if key not in self._seen:
                    self._seen.add(key)
                    return item
            page = await self.next_page()
            if page is None:
                raise StopAsyncIteration
            self._buffer.extend(page.items)

    # -- closing -----------------------------------------------------------------------------------

    @checked_binding()
    async def aclose(self) -> None:
        """Stop: no more pages are fetched and a prefetch in flight is cancelled and awaited."""
        self._done = True
        self._buffer.clear()
        pending, self._pending = self._pending, None
        if pending is None:
            return
        if not pending.done():
            pending.cancel()
            await asyncio.wait({pending})  # a cancellation of the caller still propagates
        if not pending.cancelled():
            pending.exception()  # a failed prefetch's error no longer matters: mark it retrieved

    async def __aenter__(self) -> Pager[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _PageIterator(Generic[T]):
    __slots__ = ("_pager",)

    def __init__(self, pager: Pager[T]) -> None:
        self._pager = pager

    def __aiter__(self) -> _PageIterator[T]:
        return self

    async def __anext__(self) -> Page[T]:
        page = await self._pager.next_page()
        if page is None:
            raise StopAsyncIteration
        return page
