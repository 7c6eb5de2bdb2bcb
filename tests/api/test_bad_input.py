"""Bad arguments raise InvalidInputError, naming the offending parameter, before anything is sent.

Every call runs against a recording transport that answers any request with a
successful, empty envelope: a call that sent something before failing (or did
not fail) is caught by the request count, not masked by a transport error.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import itertools
from collections.abc import Callable
from typing import Any

import pytest

from helpers.recorder import recording_client
from rayvision_async import AsyncRayvisionAPI, Pager, RetryPolicy, Watcher
from rayvision_async.errors import InvalidInputError

ENV = {"cgId": 2000, "cgName": "Maya", "cgVersion": "2020", "renderLayerType": 0, "editName": "testRenderEnv",
       "renderSystem": 0, "pluginIds": [1166]}
NO_EDIT_NAME = {key: value for key, value in ENV.items() if key != "editName"}
#: The last moment Python can hold, in UTC: not representable in the service's zone (UTC+8).
AWARE_MAX = dt.datetime.max.replace(tzinfo=dt.UTC)

Call = Callable[[AsyncRayvisionAPI], Any]


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
    bad("submit-json-not-json", lambda api: api.submit_task_json("{oops"), "task_json"),
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


NAN, INF = float("nan"), float("inf")
LONG_MAX = 2**63 - 1
DEEP: Any = {}
for _ in range(50_000):
    DEEP = {"a": DEEP}
GOOD_JSON = {"software_config": {"cg_name": "Maya"}}
RAM = {"ram": "64GB"}
ANALYSIS = {"task_info": {"cg_id": "2000"}, "software_config": {"cg_name": "Maya", "cg_version": "2020", "plugins": {}}}

#: Careless calls of the helpers, flows and client methods (the endpoint rows are covered row by row in
#: test_bad_input_rows.py). Each must raise InvalidInputError (ConfigurationError for client settings)
#: with nothing sent.
CARELESS_CALLS = [
    # with_options and client settings: ConfigurationError, never TypeError
    bad("with-options-retry-int", lambda api: api.with_options(retry=3), "retry"),
    bad("with-options-retry-str", lambda api: api.with_options(retry="fast"), "retry"),
    bad("with-options-unknown", lambda api: api.with_options(retries=3), "retries"),
    bad("with-options-positional", lambda api: api.with_options(3), "positional"),
    bad("with-options-timeout-nan", lambda api: api.with_options(timeout=NAN), "timeout"),
    bad("with-options-retries-bool", lambda api: api.with_options(max_retries=True), "max_retries"),
    bad("with-options-retries-huge", lambda api: api.with_options(max_retries=2**70), "max_retries"),
    bad("client-unknown-keyword", lambda api: AsyncRayvisionAPI("abcd", "efgh", retries=3), "retries"),
    bad("client-transport-str", lambda api: AsyncRayvisionAPI("abcd", "efgh", transport="mock"), "transport"),
    bad("client-concurrency-huge", lambda api: AsyncRayvisionAPI("abcd", "efgh", max_concurrency=2**70),
        "max_concurrency"),
    bad("client-platform-huge", lambda api: AsyncRayvisionAPI("abcd", "efgh", platform=10**5000), "platform"),
    bad("client-platform-arabic-digit", lambda api: AsyncRayvisionAPI("abcd", "efgh", platform="\u0664"), "platform"),
    bad("client-domain-arabic-port", lambda api: AsyncRayvisionAPI("abcd", "efgh", domain="a.com:\u0664\u0664\u0663"),
        "domain"),
    bad("client-base-url-arabic-port", lambda api: AsyncRayvisionAPI("abcd", "efgh", base_url="https://a:\u0664\u0664"),
        "base_url"),
    bad("retry-policy-delay-huge-int", lambda api: RetryPolicy(max_delay=10**5000), "max_delay"),
    bad("retry-policy-unknown", lambda api: RetryPolicy(retries=3), "retries"),
    bad("retry-policy-positional", lambda api: RetryPolicy(3), "positional"),
    bad("retry-policy-attempts-huge", lambda api: RetryPolicy(attempts=2**70), "attempts"),
    bad("retry-policy-delay-nan", lambda api: RetryPolicy(initial_delay=NAN), "initial_delay"),
    bad("retry-policy-cap-inf", lambda api: RetryPolicy(retry_after_cap=INF), "retry_after_cap"),
    bad("retry-policy-multiplier-str", lambda api: RetryPolicy(multiplier="2"), "multiplier"),
    # poll / watch / wait options: bounded ints and finite numbers, never bool or str
    bad("poll-id-huge", lambda api: api.poll([2**70]), "task_ids[0]"),
    bad("poll-id-long-overflow", lambda api: api.poll([1, LONG_MAX + 1]), "task_ids[1]"),
    bad("poll-id-str", lambda api: api.poll(["1"]), "task_ids[0]"),
    bad("poll-ids-int", lambda api: api.poll(5), "task_ids"),
    bad("poll-ids-endless", lambda api: api.poll(itertools.count(1)), "at most"),
    bad("poll-batch-str", lambda api: api.poll([1], batch_size="100"), "batch_size"),
    bad("poll-batch-bool", lambda api: api.poll([1], batch_size=True), "batch_size"),
    bad("poll-batch-float", lambda api: api.poll([1], batch_size=10.0), "batch_size"),
    bad("poll-batch-huge", lambda api: api.poll([1], batch_size=2**70), "batch_size"),
    bad("poll-unknown-keyword", lambda api: api.poll([1], concurrency=3), "concurrency"),
    bad("watch-interval-str", lambda api: api.watch([1], interval="5"), "interval"),
    bad("watch-interval-nan", lambda api: api.watch([1], interval=NAN), "interval"),
    bad("watch-interval-inf", lambda api: api.watch([1], interval=INF), "interval"),
    bad("watch-interval-bool", lambda api: api.watch([1], interval=True), "interval"),
    bad("watch-batch-str", lambda api: api.watch([1], batch_size="10"), "batch_size"),
    bad("watch-until-terminal-str", lambda api: api.watch([1], until_terminal="no"), "until_terminal"),
    bad("watch-missing-rounds-str", lambda api: api.watch([1], missing_rounds="3"), "missing_rounds"),
    bad("watch-missing-rounds-0", lambda api: api.watch([1], missing_rounds=0), "missing_rounds"),
    bad("watch-missing-rounds-float", lambda api: api.watch([1], missing_rounds=3.0), "missing_rounds"),
    bad("watch-missing-rounds-huge", lambda api: api.watch([1], missing_rounds=2**70), "missing_rounds"),
    bad("watch-id-huge", lambda api: api.watch([2**64]), "task_ids[0]"),
    bad("watch-add-str", lambda api: api.watch([1]).add(["2"]), "task_ids[0]"),
    bad("watch-add-huge", lambda api: api.watch([1]).add([2**70]), "task_ids[0]"),
    bad("watch-unknown-keyword", lambda api: api.watch([1], every=5), "every"),
    bad("wait-timeout-nan", lambda api: api.wait(1, timeout=NAN), "timeout"),
    bad("wait-timeout-inf", lambda api: api.wait(1, timeout=INF), "timeout"),
    bad("wait-timeout-str", lambda api: api.wait(1, timeout="5"), "timeout"),
    bad("wait-interval-str", lambda api: api.wait(1, interval="5"), "interval"),
    bad("wait-interval-0", lambda api: api.wait(1, interval=0), "interval"),
    bad("wait-id-bool", lambda api: api.wait(True), "task_ids[0]"),
    bad("wait-id-str", lambda api: api.wait("1"), "task_ids"),
    bad("wait-id-long-overflow", lambda api: api.wait(LONG_MAX + 1), "task_ids[0]"),
    bad("wait-unknown-keyword", lambda api: api.wait(1, timout=5), "timout"),
    # submit_task_json: everything checked before createTask
    bad("submit-json-nan", lambda api: api.submit_task_json({"frames": NAN}), "task_json"),
    bad("submit-json-inf", lambda api: api.submit_task_json({"a": [1, -INF]}), "task_json"),
    bad("submit-json-text-nan", lambda api: api.submit_task_json('{"frames": NaN}'), "task_json"),
    bad("submit-json-text-infinity", lambda api: api.submit_task_json('[Infinity]'), "task_json"),
    bad("submit-json-int-key", lambda api: api.submit_task_json({1: "x"}), "task_json"),
    bad("submit-json-nested-bool-key", lambda api: api.submit_task_json({"a": {True: 1}}), "task_json"),
    bad("submit-json-set", lambda api: api.submit_task_json({"a": {1, 2}}), "task_json"),
    bad("submit-json-bytes", lambda api: api.submit_task_json({"a": b"x"}), "task_json"),
    bad("submit-json-surrogate", lambda api: api.submit_task_json({"a": "\ud800"}), "task_json"),
    bad("submit-json-surrogate-key", lambda api: api.submit_task_json({"\udc00": 1}), "task_json"),
    bad("submit-json-text-surrogate", lambda api: api.submit_task_json('{"a": "\udfff"}'), "task_json"),
    bad("submit-json-deep", lambda api: api.submit_task_json(DEEP), "task_json"),
    bad("submit-json-text-deep", lambda api: api.submit_task_json("[" * 100_000), "task_json"),
    bad("submit-json-list", lambda api: api.submit_task_json([1]), "task_json"),
    bad("submit-task-id-huge", lambda api: api.submit_task_json(GOOD_JSON, task_id=2**70), "task_id"),
    bad("submit-task-id-str", lambda api: api.submit_task_json(GOOD_JSON, task_id="5"), "task_id"),
    bad("submit-producer-int", lambda api: api.submit_task_json(GOOD_JSON, producer=5), "producer"),
    bad("submit-producer-surrogate", lambda api: api.submit_task_json(GOOD_JSON, producer="\ud83d"), "producer"),
    bad("submit-extra-name", lambda api: api.submit_task_json(GOOD_JSON, extra_files={"x.json": {}}), "file_name"),
    bad("submit-extra-task-json", lambda api: api.submit_task_json(GOOD_JSON, extra_files={"task.json": {}}),
        "task.json"),
    bad("submit-extra-nan", lambda api: api.submit_task_json(GOOD_JSON, extra_files={"upload.json": {"a": NAN}}),
        "upload.json"),
    bad("submit-extra-list", lambda api: api.submit_task_json(GOOD_JSON, extra_files=[("upload.json", {})]),
        "extra_files"),
    bad("submit-create-count", lambda api: api.submit_task_json(GOOD_JSON, count=2), "count"),
    bad("submit-create-unknown", lambda api: api.submit_task_json(GOOD_JSON, labelz=["a"]), "labelz"),
    bad("submit-create-level", lambda api: api.submit_task_json(GOOD_JSON, task_user_level=2**70), "task_user_level"),
    bad("submit-create-out-user", lambda api: api.submit_task_json(GOOD_JSON, out_user_id=2**63), "out_user_id"),
    bad("submit-create-labels-str", lambda api: api.submit_task_json(GOOD_JSON, labels="a"), "labels"),
    bad("submit-render-key-upper", lambda api: api.submit_task_json(GOOD_JSON, render_key="Shot-1"), "render_key"),
    bad("submit-render-key-int", lambda api: api.submit_task_json(GOOD_JSON, render_key=5), "render_key"),
    bad("submit-render-key-label", lambda api: api.submit_task_json(GOOD_JSON, labels=["render-key:a"]),
        "render_key"),
    bad("find-render-empty", lambda api: api.find_render(""), "render_key"),
    bad("find-render-long", lambda api: api.find_render("x" * 101), "render_key"),
    bad("find-render-space", lambda api: api.find_render("a b"), "render_key"),
    # the analysis pipeline: documents and hardware checked before the first request
    bad("analysis-unknown-keyword", lambda api: api.check_analysis(ANALYSIS, hardware=RAM, plugins=False), "plugins"),
    bad("analysis-no-hardware", lambda api: api.submit_analysis(ANALYSIS), "hardware"),
    bad("analysis-render-key", lambda api: api.submit_analysis(ANALYSIS, hardware=RAM, render_key="A B"), "render_key"),
    bad("analysis-ram-5000-digits", lambda api: api.check_analysis(ANALYSIS, hardware={"ram": "9" * 5000 + "GB"}),
        "ram"),
    bad("analysis-ram-huge-int", lambda api: api.check_analysis(ANALYSIS, hardware={"ram": 10**5000}), "ram"),
    bad("analysis-nan", lambda api: api.submit_analysis({"task_info": {"a": NAN}}, hardware=RAM), "task.json"),
    bad("analysis-int-key", lambda api: api.submit_analysis({"task_info": {1: "x"}}, hardware=RAM), "task.json"),
    bad("analysis-surrogate", lambda api: api.submit_analysis({"task_info": {"a": "\ud800"}}, hardware=RAM),
        "task.json"),
    bad("analysis-deep", lambda api: api.check_analysis(DEEP, hardware=RAM), "task.json"),
    bad("analysis-upload-nan", lambda api: api.check_analysis(ANALYSIS, {"a": -INF}, hardware=RAM), "upload.json"),
    bad("user-info-argument", lambda api: api.user_info(1), "positional"),
    bad("user-id-keyword", lambda api: api.get_user_id(user=1), "user"),
    # project names
    bad("project-name-int", lambda api: api.check_and_add_project_name(5), "project name"),
    bad("project-name-surrogate", lambda api: api.check_and_add_project_name("p\ud800"), "project name"),
    bad("project-name-long", lambda api: api.check_and_add_project_name("p" * 256), "project name"),
    bad("project-name-unknown-keyword", lambda api: api.check_and_add_project_name("p", flag=2), "flag"),
    # pagers and frame helpers
    bad("iter-tasks-status-int", lambda api: api.query.iter_tasks(status_list=5), "status_list"),
    bad("iter-tasks-status-huge", lambda api: api.query.iter_tasks(status_list=[2**40]), "status_list[0]"),
    bad("iter-tasks-status-endless", lambda api: api.query.iter_tasks(status_list=itertools.count()), "at most"),
    bad("iter-tasks-page-size-int32", lambda api: api.query.iter_tasks(page_size=2**31), "page_size"),
    bad("iter-tasks-prefetch-str", lambda api: api.query.iter_tasks(prefetch="yes"), "prefetch"),
    bad("iter-tasks-keyword-surrogate", lambda api: api.query.iter_tasks(search_keyword="\ud800"), "search_keyword"),
    bad("iter-tasks-start-time-max", lambda api: api.query.iter_tasks(start_time=AWARE_MAX), "start_time"),
    bad("iter-tasks-unknown", lambda api: api.query.iter_tasks(page_num=2), "page_num"),
    bad("iter-frames-id-long-overflow", lambda api: api.query.iter_frames(LONG_MAX + 1), "task_id"),
    bad("iter-frames-end-page-str", lambda api: api.query.iter_frames(1, end_page="5"), "end_page"),
    bad("iter-frames-end-page-0", lambda api: api.query.iter_frames(1, end_page=0), "end_page"),
    bad("iter-frames-end-page-huge", lambda api: api.query.iter_frames(1, end_page=2**40), "end_page"),
    bad("iter-frames-start-page-huge", lambda api: api.query.iter_frames(1, start_page=2**40), "page_num"),
    bad("iter-frames-prefetch-int", lambda api: api.query.iter_frames(1, prefetch=1), "prefetch"),
    bad("all-frames-page-size", lambda api: api.query.get_all_frames(1, page_size=2**31), "page_size"),
    bad("all-frames-end-page-str", lambda api: api.query.get_all_frames(1, end_page="2000"), "end_page"),
    bad("all-frames-too-many", lambda api: api.query.get_all_frames(1, 1, 2, 3, 4), "positional"),
    bad("all-frames-task-huge", lambda api: api.query.get_all_frames(2**70), "task_id"),
    bad("custom-frames-int", lambda api: api.query.get_custom_frames(1, 5), "frame indices"),
    bad("custom-frames-int-item", lambda api: api.query.get_custom_frames(1, [5]), "frame indices"),
    bad("custom-frames-bytes", lambda api: api.query.get_custom_frames(1, b"1-5"), "frame indices"),
    bad("custom-frames-endless", lambda api: api.query.get_custom_frames(1, itertools.repeat("1")), "at most"),
    bad("custom-frames-empty", lambda api: api.query.get_custom_frames(1, []), "frame indices"),
    bad("custom-frames-task-huge", lambda api: api.query.get_custom_frames(2**70, ["1"]), "task_id"),
    bad("custom-frames-unknown", lambda api: api.query.get_custome_frames(1, ["1"], select_all=0), "select_all"),
    bad("stop-frames-mapping", lambda api: api.query.frame_number_to_stop(1, {"1": 1}), "frame indices"),
    bad("stop-frames-task-str", lambda api: api.query.frame_number_to_stop("1", ["1"]), "task_id"),
    bad("small-task-huge", lambda api: api.query.get_small_task_id(2**63), "task_ids_list[0]"),
    bad("small-task-none", lambda api: api.query.get_small_task_id(None), "task_ids_list[0]"),
    bad("small-task-missing", lambda api: api.query.get_small_task_id(), "task_id"),
    bad("project-list-argument", lambda api: api.tag.get_project_list(2), "positional"),
    # None where a value is required
    bad("poll-none", lambda api: api.poll(None), "task_ids"),
    bad("watch-none", lambda api: api.watch(None), "task_ids"),
    bad("wait-none", lambda api: api.wait(None), "task_ids"),
    bad("wait-interval-none", lambda api: api.wait(1, interval=None), "interval"),
    bad("watch-batch-none", lambda api: api.watch([1], batch_size=None), "batch_size"),
    bad("submit-json-none", lambda api: api.submit_task_json(None), "task_json"),
    bad("project-name-none", lambda api: api.check_and_add_project_name(None), "project name"),
    bad("iter-frames-none", lambda api: api.query.iter_frames(None), "task_id"),
    bad("all-frames-none", lambda api: api.query.get_all_frames(None), "task_id"),
    bad("custom-frames-none", lambda api: api.query.get_custom_frames(1, None), "frame indices"),
    bad("iter-frames-prefetch-none", lambda api: api.query.iter_frames(1, prefetch=None), "prefetch"),
    bad("pager-start-page-str", lambda api: Pager(api.query.get_task_list, start_page="1"), "start_page"),
    bad("pager-start-page-huge", lambda api: Pager(api.query.get_task_list, start_page=2**31), "start_page"),
    bad("pager-end-page-0", lambda api: Pager(api.query.get_task_list, end_page=0), "end_page"),
    bad("pager-prefetch-int", lambda api: Pager(api.query.get_task_list, prefetch=1), "prefetch"),
    bad("pager-fetch-not-callable", lambda api: Pager(5), "fetch"),
    bad("pager-unknown-keyword", lambda api: Pager(api.query.get_task_list, page_size=10), "page_size"),
    bad("watcher-unknown-keyword", lambda api: Watcher(api.poll, [1], interval=1, until_terminal=True, batch_size=10,
                                                       rounds=3), "rounds"),
    bad("watcher-missing-interval", lambda api: Watcher(api.poll, [1], until_terminal=True, batch_size=10), "interval"),
]

async def invoke(api: AsyncRayvisionAPI, call: Call) -> None:
    """Make the call; await it if it is a coroutine (pagers are plain methods)."""
    result = call(api)
    if inspect.isawaitable(result):
        await result


@pytest.fixture
async def client() -> Any:
    async with recording_client() as pair:
        yield pair


@pytest.mark.parametrize(("call", "names"), BAD_CALLS + CARELESS_CALLS)
async def test_bad_call_raises_before_sending(client: Any, call: Call, names: str) -> None:
    api, recorder = client
    with pytest.raises(InvalidInputError) as caught:
        async with asyncio.timeout(10):  # a call that slipped through must not wait for tasks forever
            await invoke(api, call)
    assert names in str(caught.value), f"the message should name {names!r}: {caught.value}"
    assert recorder.requests == [], [str(r.url) for r in recorder.requests]
    assert api.requests_sent == 0


def test_enough_distinct_bad_calls() -> None:
    calls = BAD_CALLS + CARELESS_CALLS
    assert len({p.id for p in calls}) == len(calls) >= 150


async def test_pager_arguments_are_checked_at_call_time(client: Any) -> None:
    """``iter_tasks`` is a plain method: bad arguments raise when it is called, not at the first page."""
    api, recorder = client
    with pytest.raises(InvalidInputError, match="page_size"):
        api.query.iter_tasks(page_size=2**31)
    with pytest.raises(InvalidInputError, match="status_list"):
        api.query.iter_tasks(status_list=["5"])
    assert recorder.requests == []


async def test_2018_set_refuses_new_endpoints_before_sending() -> None:
    async with recording_client("2018") as (api, recorder):
        with pytest.raises(InvalidInputError, match="update_priority"):
            await api.task.update_priority(1, 5)
        with pytest.raises(InvalidInputError, match="current path set"):
            await api.submit_task_json({"a": 1})
    assert recorder.requests == []
