"""A client refused at construction leaves its access key in no captured traceback.

Error trackers render a traceback with every frame's local variables
(``traceback.TracebackException(..., capture_locals=True)``). A setting refused while
the client is built must not put the access key it was given, or read from the
environment, into them: the binding check's frame drops its arguments and the frames
under it are cleared as the error leaves (``_arguments.checked_binding``). On the
code before, rendering failed outright (the half-built objects' reprs raised).
"""

from __future__ import annotations

import traceback
from typing import Any

import pytest

from rayvision_async import AsyncRayvisionAPI, ConfigurationError

ACCESS_ID = "AKIDconstructiontb01"
ACCESS_KEY = "constructionTracebackKey0123456789"

REFUSED: list[dict[str, Any]] = [
    {"bogus": 1},  # does not bind
    {"timeout": "soon"},
    {"max_concurrency": -1},
    {"base_url": "http://user:pw@example.com"},
    {"default_headers": {"Expect": "100-continue"}},
    {"verify": False},
    {"domain": "bad host\0"},
]


def rendered(exc: BaseException) -> str:
    return "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())


@pytest.mark.parametrize("settings", REFUSED, ids=lambda settings: next(iter(settings)))
def test_a_key_given_is_in_no_frame(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, **settings)
    text = rendered(caught.value)
    assert "AsyncRayvisionAPI" in text
    assert "= " in text  # rendered, with locals
    assert ACCESS_KEY not in text


@pytest.mark.parametrize("settings", REFUSED, ids=lambda settings: next(iter(settings)))
def test_a_key_read_from_the_environment_is_in_no_frame(settings: dict[str, Any],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAYVISION_API_ACCESS_ID", ACCESS_ID)
    monkeypatch.setenv("RAYVISION_API_ACCESS_KEY", ACCESS_KEY)
    with pytest.raises(ConfigurationError) as caught:
        AsyncRayvisionAPI(**settings)
    assert ACCESS_KEY not in rendered(caught.value)


def test_a_failed_construction_still_says_what_was_wrong() -> None:
    with pytest.raises(ConfigurationError, match="bogus"):
        AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, bogus=1)  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError, match="read timeout"):
        AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, timeout="soon")  # type: ignore[arg-type]
