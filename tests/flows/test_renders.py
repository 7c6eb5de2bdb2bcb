"""A submit that is safe to retry (task ids, render keys) and ``find_render``, against the embedded simulator.

Branches the simulator cannot reach (a task list that shows created, never-submitted tasks; a
service that refuses a submit after showing the task unsubmitted) are driven through the flow
functions with fake calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from rayvision_async import (
    AsyncRayvisionAPI,
    DuplicateRenderError,
    InvalidInputError,
    RenderLookup,
    RenderOutcomeUnknownError,
    TaskStatus,
    errors,
)
from rayvision_async.errors import UnsupportedOperationError
from rayvision_async.flows import _renders as renders
from rayvision_async.flows._bulk import TasksNotFoundError
from rayvision_async.models import CreatedTasks, TaskInfo, TaskInfoPage
from rayvision_async.simulator import Simulator, SimulatorTransport
from rayvision_async.simulator.farm import Mode

TASK_JSON = {"task_info": {"input_cg_file": "D:/shots/a.max", "cg_id": "2000", "frames": "1-3"}}


def keyed(sim: Simulator, render_key: str) -> list[int]:
    """Ids of the farm's tasks carrying ``render_key``, and submitted."""
    label = renders.RENDER_KEY_LABEL + render_key
    return [task.id for task in sim.farm.tasks.values() if label in task.labels.values() and task.submitted_at]


def sent(sim: Simulator) -> int:
    return sum(sim.counts.values())


# -- the key -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "Shot-1", "shot 1", "shot,1", "é", "-shot", "x" * 101, 7, b"key",
                                 "shot\n", '"q"', "a{b}"])
async def test_a_bad_render_key_is_refused_before_anything_is_sent(
        api: AsyncRayvisionAPI, sim: Simulator, bad: Any) -> None:
    with pytest.raises(InvalidInputError):
        await api.submit_task_json(TASK_JSON, render_key=bad)
    with pytest.raises(InvalidInputError):
        await api.find_render(bad)
    assert sent(sim) == 0


@pytest.mark.parametrize("good", ["a", "shot010-v3", "7f9c2ba4-e88f-4b7b-9a4e-0c1e6f2b8d11", "proj/seq.01:shot@v2",
                                  "x" * 100])
def test_render_keys_that_are_accepted(good: str) -> None:
    assert renders.check_render_key(good) == good


async def test_labels_cannot_carry_a_render_key_of_their_own(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    with pytest.raises(InvalidInputError, match="render_key="):
        await api.submit_task_json(TASK_JSON, labels=["mine", "render-key:x"])
    with pytest.raises(InvalidInputError):
        await api.submit_task_json(TASK_JSON, render_key="ok", labels=[""])  # create_task's own label check
    assert sent(sim) == 0


async def test_render_keys_need_the_current_path_set(sim: Simulator) -> None:
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain, protocol="2018",
                                 transport=SimulatorTransport(sim)) as legacy:
        with pytest.raises(UnsupportedOperationError):
            await legacy.find_render("k")
        with pytest.raises(UnsupportedOperationError):
            await legacy.submit_task_json(TASK_JSON, render_key="k")
    assert sent(sim) == 0


# -- submitting with a key -----------------------------------------------------------------------------


async def test_a_keyed_submit_attaches_the_key_at_create_and_keeps_other_labels(
        api: AsyncRayvisionAPI, sim: Simulator) -> None:
    task_id = await api.submit_task_json(TASK_JSON, render_key="shot-1", labels=["trailer"], producer="ana")
    task = sim.farm.tasks[task_id]
    assert sorted(task.labels.values()) == ["render-key:shot-1", "trailer"]
    assert task.submitted_at is not None
    assert task.producer == "ana"  # the person's name stays where the farm shows it
    create = next(record for record in sim.requests if record.name == "create_task")
    assert create.body["labels"] == ["trailer", "render-key:shot-1"]
    listed = (await api.query.task_info([task_id])).items[0]
    assert renders.render_keys_of(listed) == {"shot-1"}


