"""Renders that survive crashes: a submit that is safe to retry, and a caller-chosen render key to find it by.

A render takes three steps: ``createTask`` hands out a task id, ``taskJsonFile`` uploads task.json
(and upload/asset/tips.json), ``submitTask`` submits. **The farm renders a task only after
submitTask**: a task id that was created and never submitted is never rendered (nor billed), it stays
``WAITING`` with no submit date. That makes the steps safe to repeat for one task id:

* uploading is idempotent (the file is replaced);
* the service refuses a second ``submitTask`` of the same task (``FailError`` 100, "already
  submitted"), so resubmitting one id can never render it twice. Here that refusal is read through
  the task's state: a task the service shows submitted is success;
* after a submit whose outcome is unknown, the task's state tells whether it happened
  (:func:`is_submitted`), so the SDK reads it before reporting anything, and submits again if the
  service shows it was not.

What can render one job twice is a second task id: a worker that crashed after submitting, or did not
learn the id of the task it created, and whose retry creates another. The **render key** closes that
gap: caller-chosen text, attached to the task at create time as the label ``render-key:<key>``
(createTask's ``labels``, the documented custom tags; :data:`RENDER_KEY_LABEL`). A keyed submit
first looks the key up and resumes the task it finds instead of creating one.

Where the key lives, and what that costs (the documents are the basis; the service is not):

* ``labels`` is sent with createTask and returned in queryTaskInfo's ``TaskInfo`` (``labels``), so a
  task carries the key from the moment it exists. getTaskList's items do not carry it (no example of
  the documents has it; the official SDK's facts list it for queryTaskInfo only), so the client's
  lookup reads each page of listed tasks again through queryTaskInfo (:func:`labelled_tasks`: one
  read per :data:`PAGE_SIZE` listed tasks). ``artist``/``producer`` were the alternatives; they hold
  the person's name the farm shows, and ``producer`` is replaced at submit.
* ``getTaskList``'s ``searchKeyword`` is documented to search the scene name or the task id (the
  protocol: "the name of the multiple frames rendered on one machine"), not labels. A lookup that
  trusted it to find a label could answer "not found" for a submitted render and submit it again, so
  :func:`find_render` reads the live task list page by page (:data:`PAGE_SIZE` per page) and matches
  the label exactly: one listing per keyed submit without a task id, as many pages (each with its
  queryTaskInfo read) as the account has tasks in its list. Tasks in the recycle bin are not looked at.
* The task list may leave out tasks that were created and never submitted (the simulator does). Then
  a key whose task was created but not submitted is "not found", and the keyed submit creates another
  id; the first one is never submitted, so never rendered.
* The service may keep label names as account-wide labels (the simulator makes each a project), and
  may fold their case: keys are lowercase ASCII (:func:`check_render_key`), so two keys that differ
  only in case cannot name one label.

What remains: one key is for one caller at a time (a durable engine's job or activity): two callers
submitting the same key at the same moment both find nothing and both create. And a worker killed while
its ``submitTask`` is in flight, with the service processing that request only after another worker's
lookup read the list, can lead to two submitted tasks; the window is the service's processing time of
one request.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any

import attrs

from .._arguments import checked_binding
from .._retry import RetryPolicy
from ..errors import (
    APIError,
    ClientClosedError,
    InvalidInputError,
    RayvisionError,
    RequestOutcomeUnknownError,
    ServerError,
)
from ..models import CreatedTasks, TaskInfo, TaskInfoPage, TaskStatus
from ..models._checks import install as install_checks
from ._bulk import FATAL_ERRORS, TasksNotFoundError
from ._submit import created_task_id

__all__ = ["MAX_RENDER_KEY_LENGTH", "PAGE_SIZE", "RENDER_KEY_LABEL", "DuplicateRenderError", "RenderCalls",
           "RenderLookup", "RenderOutcomeUnknownError", "already_submitted", "check_render_key", "create_labels",
           "create_task", "find_render", "is_submitted", "labelled_tasks", "read_task", "render_keys_of",
           "submit_render", "submit_task"]

#: The label that carries a render key: ``RENDER_KEY_LABEL + key``.
RENDER_KEY_LABEL = "render-key:"
#: The longest render key accepted.
MAX_RENDER_KEY_LENGTH = 100
#: Tasks per page when :func:`find_render` reads the task list.
PAGE_SIZE = 100
#: A keyed submit creates at most this many task ids when createTask's outcome stays unknown.
CREATE_ATTEMPTS = 3
#: Submits of one task id at most, while the service shows it not submitted after an unknown outcome.
SUBMIT_ATTEMPTS = 3
#: Reads of a task's state to settle an unknown outcome (each made with the client's own retries).
STATE_READS = 3
_READ_BACKOFF = RetryPolicy(initial_delay=0.5, max_delay=4.0)

#: Failures of a creating call after which the work may have been done: no answer, or the service's
#: internal error (code 500), which it may send after doing the work.
_MAY_HAVE_HAPPENED = (RequestOutcomeUnknownError, ServerError)

_KEY = re.compile(r"[a-z0-9][a-z0-9._:@/-]*")
_WAITING = (TaskStatus.WAITING, TaskStatus.WAITING_LEGACY)


class DuplicateRenderError(RayvisionError, LookupError):
    """More than one submitted task carries the render key: ``task_ids`` lists them (newest first).

    The SDK never submits two tasks for one key; this means the key was reused for another job, or
    a task was submitted twice in the window the module docstring describes. Nothing was sent.
    """

    def __init__(self, render_key: str, task_ids: Iterable[int]) -> None:
        self.render_key = render_key
        self.task_ids = tuple(task_ids)
        super().__init__(f"render key {render_key!r} is carried by {len(self.task_ids)} submitted tasks: "
                         f"{', '.join(map(str, self.task_ids))}")


class RenderOutcomeUnknownError(RequestOutcomeUnknownError):
    """The service could not tell whether the render was submitted: its state could not be read.

    Raised only when a submit may have been made (its answer was lost, or it was answered done and
    is being confirmed) and every read of the task's state that would tell failed too. ``task_id``
    and ``render_key`` are what recovery needs: call ``submit_task_json(..., task_id=error.task_id)``
    (or with ``render_key=error.render_key``) again once the service answers; it submits only if the
    task is not submitted.
    """

    def __init__(self, message: str, *, task_id: int, render_key: str | None, path: str | None = None) -> None:
        super().__init__(message, path=path)
        self.task_id = task_id
        self.render_key = render_key


@attrs.frozen(kw_only=True)
class RenderLookup:
    """What the service shows for a render key (:meth:`~rayvision_async.AsyncRayvisionAPI.find_render`).

    ``task_id`` is None when no task carries the key. ``submitted`` is True when that task was
    submitted (it renders, or has rendered); False for a task created and never submitted, which is
    never rendered. ``status`` and ``task`` are the task's as listed.
    """

    #: The render key looked up.
    render_key: str
    #: The task carrying the key; None when none does.
    task_id: int | None = None
    #: Whether that task was submitted (it renders, or has rendered).
    submitted: bool = False
    #: Its status, as the lookup read it.
    status: TaskStatus | None = None
    #: The task, as the lookup read it.
    task: TaskInfo | None = None

    @property
    def found(self) -> bool:
        """A task carries the key."""
        return self.task_id is not None

    @classmethod
    @checked_binding()
    def of(cls, render_key: str, task: TaskInfo | None) -> RenderLookup:
        """The lookup answer for ``task`` (None: not found); ``render_key`` is checked as a key."""
        check_render_key(render_key)
        if task is not None and not isinstance(task, TaskInfo):
            raise InvalidInputError(f"task must be a TaskInfo (or None), not {type(task).__name__}")
        if task is None:
            return cls(render_key=render_key)
        return cls(render_key=render_key, task_id=task.id, submitted=is_submitted(task), status=task.task_status,
                   task=task)


install_checks(RenderLookup)  # built by hand (a test's stand-in answer), it refuses wrong types too


@attrs.frozen(kw_only=True)
class RenderCalls:
    """The endpoint calls a render makes (the client passes its own).

    ``create(labels)`` creates one task id with those labels (None: none), ``upload(task_id, text,
    file_name)``, ``submit(task_id)``, ``task_info(ids)`` reads tasks by id and ``list_tasks()`` pages
    through the live task list.
    """

    create: Callable[[list[str] | None], Awaitable[CreatedTasks]]
    upload: Callable[[int, str, str], Awaitable[None]]
    submit: Callable[[int], Awaitable[None]]
    task_info: Callable[[list[int]], Awaitable[TaskInfoPage]]
    list_tasks: Callable[[], AsyncIterator[TaskInfo]]


# -- the key -----------------------------------------------------------------------------------------


@checked_binding()
def check_render_key(render_key: object) -> str:
    """``render_key`` if it is one (1–100 of ``a-z 0-9 . _ : @ / -``, starting with a letter or digit)."""
    if not isinstance(render_key, str):
        raise InvalidInputError(f"render_key must be a str, got {type(render_key).__name__}")
    if not render_key:
        raise InvalidInputError("render_key must not be empty")
    if len(render_key) > MAX_RENDER_KEY_LENGTH:
        raise InvalidInputError(f"render_key is longer than {MAX_RENDER_KEY_LENGTH} characters")
    if _KEY.fullmatch(render_key) is None:
        raise InvalidInputError(
            f"render_key {render_key[:40]!r} may hold only lowercase letters, digits and . _ : @ / - (starting with "
            "a letter or digit): the service keeps it as a label name, which it may trim or compare ignoring case")
    return render_key


def create_labels(labels: object, render_key: str | None) -> list[str] | None:
    """createTask's ``labels``: the caller's, plus the render key's label (None when there are none)."""
    if labels is None:
        given: list[Any] = []
    elif isinstance(labels, list | tuple):
        given = list(labels)
    else:
        raise InvalidInputError(f"labels must be a list of label names, got {type(labels).__name__}")
    if any(isinstance(label, str) and label.startswith(RENDER_KEY_LABEL) for label in given):
        raise InvalidInputError(f"labels starting with {RENDER_KEY_LABEL!r} carry render keys: pass render_key=")
    if render_key is not None:
        given.append(RENDER_KEY_LABEL + render_key)
    return given or None


