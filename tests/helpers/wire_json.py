"""JSON text as the service writes it, money included: a ``Decimal`` is written as its own literal."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

__all__ = ["wire_json"]


def wire_json(value: Any) -> str:
    """JSON text in which a Decimal is written as its own literal (``Decimal("0.20")`` → ``0.20``)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(key)}:{wire_json(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(wire_json(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)
