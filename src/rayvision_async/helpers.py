"""Hand-written operations that take several calls: pagers and the official SDK's helpers.

These are mixins of the generated group classes (``api.query.iter_tasks``…)
and of the client (``api.submit_task_json``…). They call the generated,
typed endpoint methods; none of them talks HTTP itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from .errors import InvalidInputError, UnsupportedOperationError
from .frame_numbers import frame_matches, parse_frame_numbers
from .models import FrameInfo, Page, Project, TaskInfo
from .paging import Pager

if TYPE_CHECKING:
    from .client import AsyncRayvisionAPI

__all__ = ["ClientHelpers", "EnvHelpers", "QueryHelpers", "TagHelpers", "TaskHelpers", "TransmitHelpers",
           "UserHelpers"]


class _Helpers:
    __slots__ = ()
    _client: AsyncRayvisionAPI


class UserHelpers(_Helpers):
    __slots__ = ()


class TaskHelpers(_Helpers):
    __slots__ = ()


class EnvHelpers(_Helpers):
    __slots__ = ()


class TransmitHelpers(_Helpers):
    __slots__ = ()


class QueryHelpers(_Helpers):
    """Pagers over tasks and frames, and the official SDK's frame helpers."""

    __slots__ = ()

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
            "status_list": list(status_list) if status_list is not None else None,
            "search_keyword": search_keyword, "start_time": start_time, "end_time": end_time,
            "recycle_flag": recycle_flag, "page_size": page_size,
        }
        self._client._check("get_task_list", filters)

        async def fetch(number: int) -> Page[TaskInfo]:
            return await self._client.query.get_task_list(page_num=number, **filters)

        return Pager(fetch, prefetch=prefetch)

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
        self._client._check("task_frames", {**args, "page_num": start_page})

        async def fetch(number: int) -> Page[FrameInfo]:
            return await self._client.query.task_frames(page_num=number, **args)

        return Pager(fetch, start_page=start_page, end_page=end_page, prefetch=prefetch)

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
        numbers = parse_frame_numbers(specs)
        ids = [frame.id async for frame in self.iter_frames(task_id, prefetch=True)
               if frame.id is not None and frame_matches(frame.frame_index, numbers)]
        if not ids:
            raise InvalidInputError(f"task {task_id} has no frames numbered {sorted(numbers)[:10]}")
        return ids

    async def get_custom_frames(self, task_id: int, restartframes: Iterable[str] | str) -> None:
        """Re-render the frames named by frame-number strings such as ``["6", "7-9[1]"]``."""
        ids = await self._frame_ids(task_id, restartframes)
        await self._client.query.restart_frame(task_id, select_all=0, ids_list=ids)

    get_custome_frames = get_custom_frames  # the official SDK's spelling

    async def frame_number_to_stop(self, task_id: int, stop_frame: Iterable[str] | str) -> None:
        """Stop the frames named by frame-number strings such as ``["6", "7-9[1]"]``."""
        ids = await self._frame_ids(task_id, stop_frame)
        await self._client.query.stop_frame(task_id, select_all=0, ids_list=ids)

    async def get_small_task_id(self, task_id: int) -> list[int]:
        """Ids of a task's child ("small") tasks; a task without children is its own small task."""
        page = await self._client.query.task_info([task_id])
        for task in page.items:
            if task.id == task_id:
                children = [child.id for child in task.children if child.id is not None]
                return children or [task_id]
        return [task_id]


class TagHelpers(_Helpers):
    __slots__ = ()

    async def get_project_list(self) -> tuple[Project, ...]:
        """The account's projects (``get_label_list().project_name_list``)."""
        return (await self._client.tag.get_label_list()).project_name_list


class ClientHelpers:
    """Workflows over several endpoints, on the client itself."""

    __slots__ = ()

    @property
    def _api(self) -> AsyncRayvisionAPI:
        return cast("AsyncRayvisionAPI", self)

    async def check_and_add_project_name(self, name: str) -> str:
        """The id (as a string) of the project called ``name``, creating it if missing."""
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError("project name must be a non-empty str")
        for attempt in range(2):
            projects = await self._api.tag.get_list(flag=2)
            for project in projects.project_name_list:
                if project.project_name == name and project.project_id is not None:
                    return str(project.project_id)
            if attempt == 0:
                await self._api.tag.add_label(name, status=0)
        return ""

    async def submit_task_json(
        self,
        task_json: Mapping[str, Any] | str,
        *,
        producer: str | None = None,
        task_id: int | None = None,
        extra_files: Mapping[str, Mapping[str, Any] | str] | None = None,
        **create_options: Any,
    ) -> int:
        """Create a task id (unless ``task_id`` is given), upload ``task.json``, submit; return the id.

        ``extra_files`` uploads ``upload.json``/``asset.json``/``tips.json``
        too. ``create_options`` go to ``task.create_task``. Creating and
        submitting are never retried once sent, so a failure after the task id
        was created raises with that id in the message: resume by passing
        ``task_id=``.
        """
        api = self._api
        if api.protocol == "2018":
            raise UnsupportedOperationError("uploading task.json needs the current path set")
        content = task_json if isinstance(task_json, str) else json.dumps(task_json, ensure_ascii=False)
        api._check("upload_json_content", {"task_id": task_id or 1, "content": content})
        if task_id is None:
            created = await api.task.create_task(count=1, **create_options)
            if not created.task_id_list:
                raise InvalidInputError("create_task returned no task id")
            task_id = created.task_id_list[0]
        try:
            await api.transmit.upload_json_content(task_id, content)
            for file_name, extra in (extra_files or {}).items():
                await api.transmit.upload_json_content(task_id, extra, file_name=file_name)
            await api.task.submit_task(task_id, producer=producer)
        except Exception as exc:
            exc.add_note(f"task id {task_id} was created; pass task_id={task_id} to resume")
            raise
        return task_id
