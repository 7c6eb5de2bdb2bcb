"""Every text an exception can show: for the tests that no secret reaches one."""

from __future__ import annotations

__all__ = ["texts_of"]


def texts_of(exc: BaseException) -> list[str]:
    """str, repr, args and notes of an exception and of every exception in its cause/context chain."""
    found: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 20:
        seen.add(id(current))
        notes: list[str] = getattr(current, "__notes__", [])
        found += [str(current), repr(current), *map(str, current.args), *map(repr, current.args), *notes]
        current = current.__cause__ or current.__context__
    return found
