"""What the service says about where files go: the engine's server line, the storage ids, the user ids.

:func:`resolve_places` combines three reads, as the official package combines them:

* ``transmit.get_transfer_config()``: the engine's lines (host and port); the line named ``line=``
  (the official ``internet_provider``), else the one marked default, else the first;
* ``user.get_transfer_bid()``: ``config_bid`` (a task's configuration files), ``input_bid``
  (assets), ``output_bid`` (rendered frames), ``parent_input_bid``;
* ``user.query_user_profile()``: the user id, and for a sub-account that shares its main account's
  capital (``shareMainCapital`` not 0) the main account's id: assets then go to
  ``parent_input_bid`` as the main account, as the official package sends them.

A task's outputs are under ``output_bid`` as the task's ``userId``; for a sub-account's task seen
by its main account, the sub-account's own output bid (``sub_user_output_bids``) is used.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import attrs

from ..errors import ConfigurationError, MalformedResponseError
from ..models import OutputFile, TaskInfo, TransferBid, TransferConfig, UserProfile
from ._command import Engine, Route, Storage

__all__ = ["Places", "ServiceCalls", "resolve_places"]


@attrs.frozen(kw_only=True)
class ServiceCalls:
    """The endpoint calls the transfer layer makes (a client passes its own public methods)."""

    profile: Callable[[], Awaitable[UserProfile]]
    bids: Callable[[], Awaitable[TransferBid]]
    transfer_config: Callable[[], Awaitable[TransferConfig]]
    task: Callable[[int], Awaitable[TaskInfo | None]]
    outputs: Callable[[int], Awaitable[tuple[OutputFile, ...]]]


@attrs.frozen(kw_only=True)
class Places:
    """Where each kind of file goes: the route, and a storage per kind."""

    route: Route
    user_id: str
    config: Storage
    assets: Storage
    output_bid: str
    sub_user_output_bids: Mapping[str, str] = attrs.field(factory=dict)

    def outputs_of(self, task: TaskInfo) -> Storage:
        """The storage holding ``task``'s rendered files."""
        owner = str(task.user_id) if task.user_id is not None else self.user_id
        bid = self.output_bid if owner == self.user_id else self.sub_user_output_bids.get(owner, self.output_bid)
        return Storage(storage_id=bid, user_id=owner)


def _required(value: str | int | None, what: str, path: str) -> str:
    if value is None or not str(value).strip():
        raise MalformedResponseError(f"the reply has no {what}", path=path)
    return str(value).strip()


def _route(config: TransferConfig, engine: Engine, line: str | None) -> Route:
    found = config.engine(engine)
    offered = ", ".join(repr(item.engine_name) for item in config.engines if item.engine_name) or "none"
    if found is None:
        raise ConfigurationError(f"the service offers no {engine!r} transfer engine (it offers: {offered})")
    lines = [item for item in found.lines if item.server and item.port]
    if line is not None:
        lines = [item for item in lines if item.name == line]
        if not lines:
            names = ", ".join(repr(item.name) for item in found.lines) or "none"
            raise ConfigurationError(f"the {engine!r} engine has no line named {line!r} (its lines: {names})")
    if not lines:
        raise ConfigurationError(f"the service lists no server line for the {engine!r} engine")
    chosen = next((item for item in lines if item.is_default == 1), lines[0])
    assert chosen.server is not None
    assert chosen.port is not None
    return Route(engine=engine, host=chosen.server, port=str(chosen.port), line=chosen.name or "")


async def resolve_places(calls: ServiceCalls, *, engine: Engine, line: str | None) -> Places:
    """Read the transfer config, the bids and the profile, and combine them (three requests)."""
    config = await calls.transfer_config()
    route = _route(config, engine, line)
    bids = await calls.bids()
    profile = await calls.profile()
    bid_path, profile_path = "/api/render/transfer/getBid", "/api/render/setUp/queryUserProfile"
    user_id = _required(profile.user_id, "userId", profile_path)
    assets = Storage(storage_id=_required(bids.input_bid, "input_bid", bid_path), user_id=user_id)
    if profile.share_main_capital not in (None, 0):
        assets = Storage(storage_id=_required(bids.parent_input_bid, "parent_input_bid", bid_path),
                         user_id=_required(profile.main_user_id, "mainUserId", profile_path))
    return Places(route=route, user_id=user_id,
                  config=Storage(storage_id=_required(bids.config_bid, "config_bid", bid_path), user_id=user_id),
                  assets=assets, output_bid=_required(bids.output_bid, "output_bid", bid_path),
                  sub_user_output_bids={str(item.user_id): str(item.output_bid)
                                        for item in bids.sub_user_output_bids if item.user_id and item.output_bid})
