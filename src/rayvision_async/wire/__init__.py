"""Bytes out and in: the only package of the client that imports httpx and aiohttp.

Signing (:mod:`._signing`, pure functions) → the signer middleware
(:mod:`._signer`) → the inner transport (:mod:`._aiohttp` by default) → the
channel that sends one POST (:mod:`._channel`; on the default transport through
the lean lane, :mod:`._lean`, without httpx objects) and maps failures of either
HTTP package through one table (:mod:`._errors`) → the envelope decoder
(:mod:`._envelope`). :mod:`._limits` holds the limits of one attempt;
:mod:`._proxies` reads the environment's proxies by httpx's rule, :mod:`._tls`
the ``verify=`` setting, and :mod:`._redaction` keeps open clients' secrets out
of httpx's and httpcore's log records.

Its names are imported when first used (httpx when a channel or transport is
built, aiohttp when the default transport opens its first connection), so
importing the SDK costs neither.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._aiohttp import AiohttpTransport
    from ._channel import HttpChannel
    from ._envelope import Envelope, RawReply, decode_envelope
    from ._limits import Timeouts
    from ._signer import SigningTransport

__all__ = ["AiohttpTransport", "Envelope", "HttpChannel", "RawReply", "SigningTransport", "Timeouts",
           "decode_envelope"]

#: Each public name → the module that defines it.
_HOMES = {"AiohttpTransport": "._aiohttp", "HttpChannel": "._channel", "Envelope": "._envelope",
          "RawReply": "._envelope", "decode_envelope": "._envelope", "Timeouts": "._limits",
          "SigningTransport": "._signer"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
