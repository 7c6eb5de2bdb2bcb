"""Every public callable refuses careless arguments with the SDK's own error, sending nothing.

The callables are found by introspection, not listed: every name in ``rayvision_async.__all__``,
``rayvision_async.models.__all__`` and ``rayvision_async.simulator.__all__`` (functions, class
constructors and the public methods of their instances), the client's methods, its endpoint groups,
the groups of a ``with_options`` view and of ``with_raw_response``. A callable added later is in the
catalogue the day it exists; what is left out is in :data:`EXCLUDED`, each with its reason, and a name
there that no longer exists fails the catalogue (so the list cannot go stale).

For each callable a baseline call with good values (:data:`GOOD`, else derived from the annotation) must
not be refused; then each parameter in turn gets every value of :data:`helpers.careless.WRONG` (wrong
types, None, bools for ints, huge ints, NaN, surrogates, Unicode digits, overlong text, iterators,
objects that raise when read, sync callables where async ones belong…). A value that does not fit the
annotation, or is never valid for it, must raise :class:`InvalidInputError` (or its subclass
:class:`ConfigurationError`) with zero requests sent; any other value may be accepted, but the call
may then only end in a result or an SDK error (or, where :data:`ALLOWED` says so, the simulator's
``FarmError`` or the OS's ``OSError`` for an address it cannot listen on), and what it sends must be
well-formed. An unknown keyword and a surplus positional argument must be refused too. A call still
running after its deadline (an endless iterator read forever) fails the catalogue.

"Sent" counts requests, the simulator's operations, the fake fetches below and child processes started
(a transfer engine): a refused call starts no engine either. Every call runs in the test's own
folder, so a careless relative path (a destination, a farm's storage) lands there, never in the
repository.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import inspect
import json
import os
import sys
import threading
import types
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

import rayvision_async
import rayvision_async.cli as cli
import rayvision_async.models as models
import rayvision_async.simulator as simulator
import rayvision_async.simulator.farm as simulator_farm
import rayvision_async.simulator.transmitter as transmitter
from helpers.careless import SHORT, WRONG, Ended, fits, must_refuse, run_call, wire_problems
from helpers.recorder import baseline
from rayvision_async import AsyncRayvisionAPI, transfer
from rayvision_async import _retry as retry
from rayvision_async.api._base import GroupBase
from rayvision_async.api._table import ROWS
from rayvision_async.flows._analysis import HardwareRequest
from rayvision_async.flows._pipeline import AnalysisDocuments, SubmittedAnalysis
from rayvision_async.models import Page, TaskInfo
from rayvision_async.simulator import Farm, FarmError, Simulator, SimulatorTransport
from rayvision_async.simulator.farm import FarmStorage
from rayvision_async.transfer import DownloadResult, Transfer, plan_upload

# -- the context every call runs in ------------------------------------------------------------------------------


@attrs.define
class Ctx:
    """A fresh simulator and client per callable, and counters of what was sent or called."""

    sim: Simulator
    api: AsyncRayvisionAPI
    tmp: Path
    fake_calls: int = 0
    processes: int = 0  # child processes started (transfer engines)

    def sent(self) -> int:
        return self.api.requests_sent + sum(self.sim.path_counts.values()) + self.fake_calls + self.processes

    async def fetch(self, number: int) -> Page[TaskInfo]:
        self.fake_calls += 1
        return Page(items=(), page_num=number, page_count=1)

    async def poll_batch(self, ids: list[int], size: int) -> Any:
        self.fake_calls += 1
        return await self.api.poll(ids, batch_size=size, partial=True)


TASK_ID = 19097  # the simulator's first task id
ANALYZER_TASK = {
    "software_config": {"cg_name": "Maya", "cg_version": "2020", "plugins": {}},
    "task_info": {"task_id": "", "user_id": "", "project_id": "", "project_name": "careless", "cg_id": "2000",
                  "platform": "2", "input_cg_file": "D:/a.mb", "ram": "64"},
    "scene_info_render": {"defaultRenderLayer": {"common": {"frames": "1-3"}}},
}
HARDWARE = {"model": "Default", "ram": "64GB", "gpuNum": None}
_SET_EVENT = threading.Event()
_SET_EVENT.set()

#: Good values for required parameters, by "<callable>.<parameter>" (the callable's label without its
#: owner: ``submit_task_json``, ``Farm.advance``…), else by parameter name alone.
GOOD: dict[str, Callable[[Ctx], Any]] = {
    # the client
    "AsyncRayvisionAPI.access_id": lambda ctx: ctx.sim.access_id,
    "AsyncRayvisionAPI.access_key": lambda ctx: ctx.sim.access_key,
    "AsyncRayvisionAPI.domain": lambda ctx: ctx.sim.domain,
    "AsyncRayvisionAPI.transport": lambda ctx: SimulatorTransport(ctx.sim),
    "poll.task_ids": lambda ctx: [TASK_ID],
    "watch.task_ids": lambda ctx: [TASK_ID],
    "watch.interval": lambda ctx: 0.01,
    "wait.task_ids": lambda ctx: TASK_ID,
    "wait.timeout": lambda ctx: 0.05,
    "wait.interval": lambda ctx: 0.01,
    "check_and_add_project_name.name": lambda ctx: "careless",
    "submit_task_json.task_json": lambda ctx: {"task_info": {"frames": "1-2[1]"}},
    "check_analysis.task_json": lambda ctx: json.loads(json.dumps(ANALYZER_TASK)),
    "check_analysis.hardware": lambda ctx: dict(HARDWARE),
    "submit_analysis.task_json": lambda ctx: json.loads(json.dumps(ANALYZER_TASK)),
    "submit_analysis.hardware": lambda ctx: dict(HARDWARE),
    "with_options.timeout": lambda ctx: 5,
    # group helpers
    "iter_frames.task_id": lambda ctx: TASK_ID,
    "get_all_frames.task_id": lambda ctx: TASK_ID,
    "get_custom_frames.restartframes": lambda ctx: ["1"],
    "get_custome_frames.restartframes": lambda ctx: ["1"],
    "frame_number_to_stop.stop_frame": lambda ctx: ["1"],
    # public classes and functions
    "Pager.fetch": lambda ctx: ctx.fetch,
    "Watcher.poll_batch": lambda ctx: ctx.poll_batch,
    "Watcher.task_ids": lambda ctx: [TASK_ID],
    "Watcher.interval": lambda ctx: 0.01,
    "Watcher.until_terminal": lambda ctx: True,
    "Watcher.batch_size": lambda ctx: 100,
    "PollResult.tasks": lambda ctx: {},
    "PollResult.missing": lambda ctx: frozenset(),
    "TaskEvent.task": lambda ctx: TaskInfo(id=1),
    "TaskEvent.previous": lambda ctx: None,
    "TaskEvent.changes": lambda ctx: frozenset({"task_status"}),
    "HardwareRequest.ram": lambda ctx: "64GB",
    "TipsEntry.code": lambda ctx: "15000",
    "CheckedAnalysis.documents": lambda ctx: AnalysisDocuments(task={"task_info": {}}),
    "SigningTransport.inner": lambda ctx: SimulatorTransport(ctx.sim),
    "SigningTransport.access_id": lambda ctx: ctx.sim.access_id,
    "SigningTransport.access_key": lambda ctx: ctx.sim.access_key,
    "SigningTransport.domain": lambda ctx: ctx.sim.domain,
    "SigningTransport.platform": lambda ctx: "2",
    "TaskInfo.id": lambda ctx: 1,
    "append_to_task.task": lambda ctx: {"task_info": {}},
    "append_to_task.additional": lambda ctx: {"key": "value"},
    "append_to_upload.upload": lambda ctx: {"asset": []},
    "append_to_upload.paths": lambda ctx: ["D:/a.mb"],
    "stringify_modifiable_params.task": lambda ctx: {"task_info": {"ram": 64}},
    "update_task_info.task": lambda ctx: {"task_info": {"ram": "64"}},
    "update_task_info.updates": lambda ctx: {"ram": "128"},
    "set_testing.enabled": lambda ctx: True,
    "unstructure.obj": lambda ctx: TaskInfo(id=1),
    "check_render_key.render_key": lambda ctx: "shot-1",
    "RenderLookup.render_key": lambda ctx: "shot-1",
    "of.render_key": lambda ctx: "shot-1",
    "of.task": lambda ctx: TaskInfo(id=1),
    "find_render.render_key": lambda ctx: "shot-1",
    "download_outputs.task_id": lambda ctx: _rendered_task(ctx),
    "download_outputs.dest": lambda ctx: str(ctx.tmp / "frames"),
    # the transfer layer (the context's farm has storage; $RAYVISION_TRANSMITTER is its stand-in engine)
    "Transfer.api": lambda ctx: ctx.api,
    "list_outputs.task_id": lambda ctx: _rendered_task(ctx),
    "upload_config.task_id": lambda ctx: ctx.sim.farm.create_tasks()[0].id,
    "upload_config.files": lambda ctx: [_file(ctx, "task.json", "{}")],
    "upload_task_files.task_id": lambda ctx: ctx.sim.farm.create_tasks()[0].id,
    "upload_task_files.documents": lambda ctx: {"task.json": {"task_info": {}}},
    "upload_task_files.plan": lambda ctx: None,
    "upload_assets.upload_json": lambda ctx: _upload_json(ctx),
    "upload_plan.plan": lambda ctx: plan_upload(_upload_json(ctx)),
    "plan_upload.source": lambda ctx: _upload_json(ctx),
    "render_job.api": lambda ctx: _fast_farm(ctx),
    "render_job.task_json": lambda ctx: json.loads(json.dumps(ANALYZER_TASK)),
    "render_job.hardware": lambda ctx: dict(HARDWARE),
    "render_job.dest": lambda ctx: str(ctx.tmp / "frames"),
    "render_job.interval": lambda ctx: 0.01,
    "TransferEvent.kind": lambda ctx: "started",
    "RenderJob.submitted": lambda ctx: SubmittedAnalysis(task_id=1, task_json={}, hardware_config_ids=(),
                                                         warnings=(), created=True),
    "RenderJob.download": lambda ctx: DownloadResult(task_id=1, dest=ctx.tmp, downloaded=(), skipped=(), bytes=0,
                                                     runs=0, rounds=1),
    "delay.retry": lambda ctx: 1,
    "add.task_ids": lambda ctx: [TASK_ID + 1],
    "TaskStatus.value": lambda ctx: 25,  # an enum's code
    "FrameStatus.value": lambda ctx: 4,
    "FrameType.value": lambda ctx: 1,
    "Mode.value": lambda ctx: "active",  # the simulator's task modes are text
    "TolerantIntEnum.value": lambda ctx: 1,
    "coerce.value": lambda ctx: dict(HARDWARE),
    "Fault.of.kind": lambda ctx: "reset",
    # the simulator
    "Farm.advance.seconds": lambda ctx: 1.0,
    "Farm.upload_file.task_id": lambda ctx: ctx.sim.farm.create_tasks()[0].id,
    "Farm.upload_file.file_name": lambda ctx: "task.json",
    "Farm.upload_file.content": lambda ctx: "{}",
    "Farm.submit.task_id": lambda ctx: _uploaded_task(ctx),
    "Simulator.inject.operation": lambda ctx: "task_info",
    "Simulator.inject.kind": lambda ctx: "reset",
    "Simulator.call.operation": lambda ctx: "platforms",
    "SimulatorTransport.simulator": lambda ctx: ctx.sim,
    "Fault.kind": lambda ctx: "reset",
    "FaultPlan.applies_to.names": lambda ctx: ["task_info"],
    "FaultPlan.draw.operation": lambda ctx: "task_info",
    "SimClock.advance.seconds": lambda ctx: 1.0,
    "serve.simulator": lambda ctx: ctx.sim,
    "run_server.simulator": lambda ctx: ctx.sim,
    "run_server.port": lambda ctx: 0,
    "run_server.stop": lambda ctx: _SET_EVENT,
    "run_server.out": lambda ctx: lambda text: None,
    "FarmStorage.root": lambda ctx: ctx.tmp / "another-storage",
    "FarmStorage.account": lambda ctx: ctx.sim.farm.account,
    "command.storage": lambda ctx: ctx.tmp / "farm-storage",
    "write_launcher.storage": lambda ctx: ctx.tmp / "farm-storage",
    "queue_fault.root": lambda ctx: ctx.tmp / "farm-storage",
    "queue_fault.kind": lambda ctx: "exit1",
    # the command line, in-process
    "main.argv": lambda ctx: ["--version"],
}


def _uploaded_task(ctx: Ctx) -> int:
    task = ctx.sim.farm.create_tasks()[0]
    ctx.sim.farm.upload_file(task.id, "task.json", json.dumps({"task_info": {"frames": "1-2[1]"}}))
    return task.id


def _rendered_task(ctx: Ctx) -> int:
    """A task the farm rendered: its frames are files in the farm's storage, to list and download."""
    task_id = _uploaded_task(ctx)
    ctx.sim.farm.submit(task_id)
    ctx.sim.farm.advance(3600)
    return task_id


