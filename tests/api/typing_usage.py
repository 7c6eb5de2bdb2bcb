"""Code that ``mypy --strict`` must accept, run by tests/api/test_endpoint_table.py (not a test module).

The assignments check the stub's return types; the ``# type: ignore[...]`` lines
are calls mypy must reject. Under ``--strict`` (``warn_unused_ignores``), a stub
that lost its types makes those ignores unused, and mypy fails.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from rayvision_async import (
    AsyncRayvisionAPI,
    CheckedAnalysis,
    FrameInfo,
    Page,
    Pager,
    RawResponse,
    SubmittedAnalysis,
    TaskInfo,
)
from rayvision_async.models import (
    CreatedRenderEnv,
    CreatedTasks,
    ErrorCodeInfo,
    Platform,
    Project,
    ProjectList,
    RenderEnv,
    SoftwareDetail,
    TaskInfoPage,
    TransferServerInfo,
    UserProfile,
)


async def use(api: AsyncRayvisionAPI) -> None:
    page: Page[TaskInfo] = await api.query.get_task_list(page_size=10)
    page = await api.query.get_task_list(status_list=[0, 5], start_time=dt.datetime(2020, 1, 1),
                                         end_time=dt.date(2020, 2, 1), search_keyword="cam")
    info: TaskInfoPage = await api.query.task_info([1])
    tasks: Page[TaskInfo] = info  # a TaskInfoPage is a Page[TaskInfo]
    frames: Page[FrameInfo] = await api.query.task_frames(1, page_num=2)
    created: CreatedTasks = await api.task.create_task(count=2, labels=["a"])
    profile: UserProfile = await api.user.query_user_profile()
    platforms: tuple[Platform, ...] = await api.query.platforms()
    codes: tuple[ErrorCodeInfo, ...] = await api.query.error_detail(code="15000")
    detail: SoftwareDetail = await api.query.supported_plugin("maya")
    server: TransferServerInfo = await api.query.get_transfer_server_msg()
    envs: tuple[RenderEnv, ...] = await api.env.get_render_env(name="houdini")
    labels: ProjectList = await api.tag.get_list(flag=2)
    done: str = await api.task.set_task_overtime_stop([1], 60)
    done = await api.task.set_task_overtime_top([1], 60)  # the official spelling, same type
    thumbnails: tuple[str, ...] | str = await api.query.get_frame_thumbnall(264)
    thumbnails = await api.query.get_frame_thumbnail(264)
    await api.task.stop_task([1, 2])
    new_env = {"cgId": 2000, "cgName": "Maya", "cgVersion": "2020", "editName": "e", "renderSystem": 1,
               "pluginIds": []}
    env: CreatedRenderEnv | None = await api.env.add_render_env(new_env)
    await api.transmit.upload_json_content(5, {"a": 1}, file_name="upload.json")
    pager: Pager[TaskInfo] = api.query.iter_tasks(page_size=50)
    small: list[int] = await api.query.get_small_task_id(1)
    projects: tuple[Project, ...] = await api.tag.get_project_list()
    task_id: int = await api.submit_task_json({"a": 1})
    submitted: SubmittedAnalysis = await api.submit_analysis(Path("task.json"), "upload.json",
                                                             hardware={"model": "Default", "ram": "64GB"})
    checked: CheckedAnalysis = await api.check_analysis({"task_info": {}}, hardware={"ram": 64})
    user_info: dict[str, Any] = await api.user_info()
    user_id: int = await api.get_user_id()
    as_dict: dict[str, Any] = profile.to_dict()
    raw: RawResponse[TaskInfoPage] = await api.with_raw_response.query.task_info([1])
    raw_page: TaskInfoPage = raw.parse()
    raw_none: RawResponse[None] = await api.with_raw_response.task.stop_task([1])
    raw_alias: RawResponse[str] = await api.with_raw_response.task.set_task_overtime_top([1], 60)
    view: AsyncRayvisionAPI = api.with_options(timeout=5, max_retries=0)
    print(page, tasks, frames, created, profile, platforms, codes, detail, server, envs, labels, done,
          thumbnails, env, pager, small, projects, task_id, submitted, checked, user_info, user_id, as_dict,
          raw, raw_page, raw_none, raw_alias, view)

    # Calls mypy must reject.
    await api.query.task_info("12")  # type: ignore[arg-type]
    await api.submit_analysis(42, hardware={"ram": 64})  # type: ignore[arg-type]
    await api.query.task_info(["1"])  # type: ignore[list-item]
    await api.query.get_task_list(page_size="10")  # type: ignore[arg-type]
    await api.query.get_task_list(pagesize=10)  # type: ignore[call-arg]
    await api.user.query_user_profile(1)  # type: ignore[call-arg]
    await api.task.submit_task()  # type: ignore[call-arg]
    wrong: Page[FrameInfo] = await api.query.get_task_list()  # type: ignore[assignment]
    not_a_str: int = await api.task.full_speed([1])  # type: ignore[assignment]
    not_raw: TaskInfoPage = await api.with_raw_response.query.task_info([1])  # type: ignore[assignment]
    await api.with_raw_response.query.task_info(["1"])  # type: ignore[list-item]
    print(wrong, not_a_str, not_raw)
