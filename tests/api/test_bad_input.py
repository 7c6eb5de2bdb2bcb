"""Bad arguments raise InvalidInputError, naming the offending parameter, before anything is sent.

Every call runs against a recording transport that answers any request with a
successful, empty envelope: a call that sent something before failing (or did
not fail) is caught by the request count, not masked by a transport error.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from rayvision_async import AsyncRayvisionAPI
from rayvision_async.errors import InvalidInputError

ENV = {"cgId": 2000, "cgName": "Maya", "cgVersion": "2020", "renderLayerType": 0, "editName": "testRenderEnv",
       "renderSystem": 0, "pluginIds": [1166]}
NO_EDIT_NAME = {key: value for key, value in ENV.items() if key != "editName"}

Call = Callable[[AsyncRayvisionAPI], Any]


class Recorder:
    """A transport that records every request and answers it with an empty page."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        data = {"pageCount": 1, "pageNum": 1, "total": 0, "size": 100, "items": []}
        return httpx.Response(200, json={"code": 200, "message": "success", "data": data})


def bad(label: str, call: Call, names: str, diverges: str | None = None) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=diverges)] if diverges else []
    return pytest.param(call, names, id=label, marks=marks)



BAD_CALLS = [
    # wrong types
    bad("str-task-id-in-list", lambda api: api.query.task_info(["1"]), "task_ids_list[0]"),
    bad("str-instead-of-list", lambda api: api.query.task_info("12"), "task_ids_list"),
    bad("bool-as-id", lambda api: api.query.task_info([True]), "task_ids_list[0]"),
    bad("float-id", lambda api: api.query.task_info([1.0]), "task_ids_list[0]"),
    bad("str-task-id", lambda api: api.task.submit_task("5"), "task_id"),
    bad("bool-task-id", lambda api: api.task.submit_task(True), "task_id"),
    bad("zero-task-id", lambda api: api.task.submit_task(0), "task_id"),
    bad("str-frame-id", lambda api: api.query.get_frame_thumbnail("264"), "frame_id"),
    bad("float-overtime", lambda api: api.task.set_task_overtime_stop([1], 1.5), "overtime"),
    bad("int-content", lambda api: api.transmit.upload_json_content(1, 42), "content"),
    bad("str-label-names", lambda api: api.tag.delete_task_tag([1], "abc"), "labelNames"),
    # missing or None where required
    bad("missing-required", lambda api: api.task.submit_task(), "task_id"),
    bad("none-required", lambda api: api.query.task_info(None), "task_ids_list"),
    bad("none-required-scalar", lambda api: api.task.update_priority(None, 5), "task_id"),
    # empty and oversized id lists
    bad("empty-ids", lambda api: api.query.task_info([]), "task_ids_list"),
    bad("empty-stop", lambda api: api.task.stop_task([]), "task_param_list"),
    bad("1001-ids", lambda api: api.query.task_info(range(1, 1002)), "task_ids_list"),
    # unknown DCC names
    bad("unknown-dcc", lambda api: api.query.supported_plugin("mayaa"), "name"),
    bad("unknown-dcc-env", lambda api: api.env.get_render_env(name="photoshop"), "name"),
    bad("unknown-dcc-in-list", lambda api: api.env.get_render_env(cg_names=["maya", "photoshop"]), "cg_names"),
    # paging
    bad("page-size-0", lambda api: api.query.get_task_list(page_size=0), "page_size"),
    bad("page-size-2-31", lambda api: api.query.get_task_list(page_size=2**31), "page_size"),
    bad("page-size-negative", lambda api: api.query.get_task_list(page_size=-1), "page_size"),
    bad("page-num-0", lambda api: api.query.get_task_list(page_num=0), "page_num"),
    bad("frames-page-size-0", lambda api: api.query.task_frames(1, page_size=0), "page_size"),
    bad("record-page-size-2-31", lambda api: api.user.task_record(pageSize=2**31), "pageSize"),
    bad("iter-frames-page-size-0", lambda api: api.query.iter_frames(1, page_size=0), "page_size"),
    # frame indices that could never match a frameIndex (refused before listing frames)
    bad("frames-int-index", lambda api: api.query.get_custome_frames(1, [7]), "frame indices"),
    bad("frames-none-given", lambda api: api.query.get_custom_frames(1, []), "frame indices"),
    bad("frames-empty-index", lambda api: api.query.frame_number_to_stop(1, [""]), "frame index"),
    # cross-parameter rules
    bad("error-detail-no-code", lambda api: api.query.error_detail(), "code"),
    bad("restart-frame-no-ids", lambda api: api.query.restart_frame(1, select_all=0), "ids_list"),
    bad("stop-frame-empty-ids", lambda api: api.query.stop_frame(1, select_all=0, ids_list=[]), "ids_list"),
    # binding like Python's
    bad("unknown-keyword", lambda api: api.query.get_task_list(pagesize=10), "pagesize"),
    bad("too-many-positional", lambda api: api.query.task_info([1], [2]), "positional"),
    bad("duplicate-argument", lambda api: api.task.submit_task(5, task_id=5), "task_id"),
    # task.json upload
    bad("bad-file-name", lambda api: api.transmit.upload_json_content(1, "{}", file_name="job.json"), "file_name"),
    bad("content-not-json", lambda api: api.transmit.upload_json_content(1, "{not json"), "content"),
    bad("submit-json-not-json", lambda api: api.submit_task_json("{oops"), "content"),
    # render environments
    bad("env-missing-key", lambda api: api.env.add_render_env(NO_EDIT_NAME), "editName"),
    bad("env-unknown-key", lambda api: api.env.add_render_env({**ENV, "foo": 1}), "foo"),
    bad("env-render-system-word", lambda api: api.env.add_render_env({**ENV, "renderSystem": "linux"}),
        "renderSystem"),
    bad("env-render-system-2", lambda api: api.env.update_render_env({**ENV, "renderSystem": 2}), "renderSystem"),
    bad("env-not-a-mapping", lambda api: api.env.update_render_env([ENV]), "data"),
    # times and status lists
    bad("month-13", lambda api: api.query.get_task_list(start_time="2020-13-01 00:00:00"), "start_time"),
    bad("int-time", lambda api: api.query.get_task_list(end_time=12345), "end_time"),
    bad("status-list-str-item", lambda api: api.query.get_task_list(status_list=["5"]), "status_list"),
    bad("status-list-str", lambda api: api.query.get_task_list(status_list="5"), "status_list"),
    # ranges and choices
    bad("count-0", lambda api: api.task.create_task(count=0), "count"),
    bad("priority-101", lambda api: api.task.update_priority(1, 101), "priority"),
    bad("priority-negative", lambda api: api.task.update_priority(1, -1), "priority"),
    bad("task-limit-0", lambda api: api.task.update_task_limit(1, 0), "taskLimit"),
    bad("overtime-setting-0", lambda api: api.user.update_user_settings(0), "task_over_time"),
    bad("zone-3", lambda api: api.query.platforms(zone=3), "zone"),
    bad("flag-5", lambda api: api.tag.get_list(flag=5), "flag"),
    bad("language-2", lambda api: api.query.error_detail(code="15000", language=2), "language"),
    bad("frame-type-3", lambda api: api.query.get_task_processing_img(1, frame_type=3), "frame_type"),
    bad("select-all-true", lambda api: api.query.restart_frame(1, select_all=True), "select_all"),
    bad("blank-label", lambda api: api.tag.add_label("  "), "new_name"),
    bad("os-name-macos", lambda api: api.query.supported_plugin("maya", os_name="macos"), "os_name"),
    bad("iter-tasks-page-size", lambda api: api.query.iter_tasks(page_size=2**31), "page_size"),
    bad("project-name-empty", lambda api: api.check_and_add_project_name(""), "project name"),
]