def _file(ctx: Ctx, name: str, content: str) -> str:
    path = ctx.tmp / "files" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return str(path)


def _upload_json(ctx: Ctx) -> dict[str, Any]:
    return {"asset": [{"local": _file(ctx, "scene.mb", "scene"), "server": "/D/work/scene.mb"}]}


def _fast_farm(ctx: Ctx) -> AsyncRayvisionAPI:
    """The context's client, its farm rendering a million times faster than real time (a job ends at once)."""
    ctx.sim.farm.clock.speed = 1e6
    return ctx.api


# -- what is left out, and why (checked: every name must still exist) --------------------------------------------

EXCLUDED: dict[str, str] = {
    # transport protocols: called by httpx (or the SDK's channel) with httpx objects, not by applications
    "AiohttpTransport.handle_async_request": "the httpx transport protocol (httpx calls it with an httpx.Request)",
    "AiohttpTransport.post_direct": "the SDK channel's lean lane (called with values the channel built)",
    "AiohttpTransport.proxy_for": "the channel asks it with an httpx.URL it built",
    "SigningTransport.handle_async_request": "the httpx transport protocol",
    "SigningTransport.aclose": "the httpx transport protocol (httpx or the channel closes it)",
    "SigningTransport.signed_headers": "the channel's signing step",
    "SigningTransport.sign_attempt": "the channel's signing step (wire bytes it encoded)",
    "SigningTransport.scrub": "the channel's scrubbing of the server's texts",
    "SigningTransport.scrub_optional": "the channel's scrubbing of the server's texts",
    "SigningTransport.resync": "the request loop's clock resync (a serverTime it checked)",
    "SimulatorTransport.handle_async_request": "the httpx transport protocol",
    "Simulator.handle": "the transports' and the server's entry point, given a parsed HTTP request",
    # records the SDK or the simulator builds and hands out
    "RawResponse": "built by the request loop from the envelope it decoded (never by applications)",
    "RecordedRequest": "the simulator's record of a request it received",
    "SimReply": "the simulator's reply record, built by its operations",
    "simulator.RenderEnv": "the simulator's render-environment record, built from a checked request body",
    "Account.*": "the farm's account state: its methods are the operations' steps on values they checked",
    "TolerantIntEnum": "the enums' base class, without codes of its own (looking one up is refused by design)",
    "ServiceModel": "the models' base class, exported for isinstance checks; each model is in the catalogue",
    # in the files of issue 19's refactor (the lead's): reviewed in phase 2
    "AiohttpTransport": "wire/_aiohttp.py is being rewritten in issue 19; phase 2 adds its checks",
    "RetryPolicy.delay": "_retry.py is being rewritten in issue 19; phase 2 adds its checks",
    "Timeouts.coerce": "wire/_channel.py is being rewritten in issue 19; phase 2 adds checked_binding",
    "set_testing": "_retry.py is being rewritten in issue 19; phase 2 refuses a non-bool",
    "EventCallback": "a type alias (Callable[[TransferEvent], None]) for annotations, not a callable",
    "ChildTasks": "a type alias (a Literal of Farm(child_tasks=)'s values), not a callable",
    "PagingEnd": "a type alias (a Literal of Farm(paging_end=)'s values), not a callable",
    "SimTask": "the farm's state record of a task, made by its task store (tests read it from farm.tasks)",
    "SimFrame": "the farm's state record of a frame, made by its task store (tests read it from farm.frames)",
    "FarmStorage.missing_assets": "the farm's hook at submit, given the farm's own task",
    "FarmStorage.write_frame": "the farm's hook when a frame completes, given the farm's own task and frame",
    "simulator.transmitter.main": "the stand-in engine's program entry: its command line is the real engine's, "
                                  "refused with the engine's exit code 255 (tests/transfer/test_stand_in.py)",
    # exceptions are raised, not called
    "exceptions": "exception classes are raised by the SDK; their constructors take the SDK's own values",
    # the pytest plugin's fixtures take pytest's request and other fixtures (tests/test_pytest_plugin.py)
    "pytest_plugin": "fixtures are called by pytest with its own objects, never by applications",
}


