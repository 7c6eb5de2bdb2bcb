"""``AsyncRayvisionAPI``: settings, the endpoint groups, and the multi-call flows it delegates to.

The client builds one :class:`~._caller.Caller` (the connection, the path set,
timeouts, retries, tracing) and binds the endpoint groups of the table's
``GROUPS`` over it; every endpoint method ends in ``Caller.call``. Bulk work,
paging and the submit workflow live in :mod:`.flows` and get the endpoint calls
they need passed in. :meth:`AsyncRayvisionAPI.with_options` and
:attr:`~AsyncRayvisionAPI.with_raw_response` are views over an evolved caller
sharing the connection: nothing is copied.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NoReturn, SupportsIndex, overload

import attrs

from . import _settings as settings
from . import errors
from ._arguments import checked_binding
from ._caller import Caller
from ._logsetup import log_from_environment
from ._request import Connection
from ._retry import RetryPolicy
from ._tracing import Tracing
from ._unpicklable import refuse, register
from .api import _kinds as kinds
from .api._body import PathSet
from .api._generated import RawResponseView
from .api._groups import GROUP_CLASSES, EnvGroup, QueryGroup, TagGroup, TaskGroup, TransmitGroup, UserGroup
from .api._table import GROUPS, ROWS
from .flows import _bulk as bulk
from .flows import _pipeline as pipeline
from .flows import _renders as renders
from .flows import _submit as submit
from .flows import _userinfo as userinfo
from .flows._analysis import HardwareRequest, read_document
from .models import TaskInfo
from .wire._limits import DEFAULT_MAX_RESPONSE_BYTES, Timeouts

if TYPE_CHECKING:
    import ssl

    import httpx

    from .transfer import DownloadResult, EventCallback, Transfer

__all__ = ["AsyncRayvisionAPI"]

logger = logging.getLogger("rayvision_async")

register(RawResponseView)  # its groups hold the caller, so the access key: never pickled or deep-copied


class AsyncRayvisionAPI:
    """An asyncio client for the Rayvision render API.

    ``access_id``/``access_key`` default to ``RAYVISION_API_ACCESS_ID`` and
    ``RAYVISION_API_KEY``. ``domain`` is what is signed (``host[:port]``, no
    scheme); requests go to ``base_url``
    (default ``$RAYVISION_BASE_URL``, else ``https://{domain}``).
    ``protocol`` picks the path set: ``"current"`` (what the official SDK 3.x
    sends, version header 2.0.0) or ``"2018"`` (the 2018–2020 protocol
    documents, version header 1.0.0). Nothing is sent at construction.

    ``http_client`` (an ``httpx.AsyncClient`` you own and close) carries every
    signed attempt instead of the default aiohttp-backed transport, so its
    event hooks, proxies, TLS settings and instrumentation see each one; its
    failures are never taken to mean "nothing was sent". ``default_headers``
    are added to every request. ``verify`` is which certificates the default
    transport trusts: True (the system's CAs; ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``
    when set), a CA bundle path, or an ``ssl.SSLContext`` (``False`` is refused;
    with ``http_client=`` set it on that client). No redirect is ever followed.
    ``RAYVISION_LOG=debug|info`` sends the SDK's log to stderr.

    ``tracer_provider`` (an OpenTelemetry ``TracerProvider``) receives one span
    per endpoint call and per ``poll``/``watch``/``wait``; without it spans go
    to the global provider once one is set (none are made otherwise).

    Use it as ``async with AsyncRayvisionAPI(...) as api:`` or call
    :meth:`aclose` (or :meth:`close`). :meth:`with_options` gives a view with
    other timeouts or retries that shares the connections;
    :attr:`with_raw_response` one whose endpoint calls also return the
    envelope's request id, server time, the HTTP status and headers.
    """

    user: UserGroup
    task: TaskGroup
    query: QueryGroup
    tag: TagGroup
    env: EnvGroup
    transmit: TransmitGroup

    @checked_binding(errors.ConfigurationError)
    def __init__(
        self,
        access_id: str | None = None,
        access_key: str | None = None,
        domain: str = "task.renderbus.com",
        platform: str | int = "4",
        *,
        protocol: Literal["current", "2018"] = "current",
        timeout: Timeouts | httpx.Timeout | float | None = 30.0,
        max_retries: int = 2,
        retry: RetryPolicy | None = None,
        max_concurrency: int = 32,
        transport: httpx.AsyncBaseTransport | None = None,
        base_url: str | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        tracer_provider: Any = None,
        verify: bool | str | os.PathLike[str] | ssl.SSLContext = True,
    ) -> None:
        log_from_environment()
        access_id, access_key, domain, platform, base_url = settings.checked(
            access_id=access_id, access_key=access_key, domain=domain, platform=platform, protocol=protocol,
            retry=retry, max_concurrency=max_concurrency, transport=transport, base_url=base_url,
            max_response_bytes=max_response_bytes)
        timeouts = Timeouts.coerce(timeout)
        policy = retry or settings.retry_policy(max_retries)
        paths = PathSet.of(protocol, domain=domain, platform=platform)
        tracing = Tracing(tracer_provider)
        from .wire._channel import HttpChannel  # httpx, with the first client: not when the SDK is imported

        channel = HttpChannel(
            base_url=base_url or f"https://{domain}",
            signer_options={"access_id": access_id, "access_key": access_key, "domain": domain,
                            "platform": platform, "version": paths.version},
            inner=transport,
            max_connections=max_concurrency,
            max_response_bytes=max_response_bytes,
            http_client=http_client,
            headers=default_headers,
            verify=verify,
        )
        self._bind(Caller(Connection(channel, max_concurrency), paths, timeouts, policy, tracing),
                   domain=domain, platform=platform, owner=True)

    def _bind(self, caller: Caller, *, domain: str, platform: str, owner: bool) -> None:
        """Hold ``caller`` and bind the endpoint groups of ``GROUPS`` over it."""
        self._caller = caller
        self._owner = owner
        self.domain = domain
        self.platform = platform
        self.protocol: Literal["current", "2018"] = caller.paths.protocol
        self.max_concurrency = caller.connection.max_concurrency
        for name in GROUPS:
            setattr(self, name, GROUP_CLASSES[name](caller))
        #: ``task_info`` on the bulk lane: what poll/watch/wait ask with (the bulk budget, turns after single calls).
        self._bulk_task_info = QueryGroup(caller.evolve(bulk=True)).task_info

    def _view(self, caller: Caller) -> AsyncRayvisionAPI:
        """A client over ``caller`` that shares this one's connection and leaves it open."""
        view = object.__new__(type(self))
        view._bind(caller, domain=self.domain, platform=self.platform, owner=False)
        return view

    def __repr__(self) -> str:
        if "_caller" not in self.__dict__:  # a constructor that failed (a traceback's locals show the object)
            return "AsyncRayvisionAPI(<not constructed>)"
        return (f"AsyncRayvisionAPI(domain={self.domain!r}, platform={self.platform!r}, "
                f"protocol={self.protocol!r}, timeout={self._caller.timeouts!r}, retry={self._caller.policy!r})")

    # -- never pickled or deep-copied: it holds the access key (see _unpicklable.py) -----------------

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        refuse(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> NoReturn:
        refuse(self)

    def __copy__(self) -> AsyncRayvisionAPI:
        """A view sharing this client's settings and connections (closing it leaves them open)."""
        return self._view(self._caller)

    # -- lifecycle ---------------------------------------------------------------------------------

    async def __aenter__(self) -> AsyncRayvisionAPI:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @checked_binding()
    async def aclose(self) -> None:
        """Close the connections (a :meth:`with_options` view leaves them to its parent).

        An ``http_client`` you passed stays open: close it yourself.
        """
        if self._owner:
            await self._caller.connection.channel.aclose()

    @checked_binding()
    async def close(self) -> None:
        """The same as :meth:`aclose` (the name other SDKs' async clients use)."""
        await self.aclose()

    @property
    def with_raw_response(self) -> RawResponseView:
        """A view whose endpoint calls return a :class:`~rayvision_async.RawResponse` (``.parse()``: the result).

        ``await api.with_raw_response.query.task_info([7])`` is a ``RawResponse[TaskInfoPage]`` with
        ``.request_id``, ``.server_time``, ``.http_status``, ``.headers``, ``.code``, ``.message`` and
        ``.parse()``. It shares this client's connections, timeouts and retries; only single-request
        endpoint methods are offered (not pagers or other helpers).
        """
        return RawResponseView(self._caller.evolve(raw=True))

    @property
    def is_closed(self) -> bool:
        """True once :meth:`aclose` has run (for a view: once its parent client closed)."""
        return self._caller.connection.is_closed

    @property
    def requests_sent(self) -> int:
        """Requests sent (every attempt counts) by this client and its :meth:`with_options` views."""
        return self._caller.connection.requests_sent

    @checked_binding(errors.ConfigurationError)
    def with_options(
        self, *, timeout: Timeouts | httpx.Timeout | float | Literal["unchanged"] | None = "unchanged",
        max_retries: int | None = None, retry: RetryPolicy | None = None,
    ) -> AsyncRayvisionAPI:
        """A view of this client with other timeouts or retries, sharing its connections and cap."""
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise errors.ConfigurationError("retry must be a RetryPolicy (or max_retries= an int)")
        caller = self._caller
        if not (isinstance(timeout, str) and timeout == "unchanged"):  # never ``!=`` on a caller's object
            caller = caller.evolve(timeouts=Timeouts.coerce(timeout))
        if max_retries is not None:
            caller = caller.evolve(policy=settings.retry_policy(max_retries))
        if retry is not None:
            caller = caller.evolve(policy=retry)
        return self._view(caller)

    # -- many tasks (flows/_bulk.py) ---------------------------------------------------------------

    @checked_binding()
    async def poll(
        self, task_ids: Iterable[int], *, batch_size: int = 100, partial: bool = False,
    ) -> bulk.PollResult:
        """The current :class:`TaskInfo` of every id, asked in batches of ``batch_size``.

        Duplicated ids are asked once. Child tasks are found inside their
        parent too. Ids the service does not return are in ``missing``. When
        batches fail (after their retries), the others still run and
        :class:`~.flows._bulk.PartialPollError` carries every task obtained
        and each failed id's error; ``partial=True`` returns that result
        instead (its ``failed`` lists the ids, ``complete`` is False).

        Polls and watches together hold at most ``max_concurrency - max(1,
        max_concurrency // 8)`` request slots (28 of 32), so single calls made
        meanwhile are answered at once; big replies are structured a slice at a
        time, so the rest of your event loop keeps running (README, Reliability).
        """
        with self._caller.tracing.parent("poll") as span:
            result = await self._poll(task_ids, batch_size, partial=partial)
            if span is not None:
                span.set_attribute("rayvision.tasks", len(result.tasks))
                span.set_attribute("rayvision.missing", len(result.missing))
                span.set_attribute("rayvision.failed", len(result.failed))
            return result

    async def _poll(self, task_ids: Iterable[int], batch_size: int, *, partial: bool) -> bulk.PollResult:
        return await bulk.poll(self._bulk_task_info, task_ids, batch_size=batch_size,
                               concurrency=self._caller.connection.bulk_slots, partial=partial)

    @checked_binding()
    def watch(
        self, task_ids: Iterable[int], *, interval: float = 5.0, until_terminal: bool = True,
        batch_size: int = 100, missing_rounds: int | None = 3, max_failed_rounds: int = 3,
    ) -> bulk.Watcher:
        """Yield a :class:`~.flows._bulk.TaskEvent` whenever a watched task's status or frame counts change.

        Every task yields one event when first seen. A task is dropped from
        the watch once it reaches a terminal status; the iteration ends when
        none is left, unless ``until_terminal`` is False (then it runs until
        you break or ``aclose()``). Add tasks with ``.add()`` at any time. A
        task the service does not return for ``missing_rounds`` polls in a row
        is dropped and listed in ``.lost`` (None: keep asking forever). The
        ids of a failed batch are asked again within the round; tasks whose
        batch still failed keep their last known states and are asked again
        next round. ``max_failed_rounds`` rounds in a row with no batch
        answered, or failing for the same task, raise
        :class:`~.flows._bulk.PartialPollError` after the events already seen.
        """
        return self._watcher(task_ids, interval=interval, until_terminal=until_terminal, batch_size=batch_size,
                             missing_rounds=missing_rounds, max_failed_rounds=max_failed_rounds, traced=True)

    def _watcher(
        self, task_ids: Iterable[int], *, interval: float, traced: bool, until_terminal: bool = True,
        batch_size: int = 100, missing_rounds: int | None = 3, max_failed_rounds: int = 3,
    ) -> bulk.Watcher:
        """A :class:`~.flows._bulk.Watcher` over this client's polls; ``traced``: under a ``rayvision watch`` span."""
        options: dict[str, Any] = {"until_terminal": until_terminal, "batch_size": batch_size,
                                   "missing_rounds": missing_rounds, "max_failed_rounds": max_failed_rounds}
        if not traced:
            return bulk.Watcher(lambda ids, size: self._poll(ids, size, partial=True), task_ids,
                                interval=interval, **options)
        tracing = self._caller.tracing
        span: list[Any] = []  # started with the first round, ended when the watch ends

        async def poll_round(ids: list[int], size: int) -> bulk.PollResult:
            if not span:
                span.append(tracing.start("watch"))
            with tracing.within(span[0]):
                return await self._poll(ids, size, partial=True)

        def ended(error: BaseException | None) -> None:
            if span:
                tracing.end(span.pop(), error)

        return bulk.Watcher(poll_round, task_ids, interval=interval, on_end=ended, **options)

    @overload
    async def wait(self, task_ids: int, *, timeout: float | None = ..., interval: float = ...) -> TaskInfo: ...

    @overload
    async def wait(
        self, task_ids: Iterable[int], *, timeout: float | None = ..., interval: float = ...
    ) -> dict[int, TaskInfo]: ...

    @checked_binding()
    async def wait(
        self, task_ids: int | Iterable[int], *, timeout: float | None = None, interval: float = 5.0
    ) -> TaskInfo | dict[int, TaskInfo]:
        """Wait until the task(s) reach a terminal status; return the final state(s).

        Raises :class:`~.flows._bulk.WaitTimeoutError` (with the last known
        states) after ``timeout`` seconds, and
        :class:`~.flows._bulk.TasksNotFoundError` for ids the service did not
        return in three polls in a row.
        """
        with self._caller.tracing.parent("wait"):
            return await bulk.wait(lambda ids, every: self._watcher(ids, interval=every, traced=False), task_ids,
                                   timeout=timeout, interval=interval)

    # -- the official SDK's workflows (flows/_submit.py) -------------------------------------------

    def _check_named(self, name: str, values: dict[str, Any]) -> None:
        """Check a call of the endpoint row called ``name`` without sending (for the flows' checks)."""
        self._caller.check(ROWS[name], values)

    @checked_binding()
    async def check_and_add_project_name(self, name: str) -> str:
        """The id (as a string) of the project called ``name``, creating it if missing."""
        # Checked as add_label would check it, before listing: nothing is sent for a bad name.
        next(p for p in ROWS["add_label"].params if p.name == "new_name").kind.check(name, "project name")
        return await submit.check_and_add_project_name(
            name, list_projects=functools.partial(self.tag.get_list, flag=2),
            add_project=functools.partial(self.tag.add_label, status=0))

    @checked_binding()
    async def submit_task_json(
        self,
        task_json: Mapping[str, Any] | str | os.PathLike[str],
        *,
        producer: str | None = None,
        task_id: int | None = None,
        render_key: str | None = None,
        extra_files: Mapping[str, Mapping[str, Any] | str] | None = None,
        **create_options: Any,
    ) -> int:
        """Create a task id (unless ``task_id`` is given), upload ``task.json``, submit; return the id.

        ``task_json`` is a dict, its JSON text, or an ``os.PathLike`` path of a
        UTF-8 JSON file. It is uploaded as given (see :meth:`submit_analysis`
        for the official checks and ids). ``extra_files`` uploads ``upload.json``/``asset.json``/``tips.json``
        too. ``create_options`` go to ``task.create_task``.

        Safe to call again for the same render (the farm renders a task only
        once it is submitted; a created, never-submitted id is never rendered):

        * ``task_id=N`` uploads again and submits unless the service shows task
          N submitted; a task already submitted returns N.
        * ``render_key=K`` (lowercase text you choose per render, see
          :func:`~rayvision_async.flows._renders.check_render_key`) first looks
          K up (:meth:`find_render`) and resumes the task carrying it; else it
          creates one carrying K (as the label ``render-key:K``).
        * A submit whose outcome is unknown is settled by reading the task;
          :class:`~rayvision_async.flows._renders.RenderOutcomeUnknownError`
          (with ``task_id`` and ``render_key``) only when that read fails too.
          A create whose outcome is unknown is looked up by ``render_key``
          (without one, nothing was submitted and the error says so).

        Other failures once a task id exists carry a note with that id: resume
        with ``task_id=`` (or the same ``render_key``).
        """
        if self.protocol == "2018":
            raise errors.UnsupportedOperationError("uploading task.json needs the current path set")
        # Every argument is checked before the first request: a bad one found after createTask would
        # leave a created task behind.
        if isinstance(task_json, os.PathLike):  # a file; a str stays the JSON text itself
            task_json = read_document(task_json, "task.json")
        content = kinds.json_text(task_json, "task_json (task.json)")
        some_id = 1 if task_id is None else task_id
        self._check_named("upload_json_content", {"task_id": some_id, "content": content})
        self._check_named("submit_task", {"task_id": some_id, "producer": producer})
        extras = submit.extra_file_texts(extra_files, check=self._check_named)
        if render_key is not None:
            renders.check_render_key(render_key)
        labels = renders.create_labels(create_options.pop("labels", None), render_key)
        submit.check_create_options({**create_options, "labels": labels}, check=self._check_named)
        return await renders.submit_render(
            {"task.json": content, **extras}, task_id=task_id, render_key=render_key, labels=labels,
            calls=self._render_calls(producer, create_options))

    @checked_binding()
    async def find_render(self, render_key: str) -> renders.RenderLookup:
        """What the service shows for ``render_key``: submitted as task N, created as N but not submitted, or not found.

        Reads the live task list and matches the label ``render-key:<key>``
        exactly (the list cannot be searched by label); more than one submitted
        task with the key raises
        :class:`~rayvision_async.flows._renders.DuplicateRenderError`. A task
        created and never submitted is never rendered (and the list may leave
        it out: then the key is "not found").
        """
        if self.protocol == "2018":
            raise errors.UnsupportedOperationError("render keys need the current path set (createTask labels)")
        renders.check_render_key(render_key)
        calls = self._render_calls(None, {})
        return await renders.find_render(render_key, list_tasks=calls.list_tasks)

    def _render_calls(self, producer: str | None, create_options: Mapping[str, Any]) -> renders.RenderCalls:
        return renders.RenderCalls(
            create=lambda labels: self.task.create_task(count=1, labels=labels, **create_options),
            upload=lambda task, text, name: self.transmit.upload_json_content(task, text, file_name=name),
            submit=functools.partial(self.task.submit_task, producer=producer),
            task_info=self.query.task_info,
            list_tasks=lambda: renders.labelled_tasks(self.query.iter_tasks(page_size=renders.PAGE_SIZE),
                                                      self.query.task_info))

    # -- from analyzer output to a submitted task; the user_info bridge (flows/_pipeline.py) ----------

    @checked_binding()
    async def user_info(self) -> dict[str, Any]:
        """A snapshot of the official SDK's ``api.user_info``: profile, settings and bids merged (3 reads)."""
        profile = await self.user.query_user_profile()
        setting = await self.user.query_user_setting()
        bid = await self.user.get_transfer_bid()
        return userinfo.user_info(profile, setting, bid, domain=self.domain, platform=self.platform)

    @checked_binding()
    async def get_user_id(self) -> int:
        """The account's user id (from the profile)."""
        profile = await self.user.query_user_profile()
        if profile.user_id is None:
            raise errors.MalformedResponseError("the profile has no userId", path="queryUserProfile")
        return profile.user_id

    def _analysis_calls(self, producer: str | None = None) -> pipeline.AnalysisCalls:
        return pipeline.AnalysisCalls(
            supported_plugin=self.query.supported_plugin, hardware_configs=self.user.get_hardware_config,
            error_detail=lambda codes: self.query.error_detail(
                codes=codes, language=0 if self.domain.startswith("task") else 1),
            user_id=self.get_user_id, project_id=self.check_and_add_project_name,
            render=self._render_calls(producer, {}))

    @checked_binding()
    async def check_analysis(
        self, task_json: pipeline.Source, upload_json: pipeline.Source | None = None,
        asset_json: pipeline.Source | None = None, tips_json: pipeline.Source | None = None, *,
        hardware: HardwareRequest | Mapping[str, Any], check_plugins: bool = True,
    ) -> pipeline.CheckedAnalysis:
        """Run :meth:`submit_analysis`'s checks (software, hardware, tips) without creating anything."""
        if self.protocol == "2018":
            raise errors.UnsupportedOperationError("the analysis checks need the current path set")
        if not isinstance(check_plugins, bool):
            raise errors.InvalidInputError(f"check_plugins must be a bool, got {type(check_plugins).__name__}")
        documents = pipeline.AnalysisDocuments.read(task_json, upload_json, asset_json, tips_json)
        return await pipeline.check_analysis(
            documents, hardware=HardwareRequest.coerce(hardware), platform=int(self.platform),
            calls=self._analysis_calls(), check_plugins=check_plugins)

    @checked_binding()
    async def submit_analysis(
        self, task_json: pipeline.Source, upload_json: pipeline.Source | None = None,
        asset_json: pipeline.Source | None = None, tips_json: pipeline.Source | None = None, *,
        hardware: HardwareRequest | Mapping[str, Any], producer: str | None = None, check_plugins: bool = True,
        upload: bool = False, on_event: EventCallback | None = None, render_key: str | None = None,
    ) -> pipeline.SubmittedAnalysis:
        """From an analyzer's task/upload/asset/tips.json (dicts or file paths) to a submitted task.

        Checks the software, hardware and tips (see :meth:`check_analysis`), fills ``user_id``,
        ``project_id`` and ``task_id``, uploads the documents and submits. A failure raises an
        :class:`~.flows._pipeline_errors.AnalysisSubmitError` saying what was done; once a task
        id exists, pass ``error.task_json`` back as ``task_json`` to resume with that task (a task
        the service shows submitted is returned without uploading again). ``render_key`` works as
        in :meth:`submit_task_json`: the task carrying it is resumed, else one is created with it.
        ``upload=True`` also sends the documents and the files upload.json lists through the
        transfer engine (:attr:`transfer`) before the submit, reporting to ``on_event``; those
        files and the engine are checked before anything is created.
        """
        if not isinstance(upload, bool):
            raise errors.InvalidInputError(f"upload must be a bool, not {type(upload).__name__}")
        if render_key is not None:
            renders.check_render_key(render_key)
        self._check_named("submit_task", {"task_id": 1, "producer": producer})  # checked before anything is sent
        calls = self._analysis_calls(producer)
        if upload:
            from .transfer._render import task_files_sender

            calls = attrs.evolve(calls, send_files=task_files_sender(self.transfer, upload_json, on_event=on_event))
        checked = await self.check_analysis(task_json, upload_json, asset_json, tips_json, hardware=hardware,
                                            check_plugins=check_plugins)
        return await pipeline.submit_analysis(checked, calls=calls, render_key=render_key)

    # -- transfers: the engine's uploads and downloads (transfer/) -----------------------------------

    @property
    def transfer(self) -> Transfer:
        """Uploads and downloads through the transfer engine: a :class:`~rayvision_async.transfer.Transfer`.

        Default settings; assign ``api.transfer = Transfer(api, transmitter=..., ...)`` to change them
        (anything but a ``Transfer`` is a ``ConfigurationError``).
        """
        from .transfer import Transfer

        made: Transfer | None = self.__dict__.get("_transfer")
        if made is None:
            made = self.__dict__["_transfer"] = Transfer(self)
        return made

    @transfer.setter
    def transfer(self, value: Transfer) -> None:
        from .transfer import Transfer

        if not isinstance(value, Transfer):
            raise errors.ConfigurationError(f"api.transfer must be a Transfer, not {type(value).__name__}")
        self.__dict__["_transfer"] = value

    @checked_binding()
    async def download_outputs(self, task_id: int, dest: str | os.PathLike[str], *, follow: bool = False,
                               interval: float = 10.0, timeout: float | None = None,
                               on_event: EventCallback | None = None) -> DownloadResult:
        """``api.transfer.download_outputs(...)``: a task's output files into ``dest`` (``follow``: as they finish)."""
        return await self.transfer.download_outputs(task_id, dest, follow=follow, interval=interval, timeout=timeout,
                                                    on_event=on_event)
