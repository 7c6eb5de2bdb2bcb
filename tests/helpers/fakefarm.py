"""A small, scripted fake of the three listing/query endpoints, served through the one fake transport.

Pass its transport (a :class:`~helpers.fake_service.FakeService`) to the client:
``AsyncRayvisionAPI("AKIDtest", "secretkey", transport=farm.transport)``, or use ``api_for(farm)``.
Everything it knows lives in plain lists and dicts you can read and change:

* ``tasks`` — task dicts (camelCase, as the service sends them) in getTaskList order;
  ``queryTaskInfo`` finds ids there, and a child id (inside ``respRenderingTaskList``)
  answers with its parent, as the real service nests them.
* ``frames`` — frame dicts per task id, for ``queryTaskFrames``.
* ``scripts`` — per task id, a list of field updates: every queryTaskInfo call that
  returns the task answers with its current state and then applies the next update.

Knobs: ``page_end`` ("empty": a page past the end has no items; "700": it is an
envelope with code 700), ``send_page_count`` (False leaves ``pageCount`` out),
``latency`` (seconds, or a function of (path, body)), ``before`` (called with
(farm, path, body) before each answer, to mutate data between calls) and
``fail`` (a function of (path, body) returning an envelope code to answer instead).

Records: ``calls`` (a list of :class:`Call`: path, body, start/end times, whether
it was cancelled), ``count(path)``, ``bodies(path)``, ``in_flight``/``peak_in_flight``,
and ``wait_started(path, n)`` to wait until n requests to a path have begun.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from helpers.fake_service import FakeService
from rayvision_async import AsyncRayvisionAPI

TASK_LIST = "/api/render/handle/getTaskList/v2"
TASK_FRAMES = "/api/render/handle/queryTaskFrames"
TASK_INFO = "/api/render/handle/queryTaskInfo/v2"
RESTART_FRAMES = "/api/render/handle/recommitTaskFrames"
RESTART_FAILED = "/api/render/handle/recommitTasks"
STOP_FRAMES = "/api/render/handle/stopTaskFrames"

#: Paths that are accepted and recorded but only answer ``data: null``.
ACTION_PATHS = (RESTART_FRAMES, RESTART_FAILED, STOP_FRAMES)


def api_for(farm: FakeFarm, **options: Any) -> AsyncRayvisionAPI:
    """A client that talks to ``farm`` (use it as ``async with api_for(farm) as api:``)."""
    return AsyncRayvisionAPI("AKIDtest", "secretkey", transport=farm.transport, **options)


def other_tasks() -> set[asyncio.Task[Any]]:
    """Every asyncio task of the running loop except the caller's (compare before/after a test)."""
    return asyncio.all_tasks() - {asyncio.current_task()}  # type: ignore[arg-type]


def task(task_id: int, status: int = 5, *, done: int = 0, total: int = 10, failed: int = 0,
         **extra: Any) -> dict[str, Any]:
    """A task dict as getTaskList / queryTaskInfo send it."""
    return {"id": task_id, "taskAlias": f"A{task_id}", "sceneName": f"scene_{task_id}.mb",
            "taskStatus": status, "doneFrames": done, "totalFrames": total, "failedFrames": failed,
            "executingFrames": 0, "abortFrames": 0, "projectName": "demo", **extra}


def frame(frame_id: int, task_id: int, index: int | str, status: int = 4) -> dict[str, Any]:
    """A frame dict as queryTaskFrames sends it."""
    return {"id": frame_id, "taskId": task_id, "frameIndex": str(index), "frameStatus": status,
            "frameType": 4, "feeAmount": 0.5}


@dataclass
class Call:
    path: str
    body: dict[str, Any]
    started: float
    ended: float | None = None
    cancelled: bool = False


