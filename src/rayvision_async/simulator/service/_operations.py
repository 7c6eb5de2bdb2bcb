"""Every farm operation by SDK method name (``create_task``, ``task_info``…), and :func:`dispatch`.

The names are those of the official SDK's methods (incumbent-sdk-facts.md,
section B), which are also the ``name`` of the SDK's endpoint table, so the
HTTP service routes a path to an operation without a table of its own.
Bodies use current wire names; the service renames 2018 wire names first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..farm._codes import FarmError
from ._body import Body, Operation
from ._ops_account import ACCOUNT_OPERATIONS
from ._ops_queries import QUERY_OPERATIONS
from ._ops_tasks import MUTATING, TASK_OPERATIONS
from ._wire import ms

if TYPE_CHECKING:
    from ..farm._farm import Farm

__all__ = ["ALIASES", "OPERATIONS", "canonical", "dispatch"]

OPERATIONS: dict[str, Operation] = {**TASK_OPERATIONS, **QUERY_OPERATIONS, **ACCOUNT_OPERATIONS}

#: The official SDK's spellings of two method names the endpoint table corrected.
ALIASES: dict[str, str] = {
    "set_task_overtime_top": "set_task_overtime_stop",
    "get_frame_thumbnall": "get_frame_thumbnail",
}


def canonical(operation: str) -> str:
    """The operation name for ``operation`` or one of its official-SDK aliases."""
    return ALIASES.get(operation, operation)


def _task_ids(body: dict[str, Any], data: Any) -> list[int]:
    if isinstance(data, dict) and isinstance(data.get("taskIdList"), list):
        return [item for item in data["taskIdList"] if isinstance(item, int)]
    for name in ("taskIds", "taskId"):
        value = body.get(name)
        if isinstance(value, list):
            return [item for item in value if isinstance(item, int)]
        if isinstance(value, int) and not isinstance(value, bool):
            return [value]
    return []


def dispatch(farm: Farm, operation: str, body: dict[str, Any], *, path: str = "", legacy: bool = False) -> Any:
    """Run ``operation`` on ``farm`` with a wire-named ``body``; returns the envelope ``data``.

    ``legacy``: the request came on a 2018 path (whose set has no task.json upload).

    Raises :class:`~rayvision_async.simulator.farm.FarmError` for anything the service refuses, and
    404 for an operation the farm does not know.
    """
    operation = canonical(operation)
    handler = OPERATIONS.get(operation)
    if handler is None:
        raise FarmError.not_found(f"operation {operation!r}")
    farm.now()
    data = handler(farm, Body(body, legacy=legacy))
    if operation in MUTATING:
        now_ms = ms(farm.clock.now()) or 0
        farm.account.record_operation(operation, _task_ids(body, data), now_ms, path, body)
    return data