def render_keys_of(task: TaskInfo) -> frozenset[str]:
    """The render keys ``task`` carries (normally at most one)."""
    return frozenset(label[len(RENDER_KEY_LABEL):] for label in task.labels if label.startswith(RENDER_KEY_LABEL))


def is_submitted(task: TaskInfo) -> bool:
    """True if the service shows ``task`` submitted: a submit date, or a status other than waiting.

    A created, never-submitted task is ``WAITING`` (0) with no submit date; a submitted task gets
    its submit date, and analyses (50) or renders from there.
    """
    return task.submit_date is not None or (task.task_status is not None and task.task_status not in _WAITING)


# -- lookups -----------------------------------------------------------------------------------------


async def find_render(render_key: str, *, list_tasks: Callable[[], AsyncIterator[TaskInfo]]) -> RenderLookup:
    """The task carrying ``render_key``, read from the live task list (see the module docstring).

    Among several tasks with the key, the submitted one is the render; two submitted ones raise
    :class:`DuplicateRenderError`; with none submitted, the newest created one is the one to resume
    (the others are never rendered).
    """
    label = RENDER_KEY_LABEL + check_render_key(render_key)
    carriers = [task async for task in list_tasks() if label in task.labels]
    submitted = sorted((task for task in carriers if is_submitted(task)), key=lambda task: task.id, reverse=True)
    if len(submitted) > 1:
        raise DuplicateRenderError(render_key, (task.id for task in submitted))
    if submitted:
        return RenderLookup.of(render_key, submitted[0])
    return RenderLookup.of(render_key, max(carriers, key=lambda task: task.id, default=None))


