"""Bytes out and in: the only package of the client that imports httpx and aiohttp.

Signing (:mod:`._signing`, pure functions) → the signer middleware
(:mod:`._signer`) → the inner transport (:mod:`._aiohttp` by default) → the
channel that sends one POST (:mod:`._channel`; on the default transport through
the lean lane, :mod:`._lean`, without httpx objects) and maps failures of either
HTTP package through one table (:mod:`._errors`) → the envelope decoder
(:mod:`._envelope`).
"""

from ._aiohttp import AiohttpTransport
from ._channel import HttpChannel, Timeouts
from ._envelope import Envelope, RawReply, decode_envelope
from ._signer import SigningTransport

__all__ = ["AiohttpTransport", "Envelope", "HttpChannel", "RawReply", "SigningTransport", "Timeouts",
           "decode_envelope"]
