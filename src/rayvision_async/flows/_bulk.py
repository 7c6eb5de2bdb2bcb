"""Many tasks at once: ``poll``, ``watch`` and ``wait``.

``poll`` asks ``queryTaskInfo`` for up to ``batch_size`` ids per request
(default 100) and runs the batches concurrently under the client's concurrency
cap. ``watch`` polls on an interval and yields a :class:`TaskEvent` whenever a
task's status or frame counts change; within a round it asks failed batches
again, and only a round with no batch answered counts as failed. ``wait`` watches until the tasks reach a
terminal status (:data:`~rayvision_async.models.TERMINAL_TASK_STATUSES`).

None of these leaves a background task behind: every request runs inside the
awaiting coroutine, so cancelling it cancels them.

They are fair to the rest of the event loop. Their requests go on the client's
bulk lane, which holds at most a share of the connection slots
(:func:`~rayvision_async._request.bulk_slots`: 28 of 32), so single calls made
meanwhile find a free slot; each big reply is decoded and structured in its own
turn, one per loop iteration (:mod:`rayvision_async._turns`); and their own work
over all ids (checking them, merging results, comparing states) runs in slices of
:data:`SLICE` ids with a yield to the loop between two slices.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import cast

import attrs

from .. import errors
from .._arguments import awaited_result, checked_binding
from ..api import _kinds as kinds
from ..errors import InvalidInputError, RayvisionError
from ..models import TaskInfo, TaskInfoPage, TaskStatus
from ..models._checks import install as install_checks

__all__ = ["FetchBatch", "PartialPollError", "PollBatch", "PollResult", "TaskEvent", "TasksNotFoundError",
           "WaitTimeoutError", "Watcher", "poll", "wait"]

#: Ask the service for the tasks of one batch of ids (the client's ``query.task_info``).
FetchBatch = Callable[[list[int]], Awaitable[TaskInfoPage]]
#: Poll a list of ids in batches of the given size, keeping failed batches in ``failed`` (the client's
#: ``poll(..., partial=True)``).
PollBatch = Callable[[list[int], int], Awaitable["PollResult"]]

#: Failures that say the client itself cannot go on (closed, bad settings, credentials refused):
#: ``poll`` sends no further batch after one, and ``watch`` raises at once.
FATAL_ERRORS: tuple[type[Exception], ...] = (
    errors.ClientClosedError, errors.InvalidInputError, errors.LoginRequiredError, errors.SignatureInvalidError,
    errors.IPProhibitedError, errors.RegionMismatchError, errors.PermissionDeniedError)

#: How many times a ``watch`` round asks again for the ids of its failed batches (each batch request
#: already made its own attempts under the client's retry policy).
ROUND_RETRIES = 2

#: The TaskInfo fields whose change makes ``watch`` emit an event.
WATCHED_FIELDS = ("task_status", "total_frames", "done_frames", "failed_frames", "executing_frames",
                  "abort_frames")

#: Ids a poll or watch handles in its own loops (checks, merges) between two yields to the event loop:
#: a few milliseconds of work at most.
SLICE = 4096


class TasksNotFoundError(RayvisionError, LookupError):
    """``wait`` gave up on tasks the service did not return for ``missing_rounds`` polls in a row."""

    def __init__(self, task_ids: Iterable[int]) -> None:
        self.task_ids = frozenset(task_ids)
        shown = ", ".join(map(str, sorted(self.task_ids)[:10])) + (" …" if len(self.task_ids) > 10 else "")
        super().__init__(f"the service does not know {len(self.task_ids)} task(s): {shown}")


class WaitTimeoutError(RayvisionError, TimeoutError):
    """``wait`` ran out of time; ``last_known`` holds each task's last seen state (None if never seen)."""

    def __init__(self, timeout: float, last_known: Mapping[int, TaskInfo | None]) -> None:
        pending = sorted(task_id for task_id, task in last_known.items() if task is None or not _terminal(task))
        shown = ", ".join(map(str, pending[:10])) + (" …" if len(pending) > 10 else "")
        super().__init__(f"{len(pending)} task(s) not finished after {timeout:g} s: {shown}")
        self.timeout = timeout
        self.last_known = dict(last_known)


