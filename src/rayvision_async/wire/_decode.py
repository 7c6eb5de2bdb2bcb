"""Content-Encoding decoding with a cap: a gzip bomb stops at the cap, never in memory.

Used by the channel for replies that came through httpx (``_read_capped``) and
by the lean lane, which reads aiohttp's raw bytes itself (``decode_capped``),
so both decode and refuse bodies alike.
"""

from __future__ import annotations

import zlib

import httpx

__all__ = ["CappedDecoder", "TooLarge", "decode_capped"]


class TooLarge(httpx.DecodingError):
    """The reply body is larger than the cap."""


def _decompressor(encoding: str) -> zlib._Decompress | None:
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None


class CappedDecoder:
    """Decodes raw chunks per a ``Content-Encoding`` value, holding at most ``limit`` decoded bytes."""

    __slots__ = ("_chunks", "_decoder", "_limit", "_raw_size", "_size")

    def __init__(self, content_encoding: str, limit: int) -> None:
        encodings = [part.strip().lower() for part in content_encoding.split(",")]
        encodings = [part for part in encodings if part and part != "identity"]
        if len(encodings) > 1:
            raise httpx.DecodingError("more than one content encoding")
        self._decoder = _decompressor(encodings[0]) if encodings else None
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self._raw_size = 0

    def feed(self, raw: bytes) -> None:
        limit = self._limit
        self._raw_size += len(raw)
        decoder = self._decoder
        if decoder is None:
            if self._raw_size > limit:
                raise TooLarge(f"reply larger than {limit} bytes")
            self._chunks.append(raw)
            self._size += len(raw)
            return
        data = raw
        while data:
            try:
                out = decoder.decompress(data, limit + 1 - self._size)
            except zlib.error:
                raise httpx.DecodingError("body could not be decompressed") from None
            self._chunks.append(out)
            self._size += len(out)
            if self._size > limit:
                raise TooLarge(f"decoded reply larger than {limit} bytes")
            data = decoder.unconsumed_tail

    def finish(self) -> bytes:
        if self._decoder is not None:
            tail = self._decoder.flush()
            self._size += len(tail)
            if self._size > self._limit:
                raise TooLarge(f"decoded reply larger than {self._limit} bytes")
            self._chunks.append(tail)
        return b"".join(self._chunks)


def decode_capped(raw: bytes, content_encoding: str | None, limit: int) -> bytes:
    """``raw`` decoded per ``content_encoding`` (None: not encoded), at most ``limit`` bytes."""
    if not content_encoding:
        if len(raw) > limit:
            raise TooLarge(f"reply larger than {limit} bytes")
        return raw
    decoder = CappedDecoder(content_encoding, limit)
    decoder.feed(raw)
    return decoder.finish()