# -- finding the callables ---------------------------------------------------------------------------------------


@attrs.frozen
class Site:
    """One public callable: how to get it from a context, and what to call its arguments by."""

    label: str
    get: Callable[[Ctx], Callable[..., Any]]
    function: Callable[..., Any]  # what its signature and annotations are read from
    short: bool = False  # a view's method: the same code as the client's; a short list of values
    thread: bool = False  # it runs an event loop of its own
    method: bool = False  # ``function`` is a method: its first parameter is the instance

    @property
    def key(self) -> str:
        """The label without its owner (``api.query.iter_frames`` → ``iter_frames``), for :data:`GOOD`."""
        parts = self.label.split(".")
        return ".".join(parts[-2:]) if parts[0] in ("Farm", "Simulator", "FaultPlan", "SimClock", "Fault") \
            else parts[-1]


def _public_methods(cls: type) -> Iterator[tuple[str, Callable[..., Any]]]:
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        owner = next((klass for klass in cls.__mro__ if name in vars(klass)), None)
        if owner is None or not owner.__module__.startswith("rayvision_async") or issubclass(owner, enum.Enum):
            continue
        value = vars(owner)[name]
        if isinstance(value, staticmethod | classmethod):
            value = value.__func__
        if inspect.isfunction(value):
            yield name, value


