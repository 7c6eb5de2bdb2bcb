"""``AsyncRayvisionAPI``: settings, the endpoint groups, and the multi-call flows it delegates to.

Every endpoint method ends in :meth:`AsyncRayvisionAPI._call` (table row and
arguments → wire body → :func:`._request.send`, the one request loop → the
row's result type). Bulk work, paging and the submit workflow live in
:mod:`.flows` and get the endpoint calls they need passed in.
"""

from __future__ import annotations

import copy
import functools
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NoReturn, SupportsIndex, overload

from . import _settings as settings
from . import errors
from ._arguments import checked_binding
from ._logsetup import log_from_environment
from ._raw import RawResponse, RawResponseView, _RawGroup
from ._request import Connection, send
from ._retry import RetryPolicy
from ._unpicklable import refuse, register
from .api import _kinds as kinds
from .api._body import build_body, context_values, result_of
from .api._groups import EnvGroup, QueryGroup, TagGroup, TaskGroup, TransmitGroup, UserGroup
from .api._row import Endpoint
from .api._table import ROWS
from .flows import _bulk as bulk
from .flows import _pipeline as pipeline
from .flows import _submit as submit
from .flows import _userinfo as userinfo
from .flows._analysis import HardwareRequest, read_document
from .models import TaskInfo
from .wire import Envelope, HttpChannel, Timeouts
from .wire._channel import DEFAULT_MAX_RESPONSE_BYTES
from .wire._signing import encode_body

if TYPE_CHECKING:
    import httpx

__all__ = ["AsyncRayvisionAPI"]

logger = logging.getLogger("rayvision_async")

# They hold the signer or the client; refused from here until their own files can say so themselves.
register(HttpChannel, RawResponseView, _RawGroup)

