"""Transfer models: storage bids, transfer engines and accounts, Raysync server and key, output files.

Several of these objects carry credentials (engine account passwords, the Raysync user key, the
Raysync signature). Those fields are excluded from ``repr()`` so they do not end up in logs.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from .._arguments import checked_binding
from ..api._kinds import text
from ._base import ServiceModel
from ._meta import int32, meta

__all__ = [
    "EngineAccount",
    "EngineLine",
    "OutputFile",
    "RaySyncUserKey",
    "RaysyncTransfer",
    "SubUserOutputBid",
    "TransferBid",
    "TransferConfig",
    "TransferEngine",
    "TransferServerInfo",
]

#: A name looked up in a model: a str of valid Unicode, at most 4096 characters.
_NAME = text()


@attrs.frozen(kw_only=True, weakref_slot=False)
class SubUserOutputBid(ServiceModel):
    """The output (download) bid of one sub-account of a main account."""

    user_id: str | None = None
    output_bid: str | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class TransferBid(ServiceModel):
    """The account's transfer bids (transfer/getBid).

    This endpoint sends snake_case keys (``config_bid``, ``sub_user_output_bids``…); the
    camelCase spellings used by getConfig are accepted too. ``sub_user_output_bids`` is filled
    only for a main account.
    """

    config_bid: str | None = attrs.field(default=None, metadata=meta("config_bid", "configBid"))
    output_bid: str | None = attrs.field(default=None, metadata=meta("output_bid", "outputBid"))
    input_bid: str | None = attrs.field(default=None, metadata=meta("input_bid", "inputBid"))
    parent_input_bid: str | None = attrs.field(default=None, metadata=meta("parent_input_bid", "parentInputBid"))
    sub_user_output_bids: tuple[SubUserOutputBid, ...] = attrs.field(
        default=(), metadata=meta("sub_user_output_bids", "subUserOutputBids")
    )


@attrs.frozen(kw_only=True, weakref_slot=False)
class EngineAccount(ServiceModel):
    """A transfer-engine (e.g. Aspera) account; ``password`` is kept out of ``repr()``."""

    bid: str | None = None
    name: str | None = None
    password: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True, weakref_slot=False)
class EngineLine(ServiceModel):
    """One network line (server and port) of a transfer engine; ``type`` 1 dedicated, 0 general."""

    name: str | None = None
    server: str | None = None
    port: str | None = None
    is_default: int | None = int32()
    line_id: int | None = None
    type: int | None = int32()


@attrs.frozen(kw_only=True, weakref_slot=False)
class TransferEngine(ServiceModel):
    """A transfer engine (Aspera, RaySync, …) with its accounts, lines and health-check settings.

    The service's keys are ``resqEngineAccounts`` and ``respTaskEngineLines`` (sic); they are
    also available as :attr:`accounts` and :attr:`lines`.
    """

    engine_name: str | None = None
    is_default: int | None = int32()
    automatic_check: int | None = None
    check_server: str | None = None
    check_port: str | None = None
    check_enable: str | None = None
    #: Sic (``checkExcludType``): file types excluded from the check.
    check_exclud_type: str | None = None
    resq_engine_accounts: tuple[EngineAccount, ...] = ()
    resp_task_engine_lines: tuple[EngineLine, ...] = ()

    @property
    def accounts(self) -> tuple[EngineAccount, ...]:
        """The engine's accounts (``resqEngineAccounts``)."""
        return self.resq_engine_accounts

    @property
    def lines(self) -> tuple[EngineLine, ...]:
        """The engine's lines (``respTaskEngineLines``)."""
        return self.resp_task_engine_lines


@attrs.frozen(kw_only=True, weakref_slot=False)
class TransferConfig(ServiceModel):
    """The account's transfer configuration (transfer/getConfig): bids, engines, sub-account bids.

    The bid keys are camelCase here (snake_case spellings are accepted too).
    """

    input_bid: str | None = attrs.field(default=None, metadata=meta(None, "input_bid"))
    output_bid: str | None = attrs.field(default=None, metadata=meta(None, "output_bid"))
    config_bid: str | None = attrs.field(default=None, metadata=meta(None, "config_bid"))
    parent_input_bid: str | None = attrs.field(default=None, metadata=meta(None, "parent_input_bid"))
    resq_engines: tuple[TransferEngine, ...] = ()
    sub_user_output_bids: tuple[SubUserOutputBid, ...] = attrs.field(
        default=(), metadata=meta(None, "sub_user_output_bids")
    )

    @property
    def engines(self) -> tuple[TransferEngine, ...]:
        """The transfer engines (``resqEngines``)."""
        return self.resq_engines

    @checked_binding()
    def engine(self, name: str) -> TransferEngine | None:
        """The first engine whose name equals ``name`` ignoring case, or None."""
        _NAME.check(name, "engine name")
        wanted = name.casefold()
        for candidate in self.resq_engines:
            if candidate.engine_name is not None and candidate.engine_name.casefold() == wanted:
                return candidate
        return None


@attrs.frozen(kw_only=True, weakref_slot=False)
class RaysyncTransfer(ServiceModel):
    """Address and ports of a Raysync transfer server."""

    server_ip: str | None = None
    server_port: int | None = None
    proxy_ip: str | None = None
    proxy_port: int | None = None
    ssl_port: int | None = None
    port: int | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class TransferServerInfo(ServiceModel):
    """Raysync transfer-server information (transfer/getServerInfo)."""

    client_version: str | None = None
    protocol_version: str | None = None
    raysync_transfer: RaysyncTransfer | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class RaySyncUserKey(ServiceModel):
    """The Raysync authentication key and the account it belongs to (transfer/getRaySyncUserKey).

    ``ray_sync_user_key``, ``user_key`` and ``signature`` are secrets and are kept out of
    ``repr()``. ``login_time`` is UTC.
    """

    ray_sync_user_key: str | None = attrs.field(default=None, repr=False)
    user_key: str | None = attrs.field(default=None, repr=False)
    signature: str | None = attrs.field(default=None, repr=False)
    id: int | None = None
    user_name: str | None = None
    platform: int | None = int32()
    channel: int | None = None
    zone: int | None = int32()
    version: str | None = None
    phone: str | None = None
    email: str | None = None
    login_time: datetime | None = None
    info_status: int | None = int32()
    account_type: int | None = int32()
    share_main_capital: int | None = None
    sub_delete_task: int | None = None
    sub_delete_capital: int | None = None
    use_main_balance: int | None = None
    download_disable: int | None = int32()


@attrs.frozen(kw_only=True, weakref_slot=False)
class OutputFile(ServiceModel):
    """A file or directory in the account's output tree (file/operate/getOutputUserDirFile).

    No example response is documented: ``last_modify`` becomes a UTC datetime when it is epoch
    milliseconds and stays a string otherwise; ``file_size``/``file_type`` stay strings unless
    numeric.
    """

    file_name: str | None = None
    file_path: str | None = None
    file_size: int | str | None = None
    file_type: int | str | None = None
    icon_path: str | None = None
    last_modify: datetime | str | None = None
    directory: bool | None = None
    is_arrears: int | str | None = None
