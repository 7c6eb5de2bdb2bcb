"""Reaching into a client's private parts, in one place: its caller's connection, channel and signer."""

from __future__ import annotations

from typing import Any

from rayvision_async import AsyncRayvisionAPI
from rayvision_async._request import Connection
from rayvision_async.wire import HttpChannel, SigningTransport


def connection(api: AsyncRayvisionAPI) -> Connection:
    """The connection the client's caller sends through (shared with its views)."""
    return api._caller.connection


def channel(api: AsyncRayvisionAPI) -> HttpChannel:
    """The client's channel: signer, inner transport, lean lane."""
    return api._caller.connection.channel


def signer(api: AsyncRayvisionAPI) -> SigningTransport:
    return api._caller.connection.channel.signer


def inner(api: AsyncRayvisionAPI) -> Any:
    """The transport under the signer (``AiohttpTransport`` by default)."""
    return api._caller.connection.channel.inner