async def labelled_tasks(listed: AsyncIterable[TaskInfo], task_info: Callable[[list[int]], Awaitable[TaskInfoPage]]
                         ) -> AsyncIterator[TaskInfo]:
    """The ``listed`` tasks as queryTaskInfo shows them, with their ``labels`` (getTaskList's items lack them).

    :data:`PAGE_SIZE` ids per read; a task the read does not return (deleted meanwhile) is yielded as listed.
    """
    batch: list[TaskInfo] = []
    async for task in listed:
        batch.append(task)
        if len(batch) == PAGE_SIZE:
            for read in await _read_again(batch, task_info):
                yield read
            batch = []
    for read in await _read_again(batch, task_info):
        yield read


async def _read_again(batch: list[TaskInfo], task_info: Callable[[list[int]], Awaitable[TaskInfoPage]]
                      ) -> list[TaskInfo]:
    ids = [task.id for task in batch if task.id is not None]
    if not ids:
        return batch
    found = {task.id: task for task in (await task_info(ids)).items}
    return [found.get(task.id, task) for task in batch]


async def read_task(task_id: int, *, task_info: Callable[[list[int]], Awaitable[TaskInfoPage]]) -> TaskInfo | None:
    """The task with ``task_id`` as the service shows it now (None: it does not know it)."""
    page = await task_info([task_id])
    return next((task for task in page.items if task.id == task_id), None)


