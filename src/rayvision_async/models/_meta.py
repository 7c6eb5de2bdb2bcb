"""Field metadata understood by :mod:`rayvision_async.models._converter`.

Model fields are named in snake_case; the converter derives the wire name by the one rename rule
(snake_case → camelCase). The helpers here describe the exceptions, as ``attrs.field`` metadata:

* ``wire``: the exact wire key, when the rename rule does not produce it (``config_bid``).
* ``aliases``: other keys accepted for the same field, for spelling variants seen across API
  versions and documents (``arrearFee`` for ``arrearsFee``). The main key wins if both are present.
* ``coerce``: the name of a special conversion the converter applies instead of the type's own
  (``"labels"``).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["ALIASES", "COERCE", "WIRE", "meta"]

WIRE = "wire"
ALIASES = "aliases"
COERCE = "coerce"


def meta(wire: str | None = None, *aliases: str, coerce: str | None = None) -> Mapping[str, object]:
    """Build the metadata mapping for ``attrs.field(metadata=...)``."""
    out: dict[str, object] = {}
    if wire is not None:
        out[WIRE] = wire
    if aliases:
        out[ALIASES] = tuple(aliases)
    if coerce is not None:
        out[COERCE] = coerce
    return out
