"""Timeouts and RawReply are attrs records: constructor, validation, equality, hash, repr."""

from __future__ import annotations

import attrs
import pytest

from rayvision_async import errors
from rayvision_async.wire._channel import Timeouts
from rayvision_async.wire._envelope import RawReply


def test_timeouts_record() -> None:
    assert attrs.has(Timeouts)
    assert Timeouts() == Timeouts(30, connect=10, pool=30)
    assert hash(Timeouts(5, pool=None)) == hash(Timeouts(5.0, pool=None))
    assert Timeouts(5) != Timeouts(6)
    assert repr(Timeouts(5, pool=None)) == "Timeouts(read=5.0, connect=10.0, pool=None, total=60.0)"
    assert Timeouts(40).total == 80.0
    assert Timeouts(None).total is None
    assert Timeouts(5, total=7).total == 7.0
    assert Timeouts(2).extension == {"connect": 10.0, "read": 2.0, "write": 2.0, "pool": 30.0}
    assert Timeouts.coerce(3) == Timeouts(read=3.0)
    with pytest.raises(TypeError):
        Timeouts(1, 2)  # type: ignore[misc]  # connect and pool are keyword-only
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Timeouts().read = 1.0  # type: ignore[misc]


@pytest.mark.parametrize("bad", [True, 0, -1, 3601, "5", float("nan")])
@pytest.mark.parametrize("name", ["read", "connect", "pool"])
def test_timeouts_validation_message(name: str, bad: object) -> None:
    message = rf"^{name} timeout must be a number in \(0, 3600\] seconds or None$"
    with pytest.raises(errors.ConfigurationError, match=message):
        Timeouts(**{name: bad})  # type: ignore[arg-type]


def test_raw_reply_record() -> None:
    reply = RawReply(200, b"{}")
    assert (reply.status, reply.content, reply.headers, reply.retry_after) == (200, b"{}", (), None)
    assert reply == RawReply(200, b"{}", [(b"x", b"y")])  # headers are not compared
    assert repr(reply) == "RawReply(status=200, content=<2 bytes>)"


def test_raw_reply_joins_repeated_retry_after_as_httpx_does() -> None:
    headers = [(b"Content-Type", b"text/html"), (b"Retry-After", b"7"), (b"retry-after", b"8")]
    assert RawReply(503, b"", headers).retry_after == "7, 8"