@dataclass
class FakeFarm:
    tasks: list[dict[str, Any]] = field(default_factory=list)
    frames: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    scripts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    page_end: str = "empty"
    send_page_count: bool = True
    latency: float | Callable[[str, dict[str, Any]], float] = 0.0
    before: Callable[[FakeFarm, str, dict[str, Any]], None] | None = None
    fail: Callable[[str, dict[str, Any]], int | None] | None = None
    calls: list[Call] = field(default_factory=list)
    in_flight: int = 0
    peak_in_flight: int = 0

    def __post_init__(self) -> None:
        self._started = asyncio.Condition()
        #: The transport to give the client: every request is answered by :meth:`_serve`.
        self.transport = FakeService(answer=lambda request: self._serve)

    # -- records -----------------------------------------------------------------------------------

    def count(self, path: str) -> int:
        return sum(1 for call in self.calls if call.path == path)

    def bodies(self, path: str) -> list[dict[str, Any]]:
        return [call.body for call in self.calls if call.path == path]

    def page_numbers(self, path: str) -> list[int]:
        return [body["pageNum"] for body in self.bodies(path)]

    async def wait_started(self, path: str, n: int = 1) -> None:
        """Wait until at least ``n`` requests to ``path`` have begun."""
        async with self._started:
            await self._started.wait_for(lambda: self.count(path) >= n)

    def index(self) -> dict[int, dict[str, Any]]:
        """Every task id (children too) → the top-level task that is or contains it."""
        found: dict[int, dict[str, Any]] = {}
        for item in self.tasks:
            found[item["id"]] = item
            for child in item.get("respRenderingTaskList") or ():
                found.setdefault(child["id"], item)
        return found

    def task(self, task_id: int) -> dict[str, Any]:
        """The top-level task dict with this id (to read or change it)."""
        return next(item for item in self.tasks if item["id"] == task_id)

    # -- the service -------------------------------------------------------------------------------

    async def _serve(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body = json.loads(request.content or b"{}")
        call = Call(path, body, time.monotonic())
        self.calls.append(call)
        async with self._started:
            self._started.notify_all()
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            delay = self.latency(path, body) if callable(self.latency) else self.latency
            await asyncio.sleep(delay)
            if self.before is not None:
                self.before(self, path, body)
            code = self.fail(path, body) if self.fail is not None else None
            data = None if code is not None else self._answer(path, body)
            if isinstance(data, int):  # an envelope code instead of data
                code, data = data, None
        except asyncio.CancelledError:
            call.cancelled = True
            raise
        finally:
            self.in_flight -= 1
            call.ended = time.monotonic()
        envelope = {"version": "2.0.0", "result": code is None, "message": "success" if code is None else "no",
                    "code": code or 200, "data": data, "serverTime": int(time.time() * 1000), "requestId": "x"}
        return httpx.Response(200, json=envelope)

    def _answer(self, path: str, body: dict[str, Any]) -> Any:
        if path == TASK_LIST:
            return self._page(self.tasks, body)
        if path == TASK_FRAMES:
            return self._page(self.frames.get(body["taskId"], []), body)
        if path == TASK_INFO:
            return self._task_info(body["taskIds"])
        if path in ACTION_PATHS:
            return None
        return 404

    def _page(self, items: list[dict[str, Any]], body: dict[str, Any]) -> dict[str, Any] | int:
        number, size = body.get("pageNum", 1), body.get("pageSize", 100)
        chunk = items[(number - 1) * size:number * size]
        if not chunk and self.page_end == "700":
            return 700
        page: dict[str, Any] = {"pageNum": number, "total": len(items), "size": size, "items": chunk}
        if self.send_page_count:
            page["pageCount"] = math.ceil(len(items) / size)
        return page

    def _task_info(self, ids: list[int]) -> dict[str, Any]:
        index = self.index()
        found: dict[int, dict[str, Any]] = {}
        for task_id in ids:
            if task_id in index:
                found.setdefault(index[task_id]["id"], index[task_id])
        answer = [dict(item) for item in found.values()]  # a snapshot, then advance the scripts
        for item in found.values():
            script = self.scripts.get(item["id"])
            if script:
                item.update(script.pop(0))
        return {"pageCount": 1, "pageNum": 1, "total": len(answer), "size": len(answer), "items": answer,
                "userAccountConsume": 0}