async def test_a_keyed_submit_twice_submits_once(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    first = await api.submit_task_json(TASK_JSON, render_key="shot-2")
    before = dict(sim.counts)
    again = await api.submit_task_json(TASK_JSON, render_key="shot-2")
    assert again == first
    assert keyed(sim, "shot-2") == [first]
    new = {name: count - before.get(name, 0) for name, count in sim.counts.items() if count != before.get(name, 0)}
    # found in the list (its page read again for the labels): nothing created, uploaded or submitted
    assert new == {"get_task_list": 1, "task_info": 1}


async def test_keys_are_exact_and_independent(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    one = await api.submit_task_json(TASK_JSON, render_key="shot-1")
    longer = await api.submit_task_json(TASK_JSON, render_key="shot-10")
    assert one != longer
    assert (await api.find_render("shot-1")).task_id == one
    assert (await api.find_render("shot-10")).task_id == longer
    assert not (await api.find_render("shot")).found


async def test_find_render_answers_submitted_or_not_found(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    assert await api.find_render("nothing-yet") == RenderLookup(render_key="nothing-yet")
    task_id = await api.submit_task_json(TASK_JSON, render_key="k-1")
    found = await api.find_render("k-1")
    assert (found.task_id, found.submitted, found.status, found.found) == (task_id, True, TaskStatus.ANALYSE, True)
    assert found.task is not None
    assert found.task.id == task_id
    # many tasks and pages: found on a later page
    for _ in range(3):
        sim.farm.submit(sim.farm.create_tasks(1)[0].id, require_task_json=False)
    sim.farm.create_tasks(150)
    for task in list(sim.farm.tasks.values())[-150:]:
        sim.farm.submit(task.id, require_task_json=False)
    assert (await api.find_render("k-1")).task_id == task_id
    assert sim.counts["get_task_list"] == 5  # 1 + 1 (the keyed submit's lookup) + 1 + 2 pages of 100


async def test_a_created_never_submitted_key_is_not_listed_and_a_retry_submits_one(
        api: AsyncRayvisionAPI, sim: Simulator) -> None:
    orphan = sim.farm.create_tasks(1, labels=["render-key:k-2"])[0]  # a crash after createTask
    assert not (await api.find_render("k-2")).found  # the task list leaves out unsubmitted tasks
    task_id = await api.submit_task_json(TASK_JSON, render_key="k-2")
    assert task_id != orphan.id
    assert keyed(sim, "k-2") == [task_id]
    assert orphan.mode is Mode.CREATED  # never submitted, so never rendered


async def test_two_submitted_tasks_with_one_key_raise(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    tasks = sim.farm.create_tasks(2, labels=["render-key:twice"])
    for task in tasks:
        sim.farm.submit(task.id, require_task_json=False)
    with pytest.raises(DuplicateRenderError) as caught:
        await api.find_render("twice")
    assert caught.value.task_ids == (tasks[1].id, tasks[0].id)
    assert caught.value.render_key == "twice"
    before = sent(sim)
    with pytest.raises(DuplicateRenderError):
        await api.submit_task_json(TASK_JSON, render_key="twice")
    assert sent(sim) == before + 2  # the lookup only: the list, and its page read again for the labels


# -- resuming by task id ------------------------------------------------------------------------------


async def test_resuming_a_submitted_task_returns_it_without_sending_work(api: AsyncRayvisionAPI,
                                                                          sim: Simulator) -> None:
    task_id = await api.submit_task_json(TASK_JSON)
    before = dict(sim.counts)
    assert await api.submit_task_json(TASK_JSON, task_id=task_id) == task_id
    assert {name: count - before.get(name, 0) for name, count in sim.counts.items()
            if count != before.get(name, 0)} == {"task_info": 1}


async def test_resuming_a_created_task_uploads_and_submits_it(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    task_id = (await api.task.create_task()).task_id_list[0]
    assert await api.submit_task_json(TASK_JSON, task_id=task_id, extra_files={"upload.json": {"asset": []}}) \
        == task_id
    task = sim.farm.tasks[task_id]
    assert task.submitted_at is not None
    assert set(task.files) == {"task.json", "upload.json"}
    assert (sim.counts["create_task"], sim.counts["submit_task"]) == (1, 1)


async def test_resuming_an_unknown_task_says_so(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    with pytest.raises(TasksNotFoundError) as caught:
        await api.submit_task_json(TASK_JSON, task_id=424242)
    assert caught.value.task_ids == {424242}
    assert sim.counts["upload_json_content"] == sim.counts["submit_task"] == 0


async def test_resuming_a_task_of_another_render_key_is_refused(api: AsyncRayvisionAPI, sim: Simulator) -> None:
    task_id = (await api.task.create_task(labels=["render-key:a"])).task_id_list[0]
    with pytest.raises(InvalidInputError, match="render key"):
        await api.submit_task_json(TASK_JSON, task_id=task_id, render_key="b")
    assert sim.counts["upload_json_content"] == 0
    assert await api.submit_task_json(TASK_JSON, task_id=task_id, render_key="a") == task_id


# -- unknown outcomes -----------------------------------------------------------------------------------


async def test_an_unknown_submit_whose_state_cannot_be_read_carries_what_recovery_needs(
        api: AsyncRayvisionAPI, sim: Simulator) -> None:
    sim.inject("submit_task", "reset", after_processing=True)
    sim.inject("task_info", "http_5xx", times=3 * renders.STATE_READS)  # every read fails, each after its retries
    with pytest.raises(RenderOutcomeUnknownError) as caught:
        await api.submit_task_json(TASK_JSON, render_key="k-3")
    error = caught.value
    assert isinstance(error, errors.RequestOutcomeUnknownError)  # what existing handlers catch
    (task_id,) = keyed(sim, "k-3")
    assert (error.task_id, error.render_key) == (task_id, "k-3")
    assert f"task_id={task_id}" in str(error)
    assert "render_key='k-3'" in str(error)
    assert isinstance(error.__cause__, errors.RequestOutcomeUnknownError)
    # recovery, either way: nothing is submitted again
    assert await api.submit_task_json(TASK_JSON, render_key="k-3") == task_id
    assert await api.submit_task_json(TASK_JSON, task_id=task_id) == task_id
    assert sim.processed["submit_task"] == 1


async def test_an_unknown_create_without_a_key_says_nothing_was_submitted(api: AsyncRayvisionAPI,
                                                                         sim: Simulator) -> None:
    sim.inject("create_task", "reset", after_processing=True)
    with pytest.raises(errors.RequestOutcomeUnknownError) as caught:
        await api.submit_task_json(TASK_JSON)
    assert not isinstance(caught.value, RenderOutcomeUnknownError)
    assert "nothing was submitted" in caught.value.__notes__[0]
    assert "render_key=" in caught.value.__notes__[0]
    assert sim.processed["create_task"] == 1
    assert sim.counts["submit_task"] == 0


async def test_an_unknown_create_with_a_key_is_looked_up_then_created_again(api: AsyncRayvisionAPI,
                                                                           sim: Simulator) -> None:
    sim.inject("create_task", "reset", after_processing=True)
    sim.inject("create_task", "malformed_json", after_processing=True)
    task_id = await api.submit_task_json(TASK_JSON, render_key="k-4")
    assert keyed(sim, "k-4") == [task_id]
    assert sim.processed["create_task"] == 3  # two orphans, never submitted
    assert sim.counts["get_task_list"] == 3  # before creating, and after each unknown create


async def test_creates_whose_outcome_stays_unknown_end_with_nothing_submitted(api: AsyncRayvisionAPI,
                                                                             sim: Simulator) -> None:
    sim.inject("create_task", "reset", after_processing=True, times=renders.CREATE_ATTEMPTS)
    with pytest.raises(errors.RequestOutcomeUnknownError) as caught:
        await api.submit_task_json(TASK_JSON, render_key="k-5")
    assert not isinstance(caught.value, RenderOutcomeUnknownError)  # the service told: nothing submitted
    assert "nothing was submitted" in caught.value.__notes__[-1]
    assert sim.counts["submit_task"] == 0
    task_id = await api.submit_task_json(TASK_JSON, render_key="k-5")
    assert keyed(sim, "k-5") == [task_id]


async def test_a_definite_refusal_of_submit_is_raised_with_the_task_id(api: AsyncRayvisionAPI,
                                                                      sim: Simulator) -> None:
    sim.inject("submit_task", "error", code=600, after_processing=False)
    with pytest.raises(errors.ParameterError) as caught:
        await api.submit_task_json(TASK_JSON, render_key="k-6")
    (task_id,) = [task.id for task in sim.farm.tasks.values()]
    notes = "\n".join(caught.value.__notes__)
    assert "shows the task not submitted" in notes
    assert f"pass task_id={task_id} to resume" in notes
    assert sim.counts["submit_task"] == 1
    assert await api.submit_task_json(TASK_JSON, task_id=task_id, render_key="k-6") == task_id
    assert await api.submit_task_json(TASK_JSON, render_key="k-6") == task_id
    assert keyed(sim, "k-6") == [task_id]


async def test_an_internal_error_after_the_submit_was_processed_is_success(api: AsyncRayvisionAPI,
                                                                          sim: Simulator) -> None:
    sim.inject("submit_task", "error", code=500, after_processing=True)
    task_id = await api.submit_task_json(TASK_JSON, render_key="k-7")
    assert keyed(sim, "k-7") == [task_id]
    assert (sim.counts["submit_task"], sim.processed["submit_task"]) == (1, 1)


# -- branches the simulator does not reach ---------------------------------------------------------------


def info(task_id: int, **fields: Any) -> TaskInfo:
    return TaskInfo(id=task_id, **fields)


def calls(listed: list[TaskInfo], states: list[TaskInfo | None], log: list[str],
          submit_error: Exception | None = None) -> renders.RenderCalls:
    async def create(labels: list[str] | None) -> CreatedTasks:
        log.append(f"create {labels}")
        return CreatedTasks(task_id_list=(99,))

    async def upload(task_id: int, text: str, name: str) -> None:
        log.append(f"upload {task_id} {name}")

    async def submit(task_id: int) -> None:
        log.append(f"submit {task_id}")
        if submit_error is not None:
            raise submit_error

    async def task_info(ids: list[int]) -> TaskInfoPage:
        log.append(f"read {ids}")
        state = states.pop(0)
        return TaskInfoPage(items=() if state is None else (state,))

    async def list_tasks() -> AsyncIterator[TaskInfo]:
        log.append("list")
        for task in listed:
            yield task

    return renders.RenderCalls(create=create, upload=upload, submit=submit, task_info=task_info,
                               list_tasks=list_tasks)


SUBMITTED = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)


async def test_a_listed_created_task_is_resumed_not_created_again() -> None:
    created = info(7, labels=("render-key:k",), task_status=TaskStatus.WAITING)
    other = info(5, labels=("render-key:k",), task_status=TaskStatus.WAITING)
    log: list[str] = []
    lookup = await renders.find_render("k", list_tasks=calls([other, created], [], log).list_tasks)
    assert (lookup.task_id, lookup.submitted, lookup.status) == (7, False, TaskStatus.WAITING)  # the newest
    log.clear()
    submitted = info(7, labels=("render-key:k",), task_status=TaskStatus.ANALYSE, submit_date=SUBMITTED)
    task_id = await renders.submit_render({"task.json": "{}"}, task_id=None, render_key="k", labels=None,
                                          calls=calls([other, created], [created, submitted], log))
    assert task_id == 7
    assert log == ["list", "read [7]", "upload 7 task.json", "submit 7", "read [7]"]  # read back once submitted


async def test_a_submit_answered_done_that_the_service_does_not_show_is_made_again() -> None:
    log: list[str] = []
    waiting = info(7, task_status=TaskStatus.WAITING)
    analysing = info(7, task_status=TaskStatus.ANALYSE, submit_date=SUBMITTED)
    assert await renders.submit_render({"task.json": "{}"}, task_id=7, render_key=None, labels=None,
                                       calls=calls([], [waiting, waiting, analysing], log)) == 7
    assert log == ["read [7]", "upload 7 task.json", "submit 7", "read [7]", "submit 7", "read [7]"]
    log.clear()
    with pytest.raises(errors.RequestOutcomeUnknownError) as caught:
        await renders.submit_render({"task.json": "{}"}, task_id=7, render_key=None, labels=None,
                                    calls=calls([], [waiting] * 4, log))
    assert log.count("submit 7") == renders.SUBMIT_ATTEMPTS
    assert "answered done" in str(caught.value)


async def test_the_submitted_task_of_a_key_wins_over_created_ones() -> None:
    submitted = info(3, labels=("render-key:k",), task_status=TaskStatus.RENDERING, submit_date=SUBMITTED)
    created = info(9, labels=("render-key:k", "x"), task_status=TaskStatus.WAITING)
    lookup = await renders.find_render("k", list_tasks=calls([created, submitted], [], []).list_tasks)
    assert (lookup.task_id, lookup.submitted) == (3, True)


async def test_already_submitted_is_success_once_the_service_shows_it() -> None:
    refusal = errors.FailError(100, "task 7 has already been submitted", path="/api/render/submit/task")
    log: list[str] = []
    waiting = info(7, task_status=TaskStatus.WAITING)
    analysing = info(7, task_status=TaskStatus.ANALYSE, submit_date=SUBMITTED)
    task_id = await renders.submit_render({"task.json": "{}"}, task_id=7, render_key=None, labels=None,
                                          calls=calls([], [waiting, analysing], log, refusal))
    assert task_id == 7
    assert log == ["read [7]", "upload 7 task.json", "submit 7", "read [7]"]


async def test_a_refusal_the_state_does_not_explain_is_raised() -> None:
    refusal = errors.FailError(100, "no quota", path="/api/render/submit/task")
    waiting = info(7, task_status=TaskStatus.WAITING)
    log: list[str] = []
    with pytest.raises(errors.FailError) as caught:
        await renders.submit_render({"task.json": "{}"}, task_id=7, render_key=None, labels=None,
                                    calls=calls([], [waiting, waiting], log, refusal))
    assert log.count("submit 7") == 1  # a definite refusal is not sent again
    assert "shows the task not submitted" in "".join(caught.value.__notes__)


@pytest.mark.parametrize(("fields", "submitted"), [
    ({"task_status": TaskStatus.WAITING}, False),
    ({"task_status": TaskStatus.WAITING_LEGACY}, False),
    ({}, False),
    ({"task_status": TaskStatus.WAITING, "submit_date": SUBMITTED}, True),  # submitted, queued
    ({"task_status": TaskStatus.ANALYSE}, True),
    ({"task_status": TaskStatus.ABANDON}, True),
])
def test_is_submitted_reads_the_submit_date_and_the_status(fields: dict[str, Any], submitted: bool) -> None:
    assert renders.is_submitted(info(1, **fields)) is submitted
