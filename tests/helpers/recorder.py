"""A client over a transport that records every request, and a valid call of any endpoint row.

The bad-input tests count what was sent, and build each careless call from
:func:`baseline` by changing one argument.

Every request is answered with a successful envelope holding an empty page, so
a call that sent something before failing (or did not fail) is caught by the
request count, not masked by a transport error.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

import httpx

from rayvision_async import AsyncRayvisionAPI
from rayvision_async.api._row import REQUIRED, Endpoint, Param
from rayvision_async.errors import InvalidInputError

ACCESS_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
ACCESS_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"


class Recorder:
    """A transport that records every request and answers it with an empty page."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        data = {"pageCount": 1, "pageNum": 1, "total": 0, "size": 100, "items": []}
        return httpx.Response(200, json={"code": 200, "message": "success", "data": data})


@contextlib.asynccontextmanager
async def recording_client(
    protocol: Literal["current", "2018"] = "current",
) -> AsyncIterator[tuple[AsyncRayvisionAPI, Recorder]]:
    """A client without retries over a :class:`Recorder`, and the recorder."""
    recorder = Recorder()
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, protocol=protocol, transport=httpx.MockTransport(recorder),
                                 max_retries=0) as api:
        yield api, recorder


# -- a valid call of any endpoint row, for the catalogues that change one argument of it ----------------

#: Wire names the SDK sends as Java longs: the protocol's ``Long`` fields (outUserId, overTime) and ids.
LONG_WIRE = frozenset({"taskId", "taskIds", "taskParam", "outUserId", "cloneOriginalId", "overTime", "id", "ids",
                       "labelIds", "hardwareConfigIds"})
#: A valid render environment.
ENV = {"cgId": 2000, "cgName": "Maya", "cgVersion": "2020", "renderLayerType": 0, "editName": "testRenderEnv",
       "renderSystem": 0, "pluginIds": [1166]}
#: Parameters a row's cross-parameter rule needs for a call that is otherwise valid.
RULE_NEEDS: dict[str, dict[str, Any]] = {"error_detail": {"code": "15000"}, "delete_task_tag": {"tag_ids": [1]}}


#: Good values to try, by annotation, for a call that is otherwise valid (the first the kind accepts is used).
GOOD_BY_ANNOTATION: dict[str, list[Any]] = {
    "int": [1, 2, 5, 2000], "str": ["x", "task.json", "windows", "render"], "bool": [True], "float": [1.0],
    "Iterable[int]": [[1]], "Iterable[str]": [["x"]], "int | str": [1], "Iterable[int | str]": [[1]],
    "str | int": ["maya"], "Iterable[str | int]": [["maya"]],
    "datetime | date | str": ["2020-01-01 00:00:00"], "str | Mapping[str, Any]": ["{}"], "Mapping[str, Any]": [ENV],
}


def _good(param: Param) -> Any:
    for candidate in GOOD_BY_ANNOTATION[param.kind.annotation]:
        try:
            param.kind.check(candidate, param.name)
        except InvalidInputError:
            continue
        return candidate
    raise AssertionError(f"no good value for {param.name}")


def baseline(endpoint: Endpoint) -> dict[str, Any]:
    """Keyword arguments of a valid call: a good value for every required parameter."""
    values = {param.name: _good(param) for param in endpoint.params if param.default is REQUIRED}
    return {**values, **RULE_NEEDS.get(endpoint.name, {})}


def method(api: AsyncRayvisionAPI, endpoint: Endpoint) -> Callable[..., Any]:
    """The client's method for ``endpoint`` (``api.<group>.<name>``)."""
    return getattr(getattr(api, endpoint.group), endpoint.name)  # type: ignore[no-any-return]
