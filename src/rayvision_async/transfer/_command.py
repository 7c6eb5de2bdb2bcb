"""The engine's command lines, as argument lists (never a shell string).

``rayvision_transmitter`` takes one transfer per run: an engine (``aspera`` or ``raysync``), the
transfer server (host, port), where on the server (storage id = a bid, user id), a transfer type
and the local and remote paths. Every option is passed as ``--name=value`` (one argument), so a
value that starts with ``-`` can never be read as an option. No option carries a secret: the
engine takes no password or key.

:data:`OPTIONS_USED` are the options the SDK passes; the tests check each appears in the real
engine's ``--help``.
"""

from __future__ import annotations

import re
from typing import Literal

import attrs

__all__ = ["DEFAULT_SPEED_LIMIT", "MAX_SPEED_LIMIT", "OPTIONS_USED", "Route", "Storage", "TransmitType",
           "engine_args", "parse_version"]

TransmitType = Literal["upload_path", "upload_json", "download_path"]
Engine = Literal["aspera", "raysync"]

#: KB/s; the official package's default (1 GB/s), which is also the engine's maximum.
DEFAULT_SPEED_LIMIT = 1_048_576
MAX_SPEED_LIMIT = 1_048_576

#: The engine's options the SDK passes (long names), in the order they are passed.
OPTIONS_USED = ("--engine", "--host", "--port", "--storage", "--uid", "--type", "--local", "--remote", "--retry",
                "--keep", "--speed-limit", "--protocol")

_VERSION = re.compile(r"current version:\s*(\S+)")


@attrs.frozen
class Route:
    """Where the engine connects: the engine's name and the transfer server line (host, port)."""

    engine: Engine
    host: str
    port: str
    line: str = ""

    def __str__(self) -> str:
        return f"{self.engine} via {self.host}:{self.port}" + (f" (line {self.line})" if self.line else "")


@attrs.frozen
class Storage:
    """A place on the server: a storage id (one of the account's bids) and the user id it belongs to."""

    storage_id: str
    user_id: str


def engine_args(route: Route, storage: Storage, transmit_type: TransmitType, local: str, remote: str, *,
                keep: bool, speed_limit: int = DEFAULT_SPEED_LIMIT, retries: int = 2,
                protocol: int = 0) -> tuple[str, ...]:
    """The arguments of one engine run (they follow the engine's command)."""
    values = (route.engine, route.host, route.port, storage.storage_id, storage.user_id, transmit_type, local,
              remote, str(retries), "true" if keep else "false", str(speed_limit), str(protocol))
    return tuple(f"{option}={value}" for option, value in zip(OPTIONS_USED, values, strict=True))


def parse_version(output: str) -> str | None:
    """The version from ``--version`` output (``current version: 1.1.5`` → ``"1.1.5"``), or None."""
    match = _VERSION.search(output)
    return match.group(1) if match else None