class PartialPollError(RayvisionError):
    """Some batches of a ``poll`` failed: ``result`` holds every task obtained, ``failed`` each failed id's error.

    ``result.missing`` lists only ids of batches that succeeded. The first
    failure is the ``__cause__``; ``errors`` lists each distinct failure once.
    """

    def __init__(self, result: PollResult) -> None:
        self.result = result
        self.failed: Mapping[int, Exception] = result.failed
        self.errors: list[Exception] = list({id(error): error for error in result.failed.values()}.values())
        first = self.errors[0] if self.errors else None
        self.__cause__ = first
        super().__init__(f"{len(self.failed)} of {len(self.failed) + len(result.tasks) + len(result.missing)} "
                         f"id(s) could not be polled ({len(self.errors)} failed batch(es); first: "
                         f"{type(first).__name__}: {first}); {len(result.tasks)} task(s) obtained are in .result")


#: One frozenset per combination of changed fields, shared by every event with those changes.
_CHANGES: dict[tuple[str, ...], frozenset[str]] = {}
_ALL_CHANGED = frozenset(WATCHED_FIELDS)


def _changes(task: TaskInfo, previous: TaskInfo | None) -> frozenset[str]:
    """The watched fields that differ between ``previous`` and ``task`` (all of them when there is no previous)."""
    if previous is None:
        return _ALL_CHANGED
    names = tuple(name for name in WATCHED_FIELDS if getattr(task, name) != getattr(previous, name))
    shared = _CHANGES.get(names)
    if shared is None:
        shared = _CHANGES[names] = frozenset(names)
    return shared


def _fatal(result: PollResult) -> bool:
    return any(isinstance(error, FATAL_ERRORS) for error in result.failed.values())


def _terminal(task: TaskInfo) -> bool:
    status = task.task_status
    return status is not None and status.is_terminal


@attrs.frozen
class PollResult:
    """The current state of polled tasks.

    ``tasks`` by id (in the order asked), ``missing``: ids the service did not
    return, ``failed``: ids whose batch failed, each with its batch's error
    (only ever non-empty with ``poll(..., partial=True)``; otherwise a failed
    batch raises :class:`PartialPollError`).
    """

    tasks: Mapping[int, TaskInfo]
    missing: frozenset[int]
    failed: Mapping[int, Exception] = attrs.field(factory=dict)

    @property
    def complete(self) -> bool:
        """Every id was asked successfully (``failed`` is empty)."""
        return not self.failed

    def __getitem__(self, task_id: int) -> TaskInfo:
        return self.tasks[task_id]

    def __len__(self) -> int:
        return len(self.tasks)


@attrs.frozen
class TaskEvent:
    """A change seen by ``watch``: the task now, as it was before (None the first time), and what changed."""

    task: TaskInfo
    previous: TaskInfo | None
    changes: frozenset[str]

    @property
    def task_id(self) -> int:
        """The task's id."""
        return self.task.id

    @property
    def previous_status(self) -> TaskStatus | None:
        """The status before this change (None on the first event, or when the service sent none)."""
        return None if self.previous is None else self.previous.task_status

    @property
    def is_terminal(self) -> bool:
        """True if the task has ended (its status is one of ``TERMINAL_TASK_STATUSES``)."""
        return _terminal(self.task)


#: The argument kinds of the endpoint table (:mod:`rayvision_async.api._kinds`), reused here: task ids
#: are Long; a poll is split into batches, so it may hold ten times the default list cap.
_TASK_IDS = kinds.list_of(kinds.integer(1, width=kinds.INT64), nonempty=False, max_items=10 * kinds.MAX_LIST_ITEMS)
_BATCH_SIZE = kinds.integer(1, 1000)
_ROUNDS = kinds.integer(1, 1_000_000)