async def invoke(api: AsyncRayvisionAPI, call: Call) -> None:
    """Make the call; await it if it is a coroutine (pagers are plain methods)."""
    result = call(api)
    if inspect.isawaitable(result):
        await result


@pytest.fixture
async def client() -> Any:
    recorder = Recorder()
    async with AsyncRayvisionAPI("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                                 transport=httpx.MockTransport(recorder), max_retries=0) as api:
        yield api, recorder


@pytest.mark.parametrize(("call", "names"), BAD_CALLS)
async def test_bad_call_raises_before_sending(client: Any, call: Call, names: str) -> None:
    api, recorder = client
    with pytest.raises(InvalidInputError) as caught:
        await invoke(api, call)
    assert names in str(caught.value), f"the message should name {names!r}: {caught.value}"
    assert recorder.requests == [], [str(r.url) for r in recorder.requests]
    assert api.requests_sent == 0


def test_enough_distinct_bad_calls() -> None:
    assert len({p.id for p in BAD_CALLS}) == len(BAD_CALLS) >= 30


async def test_pager_arguments_are_checked_at_call_time(client: Any) -> None:
    """``iter_tasks`` is a plain method: bad arguments raise when it is called, not at the first page."""
    api, recorder = client
    with pytest.raises(InvalidInputError, match="page_size"):
        api.query.iter_tasks(page_size=2**31)
    with pytest.raises(InvalidInputError, match="status_list"):
        api.query.iter_tasks(status_list=["5"])
    assert recorder.requests == []


async def test_2018_set_refuses_new_endpoints_before_sending() -> None:
    recorder = Recorder()
    async with AsyncRayvisionAPI("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                                 protocol="2018", transport=httpx.MockTransport(recorder)) as api:
        with pytest.raises(InvalidInputError, match="update_priority"):
            await api.task.update_priority(1, 5)
        with pytest.raises(InvalidInputError, match="current path set"):
            await api.submit_task_json({"a": 1})
    assert recorder.requests == []
