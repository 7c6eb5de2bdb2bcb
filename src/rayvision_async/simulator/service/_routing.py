"""Path → operation routing, built from the SDK's endpoint table (both path sets).

The simulator has no path table of its own: every row of
``rayvision_async.api._table.ENDPOINTS`` gives an operation name, its current
path and its 2018 path, and the 2018 wire names of its parameters. A request
on a 2018 path has its body keys renamed to the current wire names (and a
``legacy_divisor`` unit undone) before the farm sees it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._operations import OPERATIONS, canonical

__all__ = ["Route", "Router"]

#: ``legacy_wire`` value of the endpoint table for a parameter the 2018 set does not send.
_OMIT = "-"


@dataclass(frozen=True)
class Route:
    """Where a path leads: the endpoint's name, the farm operation, and how to read a 2018 body."""

    name: str  # the endpoint table's name (what request counts are keyed by)
    operation: str  # the farm operation that serves it
    path: str
    legacy: bool
    aliases: tuple[str, ...] = ()
    renames: Mapping[str, tuple[str, int]] = field(default_factory=dict)  # 2018 wire → (wire, factor)

    def names(self) -> frozenset[str]:
        """Every name this route answers to (for fault and count matching)."""
        return frozenset({self.name, self.operation, *self.aliases})

    def translate(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``body`` with 2018 wire names renamed to current ones (unchanged on a current path)."""
        if not self.renames:
            return dict(body)
        translated: dict[str, Any] = {}
        for key, value in body.items():
            target = self.renames.get(key)
            if target is None:
                translated.setdefault(key, value)
                continue
            wire, factor = target
            if factor != 1 and isinstance(value, int) and not isinstance(value, bool):
                value = value * factor
            translated[wire] = value
        return translated


class Router:
    """Resolves request paths of both path sets to :class:`Route` records."""

    def __init__(self, endpoints: Iterable[Any]) -> None:
        self._routes: dict[str, Route] = {}
        #: Endpoint names the farm has no operation for (empty when the simulator serves everything).
        self.unserved: list[str] = []
        for endpoint in endpoints:
            name: str = endpoint.name
            aliases = tuple(getattr(endpoint, "aliases", ()))
            operation = next(
                (canonical(candidate) for candidate in (name, *aliases) if canonical(candidate) in OPERATIONS),
                None,
            )
            if operation is None:
                self.unserved.append(name)
                continue
            self._add(Route(name, operation, endpoint.path, False, aliases))
            legacy_path: str | None = getattr(endpoint, "legacy_path", None)
            if legacy_path:
                renames: dict[str, tuple[str, int]] = {}
                for param in getattr(endpoint, "params", ()):
                    legacy_wire = getattr(param, "legacy_wire", None)
                    factor = int(getattr(param, "legacy_divisor", 1) or 1)
                    if legacy_wire and legacy_wire != _OMIT and (legacy_wire != param.wire or factor != 1):
                        renames[legacy_wire] = (param.wire, factor)
                self._add(Route(name, operation, legacy_path, True, aliases, renames))

    def _add(self, route: Route) -> None:
        existing = self._routes.get(route.path)
        if existing is not None and not existing.legacy:
            return  # a path that is current for one endpoint is never shadowed by a 2018 one
        self._routes[route.path] = route

    def resolve(self, path: str) -> Route | None:
        """The route for ``path`` (a trailing slash is tolerated), or None."""
        route = self._routes.get(path)
        if route is None and len(path) > 1 and path.endswith("/"):
            route = self._routes.get(path.rstrip("/"))
        return route

    def paths(self) -> list[str]:
        """Every path served."""
        return sorted(self._routes)