def _client_sites() -> list[Site]:
    sites = [Site("AsyncRayvisionAPI", lambda ctx: AsyncRayvisionAPI, AsyncRayvisionAPI)]
    sites += [Site(f"api.{name}", (lambda n: lambda ctx: getattr(ctx.api, n))(name), function, method=True)
              for name, function in _public_methods(AsyncRayvisionAPI)]
    probe = AsyncRayvisionAPI("AKIDprobe", "probe-key")
    groups = [name for name, value in vars(probe).items() if isinstance(value, GroupBase)]
    for group in groups:
        for name, function in _public_methods(type(getattr(probe, group))):
            get_group = (lambda g, n: lambda ctx: getattr(getattr(ctx.api, g), n))(group, name)
            get_view = (lambda g, n: lambda ctx: getattr(getattr(ctx.api.with_options(timeout=9), g), n))(group, name)
            sites.append(Site(f"api.{group}.{name}", get_group, function, method=True))
            sites.append(Site(f"view.{group}.{name}", get_view, function, short=True, method=True))
        for name, function in _public_methods(type(getattr(probe.with_raw_response, group))):
            get_raw = (lambda g, n: lambda ctx: getattr(getattr(ctx.api.with_raw_response, g), n))(group, name)
            sites.append(Site(f"raw.{group}.{name}", get_raw, function, short=True, method=True))
    return sites


