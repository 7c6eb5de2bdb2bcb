"""The Rayvision request signature, as pure functions over bytes and strings.

No I/O and no HTTP library here: the signer transport, the simulator and the
benchmarks all call these functions, so a request is signed and verified by the
same code.

The algorithm (protocol "Signature generation rules", checked against the
official SDK 3.0.4.3 with ``sign-vectors.json``):

1. Take the signed headers (``accessId``, ``channel``, ``platform``,
   ``UTCTimestamp``, ``nonce``, ``version`` and any extra header the caller
   asked to sign), then update that mapping with the JSON body's top-level
   keys (a body key named like a header replaces it in the string to sign).
2. Flatten: a dict child becomes ``parent.child``; a list element becomes
   ``parent`` + index with no separator (``renderEnvs0.pluginIds2``); empty
   lists and dicts contribute nothing.
3. Sort the keys by code point (``UTCTimestamp`` sorts before ``accessId``).
4. Render ``key=value`` pairs, values as Python ``str()`` would (strings raw,
   unescaped; ints in decimal; ``True``/``False``/``None``; float ``repr``),
   joined by ``&``.
5. ``"[POST]" + domain + ":" + path + "&" + pairs``; HMAC-SHA256 with the
   access key; base64 (standard alphabet, padded).

What is signed is derived from the **wire body bytes** (``sign_request``
parses them), so a value can never be signed differently from how it is sent.
The SDK's own body serializer (:func:`encode_body`) never emits booleans,
nulls or floats: see its docstring for how they are handled.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import itertools
import json
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import orjson

from .._service_ints import INT64
from ..errors import BodyEncodingError
from ._nonce import NonceSource, make_nonce

__all__ = [
    "SIGNED_HEADER_NAMES",
    "BodyEncodingError",
    "NonceSource",
    "encode_body",
    "flatten",
    "make_nonce",
    "sign",
    "sign_request",
    "string_to_sign",
]

#: Header names that take part in the signature, in the order they are sent.
SIGNED_HEADER_NAMES = ("accessId", "channel", "platform", "UTCTimestamp", "nonce", "version")


_LOWEST, _HIGHEST = INT64
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_text(text: str, where: str) -> None:
    if not text.isascii() and _SURROGATE.search(text):
        raise BodyEncodingError(f"body text at {where} holds a lone surrogate: it is not valid Unicode text")


def _render(value: Any) -> str:
    # str() is the official SDK's rendering: True/False/None, float repr, raw strings.
    return value if type(value) is str else str(value)


def flatten(value: Any, prefix: str) -> Iterator[tuple[str, str]]:
    """Yield ``(key, rendered value)`` leaves of ``value`` named under ``prefix``."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from flatten(child, f"{prefix}.{key}")
    elif isinstance(value, list):
        if all(type(child) is int for child in value):  # a list of ids: the same leaves, without a call per id
            yield from zip([f"{prefix}{index}" for index in range(len(value))], map(int.__repr__, value), strict=True)
            return
        for index, child in enumerate(value):
            yield from flatten(child, f"{prefix}{index}")
    else:
        yield prefix, _render(value)


def string_to_sign(domain: str, path: str, headers: Mapping[str, str], body: Mapping[str, Any]) -> str:
    """Build the canonical string for ``domain``/``path`` from signed headers and a decoded body."""
    merged: dict[str, Any] = dict(headers)
    merged.update(body)
    quick = _joined_quickly(merged)
    if quick is not None:
        return f"[POST]{domain}:{path}&{quick}"
    pairs: dict[str, str] = {}
    for key, value in merged.items():
        if isinstance(value, (dict, list)):
            pairs.update(flatten(value, key))
        else:
            pairs[key] = _render(value)
    joined = "&".join(f"{key}={pairs[key]}" for key in sorted(pairs))
    return f"[POST]{domain}:{path}&{joined}"


def _joined_quickly(merged: dict[str, Any]) -> str | None:
    """The sorted ``key=value`` pairs of ``merged`` if it holds only plain values and lists of ints, else None.

    A list of ids is most of what is signed (a batch of 100): its pairs are one ``%`` format filled at C
    speed (:func:`_id_block`). That works when each list's leaf names sort next to each other, which they
    do unless another key sorts between them (``ids`` and ``ids1x``): then None, and the general rule.
    """
    spans: list[tuple[str, str, str]] = []  # (first leaf name, last leaf name, its pairs joined)
    for key, value in merged.items():
        if type(value) is list:
            if not 0 < len(value) <= _QUICK_LIST_LENGTH or not all(type(child) is int for child in value):
                return None
            first, last, text, pick = _id_block(key, len(value))
            spans.append((first, last, text % pick(value)))
        elif isinstance(value, (dict, list, float)):
            return None  # a float may have been read by orjson (sign_request): the rule reads it again
        else:
            spans.append((key, key, f"{key}={_render(value)}"))
    spans.sort()
    for before, after in itertools.pairwise(spans):
        if after[0] <= before[1]:
            return None  # leaves of two keys interleave (or share a name): the general rule decides
    return "&".join([span[2] for span in spans])


