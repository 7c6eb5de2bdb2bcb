"""Whether a respx mock router is started now: the one place the SDK asks.

respx patches httpx (or httpcore) while a router is started (``@respx.mock``,
``with respx.mock:``, the ``respx_mock`` fixture). While one is, the default
transport sends through httpx's own transport, which respx patches, so the
routes see every attempt and nothing reaches the network. While respx is not
imported the question costs one ``sys.modules`` look-up.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["respx_active"]

#: respx's mockers (registry size, and each one's list of started routers), looked up once.
_routers: tuple[int, tuple[list[Any], ...]] = (-1, ())


def respx_active() -> bool:
    """Whether a respx mock router is started now.

    Each respx mocker keeps the routers started with it in a class-level list
    (``Mocker.routers``); those lists are found once and then only read.
    """
    global _routers
    mocks = sys.modules.get("respx.mocks")
    if mocks is None:
        return False
    registry = getattr(getattr(mocks, "Mocker", None), "registry", None) or {}
    if len(registry) != _routers[0]:
        lists = tuple(routers for mocker in registry.values()
                      if isinstance(routers := getattr(mocker, "routers", None), list))
        _routers = (len(registry), lists)
    return any(_routers[1])