def _parse_data(endpoint: Endpoint, path: str, envelope: Envelope) -> Any:
    return result_of(endpoint, envelope.data, path=path, exact=envelope.exact_data)


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
    are added to every request. ``RAYVISION_LOG=debug|info`` sends the SDK's
    log to stderr.

    Use it as ``async with AsyncRayvisionAPI(...) as api:`` or call
    :meth:`aclose` (or :meth:`close`). :meth:`with_options` gives a view with
    other timeouts or retries that shares the connections;
    :attr:`with_raw_response` one whose endpoint calls also return the
    envelope's request id, server time and the HTTP status.
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
    ) -> None:
        log_from_environment()
        self._access_id, access_key, domain, platform, base_url = settings.checked(
            access_id=access_id, access_key=access_key, domain=domain, platform=platform, protocol=protocol,
            retry=retry, max_concurrency=max_concurrency, transport=transport, base_url=base_url,
            max_response_bytes=max_response_bytes)
        self._timeouts = Timeouts.coerce(timeout)
        self._retry = retry or settings.retry_policy(max_retries)
        self.domain = domain
        self.platform = platform
        self.protocol = protocol
        self._legacy = protocol == "2018"
        self._context = context_values(domain, platform, legacy=self._legacy)
        channel = HttpChannel(
            base_url=base_url or f"https://{domain}",
            signer_options={"access_id": self._access_id, "access_key": access_key, "domain": domain,
                            "platform": platform, "version": "1.0.0" if self._legacy else "2.0.0"},
            inner=transport,
            max_connections=max_concurrency,
            max_response_bytes=max_response_bytes,
            http_client=http_client,
            headers=default_headers,
        )
        self._connection = Connection(channel, max_concurrency)
        self._channel = channel
        self.max_concurrency = max_concurrency
        self._owner = True
        self._raw = False
        self._bind_groups()

    def _bind_groups(self) -> None:
        self.user = UserGroup(self)
        self.task = TaskGroup(self)
        self.query = QueryGroup(self)
        self.tag = TagGroup(self)
        self.env = EnvGroup(self)
        self.transmit = TransmitGroup(self)

    def __repr__(self) -> str:
        return (f"AsyncRayvisionAPI(domain={self.domain!r}, platform={self.platform!r}, "
                f"protocol={self.protocol!r}, timeout={self._timeouts!r}, retry={self._retry!r})")

    # -- never pickled or deep-copied: it holds the access key (see _unpicklable.py) -----------------

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        refuse(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> NoReturn:
        refuse(self)

    def __copy__(self) -> AsyncRayvisionAPI:
        """A shallow view sharing this client's settings and connections (what ``with_options`` starts from)."""
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        return view

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
            await self._channel.aclose()

    @checked_binding()
    async def close(self) -> None:
        """The same as :meth:`aclose` (the name other SDKs' async clients use)."""
        await self.aclose()

    @property
    def with_raw_response(self) -> RawResponseView:
        """A view whose endpoint calls return a :class:`RawResponse` (``.parse()`` gives the usual result).

        ``await api.with_raw_response.query.task_info([7])`` → ``.request_id``,
        ``.server_time``, ``.http_status``, ``.code``, ``.message`` and ``.parse()``.
        It shares this client's connections, timeouts and retries.
        """
        view = copy.copy(self)
        view._owner = False
        view._raw = True
        view._bind_groups()
        return RawResponseView(view)

    @property
    def is_closed(self) -> bool:
        return self._channel.is_closed

    @property
    def requests_sent(self) -> int:
        """Requests sent (every attempt counts) by this client and its :meth:`with_options` views."""
        return self._connection.requests_sent

    @checked_binding(errors.ConfigurationError)
    def with_options(
        self, *, timeout: Timeouts | httpx.Timeout | float | Literal["unchanged"] | None = "unchanged",
        max_retries: int | None = None, retry: RetryPolicy | None = None,
    ) -> AsyncRayvisionAPI:
        """A view of this client with other timeouts or retries, sharing its connections and cap."""
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise errors.ConfigurationError("retry must be a RetryPolicy (or max_retries= an int)")
        view = copy.copy(self)
        view._owner = False
        if not (isinstance(timeout, str) and timeout == "unchanged"):
            view._timeouts = Timeouts.coerce(timeout)
        if max_retries is not None:
            view._retry = settings.retry_policy(max_retries)
        if retry is not None:
            view._retry = retry
        view._bind_groups()
        return view

    # -- the request loop --------------------------------------------------------------------------

    def _path(self, endpoint: Endpoint) -> str:
        path = endpoint.legacy_path if self._legacy else endpoint.path
        if path is None:
            raise errors.UnsupportedOperationError(
                f"{endpoint.group}.{endpoint.name} does not exist in the 2018 path set")
        return path

    def _check(self, name: str, values: dict[str, Any]) -> None:
        """Validate arguments for the endpoint called ``name`` without sending anything."""
        endpoint = ROWS[name]
        self._path(endpoint)
        build_body(endpoint, values, legacy=self._legacy, context=self._context)

    async def _call(self, endpoint: Endpoint, values: dict[str, Any]) -> Any:
        """Run one table row: arguments → wire body → the request loop → the row's result type."""
        path = self._path(endpoint)
        if self._channel.is_closed:
            raise errors.ClientClosedError(f"the client is closed; {endpoint.name} was not sent")
        body = build_body(endpoint, values, legacy=self._legacy, context=self._context)
        self._connection.check_usable(path)
        parse: Callable[[Envelope], Any] = functools.partial(_parse_data, endpoint, path)
        if self._raw:
            parse = functools.partial(RawResponse.of, parse, scrub=self._channel.signer.scrub_optional)
        return await send(self._connection, path, encode_body(body), idempotent=endpoint.idempotent,
                          timeouts=self._timeouts, policy=self._retry, parse=parse)

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
        """
        return await bulk.poll(self.query.task_info, task_ids, batch_size=batch_size,
                               concurrency=self.max_concurrency, partial=partial)

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
        is dropped and listed in ``.lost`` (None: keep asking forever). A
        round whose batches fail keeps their tasks' last known states and asks
        again next round; ``max_failed_rounds`` failed rounds in a row raise
        :class:`~.flows._bulk.PartialPollError` after the events already seen.
        """
        return bulk.Watcher(lambda ids, size: self.poll(ids, batch_size=size, partial=True), task_ids,
                            interval=interval, until_terminal=until_terminal, batch_size=batch_size,
                            missing_rounds=missing_rounds, max_failed_rounds=max_failed_rounds)

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
        return await bulk.wait(lambda ids, every: self.watch(ids, interval=every), task_ids, timeout=timeout,
                               interval=interval)

    # -- the official SDK's workflows (flows/_submit.py) -------------------------------------------

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
        extra_files: Mapping[str, Mapping[str, Any] | str] | None = None,
        **create_options: Any,
    ) -> int:
        """Create a task id (unless ``task_id`` is given), upload ``task.json``, submit; return the id.

        ``task_json`` is a dict, its JSON text, or an ``os.PathLike`` path of a
        UTF-8 JSON file. It is uploaded as given (see :meth:`submit_analysis`
        for the official checks and ids). ``extra_files`` uploads ``upload.json``/``asset.json``/``tips.json``
        too. ``create_options`` go to ``task.create_task``. Creating and
        submitting are never retried once sent, so a failure after the task id
        was created raises with that id in the message: resume by passing
        ``task_id=``.
        """
        if self.protocol == "2018":
            raise errors.UnsupportedOperationError("uploading task.json needs the current path set")
        # Every argument is checked before the first request: a bad one found after createTask would
        # leave a created task behind.
        if isinstance(task_json, os.PathLike):  # a file; a str stays the JSON text itself
            task_json = read_document(task_json, "task.json")
        content = kinds.json_text(task_json, "task_json (task.json)")
        some_id = 1 if task_id is None else task_id
        self._check("upload_json_content", {"task_id": some_id, "content": content})
        self._check("submit_task", {"task_id": some_id, "producer": producer})
        extras = submit.extra_file_texts(extra_files, check=self._check)
        submit.check_create_options(create_options, check=self._check)
        return await submit.submit_task_json(
            content, task_id=task_id, extra_files=extras,
            create=functools.partial(self.task.create_task, count=1, **create_options),
            upload=lambda task, text, name: self.transmit.upload_json_content(task, text, file_name=name),
            submit=functools.partial(self.task.submit_task, producer=producer))

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
            create=functools.partial(self.task.create_task, count=1),
            upload=lambda task, text, name: self.transmit.upload_json_content(task, text, file_name=name),
            submit=functools.partial(self.task.submit_task, producer=producer))

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
    ) -> pipeline.SubmittedAnalysis:
        """From an analyzer's task/upload/asset/tips.json (dicts or file paths) to a submitted task.

        Checks the software, hardware and tips (see :meth:`check_analysis`), fills ``user_id``,
        ``project_id`` and ``task_id``, uploads the documents and submits. A failure raises an
        :class:`~.flows._pipeline_errors.AnalysisSubmitError` saying what was done; once a task
        id exists, pass ``error.task_json`` back as ``task_json`` to resume with that task.
        """
        self._check("submit_task", {"task_id": 1, "producer": producer})  # checked before anything is sent
        checked = await self.check_analysis(task_json, upload_json, asset_json, tips_json, hardware=hardware,
                                            check_plugins=check_plugins)
        return await pipeline.submit_analysis(checked, calls=self._analysis_calls(producer))