_QUICK_LIST_LENGTH = 1000  # longer lists are rare: no format of their size is kept


@functools.lru_cache(maxsize=64)
def _id_block(prefix: str, count: int) -> tuple[str, str, str, Callable[[list[int]], tuple[int, ...]]]:
    """For a list of ``count`` ints under ``prefix``: its first and last leaf names in sorted order, a ``%``
    format of its ``name=value`` pairs in that order, and what picks the values in that order."""
    names = [f"{prefix}{index}" for index in range(count)]
    order = sorted(range(count), key=names.__getitem__)
    text = "&".join(names[index].replace("%", "%%") + "=%d" for index in order)
    pick: Callable[[list[int]], tuple[int, ...]] = (
        operator.itemgetter(*order) if count > 1 else lambda values: (values[0],))
    return names[order[0]], names[order[-1]], text, pick


def sign(access_key: str, text: str) -> str:
    """Base64 HMAC-SHA256 of ``text`` keyed with ``access_key`` (both UTF-8)."""
    digest = hmac.new(access_key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign_request(
    access_key: str, domain: str, path: str, headers: Mapping[str, str], content: bytes
) -> str:
    """Signature for a request whose wire body is ``content`` (JSON object bytes, or empty).

    The body is read with orjson when that reading is the standard decoder's: a body of strings, ints
    and lists of ints (what the SDK sends), signed by the quick path. A float anywhere (orjson also
    reads an int beyond 64 bits as one), a nested object, or a text orjson refuses (``NaN``, a lone
    surrogate escape, another encoding) is read again by :func:`json.loads`, whose reading is the rule.
    """
    if not content:
        return sign(access_key, string_to_sign(domain, path, headers, {}))
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        pass
    else:
        if type(body) is dict:
            quick = _joined_quickly({**headers, **body})  # string_to_sign's quick path
            if quick is not None:
                return sign(access_key, f"[POST]{domain}:{path}&{quick}")
    body = json.loads(content)
    if not isinstance(body, dict):
        raise BodyEncodingError("a signed request body must be a JSON object")
    return sign(access_key, string_to_sign(domain, path, headers, body))


def _check_wire_value(value: Any, where: str) -> None:
    kind = type(value)
    if kind is str:
        _check_text(value, where)
        return
    if kind is int:
        if not _LOWEST <= value <= _HIGHEST:
            raise BodyEncodingError(f"body int at {where} is outside the service's 64-bit range")
        return
    if kind is dict:
        for key, child in value.items():
            if type(key) is not str:
                raise BodyEncodingError(f"body key {key!r} at {where} is not a string")
            _check_text(key, where)
            _check_wire_value(child, f"{where}.{key}")
        return
    if kind is list:
        if value and all(type(child) is int for child in value) and min(value) >= _LOWEST and max(value) <= _HIGHEST:
            return  # a list of ids in range: checked at C speed
        for index, child in enumerate(value):
            _check_wire_value(child, f"{where}[{index}]")
        return
    raise BodyEncodingError(
        f"body value at {where} has type {kind.__name__}; only str, int, list and dict are sent"
    )


def encode_body(body: Mapping[str, Any]) -> bytes:
    """Serialize a request body to the JSON bytes that are sent and signed.

    The service is written in Java and its rendering of ``true``, ``null`` and
    floats in the string to sign is unknown, so the SDK never puts them on the
    wire: booleans are converted to ``"true"``/``"false"`` strings by the
    endpoint table (the official SDK sends ``cloneTask`` that way), ``None``
    values are omitted from the body, and floats are rejected. This function is
    the last guard: any value that is not a ``str``, an ``int`` within the
    service's 64-bit range, a ``list`` or a ``dict`` with ``str`` keys, and any
    string holding a lone surrogate (not valid Unicode, so not signable), raises
    :class:`~rayvision_async.errors.BodyEncodingError` (an ``InvalidInputError``),
    before anything is sent.
    """
    plain = dict(body)
    try:
        _check_wire_value(plain, "body")
    except RecursionError:
        raise BodyEncodingError("the request body is nested too deeply to send") from None
    wire = orjson.dumps(plain)
    if wire.isascii() and b"\x7f" not in wire:
        return wire  # the same bytes as the standard encoder's (below), which escapes non-ASCII and DEL
    return json.dumps(plain, separators=(",", ":")).encode("ascii")