def _check_flag(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidInputError(f"{name} must be a bool, got {type(value).__name__}")


def _unique_ids(task_ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(_TASK_IDS.check(task_ids, "task_ids")))


def _check_batch_size(batch_size: int) -> None:
    _BATCH_SIZE.check(batch_size, "batch_size")


def _check_positive(name: str, value: float, *, low: float, high: float) -> None:
    kinds.number(low, high).check(value, name)


async def poll(
    fetch: FetchBatch, task_ids: Iterable[int], *, batch_size: int, concurrency: int, partial: bool = False,
) -> PollResult:
    """The current :class:`TaskInfo` of every id, fetched in batches with at most ``concurrency`` in flight.

    Duplicated ids are asked once. Child tasks are found inside their parent
    too. Ids the service does not return are in ``missing``. A failed batch
    does not stop the others (their results are kept); after a failure in
    :data:`FATAL_ERRORS` no further batch is sent and the ids not yet asked
    fail with it. Any failure → :class:`PartialPollError` carrying every
    result obtained, or with ``partial=True`` the result with ``failed`` set.
    """
    checked = _TASK_IDS.check(task_ids, "task_ids")  # a list, tuple or range of ints: at C speed
    _check_batch_size(batch_size)
    if not isinstance(partial, bool):
        raise errors.InvalidInputError("partial must be True or False")
    await asyncio.sleep(0)  # each step over all ids is a few ms at most (100,000 ids); others run between them
    # One dict, in the order asked, is both the set of wanted ids and the result (None: not seen yet);
    # a 100,000-id poll holds no second mapping, set or per-task tuple.
    found: dict[int, TaskInfo | None] = dict.fromkeys(checked)
    del checked
    await asyncio.sleep(0)
    ids = list(found)
    failed: dict[int, Exception] = {}
    batches = deque(ids[start:start + batch_size] for start in range(0, len(ids), batch_size))
    await asyncio.sleep(0)

    async def worker() -> None:
        while batches:
            batch = batches.popleft()
            try:
                page = await fetch(batch)
            except Exception as error:  # kept per id; CancelledError is not an Exception
                failed.update(dict.fromkeys(batch, error))
                if isinstance(error, FATAL_ERRORS):
                    while batches:
                        failed.update(dict.fromkeys(batches.popleft(), error))
                continue
            for task in page.items:
                if task.id in found:
                    found[task.id] = task
                for child in task.resp_rendering_task_list:
                    if child.id in found:
                        found[child.id] = child

    async with asyncio.TaskGroup() as group:
        for index in range(min(len(batches), concurrency)):
            if index:
                await asyncio.sleep(0)  # one worker's first request per loop iteration, not dozens in one
            group.create_task(worker())
    unseen = []
    for start in range(0, len(ids), SLICE):
        if start:
            await asyncio.sleep(0)
        unseen += [task_id for task_id in ids[start:start + SLICE] if found[task_id] is None]
    for task_id in unseen:
        del found[task_id]
    tasks = cast("dict[int, TaskInfo]", found)
    for task_id in [task_id for task_id in failed if task_id in tasks]:
        del failed[task_id]  # a task found inside another batch's parent is not a failure
    result = PollResult(tasks, frozenset(task_id for task_id in unseen if task_id not in failed),
                        {task_id: failed[task_id] for task_id in ids if task_id in failed} if failed else {})
    if result.failed and not partial:
        raise PartialPollError(result)
    return result


async def wait(
    watch: Callable[[list[int], float], Watcher], task_ids: int | Iterable[int], *, timeout: float | None,
    interval: float,
) -> TaskInfo | dict[int, TaskInfo]:
    """Watch until every task is terminal; the final state(s), one if ``task_ids`` is a single int."""
    single = isinstance(task_ids, int) and not isinstance(task_ids, bool)
    ids = _unique_ids([task_ids] if isinstance(task_ids, int) else task_ids)
    if timeout is not None:
        _check_positive("timeout", timeout, low=0.001, high=30 * 86400)
    watcher = watch(ids, interval)
    try:
        async with asyncio.timeout(timeout):
            async for _ in watcher:
                pass
    except TimeoutError:
        last = {task_id: watcher.states.get(task_id) for task_id in ids}
        raise WaitTimeoutError(timeout or 0.0, last) from None
    finally:
        await watcher.aclose()
    if watcher.lost:
        raise TasksNotFoundError(watcher.lost)
    final = {task_id: watcher.states[task_id] for task_id in ids}
    return final[ids[0]] if single else final


class Watcher:
    """The async iterator returned by ``watch``: polls ``poll_batch`` every ``interval`` seconds.

    Partial failure is expected with thousands of tasks (100 batches a round):
    within a round, the ids of failed batches are asked again up to
    :data:`ROUND_RETRIES` times after a short back-off. Tasks whose batch still
    failed keep their last known state and are asked again next round; their
    changes are reported then, once. A round *fails* only when no batch of it
    was answered; ``max_failed_rounds`` failed rounds in a row raise
    :class:`PartialPollError`. So does a failure that sticks to some tasks
    while others are answered: a task whose batch failed in
    ``max_failed_rounds`` rounds in a row. A failure in :data:`FATAL_ERRORS`
    raises at once (and is not retried). The error is raised only after every
    event already seen has been yielded.
    ``on_end`` (if given) is called once when the watch ends: with None when it
    ran out or was closed, with the error it raised otherwise.
    """

    @checked_binding()
    def __init__(
        self, poll_batch: PollBatch, task_ids: Iterable[int], *, interval: float, until_terminal: bool,
        batch_size: int, missing_rounds: int | None = 3, max_failed_rounds: int = 3,
        on_end: Callable[[BaseException | None], None] | None = None,
    ) -> None:
        if not callable(poll_batch):
            raise InvalidInputError(f"poll_batch must be an async function, not a {type(poll_batch).__name__}")
        _check_positive("interval", interval, low=0.001, high=86400)
        _check_batch_size(batch_size)
        _check_flag("until_terminal", until_terminal)
        _ROUNDS.check(max_failed_rounds, "max_failed_rounds")
        if missing_rounds is not None:
            _ROUNDS.check(missing_rounds, "missing_rounds")
        if on_end is not None and not callable(on_end):
            raise InvalidInputError("on_end must be a callable or None")
        self._on_end = on_end
        self._max_failed_rounds = max_failed_rounds
        self._failed_in_a_row = 0
        self._failure_streaks: dict[int, int] = {}
        self._error: PartialPollError | None = None
        self._poll = poll_batch
        self._interval = float(interval)
        self._until_terminal = until_terminal
        self._batch_size = batch_size
        self._active: dict[int, None] = dict.fromkeys(_unique_ids(task_ids))
        self._events: deque[TaskEvent] = deque()
        self._next_round = 0.0
        self._closed = False
        self._wake = asyncio.Event()
        self._missing_rounds = missing_rounds
        self._missing_count: dict[int, int] = {}
        #: Ids dropped because the service did not return them for ``missing_rounds`` polls in a row.
        self.lost: set[int] = set()
        #: The last state seen of every watched task.
        self.states: dict[int, TaskInfo] = {}
        #: Ids the service did not return in the last round.
        self.missing: frozenset[int] = frozenset()
        #: Polling rounds made so far.
        self.rounds = 0
        #: Ids whose batch failed in the last round (their ``states`` are from an earlier round).
        self.failed: Mapping[int, Exception] = {}
        #: Ids asked again within their round because their batch had failed, in total.
        self.asked_again = 0

    @checked_binding()
    def add(self, task_ids: Iterable[int]) -> None:
        """Watch more tasks (from the next polling round)."""
        for task_id in _unique_ids(task_ids):
            self._active.setdefault(task_id, None)

    @property
    def watching(self) -> frozenset[int]:
        """Ids still watched (not yet terminal)."""
        return frozenset(self._active)

    def __aiter__(self) -> AsyncIterator[TaskEvent]:
        return self

    async def __anext__(self) -> TaskEvent:
        try:
            while not self._events:
                if self._error is not None:
                    raise self._error
                if self._closed or (self._until_terminal and not self._active):
                    raise StopAsyncIteration
                await self._round()
        except StopAsyncIteration:
            self._ended(None)
            raise
        except BaseException as exc:
            self._ended(exc)
            raise
        return self._events.popleft()

    def _ended(self, error: BaseException | None) -> None:
        on_end, self._on_end = self._on_end, None
        if on_end is not None:
            on_end(error)

    async def _round(self) -> None:
        delay = self._next_round - time.monotonic()
        if delay > 0 and await self._sleep(delay):
            return
        self._next_round = time.monotonic() + self._interval
        result = await self._poll_with_retries(list(self._active))
        self.rounds += 1
        self.missing = result.missing
        self.failed = result.failed
        self._count_failures(result)
        for task_id in result.missing:
            count = self._missing_count[task_id] = self._missing_count.get(task_id, 0) + 1
            if self._missing_rounds is not None and count >= self._missing_rounds:
                self._active.pop(task_id, None)
                self.lost.add(task_id)
        states, missing_count, active, events = self.states, self._missing_count, self._active, self._events
        for index, (task_id, task) in enumerate(result.tasks.items()):
            if index % SLICE == SLICE - 1:
                await asyncio.sleep(0)
            if missing_count:
                missing_count.pop(task_id, None)
            previous = states.get(task_id)
            changes = _changes(task, previous)
            states[task_id] = task
            if changes:
                events.append(TaskEvent(task, previous, changes))
            if _terminal(task):
                active.pop(task_id, None)

    async def _sleep(self, delay: float) -> bool:
        """Sleep ``delay`` seconds unless :meth:`aclose` is called meanwhile; True if it was."""
        try:
            async with asyncio.timeout(delay):
                await self._wake.wait()  # set by aclose(): stop sleeping at once
        except TimeoutError:
            pass
        return self._closed

    async def _poll_with_retries(self, ids: list[int]) -> PollResult:
        """Poll ``ids``; ask the ids of failed batches again, up to :data:`ROUND_RETRIES` times, after a back-off.

        The back-off (full jitter, from 0.25 s doubling) never exceeds the interval, so the retries of a
        round delay the next one by about one interval at most. A fatal failure is not retried.
        """
        result = await self._polled(ids)
        for retry in range(ROUND_RETRIES):
            if not result.failed or _fatal(result) or self._closed:
                break
            if await self._sleep(random.uniform(0.0, min(self._interval, 0.25 * 2**retry))):
                break
            self.asked_again += len(result.failed)
            again = await self._polled(list(result.failed))
            result = PollResult({**result.tasks, **again.tasks}, result.missing | again.missing, again.failed)
        return result

    async def _polled(self, ids: list[int]) -> PollResult:
        """One call of ``poll_batch``, checked: a caller's function that gives no awaitable PollResult is refused."""
        return await awaited_result(self._poll(ids, self._batch_size), PollResult, "poll_batch")

    def _count_failures(self, result: PollResult) -> None:
        """Arm the error for a failed round: see the class docstring for what counts."""
        whole_round = bool(result.failed) and not result.tasks and not result.missing
        self._failed_in_a_row = self._failed_in_a_row + 1 if whole_round else 0
        streaks = {task_id: self._failure_streaks.get(task_id, 0) + 1 for task_id in result.failed}
        self._failure_streaks = streaks
        stuck = max(streaks.values(), default=0)
        if _fatal(result) or self._failed_in_a_row >= self._max_failed_rounds or stuck >= self._max_failed_rounds:
            error = PartialPollError(result)
            if self._failed_in_a_row:
                error.add_note(f"watch: {self._failed_in_a_row} failed round(s) in a row (no batch answered)")
            if stuck >= self._max_failed_rounds:
                error.add_note(f"watch: the batches of {sum(1 for count in streaks.values() if count >= stuck)} "
                               f"task(s) failed in {stuck} round(s) in a row")
            self._error = error  # raised once the events of this round are yielded

    @checked_binding()
    async def aclose(self) -> None:
        """Stop watching; a running ``async for`` ends after the events already seen."""
        self._closed = True
        self._active.clear()
        self._wake.set()
        self._ended(None)

    async def __aenter__(self) -> Watcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


for _record in (PollResult, TaskEvent):
    install_checks(_record)  # built by hand, they refuse wrong types too (models/_checks.py)
