"""The endpoint groups users call (``api.query``, ``api.task``…): generated endpoints plus helpers.

Each class subclasses its generated class (``_generated/``, one real method per
table row) and adds the hand-written operations that take several calls: the
generation-gap pattern. A group holds a caller (``self._caller``) and nothing
else; its helpers use the group's own public methods and ``self._caller.check``.
None of them talks HTTP itself. :data:`GROUP_CLASSES` maps the table's
``GROUPS`` to these classes, in that order.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from .._arguments import checked_binding
from .._service_ints import MAX_LIST_ITEMS
from ..flows._frames import frame_index_set, ids_of_frames_named
from ..flows._paging import Pager
from ..models import FrameInfo, Page, Project, TaskInfo
from ._base import GroupBase
from ._generated import EnvEndpoints, QueryEndpoints, TagEndpoints, TaskEndpoints, TransmitEndpoints, UserEndpoints
from ._kinds import read_items
from ._table import ROWS

__all__ = ["GROUP_CLASSES", "EnvGroup", "QueryGroup", "TagGroup", "TaskGroup", "TransmitGroup", "UserGroup"]

def _reusable(value: Any) -> Any:
    """An iterator read once into a list (at most one item past the cap, so the check still refuses it)."""
    if not isinstance(value, Iterator):
        return value
    return list(itertools.islice(read_items(value, "status_list"), MAX_LIST_ITEMS + 1))


class UserGroup(UserEndpoints):
    """The ``user`` endpoints."""

    __slots__ = ()


class TaskGroup(TaskEndpoints):
    """The ``task`` endpoints."""

    __slots__ = ()


class QueryGroup(QueryEndpoints):
    """The ``query`` endpoints, pagers over tasks and frames, and the official SDK's frame helpers."""

    __slots__ = ()

    @checked_binding()
    def iter_tasks(
        self,
        *,
        status_list: Iterable[int] | None = None,
        search_keyword: str | None = None,
        start_time: dt.datetime | dt.date | str | None = None,
        end_time: dt.datetime | dt.date | str | None = None,
        recycle_flag: int | None = None,
        page_size: int = 100,
        prefetch: bool = False,
    ) -> Pager[TaskInfo]:
        """Every task of the listing, across all pages (``.pages()`` for whole pages)."""
        filters: dict[str, Any] = {
            "status_list": _reusable(status_list),
            "search_keyword": search_keyword, "start_time": start_time, "end_time": end_time,
            "recycle_flag": recycle_flag, "page_size": page_size,
        }
        self._caller.check(ROWS["get_task_list"], filters)

        async def fetch(number: int) -> Page[TaskInfo]:
            return await self.get_task_list(page_num=number, **filters)

        return Pager(fetch, prefetch=prefetch)

    @checked_binding()
    def iter_frames(
        self,
        task_id: int,
        *,
        search_keyword: str | None = None,
        page_size: int = 100,
        start_page: int = 1,
        end_page: int | None = None,
        prefetch: bool = False,
    ) -> Pager[FrameInfo]:
        """Every frame of a task, across all pages (``.pages()`` for whole pages)."""
        args: dict[str, Any] = {"task_id": task_id, "search_keyword": search_keyword, "page_size": page_size}
        self._caller.check(ROWS["task_frames"], {**args, "page_num": start_page})

        async def fetch(number: int) -> Page[FrameInfo]:
            return await self.task_frames(page_num=number, **args)

        return Pager(fetch, start_page=start_page, end_page=end_page, prefetch=prefetch)

    @checked_binding()
    async def get_all_frames(
        self, task_id: int, start_page: int = 1, end_page: int = 2000, page_size: int = 100
    ) -> dict[str, FrameInfo]:
        """All frames of a task keyed by ``frameIndex`` (the official SDK's shape).

        Frames that share a ``frameIndex`` keep the last one; use
        :meth:`iter_frames` to see every frame.
        """
        frames: dict[str, FrameInfo] = {}
        async with self.iter_frames(task_id, page_size=page_size, start_page=start_page,
                                    end_page=end_page, prefetch=True) as pager:
            async for frame in pager:
                frames[frame.frame_index or str(frame.id)] = frame
        return frames

    async def _frame_ids(self, task_id: int, specs: Iterable[str] | str) -> list[int]:
        names = frame_index_set(specs)
        async with self.iter_frames(task_id, prefetch=True) as pager:
            frames = [frame async for frame in pager]
        return ids_of_frames_named(task_id, frames, names)

    @checked_binding()
    async def get_custom_frames(self, task_id: int, restartframes: Iterable[str] | str) -> None:
        """Re-render the frames whose ``frameIndex`` is one of ``restartframes``.

        The official SDK's rule, exactly: a frame is picked when its
        ``frameIndex`` text equals one of the strings (``str(frameIndex) in
        restartframes``); nothing is parsed. ``["2-4[1]"]`` picks the frame whose
        index is ``"2-4[1]"``, and ``["1"]`` does not pick the frame ``"0-1"``. Use
        the indices :meth:`get_all_frames` lists. One string is one index (the
        official SDK would match its substrings). Every frame with a named index
        is picked, also when several share it. No match raises
        :class:`InvalidInputError`, listing the first indices the task has, and
        sends nothing more.
        """
        ids = await self._frame_ids(task_id, restartframes)
        await self.restart_frame(task_id, select_all=0, ids_list=ids)

    get_custome_frames = get_custom_frames
    """The same as :meth:`get_custom_frames` (the official SDK's name)."""

    @checked_binding()
    async def frame_number_to_stop(self, task_id: int, stop_frame: Iterable[str] | str) -> None:
        """Stop the frames whose ``frameIndex`` is one of ``stop_frame`` (the rule of :meth:`get_custom_frames`)."""
        ids = await self._frame_ids(task_id, stop_frame)
        await self.stop_frame(task_id, select_all=0, ids_list=ids)

    @checked_binding()
    async def get_small_task_id(self, task_id: int) -> list[int]:
        """Ids of a task's child ("small") tasks; a task without children is its own small task."""
        page = await self.task_info([task_id])
        for task in page.items:
            if task.id == task_id:
                children = [child.id for child in task.children if child.id is not None]
                return children or [task_id]
        return [task_id]


class TagGroup(TagEndpoints):
    """The ``tag`` endpoints, and the official SDK's project list."""

    __slots__ = ()

    @checked_binding()
    async def get_project_list(self) -> tuple[Project, ...]:
        """The account's projects (``get_label_list().project_name_list``)."""
        return (await self.get_label_list()).project_name_list


class EnvGroup(EnvEndpoints):
    """The ``env`` endpoints (render environments)."""

    __slots__ = ()


class TransmitGroup(TransmitEndpoints):
    """The ``transmit`` endpoints."""

    __slots__ = ()


#: The group class of each name in the table's ``GROUPS`` (the client binds them in that order).
GROUP_CLASSES: dict[str, type[GroupBase]] = {
    "user": UserGroup, "task": TaskGroup, "query": QueryGroup,
    "tag": TagGroup, "env": EnvGroup, "transmit": TransmitGroup,
}

