"""Reading a request body the way the service's Java binder does: lenient on scalars, strict on shape.

A missing required parameter is code 601, a malformed one 600. Integers may
arrive as numeric strings (the binder coerces them, and the official SDK
sends ``cgId`` that way); booleans and floats are not integers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..._digits import INT_TEXT
from ..farm._codes import FarmError

if TYPE_CHECKING:
    from ..farm._farm import Farm

__all__ = ["Body", "Operation", "OperationTable"]


class Body:
    """Typed access to a decoded JSON request body; ``legacy`` if it came on a 2018 path."""

    def __init__(self, data: Mapping[str, Any], *, legacy: bool = False) -> None:
        self.data = dict(data)
        self.legacy = legacy

    def has(self, name: str) -> bool:
        """True if ``name`` is present and not null."""
        return self.data.get(name) is not None

    @staticmethod
    def _to_int(value: Any, name: str) -> int:
        if isinstance(value, bool):
            raise FarmError.invalid(f"{name} must be an integer, not a boolean")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and INT_TEXT.fullmatch(value.strip()) and len(value.strip()) <= 20:
            return int(value.strip())  # ASCII digits only, as a Java service reads them
        raise FarmError.invalid(f"{name} must be an integer")

    def number(self, name: str, default: int | None = None, *, low: int | None = None, high: int | None = None) -> int:
        """A required integer (or ``default`` when absent) in ``[low, high]``."""
        value = self.data.get(name)
        if value is None:
            if default is None:
                raise FarmError.missing(name)
            return default
        number = self._to_int(value, name)
        if (low is not None and number < low) or (high is not None and number > high):
            raise FarmError.invalid(f"{name}={number} is out of range")
        return number

    def opt_int(self, name: str, *, low: int | None = None, high: int | None = None) -> int | None:
        """An optional integer (None when absent or null)."""
        if not self.has(name):
            return None
        return self.number(name, low=low, high=high)

    def text(self, name: str, default: str | None = None, *, nonempty: bool = False) -> str:
        """A required string (or ``default`` when absent)."""
        value = self.data.get(name)
        if value is None:
            if default is None:
                raise FarmError.missing(name)
            return default
        if not isinstance(value, str):
            raise FarmError.invalid(f"{name} must be a string")
        if nonempty and not value.strip():
            raise FarmError.missing(name)
        return value

    def opt_str(self, name: str) -> str | None:
        """An optional string; an empty one counts as absent."""
        if not self.has(name):
            return None
        value = self.text(name)
        return value or None

    def _list(self, name: str, required: bool) -> list[Any] | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise FarmError.missing(name)
            return None
        if not isinstance(value, list):
            raise FarmError.invalid(f"{name} must be a list")
        if required and not value:
            raise FarmError.missing(name)
        return value

    def int_list(self, name: str) -> list[int]:
        """A required, non-empty list of integers."""
        items = self._list(name, True)
        assert items is not None
        if all(type(item) is int for item in items):  # a list of ids as the SDK sends it: nothing to convert
            return list(items)
        return [self._to_int(item, f"{name}[{index}]") for index, item in enumerate(items)]

    def opt_int_list(self, name: str) -> list[int] | None:
        """An optional list of integers."""
        items = self._list(name, False)
        if items is None:
            return None
        return [self._to_int(item, f"{name}[{index}]") for index, item in enumerate(items)]

    def opt_str_list(self, name: str) -> list[str] | None:
        """An optional list of strings (numbers are accepted and turned into strings)."""
        items = self._list(name, False)
        if items is None:
            return None
        result = []
        for index, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, (str, int)):
                raise FarmError.invalid(f"{name}[{index}] must be a string")
            result.append(str(item))
        return result


#: An operation: reads a body, acts on the farm, returns the envelope's ``data``.
Operation = Callable[["Farm", Body], Any]


class OperationTable(dict[str, Operation]):
    """Operations by SDK method name, filled with the :meth:`register` decorator."""

    def register(self, name: str) -> Callable[[Operation], Operation]:
        """Decorator: file the function under ``name``."""

        def decorate(function: Operation) -> Operation:
            if name in self:
                raise ValueError(f"operation {name!r} registered twice")
            self[name] = function
            return function

        return decorate
