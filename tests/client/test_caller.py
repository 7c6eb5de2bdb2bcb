"""The caller under the generated methods: one seam for every call, views without copies, typed raw views."""

from __future__ import annotations

import copy
import inspect
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, get_type_hints

import pytest

import rayvision_async
from helpers import internals
from helpers.fake_service import FakeService, Reply
from rayvision_async import AsyncRayvisionAPI, RawResponse, RetryPolicy, Timeouts, errors
from rayvision_async._caller import Caller
from rayvision_async.api._generated import RawResponseView
from rayvision_async.api._groups import GROUP_CLASSES
from rayvision_async.api._table import ENDPOINTS, GROUPS, ROWS

ACCESS_ID = "AKIDcaller0001"
ACCESS_KEY = "caller-secret-key-0001"
PAGE = {"items": [{"id": 7}], "pageCount": 1}


def client(transport: FakeService, **options: Any) -> AsyncRayvisionAPI:
    return AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, transport=transport, **options)


def test_one_tuple_of_groups_drives_the_client_the_generator_and_the_raw_view() -> None:
    assert tuple(GROUP_CLASSES) == GROUPS
    assert {name for name in get_type_hints(AsyncRayvisionAPI) if name in GROUP_CLASSES} == set(GROUPS)
    assert set(RawResponseView.__slots__) == set(GROUPS)
    api = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY)
    raw = api.with_raw_response
    for name in GROUPS:
        group = getattr(api, name)
        assert type(group) is GROUP_CLASSES[name]
        assert group._caller is api._caller  # groups hold the caller, never the client
        raw_group = getattr(raw, name)
        assert type(raw_group).__name__ == f"Raw{name.capitalize()}Endpoints"
        assert raw_group._caller.raw is True
        assert raw_group._caller.connection is api._caller.connection


def test_every_row_has_a_raw_method_with_the_plain_signature() -> None:
    raw = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY).with_raw_response
    for row in ENDPOINTS:
        plain = inspect.signature(getattr(GROUP_CLASSES[row.group], row.name))
        raw_method = getattr(type(getattr(raw, row.group)), row.name)
        assert inspect.signature(raw_method).parameters == plain.parameters
        returns = inspect.signature(raw_method).return_annotation
        assert returns.startswith("RawResponse[")
        for alias in row.aliases:
            assert getattr(type(getattr(raw, row.group)), alias) is raw_method


def test_helpers_use_their_own_group_not_the_client() -> None:
    source = inspect.getsource(sys.modules["rayvision_async.api._groups"])
    assert "_client" not in source
    for module in ("user", "task", "query", "tag", "env", "transmit"):
        generated = inspect.getsource(sys.modules[f"rayvision_async.api._generated.{module}"])
        assert "self._client" not in generated
        assert "self._caller.call(ROWS[" in generated


async def test_with_options_shares_the_connection_and_copies_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    copies: list[Any] = []
    monkeypatch.setattr(copy, "copy", lambda value: copies.append(value) or value)
    transport = FakeService(Reply(PAGE), Reply(PAGE))
    async with client(transport) as api:
        view = api.with_options(timeout=5, max_retries=0)
        assert view is not api
        assert internals.connection(view) is internals.connection(api)
        assert view._caller.timeouts == Timeouts(5)
        assert view._caller.policy == RetryPolicy(attempts=1)
        assert api._caller.policy == RetryPolicy(attempts=3)  # the parent keeps its own options
        await view.query.task_info([7])
        await api.query.task_info([7])
        await view.aclose()  # a view leaves the shared connection open
        assert not api.is_closed
    assert copies == []
    assert api.requests_sent == view.requests_sent == 2
    assert view.is_closed  # closed with its parent


async def test_the_raw_view_returns_the_reply_with_its_headers() -> None:
    import httpx

    reply = httpx.Response(200, json={"code": 200, "message": "ok", "data": PAGE, "requestId": "rid-7"},
                           headers={"X-Trace": "abc", "Set-Cookie": "a=1"})
    async with client(FakeService(reply)) as api:
        raw = await api.with_raw_response.query.task_info([7])
    assert isinstance(raw, RawResponse)
    assert raw.http_status == 200
    assert raw.headers["x-trace"] == "abc"
    assert raw.headers.get("content-type") == "application/json"
    assert raw.request_id == "rid-7"
    assert [task.id for task in raw.parse().items] == [7]


