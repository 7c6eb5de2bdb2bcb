"""The service's integer widths and the SDK's size caps: the one bound table argument checks use.

The service is written in Java. The protocol documents type each field as
``Integer`` (a signed 32-bit int: counts, levels, page numbers and sizes,
statuses, flags, seconds) or ``Long`` (signed 64-bit: user ids, task ids in
frame records, ``overTime``). Task, frame and label ids are treated as
``Long``: the documents disagree on them, and an id a Java ``long`` holds is
never refused. Nothing outside :data:`INT64` is ever put on the wire.

Replies are held to the same table (:mod:`rayvision_async.models`): an int
field beyond the width of its Java field (``Integer`` where the documents say
so, ``Long`` otherwise) and a money amount beyond :data:`MONEY_LIMIT` are
malformed.
"""

from __future__ import annotations

__all__ = ["FLOAT_LIMIT", "INT32", "INT64", "MAX_JSON_CHARS", "MAX_LIST_ITEMS", "MAX_TEXT_CHARS", "MONEY_LIMIT",
           "Width"]

#: An inclusive ``(lowest, highest)`` range of ints.
Width = tuple[int, int]

#: A Java ``int`` / ``Integer`` field.
INT32: Width = (-(2**31), 2**31 - 1)
#: A Java ``long`` / ``Long`` field: also the last guard of the body encoder.
INT64: Width = (-(2**63), 2**63 - 1)

#: Every money amount of a reply is smaller than this in magnitude (a quadrillion, in any currency):
#: no account holds it and no task costs it, so a reply saying otherwise is malformed.
MONEY_LIMIT = 10**15
#: The largest magnitude of a float a reply may carry (a CPU or memory average): 10**15 too.
FLOAT_LIMIT = 1e15

#: The most items any list argument may hold unless its parameter says otherwise (lists are counted
#: as they are read, so an endless iterator is refused instead of hanging the caller).
MAX_LIST_ITEMS = 100_000
#: The most characters a text argument may hold unless its parameter says otherwise.
MAX_TEXT_CHARS = 4096
#: The most characters of an uploaded JSON document (task.json…): as large as the largest reply the
#: client reads (``DEFAULT_MAX_RESPONSE_BYTES``, 32 MiB).
MAX_JSON_CHARS = 32 * 1024 * 1024