def _is_exception(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseException)


def _module_sites(module: types.ModuleType, prefix: str, *, namesakes: frozenset[str] = frozenset(),
                  skip: frozenset[str] = frozenset()) -> list[Site]:
    """The public callables of ``module`` (but ``skip``); a name in ``namesakes`` (taken elsewhere) gets ``prefix``."""
    sites: list[Site] = []
    for name in module.__all__:
        if name in skip:
            continue
        value = getattr(module, name)
        label = f"{prefix}{name}" if name in namesakes else name
        if isinstance(value, types.ModuleType) or _is_exception(value) or value is AsyncRayvisionAPI:
            continue
        if isinstance(value, type):
            sites.append(Site(label, (lambda v: lambda ctx: v)(value), value))
            for method, function in _public_methods(value):
                get = (lambda v, m: lambda ctx: getattr(instance_of(v, ctx), m))(value, method)
                is_static = isinstance(inspect.getattr_static(value, method), staticmethod)
                sites.append(Site(f"{label}.{method}", get, function, method=not is_static))
        elif callable(value):
            sites.append(Site(label, (lambda v: lambda ctx: v)(value), value, thread=name == "run_server"))
    return sites


#: The simulator's names that are the SDK's names too (RenderEnv, TaskStatus…): labelled ``simulator.X``.
_NAMESAKES = frozenset(simulator.__all__) & (frozenset(rayvision_async.__all__) | frozenset(models.__all__))


def _surfaces() -> list[Site]:
    return (_client_sites() + _transfer_sites() + _module_sites(rayvision_async, "") + _module_sites(models, "")
            + _simulator_sites() + _module_sites(transfer, "transfer.", namesakes=_TRANSFER_NAMESAKES)
            + _module_sites(cli, "cli.", namesakes=frozenset(cli.__all__)))


def _simulator_sites() -> list[Site]:
    """The simulator's names, its farm's (FarmStorage…) and its stand-in engine's (``simulator.transmitter.X``)."""
    return (_module_sites(simulator, "simulator.", namesakes=_NAMESAKES)
            + _module_sites(simulator_farm, "simulator.", namesakes=_NAMESAKES, skip=frozenset(simulator.__all__))
            + _module_sites(transmitter, "simulator.transmitter.", namesakes=frozenset(transmitter.__all__)))