async def _settle(task_id: int, render_key: str | None, calls: RenderCalls, cause: Exception | None) -> TaskInfo | None:
    """Read the task after ``cause`` left its outcome unknown (None: after a submit answered done).

    :class:`RenderOutcomeUnknownError` if no read succeeds.
    """
    failure: Exception | None = cause
    for read in range(1, STATE_READS + 1):
        try:
            return await read_task(task_id, task_info=calls.task_info)
        except Exception as error:  # any failure to read leaves the outcome unknown
            failure = error
            if isinstance(error, FATAL_ERRORS) or read == STATE_READS:
                break
        await asyncio.sleep(_READ_BACKOFF.delay(read))
    what = ("submitTask was answered done" if cause is None
            else f"the outcome of {type(cause).__name__} ({cause}) is unknown")
    unknown = RenderOutcomeUnknownError(
        f"task {task_id}{_key_text(render_key)}: {what} and the task's state could not be read to tell "
        f"({type(failure).__name__}: {failure}); call submit_task_json again with "
        f"task_id={task_id}" + (f" or render_key={render_key!r}" if render_key else "")
        + " once the service answers: it submits only a task that is not submitted",
        task_id=task_id, render_key=render_key, path=getattr(cause, "path", None))
    raise unknown from cause


def _key_text(render_key: str | None) -> str:
    return f" (render key {render_key!r})" if render_key else ""


# -- the steps ---------------------------------------------------------------------------------------


async def create_task(labels: list[str] | None, render_key: str | None, calls: RenderCalls) -> tuple[int, bool]:
    """A task id for the render: (id, True) when created here, (id, False) for a keyed task found instead."""
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            created = await calls.create(labels)
        except _MAY_HAVE_HAPPENED as exc:
            if render_key is None and isinstance(exc, ServerError):
                raise
            if render_key is None:
                exc.add_note("nothing was submitted (a task id it may have created is never rendered); calling "
                             "again is safe. Pass render_key= so that a retry after a crash cannot submit twice")
                raise
            try:
                found = await find_render(render_key, list_tasks=calls.list_tasks)
            except Exception as error:  # reported with the create's error
                exc.add_note(f"the render key {render_key!r} could not be looked up ({type(error).__name__}: "
                             f"{error}); nothing was submitted: call again with the same render_key")
                raise exc from None
            if found.task_id is not None:
                return found.task_id, False
            if attempt == CREATE_ATTEMPTS:
                exc.add_note(f"no task carries render key {render_key!r} after {attempt} createTask attempts that "
                             "may have been processed: nothing was submitted; call again with the same render_key")
                raise
            continue
        return created_task_id(created), True  # an id that is none is an unknown outcome, not bad input
    raise AssertionError("unreachable")  # pragma: no cover


