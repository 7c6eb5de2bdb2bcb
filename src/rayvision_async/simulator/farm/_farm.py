"""The simulated render farm: its state and its operations, with no HTTP anywhere.

Time is simulated (:class:`~._clock.SimClock`): ``Farm(speed=0)`` only moves
when a test calls :meth:`Farm.advance`. A submitted task is analysed for
``analyse_seconds``, then renders its frames ``task_limit`` at a time, each
taking ``frame_seconds``. A frame fails by a seeded rule (``failure_rate``,
or a ``failure_rule`` callable), so a run is reproducible.

Passes (:mod:`._passes`): besides the main frames a task may render, first, a
pre-render frame (``pre_render``), a settlement frame if it is a Houdini
task (``settlement``), a photon frame of its own (``photon_frame``) or a
photon child task (``child_tasks``), and its first ``priority_frames``
frames as priority frames. Frames behind an unfinished pass report what they
wait for (frameStatus 6 to 10); a failed pass holds the later ones.

A farm is composed of parts it holds and delegates to: a
:class:`~._store.TaskStore` (tasks, frames, ids, lookups), a
:class:`~._engine.RenderEngine` (simulated time), an :class:`~._account.Account`
and a :class:`~._control.TaskControl` (stop, start, frames, labels…). A task
that renders one pass and that nothing has touched keeps its frames as counters
(:mod:`._plain`) until something needs them, so a farm holds a studio's day.
Operations by SDK method name with wire-named bodies live on the service side
(:meth:`~rayvision_async.simulator.Simulator.call`); the typed methods here
are what those operations use.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal, get_args

from ..._arguments import checked_binding
from ..._digits import DECIMAL_TEXT
from ..._service_ints import INT64, MAX_JSON_CHARS, MONEY_LIMIT
from ...errors import ConfigurationError, InvalidInputError
from .. import _arguments as check
from ._account import Account
from ._clock import SimClock
from ._codes import FarmError, FrameType
from ._control import TaskControl
from ._engine import RenderEngine
from ._model import Mode, SimFrame, SimTask
from ._storage import FarmStorage
from ._store import TaskStore
from ._taskfile import TASK_FILES, TaskJsonReadings, frame_numbers, parse_frames

__all__ = ["ChildTasks", "Farm", "PagingEnd", "parse_frames"]

ChildTasks = Literal["none", "photon_and_main", "random"]
#: The cgId of Houdini, the software with settlement (simulation) frames.
HOUDINI_CG_ID = 2004
PagingEnd = Literal["empty", "code700"]


class Farm:
    """A render farm with one user account. See the module docstring for the time model."""

    @checked_binding(ConfigurationError)
    def __init__(
        self,
        *,
        seed: int = 0,
        speed: float = 1.0,
        clock: SimClock | None = None,
        frame_seconds: float = 60.0,
        analyse_seconds: float = 30.0,
        failure_rate: float = 0.0,
        failure_rule: Callable[[SimFrame], bool] | None = None,
        frame_price: Decimal | str = Decimal("0.44"),
        child_tasks: ChildTasks = "none",
        pre_render: bool = False,
        settlement: bool = False,
        photon_frame: bool = False,
        priority_frames: int = 0,
        default_frames: str = "1-10[1]",
        task_limit: int = 4,
        require_task_json: bool = True,
        paging_end: PagingEnd = "empty",
        first_task_id: int = 19097,
        alias_prefix: str = "2W",
        account: Account | None = None,
        storage: FarmStorage | str | os.PathLike[str] | None = None,
    ) -> None:
        with check.configuration():
            check.count(seed, "seed", INT64[0])
            check.seconds(speed, "speed", high=1e6)
            if clock is not None:
                check.instance(clock, "clock", SimClock)
            check.seconds(frame_seconds, "frame_seconds", low=0.001)
            check.seconds(analyse_seconds, "analyse_seconds")
            check.seconds(failure_rate, "failure_rate", high=1.0)
            if failure_rule is not None:
                check.function(failure_rule, "failure_rule")
            frame_price = _price(frame_price)
            check.one_of(child_tasks, "child_tasks", get_args(ChildTasks))
            for name, value in (("pre_render", pre_render), ("settlement", settlement),
                                ("photon_frame", photon_frame), ("require_task_json", require_task_json)):
                check.flag(value, name)
            check.count(priority_frames, "priority_frames", 0, 10_000)
            check.text(default_frames, "default_frames", nonempty=True)
            _frames(default_frames, "default_frames")
            check.count(task_limit, "task_limit", 0, 100_000)
            check.one_of(paging_end, "paging_end", get_args(PagingEnd))
            check.count(first_task_id, "first_task_id", 1)
            check.text(alias_prefix, "alias_prefix", max_len=64)
            if account is not None:
                check.instance(account, "account", Account)
            if storage is not None and not isinstance(storage, FarmStorage):
                check.folder(storage, "storage")
        self.seed = seed
        self.clock = clock if clock is not None else SimClock(speed)
        self.analyse_seconds = float(analyse_seconds)
        self.failure_rate = failure_rate
        self.failure_rule = failure_rule
        self.frame_price = frame_price
        self.child_tasks: ChildTasks = child_tasks
        self.pre_render = pre_render
        self.settlement = settlement
        self.photon_frame = photon_frame
        self.priority_frames = priority_frames
        self.default_frames = default_frames
        self.task_limit = task_limit
        self.require_task_json = require_task_json
        self.paging_end: PagingEnd = paging_end
        self.alias_prefix = alias_prefix
        self.account = account if account is not None else Account()
        self.store = TaskStore(first_task_id=first_task_id, alias_prefix=alias_prefix)
        self._task_json = TaskJsonReadings()  # what the last few task.json texts read as
        self.engine = RenderEngine(
            self.store.tasks,
            clock=self.clock,
            frame_seconds=frame_seconds,
            on_analysed=self._analysed,
            frame_fails=self._frame_fails,
            charge=self._frame_done,
            plain_fail=self._plain_frames_fail,
            charge_frames=self._charge_frames,
        )
        self.storage: FarmStorage | None = None
        if storage is not None:
            self.attach_storage(storage)
        self.control = TaskControl(self.store, self.engine, self.account, analyse_seconds=self.analyse_seconds)
        # task control, delegated
        self.stop = self.control.stop
        self.start = self.control.start
        self.abandon = self.control.abandon
        self.delete = self.control.delete
        self.set_priority = self.control.set_priority
        self.set_task_limit = self.control.set_task_limit
        self.set_full_speed = self.control.set_full_speed
        self.set_over_time_stop = self.control.set_over_time_stop
        self.set_hardware = self.control.set_hardware
        self.restart_frames = self.control.restart_frames
        self.stop_frames = self.control.stop_frames
        self.add_task_label = self.control.add_task_label
        self.delete_task_labels = self.control.delete_task_labels
        self.delete_label = self.control.delete_label
        # lookups, delegated
        self.task = self.store.task
        self.require = self.store.require
        self.parent_of = self.store.parent_of
        self.frame = self.store.frame
        self.top_level = self.store.top_level

    @checked_binding()
    def attach_storage(self, storage: FarmStorage | str | os.PathLike[str]) -> FarmStorage:
        """Give the farm file storage (a folder): renders write files, submits check uploads (``._storage``).

        A folder that cannot be made or written is a ``ConfigurationError``; the farm keeps its storage then.
        """
        self.storage = storage if isinstance(storage, FarmStorage) else FarmStorage(storage, self.account)
        return self.storage

    @property
    def tasks(self) -> dict[int, SimTask]:
        """Every task by id (the store's)."""
        return self.store.tasks

    @property
    def frames(self) -> dict[int, SimFrame]:
        """Every frame by id (the store's)."""
        return self.store.frames

    # -- time ------------------------------------------------------------------------------------

    @checked_binding()
    def now(self) -> float:
        """Bring the farm up to the clock's current time and return it (epoch seconds)."""
        return self.engine.now()

    @checked_binding()
    def advance(self, seconds: float) -> float:
        """Move simulated time forward by ``seconds`` and render what happens meanwhile."""
        self.clock.advance(check.seconds(seconds, "seconds"))
        return self.now()

    # -- create, upload, submit ------------------------------------------------------------------

    @checked_binding()
    def create_tasks(
        self,
        count: int = 1,
        *,
        user_level: int = 50,
        out_user_id: int | None = None,
        labels: list[str] | None = None,
        clone_original_id: int | None = None,
        artist: str | None = None,
    ) -> list[SimTask]:
        """Hand out ``count`` new task ids (createTask)."""
        check.count(count, "count", 1, 1_000_000)
        check.count(user_level, "user_level", 0, 1000)
        for name, value in (("out_user_id", out_user_id), ("clone_original_id", clone_original_id)):
            if value is not None:
                check.count(value, name, 1)
        if labels is not None:
            labels = check.texts(labels, "labels")
        if artist is not None:
            check.text(artist, "artist")
        now = self.engine.now()  # (Farm.now without its argument check: it takes none)
        created = []
        for _ in range(count):
            task = self.store.new_task(now, self.task_limit)
            task.user_level = user_level
            task.out_user_id = out_user_id
            task.clone_original_id = clone_original_id
            task.artist = artist
            for name in labels or []:
                task.labels[self.account.ensure_project(name)] = name
            task.revision += 1
            created.append(task)
        return created

    @checked_binding()
    def upload_file(self, task_id: int, file_name: str, content: str) -> None:
        """Store a task's configuration file (taskJsonFile); task.json sets scene and frames."""
        check.count(task_id, "task_id", 1)
        check.text(file_name, "file_name")
        check.text(content, "content", max_len=MAX_JSON_CHARS)
        task = self.task(task_id)
        if file_name not in TASK_FILES:
            raise FarmError.invalid(f"fileName must be one of {sorted(TASK_FILES)}")
        if task.mode is not Mode.CREATED:
            raise FarmError.fail(f"task {task_id} has already been submitted")
        try:
            parsed = json.loads(content)
        except ValueError:
            raise FarmError.invalid(f"content of {file_name} is not JSON") from None
        if not isinstance(parsed, dict):
            raise FarmError.invalid(f"content of {file_name} is not a JSON object")
        if file_name == "task.json":
            self._task_json.apply(task, content, parsed, self.default_frames, user_id=self.account.user_id)
        task.files[file_name] = parsed
        task.revision += 1

    @checked_binding()
    def submit(self, task_id: int, producer: str | None = None, *, require_task_json: bool | None = None) -> SimTask:
        """Submit a created task (submit/task): it is analysed, then renders.

        Without a task.json it renders ``default_frames``; whether one is demanded is
        ``require_task_json`` (default: the farm's setting).
        """
        check.count(task_id, "task_id", 1)
        if producer is not None:
            check.text(producer, "producer")
        if require_task_json is not None:
            check.flag(require_task_json, "require_task_json")
        task = self.task(task_id)
        if task.parent_id:
            raise FarmError.invalid(f"task {task_id} is a child task")
        if task.mode is not Mode.CREATED:
            raise FarmError.fail(f"task {task_id} has already been submitted")
        demand = self.require_task_json if require_task_json is None else require_task_json
        if demand and "task.json" not in task.files:
            raise FarmError.fail(f"task {task_id} has no task.json")
        missing = self.storage.missing_assets(task) if self.storage is not None else []
        if missing:
            raise FarmError.fail(f"task {task_id}: {len(missing)} file(s) listed in upload.json were not uploaded, "
                                 f"e.g. {missing[0]}")
        now = self.engine.now()
        if not task.frames_range:
            task.frames_range = self.default_frames
        if not task.scene_name:
            task.scene_name = f"scene_{task.id}.max"
        task.producer = producer if producer is not None else task.artist
        task.submitted_at = now
        task.mode = Mode.ANALYSING
        task.analyse_until = now + self.analyse_seconds
        self.engine.settle(task, now)
        return task

    def _wants_children(self, task: SimTask) -> bool:
        if self.child_tasks == "random":
            return random.Random(f"{self.seed}/children/{task.id}").random() < 0.5
        return self.child_tasks == "photon_and_main"

    def _renders_plain(self, task: SimTask) -> bool:
        """True if ``task`` (with no child tasks and no photon frame) renders one pass, untouched so far."""
        settles = self.settlement and task.cg_id == HOUDINI_CG_ID
        return not (self.pre_render or self.priority_frames or settles or task.full_speed
                    or task.over_time_stop is not None)

    def _analysed(self, task: SimTask, instant: float) -> None:
        numbers = frame_numbers(task.frames_range)
        task.mode = Mode.ACTIVE
        task.overtime_from = instant
        leaf = task
        if self._wants_children(task):
            photon = self.store.new_task(instant, self.task_limit, task, "RenderPhoton")
            self.store.add_frames(photon, ["0"], FrameType.PHOTON)
            leaf = self.store.new_task(instant, self.task_limit, task, "Render")
            task.children = [photon, leaf]
        elif self.photon_frame:
            self.store.add_frames(leaf, ["0"], FrameType.PHOTON)
        elif self._renders_plain(task):
            self.store.add_plain_frames(task, numbers, frame_seconds=self.engine.frame_seconds)
            return  # its frames are counters until something needs them (see _plain)
        if self.pre_render:
            self.store.add_frames(leaf, numbers[:1], FrameType.PRE_RENDER)
        if self.settlement and task.cg_id == HOUDINI_CG_ID:
            self.store.add_frames(leaf, ["0"], FrameType.SETTLEMENT)
        priority, main = numbers[: self.priority_frames], numbers[self.priority_frames :]
        self.store.add_frames(leaf, priority, FrameType.PRIORITY)
        self.store.add_frames(leaf, main, FrameType.MAIN)

    def _frame_fails(self, frame: SimFrame) -> bool:
        if self.failure_rule is not None:
            return self.failure_rule(frame)
        if self.failure_rate <= 0.0:
            return False
        return random.Random(f"{self.seed}/frame/{frame.id}/{frame.attempts}").random() < self.failure_rate

    def _frame_done(self, frame: SimFrame) -> None:
        """A frame completed: bill it and, with storage, write its image."""
        self._charge(frame)
        if self.storage is not None and frame.frame_type in (FrameType.MAIN, FrameType.PRIORITY):
            self.storage.write_frame(self.store.parent_of(self.store.tasks[frame.task_id]), frame)

    def _plain_frames_fail(self, frame_ids: range) -> bool | None:
        """Whether :meth:`_frame_fails` fails one of a plain task's frames rendered once.

        None: only the frames themselves can tell, so the task renders frame by frame: with a
        failure rule, and with storage (each finished frame writes its image through
        :meth:`_frame_done`).
        """
        if self.failure_rule is not None or self.storage is not None:
            return None
        if self.failure_rate <= 0.0:
            return False
        return any(random.Random(f"{self.seed}/frame/{frame_id}/0").random() < self.failure_rate
                   for frame_id in frame_ids)

    def _charge(self, frame: SimFrame) -> None:
        frame.fee += self.frame_price
        self.account.charge(self.frame_price)

    def _charge_frames(self, count: int) -> Decimal:
        price = self.frame_price
        self.account.charge(price * count)
        return price

def _price(value: Any) -> Decimal:
    """A frame price: a finite, non-negative Decimal (or its ASCII digits) below the money limit."""
    if isinstance(value, str) and DECIMAL_TEXT.fullmatch(value.strip()):
        value = Decimal(value.strip())
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value < MONEY_LIMIT:
        raise InvalidInputError(f"frame_price must be a Decimal amount such as Decimal('0.44'), got "
                                f"a {type(value).__name__}")
    return value


def _frames(spec: str, name: str) -> None:
    """Refuse a frames text the farm cannot read (as an argument error, not as the service's 600)."""
    try:
        parse_frames(spec)
    except FarmError as exc:
        raise InvalidInputError(f"{name}: {exc.message}") from None