#: The transfer package's names that are the SDK's names too: labelled ``transfer.X``.
_TRANSFER_NAMESAKES = frozenset(transfer.__all__) & (frozenset(rayvision_async.__all__) | frozenset(models.__all__))


def _transfer_sites() -> list[Site]:
    """``api.transfer``'s methods (a Transfer over the context's client)."""
    return [Site(f"api.transfer.{name}", (lambda n: lambda ctx: getattr(ctx.api.transfer, n))(name), function,
                 method=True) for name, function in _public_methods(transfer.Transfer)]


def _all_sites() -> list[Site]:
    found: dict[str, Site] = {}
    for site in _surfaces():
        found.setdefault(site.label, site)
    return [site for label, site in sorted(found.items()) if not _excluded(label)]


def _excluded(label: str) -> bool:
    """``X`` in :data:`EXCLUDED` leaves out X and its methods; ``X.*`` only its methods."""
    owner = label.rpartition(".")[0]
    return label in EXCLUDED or owner in EXCLUDED or f"{owner}.*" in EXCLUDED


# -- instances for the methods of public classes -----------------------------------------------------------------


def instance_of(cls: type, ctx: Ctx) -> Any:
    """An instance to call methods on: from the class's good constructor values."""
    if cls is Farm:
        return ctx.sim.farm
    if cls is Simulator:
        return ctx.sim
    if cls is FarmStorage:
        return ctx.sim.farm.storage
    site = Site(cls.__name__, lambda c: cls, cls)
    args, kwargs = call_arguments(signature_and_hints(site)[0], good_arguments(site, ctx))
    return cls(*args, **kwargs)


# -- annotations and good values ---------------------------------------------------------------------------------


#: Names annotations use that some modules import only for type checking.
_NAMESPACE = {"httpx": httpx, "os": os, "Any": Any, "dt": dt, "Decimal": Decimal, "threading": threading,
              "AsyncRayvisionAPI": AsyncRayvisionAPI, "Transfer": Transfer, "HardwareRequest": HardwareRequest,
              "SubmittedAnalysis": SubmittedAnalysis}


def signature_and_hints(site: Site) -> tuple[inspect.Signature, dict[str, Any]]:
    function = site.function
    target = function.__init__ if isinstance(function, type) else function  # type: ignore[misc]
    if isinstance(function, type) and issubclass(function, enum.Enum):  # only the look-up by value
        return inspect.Signature([inspect.Parameter("value", inspect.Parameter.POSITIONAL_OR_KEYWORD)]), \
            {"value": int | str}
    signature = inspect.signature(function)
    if site.method:
        signature = signature.replace(parameters=list(signature.parameters.values())[1:])
    module = sys.modules[getattr(inspect.unwrap(target), "__module__", None) or function.__module__]
    namespace = {**_NAMESPACE, **vars(module)}
    if isinstance(function, type):
        namespace.update(vars(sys.modules[function.__module__]))
    hints: dict[str, Any] = {}
    for name, parameter in signature.parameters.items():
        annotation = parameter.annotation
        if isinstance(annotation, str):
            try:
                annotation = eval(annotation, namespace)
            except Exception:
                annotation = Any
        hints[name] = Any if annotation is inspect.Parameter.empty else annotation
    return signature, hints


def _good_for(hint: Any, ctx: Ctx) -> Any:
    """A value of the annotated type, for a parameter :data:`GOOD` does not name."""
    for candidate in (1, "x", True, 1.0, [1], ["x"], (), {}, dt.datetime(2020, 1, 1), ctx.tmp, ctx.fetch):
        if fits(candidate, hint):
            return candidate
    raise LookupError


def good_arguments(site: Site, ctx: Ctx) -> dict[str, Any]:
    """Keyword arguments of a call that must not be refused: every required parameter gets a good value."""
    signature, hints = signature_and_hints(site)
    name = site.label.rsplit(".", 1)[-1]
    values: dict[str, Any] = {}
    if site.label.startswith(("api.", "view.", "raw.")) and (row := _row(name)) is not None:
        values.update(baseline(row))
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.VAR_KEYWORD or parameter.name in values:
            continue
        for key in (f"{site.key}.{parameter.name}", f"{name}.{parameter.name}", parameter.name):
            if key in GOOD:
                values[parameter.name] = GOOD[key](ctx)  # for ``*args``: the list of them
                break
        else:
            if parameter.default is parameter.empty and parameter.kind is not parameter.VAR_POSITIONAL:
                try:
                    values[parameter.name] = _good_for(hints[parameter.name], ctx)
                except LookupError:
                    raise AssertionError(f"{site.label}: add a good value for {parameter.name!r} to GOOD") from None
    return values