def test_a_helper_on_the_raw_view_is_an_sdk_error_and_an_attribute_error() -> None:
    raw = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY).with_raw_response
    with pytest.raises(errors.UnsupportedOperationError, match="single-request"):
        raw.query.iter_tasks  # noqa: B018
    assert not hasattr(raw.query, "get_all_frames")
    with pytest.raises(errors.InvalidInputError):
        raw.tag.get_project_list  # noqa: B018


async def test_a_call_that_does_not_fit_a_signature_is_invalid_input_with_one_rule() -> None:
    transport = FakeService()
    async with client(transport) as api:
        for bad in (lambda: api.query.task_info(), lambda: api.query.task_info([1], 2),
                    lambda: api.with_raw_response.query.task_info(nope=1), lambda: api.poll(),
                    lambda: api.with_raw_response.task.create_task(1, 2, 3, 4, 5, 6, 7, 8)):
            with pytest.raises(errors.InvalidInputError):
                await bad()
    assert transport.requests == []
    assert not hasattr(rayvision_async.api._base, "endpoint_method")  # one binding rule: _arguments.checked_binding


def test_the_caller_checks_without_sending_and_evolves() -> None:
    api = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, protocol="2018")
    caller: Caller = api._caller
    caller.check(ROWS["task_info"], {"task_ids_list": [1]})
    with pytest.raises(errors.InvalidInputError):
        caller.check(ROWS["task_info"], {"task_ids_list": ["x"]})
    with pytest.raises(errors.UnsupportedOperationError):
        caller.check(ROWS["get_pack_node_info"], {})
    evolved = caller.evolve(raw=True)
    assert (evolved.raw, evolved.connection, evolved.paths) == (True, caller.connection, caller.paths)
    assert caller.raw is False
    assert ACCESS_KEY not in repr(caller)
    assert ACCESS_ID not in repr(caller)


#: A user's code revealing the raw view's type to a type checker.
USER_SNIPPET = textwrap.dedent("""
    from rayvision_async import AsyncRayvisionAPI

    async def main(api: AsyncRayvisionAPI) -> None:
        raw = await api.with_raw_response.query.task_info([1])
        reveal_type(raw)
        reveal_type(raw.parse())
""")


def test_mypy_reveals_the_raw_views_type(tmp_path: Path) -> None:
    snippet = tmp_path / "user_snippet.py"
    snippet.write_text(USER_SNIPPET, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(snippet)],
                            capture_output=True, text=True, timeout=300, check=False)
    assert 'Revealed type is "rayvision_async._raw.RawResponse[rayvision_async.models.tasks.TaskInfoPage]"' \
        in result.stdout, result.stdout
    assert 'Revealed type is "rayvision_async.models.tasks.TaskInfoPage"' in result.stdout
    assert "error" not in result.stdout.replace("Revealed type", "")


def test_pyright_reveals_the_raw_views_type(tmp_path: Path) -> None:
    pyright = shutil.which("pyright", path=str(Path(sys.executable).parent))
    if pyright is None:
        pytest.skip("pyright is not installed (it is in the test extra)")
    snippet = tmp_path / "user_snippet.py"
    snippet.write_text(USER_SNIPPET, encoding="utf-8")
    try:
        result = subprocess.run([pyright, "--pythonpath", sys.executable, str(snippet)], capture_output=True,
                                text=True, timeout=600, check=False, cwd=tmp_path)
    except subprocess.TimeoutExpired:
        pytest.skip("pyright did not start within 10 minutes (it fetches its Node.js package on first use)")
    if "information:" not in result.stdout and result.returncode != 0:
        pytest.skip(f"pyright could not run here: {(result.stdout + result.stderr).strip()[-300:]}")
    assert 'Type of "raw" is "RawResponse[TaskInfoPage]"' in result.stdout, result.stdout
    assert 'Type of "raw.parse()" is "TaskInfoPage"' in result.stdout
    assert "0 errors" in result.stdout
