"""Which frames the official SDK's frame helpers pick: the ``frameIndex`` strings named, exactly.

``get_custome_frames`` / ``frame_number_to_stop`` of the official SDK 3.0.4.3
list every frame of the task and keep the frames whose ``frameIndex`` text *is*
one of the given strings (``str(frameIndex) in restartframes``). Nothing is
parsed: ``"2-4[1]"`` names the frame whose index is the text ``"2-4[1]"``, not
frames 2, 3 and 4, and ``"1"`` does not name the frame ``"0-1"``. The strings
are whatever ``frameIndex`` the service lists (``"6"``, ``"0-1"``…); see
:meth:`~rayvision_async.api._groups.QueryGroup.get_all_frames`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import islice

from .._service_ints import MAX_LIST_ITEMS
from ..api import _kinds as kinds
from ..errors import InvalidInputError
from ..models import FrameInfo

__all__ = ["frame_index_set", "ids_of_frames_named"]

#: One frame index as a caller names it: a str of valid Unicode, at most MAX_TEXT_CHARS characters.
_INDEX = kinds.text()
#: How many existing frame indices a "no frame matches" message lists.
_SHOWN = 10


def frame_index_set(specs: Iterable[str] | str) -> frozenset[str]:
    """The ``frameIndex`` strings named by ``specs`` (one string, or several).

    Raises :class:`InvalidInputError` only for what could never match a frame:
    no strings at all, a non-string (the official SDK compares ``str(frameIndex)``
    with each item, so ``6`` never equals ``"6"``), or an empty string (a frame
    without an index is never picked); more than ``MAX_LIST_ITEMS`` strings, and
    strings no frame index can be (longer than ``MAX_TEXT_CHARS``, a lone surrogate).
    """
    items = [specs] if isinstance(specs, str) else specs
    if isinstance(items, (bytes, Mapping)) or not isinstance(items, Iterable):
        raise InvalidInputError(f"frame indices must be strings like '6', got {type(specs).__name__}")
    names: set[str] = set()
    for count, item in enumerate(kinds.read_items(items, "frame indices")):
        if count == MAX_LIST_ITEMS:  # counted as read: an endless iterator is refused, not read forever
            raise InvalidInputError(f"at most {MAX_LIST_ITEMS} frame indices may be given")
        index = _INDEX.check(item, "frame indices (strings like '6')")
        if not index:
            raise InvalidInputError("a frame index must not be empty")
        names.add(index)
    if not names:
        raise InvalidInputError("no frame indices given")
    return frozenset(names)


def ids_of_frames_named(task_id: int, frames: Iterable[FrameInfo], names: frozenset[str]) -> list[int]:
    """Ids of the ``frames`` whose ``frameIndex`` is one of ``names``, in listing order.

    Every such frame counts, also when several share an index (the official
    SDK keeps only the last one listed). When none matches, the
    :class:`InvalidInputError` lists the first indices the task does have.
    """
    ids: list[int] = []
    seen: dict[str, None] = {}  # the task's frame indices, in listing order
    for frame in frames:
        if frame.frame_index:
            seen.setdefault(frame.frame_index)
        if frame.id is not None and frame.frame_index in names:
            ids.append(frame.id)
    if ids:
        return ids
    wanted = ", ".join(repr(name) for name in sorted(names)[:_SHOWN])
    if not seen:
        raise InvalidInputError(f"task {task_id} has no frames to match {wanted}")
    first = islice(seen, _SHOWN)
    shown = ", ".join(repr(index) for index in first) + (", …" if len(seen) > _SHOWN else "")
    raise InvalidInputError(
        f"task {task_id} has no frame whose frameIndex is exactly {'one of ' if len(names) > 1 else ''}{wanted} "
        f"(the official SDK's rule); its {len(seen)} frame indices begin {shown}")
