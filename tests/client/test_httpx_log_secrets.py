"""httpx's and httpcore's own DEBUG logs never show an open client's secrets.

With ``http_client=`` every attempt goes through httpcore, whose DEBUG log prints each reply's
headers as the server sent them. A hostile loopback server echoes the access id, the access key and
the signature back in its headers; with DEBUG logging on for ``httpx`` and ``httpcore``, no record
shows them while the client is open. The filter is on those loggers only while some client is open,
and scrubs the secrets of every open client.
"""

from __future__ import annotations

import gc
import logging

import httpx
import pytest
from aiohttp import web

from helpers.loopback import Server, envelope_for, serve
from rayvision_async import AsyncRayvisionAPI, RetryPolicy
from rayvision_async.wire import _redaction
from rayvision_async.wire._redaction import LOGGERS

FIRST = ("AKIDlogfilter00001", "log-filter-secret-key-1")
SECOND = ("AKIDlogfilter00002", "log-filter-secret-key-2")


async def echoing(request: web.Request, server: Server) -> web.Response:
    """A hostile server: the signed headers come back as reply headers."""
    echoed = {f"X-Echo-{name}": request.headers[name] for name in ("accessId", "signature", "nonce")}
    return web.json_response(envelope_for(request.path), headers=echoed)


def installed() -> bool:
    return all(_redaction._FILTER in logging.getLogger(name).filters for name in LOGGERS)


def watched() -> int:
    """Clients whose secrets the filter scrubs now (other tests' clients may still be open: counted relatively)."""
    gc.collect()  # clients other tests dropped without closing
    count = sum(ref() is not None for ref in _redaction._FILTER._watched)
    assert installed() is (count > 0)  # on the loggers exactly while some client is open
    return count


def client(credentials: tuple[str, str], server: Server, http: httpx.AsyncClient) -> AsyncRayvisionAPI:
    return AsyncRayvisionAPI(*credentials, base_url=server.url, http_client=http, retry=RetryPolicy(attempts=1))


async def test_httpcores_debug_log_never_shows_an_open_clients_secrets(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="httpcore")
    caplog.set_level(logging.DEBUG, logger="httpx")
    before = watched()
    async with serve(echoing) as server, httpx.AsyncClient() as http:
        first, second = client(FIRST, server, http), client(SECOND, server, http)
        assert watched() == before + 2
        async with first, second:  # two clients open at once over one httpx client
            await first.query.task_info([7])
            await second.query.task_info([7])
            await first.task.create_task(count=1)
        assert watched() == before  # each client's secrets leave the filter when it closes
        signatures = [received.headers["signature"] for received in server.received]
    records = [record for record in caplog.records if record.name.startswith(("httpcore", "httpx"))]
    echoes = [record for record in records if "x-echo-accessid" in record.getMessage().lower()]
    assert len(echoes) == 3  # httpcore did log every reply's headers
    assert any("***" in record.getMessage() for record in echoes)
    texts = [text for record in records for text in (record.getMessage(), logging.Formatter().format(record))]
    for secret in (*FIRST, *SECOND, *signatures):
        assert not any(secret in text for text in texts), f"{secret[:12]}… in httpcore's log"


async def test_closing_one_client_keeps_scrubbing_the_others(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="httpcore")
    before = watched()
    async with serve(echoing) as server, httpx.AsyncClient() as http:
        first, second = client(FIRST, server, http), client(SECOND, server, http)
        await first.aclose()
        assert watched() == before + 1
        assert installed()
        async with second:
            await second.query.task_info([7])
        assert watched() == before
        signature = server.received[0].headers["signature"]
    texts = [record.getMessage() for record in caplog.records if record.name.startswith("httpcore")]
    assert any("x-echo-accessid" in text.lower() for text in texts)
    assert not any(SECOND[0] in text or signature in text for text in texts)


async def test_a_client_dropped_without_closing_takes_its_secrets_off_the_filter() -> None:
    before = watched()
    async with serve(echoing) as server, httpx.AsyncClient() as http:
        dropped = client(FIRST, server, http)  # never closed
        assert watched() == before + 1
        del dropped
        assert watched() == before


def test_the_filter_is_off_the_loggers_once_no_client_is_open() -> None:
    if watched() == 0:
        assert not installed()
    signer = _Signer()
    _redaction.watch(signer)
    assert installed()
    _redaction.unwatch(signer)
    assert installed() is (watched() > 0)


class _Signer:
    def scrub(self, text: str) -> str:
        return text