async def submit_task(task_id: int, render_key: str | None, calls: RenderCalls) -> None:
    """Submit ``task_id`` until the service shows it submitted; settle failed submits by reading its state.

    After any failure of a request that was sent (an unknown outcome, "already submitted", an
    internal error…) the task is read: shown submitted is success. Shown not submitted after a
    failure that may have been processed (:data:`_MAY_HAVE_HAPPENED`): submitted again, up to
    :data:`SUBMIT_ATTEMPTS` times. Any other refusal is raised, with what the service showed.

    A submit answered as done is read back too: the SDK takes any reply of submitTask as done (its
    data is null), so a reply that says so for a submit the service never made would otherwise lose
    the render. Shown not submitted, it is submitted again.
    """
    for attempt in range(1, SUBMIT_ATTEMPTS + 1):
        error: Exception | None = None
        try:
            await calls.submit(task_id)
        except (InvalidInputError, ClientClosedError):  # nothing was sent
            raise
        except (RequestOutcomeUnknownError, APIError) as exc:
            error = exc
        task = await _settle(task_id, render_key, calls, error)
        if task is not None and is_submitted(task):
            return  # submitted: by this attempt, by one whose answer was lost, or "already submitted"
        if error is None:  # answered done, shown not submitted: a submit it did not make
            error = RequestOutcomeUnknownError(
                f"submitTask of task {task_id} was answered done, but the service shows the task not submitted")
        if not isinstance(error, _MAY_HAVE_HAPPENED) or task is None or attempt == SUBMIT_ATTEMPTS:
            shown = "does not know the task" if task is None else "shows the task not submitted"
            error.add_note(f"the service {shown} (read after the error)")
            raise error
        # Shown not submitted after a failure that may have been processed: submit again. The service
        # refuses a second submit of one task, so even a late first one cannot make this render twice.
    raise AssertionError("unreachable")  # pragma: no cover


async def already_submitted(task_id: int, render_key: str | None, calls: RenderCalls) -> bool:
    """Whether the service shows ``task_id`` submitted, before resuming it (it must exist, and carry the key).

    :class:`~._bulk.TasksNotFoundError` when the service does not know the task; InvalidInputError
    when it carries another render key.
    """
    task = await read_task(task_id, task_info=calls.task_info)
    if task is None:
        raise TasksNotFoundError([task_id])
    keys = render_keys_of(task)
    if render_key is not None and keys and render_key not in keys:
        raise InvalidInputError(f"task {task_id} carries render key(s) {sorted(keys)}, not {render_key!r}")
    return is_submitted(task)


async def _resume(task_id: int, files: Mapping[str, str], render_key: str | None, calls: RenderCalls, *,
                  fresh: bool) -> int:
    """Upload the files and submit ``task_id`` unless the service shows it submitted (``fresh``: just created)."""
    if not fresh and await already_submitted(task_id, render_key, calls):
        return task_id
    for file_name, text in files.items():
        try:
            await calls.upload(task_id, text, file_name)
        except APIError as exc:  # refused: perhaps submitted meanwhile
            task = await _settle(task_id, render_key, calls, exc)
            if task is not None and is_submitted(task):
                return task_id
            raise
    await submit_task(task_id, render_key, calls)
    return task_id


async def submit_render(files: Mapping[str, str], *, task_id: int | None, render_key: str | None,
                        labels: list[str] | None, calls: RenderCalls) -> int:
    """Make sure the render is submitted once; its task id.

    ``files`` (task.json first) are uploaded as given. With ``task_id``: upload and submit it unless
    the service shows it submitted. Else with ``render_key``: resume the task carrying the key, or
    create one with ``labels`` (which carry the key). Without either: create, upload, submit. A
    failure once a task id exists carries a note naming it.
    """
    created = False
    try:
        if task_id is None and render_key is not None:
            try:
                found = await find_render(render_key, list_tasks=calls.list_tasks)
            except DuplicateRenderError:
                raise
            except Exception as exc:
                exc.add_note(f"render key {render_key!r} could not be looked up: nothing was created or submitted; "
                             "call again with the same render_key")
                raise
            if found.submitted and found.task_id is not None:
                return found.task_id
            task_id = found.task_id
        if task_id is None:
            task_id, created = await create_task(labels, render_key, calls)
        return await _resume(task_id, files, render_key, calls, fresh=created)
    except Exception as exc:
        if task_id is not None and not isinstance(exc, RenderOutcomeUnknownError | InvalidInputError
                                                  | TasksNotFoundError):
            exc.add_note(f"task id {task_id} was {'created' if created else 'resumed'}{_key_text(render_key)}; pass "
                         f"task_id={task_id} to resume")
        raise