def call_arguments(signature: inspect.Signature, values: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``values`` as a call's arguments: by keyword, except a ``*args`` list given in ``values`` (its items, and
    every parameter before it, are passed by position)."""
    star = next((parameter for parameter in signature.parameters.values()
                 if parameter.kind is parameter.VAR_POSITIONAL and parameter.name in values), None)
    if star is None:
        return (), dict(values)
    kwargs = dict(values)
    args: list[Any] = []
    for parameter in signature.parameters.values():
        if parameter is star:
            args.extend(kwargs.pop(parameter.name))
            break
        args.append(kwargs.pop(parameter.name) if parameter.name in kwargs else parameter.default)
    return tuple(args), kwargs


def _row(name: str) -> Any:
    return next((row for row in ROWS.values() if name in (row.name, *row.aliases)), None)


# -- the catalogue ---------------------------------------------------------------------------------------------------

SITES = _all_sites()
#: The simulator's callables: a value they may accept can still meet the farm's own refusal (FarmError,
#: what the service would answer), which is no careless-call failure.
SIMULATED = {site.label for site in _simulator_sites()}
#: Errors other than the SDK's a value the callable may accept can still end in, by design.
ALLOWED: dict[str, tuple[type[BaseException], ...]] = {
    **dict.fromkeys(SIMULATED, (FarmError,)),  # the farm refuses what the service would (an unknown task…)
    # cannot listen (address in use, a host that does not resolve): the OS's answer, which the CLI reports
    "serve": (FarmError, OSError), "run_server": (FarmError, OSError),
    "cli.main": (SystemExit,),  # argparse's answer to a command line it refuses (exit code 2), or to --version
}


@pytest.fixture
async def ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(tmp_path)  # a careless relative path (a folder, a farm's storage) is made here
    sim = Simulator(farm=Farm(speed=0, storage=tmp_path / "farm-storage"))
    assert sim.farm.storage is not None
    monkeypatch.setenv("RAYVISION_TRANSMITTER", str(sim.farm.storage.launcher()))  # the stand-in engine
    api = AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain, transport=SimulatorTransport(sim),
                            max_retries=0)
    context = Ctx(sim=sim, api=api, tmp=tmp_path)
    start = asyncio.create_subprocess_exec

    async def counted_start(*args: Any, **kwargs: Any) -> Any:
        context.processes += 1
        return await start(*args, **kwargs)

    monkeypatch.setattr(asyncio, "create_subprocess_exec", counted_start)
    try:
        yield context
    finally:
        await api.aclose()


def _bodies(ctx: Ctx, since: int) -> list[Any]:
    return [record.body for record in list(ctx.sim.requests)[since:]]


async def _attempt(site: Site, ctx: Ctx, values: dict[str, Any],
                   surplus: tuple[Any, ...] = ()) -> tuple[Ended, int, list[Any]]:
    """Call with ``values`` (see :func:`call_arguments`), or with them by keyword after ``surplus`` positionals."""
    args, kwargs = (surplus, values) if surplus else call_arguments(signature_and_hints(site)[0], values)
    before, logged = ctx.sent(), len(ctx.sim.requests)
    function = site.get(ctx)
    with retry.no_backoff():  # set_testing is one of the callables: whatever it sets ends with the call
        ended = await run_call(function, args, kwargs, in_thread=site.thread)
    return ended, ctx.sent() - before, _bodies(ctx, logged)


# run_server prints through ``out``; an async ``out`` (a careless but accepted callable) is never awaited.
@pytest.mark.filterwarnings("ignore:coroutine '_async_wrong' was never awaited:RuntimeWarning")
@pytest.mark.parametrize("site", SITES, ids=[site.label for site in SITES])
async def test_careless_arguments_are_refused_before_anything_is_sent(site: Site, ctx: Ctx) -> None:
    good = good_arguments(site, ctx)
    ended, _, _ = await _attempt(site, ctx, good)
    assert not ended.refused, f"{site.label}({good!r:.200}) with good values was refused: {ended}"
    signature, hints = signature_and_hints(site)
    failures: list[str] = []
    wrongs = [wrong for wrong in WRONG if not site.short or wrong.label in SHORT]
    records = _is_record(site.function)
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.VAR_KEYWORD:
            continue
        star = parameter.kind is parameter.VAR_POSITIONAL  # each wrong value is one of its items
        # An endpoint method takes None as "the default" (documented: None arguments are omitted).
        none_is_default = site.label.startswith(("api.", "view.", "raw.")) and parameter.default is not parameter.empty
        for wrong in wrongs:
            if wrong.label in SKIP.get(f"{site.key}.{parameter.name}", ()):
                continue
            value = wrong.make()
            why = must_refuse(wrong, value, hints[parameter.name], strict_text=not records,
                              none_is_default=none_is_default)
            made = wrong.make()
            ended, sent, bodies = await _attempt(site, ctx, {**good, parameter.name: [made] if star else made})
            failures += _judge(site, f"{parameter.name}={wrong.label}", why, ended, sent, bodies)
    surplus = [("surplus positional", good, tuple(range(len(signature.parameters) + 1)))]
    if any(parameter.kind is parameter.VAR_POSITIONAL and parameter.name in good
           for parameter in signature.parameters.values()):
        surplus = []  # its ``*args`` are given: any number of positional arguments fits
    for label, values, args in [("unknown keyword", {**good, "careless_keyword": 1}, ()), *surplus]:
        ended, sent, bodies = await _attempt(site, ctx, values, args)
        failures += _judge(site, label, "it does not fit the signature", ended, sent, bodies)
    assert not failures, f"{len(failures)} careless call(s) of {site.label}:\n" + "\n".join(failures[:60])


def _is_record(function: Any) -> bool:
    """A record of the service's data (a model, a poll result): its texts are the service's, of any length."""
    return isinstance(function, type) and attrs.has(function) and function is not HardwareRequest


#: Wrong values a parameter takes by design (each with its reason): they are not tried.
SKIP: dict[str, tuple[str, ...]] = {
    "run_server.stop": ("none",),  # None serves until Ctrl+C (the documented default)
    "Farm.upload_file.content": ("overlong",),  # a task.json may be long (32 MiB): 100,000 characters are fine
}


def _judge(site: Site, case: str, why: str | None, ended: Ended, sent: int, bodies: list[Any]) -> list[str]:
    if ended.how == "stuck":
        return [f"  {case}: still running after its deadline (an endless loop?)"]
    if why is not None:
        if not ended.refused:
            return [f"  {case}: must be refused ({why}); {ended}"]
        if sent:
            return [f"  {case}: refused after {sent} request(s) or call(s)"]
        return []
    if ended.error is not None and not ended.sdk_error and not isinstance(ended.error, ALLOWED.get(site.label, ())):
        return [f"  {case}: {ended}"]
    return [f"  {case}: sent {problem}" for body in bodies for problem in wire_problems(body)]


# -- the catalogue's own checks --------------------------------------------------------------------------------------


def test_the_catalogue_finds_the_surfaces_it_promises() -> None:
    labels = {site.label for site in SITES}
    for expected in ("AsyncRayvisionAPI", "api.submit_analysis", "api.check_analysis", "api.submit_task_json",
                     "api.poll", "api.watch", "api.wait", "api.with_options", "api.query.iter_tasks",
                     "api.query.get_task_list", "view.query.get_task_list", "raw.query.task_info", "Pager", "Watcher",
                     "Watcher.add", "PollResult", "HardwareRequest", "TaskInfo", "FrameInfo", "append_to_task",
                     "update_task_info", "Farm", "Farm.advance", "Simulator", "Simulator.inject", "FaultPlan", "serve",
                     "run_server", "TaskStatus"):
        assert expected in labels, expected
    assert len(SITES) > 300


def test_every_exclusion_names_something_that_exists() -> None:
    known = {site.label for site in _surfaces()} | {"exceptions", "pytest_plugin"}
    owners = {label.rpartition(".")[0] for label in known}
    for label in EXCLUDED:
        if label.endswith(".*"):
            assert label[:-2] in owners, f"EXCLUDED names {label}, which no longer exists"
        else:
            assert label in known, f"EXCLUDED names {label}, which no longer exists"


async def test_a_raw_view_of_a_helper_says_so_clearly() -> None:
    # Phase 2 (issue 19 regenerates the raw view): an SDK error would replace the AttributeError.
    api = AsyncRayvisionAPI("AKIDrawhelper", "raw-helper-key")
    for helper in ("iter_tasks", "iter_frames", "get_all_frames", "get_custom_frames", "get_small_task_id"):
        with pytest.raises(AttributeError, match="only single-request endpoint methods"):
            getattr(api.with_raw_response.query, helper)
    await api.aclose()


