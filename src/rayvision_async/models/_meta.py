"""Field metadata understood by :mod:`rayvision_async.models._converter`.

Model fields are named in snake_case; the converter derives the wire name by the one rename rule
(snake_case → camelCase). The helpers here describe the exceptions, as ``attrs.field`` metadata:

* ``wire``: the exact wire key, when the rename rule does not produce it (``config_bid``).
* ``aliases``: other keys accepted for the same field, for spelling variants seen across API
  versions and documents (``arrearFee`` for ``arrearsFee``). The main key wins if both are present.
* ``coerce``: the name of a special conversion the converter applies instead of the type's own
  (``"labels"``).
* ``repeated``: a text field whose values repeat across records (the user name, the project, the
  status text): the fast path stores each distinct value once (a bounded pool per field), so a
  100,000-task poll does not hold 100,000 copies of the same user name.
* ``width``: the range of an ``int | None`` field the protocol documents type ``Integer`` (a Java
  ``int``: :data:`~rayvision_async._service_ints.INT32`); :func:`int32` declares one. Other int fields
  are ``Long`` (:data:`~rayvision_async._service_ints.INT64`). A reply value outside it is malformed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .._service_ints import INT32, Width

__all__ = ["ALIASES", "COERCE", "REPEATED", "WIDTH", "WIRE", "int32", "meta"]

WIRE = "wire"
ALIASES = "aliases"
COERCE = "coerce"
REPEATED = "repeated"
WIDTH = "width"


def meta(wire: str | None = None, *aliases: str, coerce: str | None = None,
         repeated: bool = False, width: Width | None = None) -> Mapping[str, object]:
    """Build the metadata mapping for ``attrs.field(metadata=...)``."""
    out: dict[str, object] = {}
    if repeated:
        out[REPEATED] = True
    if width is not None:
        out[WIDTH] = width
    if wire is not None:
        out[WIRE] = wire
    if aliases:
        out[ALIASES] = tuple(aliases)
    if coerce is not None:
        out[COERCE] = coerce
    return out


def int32(*aliases: str) -> Any:
    """An ``int | None`` field (default None) the protocol documents type ``Integer``: 32 bits at most."""
    return attrs.field(default=None, metadata=meta(None, *aliases, width=INT32))
