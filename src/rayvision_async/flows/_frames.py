"""Frame-number strings, as the official SDK's frame helpers take them.

``"6"`` is frame 6; ``"7-9"`` is frames 7, 8 and 9; ``"1-10[3]"`` is every
third frame from 1 to 10 (1, 4, 7, 10). Several strings are combined.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..errors import InvalidInputError

__all__ = ["frame_matches", "parse_frame_numbers"]

#: The SDK's one frame-range pattern ("N", "A-B", "A-B[step]"). The simulator keeps its own copy on
#: purpose (``simulator/taskfile.py``): it stands for the service, so it checks what the SDK sends
#: independently instead of sharing the SDK's parser.
#: Numbers have at most 18 digits (they fit a Java long; int() refuses more than 4300 digits anyway).
_ITEM = re.compile(r"\s*(-?\d{1,18})\s*(?:-\s*(-?\d{1,18})\s*(?:\[\s*(\d{1,18})\s*\])?)?\s*")
_MAX_FRAMES = 1_000_000


def parse_frame_numbers(specs: Iterable[str] | str) -> set[int]:
    """The set of frame numbers named by ``specs``; raises InvalidInputError on a bad string."""
    if isinstance(specs, str):
        specs = [specs]
    if isinstance(specs, (bytes, bytearray, Mapping)) or not isinstance(specs, Iterable):
        raise InvalidInputError(f"frame numbers must be a str or a list of str, got {type(specs).__name__}")
    numbers: set[int] = set()
    count = 0
    for spec in specs:
        count += 1
        if count > _MAX_FRAMES:
            raise InvalidInputError(f"more than {_MAX_FRAMES} frame-number strings given")
        if not isinstance(spec, str):
            raise InvalidInputError(f"frame numbers must be strings like '7-9[1]', got {type(spec).__name__}")
        match = _ITEM.fullmatch(spec)
        if match is None:
            shown = spec if len(spec) <= 40 else spec[:37] + "..."
            raise InvalidInputError(f"cannot parse frame numbers {shown!r}: expected 'N', 'A-B' or 'A-B[step]'")
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) is not None else start
        step = int(match.group(3)) if match.group(3) is not None else 1
        if end < start:
            raise InvalidInputError(f"frame range {spec!r} ends before it starts")
        if step < 1:
            raise InvalidInputError(f"frame step in {spec!r} must be at least 1")
        if (end - start) // step + 1 + len(numbers) > _MAX_FRAMES:
            raise InvalidInputError(f"frame range {spec!r} names more than {_MAX_FRAMES} frames")
        numbers.update(range(start, end + 1, step))
    if count == 0:
        raise InvalidInputError("no frame numbers given")
    return numbers


def frame_matches(frame_index: str | None, numbers: set[int]) -> bool:
    """Whether a frame's ``frameIndex`` ("12", or "<part>-12") names one of ``numbers``."""
    if not frame_index:
        return False
    last = frame_index.rsplit("-", 1)[-1].strip()
    try:
        return int(last) in numbers or int(frame_index) in numbers
    except ValueError:
        return False
