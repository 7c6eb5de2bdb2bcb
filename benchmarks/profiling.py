"""``run.py --profile P1|P2``: where the SDK's own time goes on the hot path.

P1 profiles single-id ``api.query.task_info([id])`` calls at 50 in flight; P2 profiles
``api.poll(range(1, 10001))``. The report has three parts:

1. a breakdown of one SDK call into disjoint steps, from ``cProfile`` cumulative times of known
   functions (serialization, signing, the httpx client, the signer transport, the aiohttp
   transport, envelope decoding, structuring, logging) — in µs per request *under the profiler*
   (which inflates Python-heavy steps; read the shares, not the absolute numbers);
2. the top cumulative entries in the SDK, httpx and aiohttp modules;
3. the top entries by own time, everywhere.

The raw profile is saved next to the results (``benchmarks/results/profile-P1.pstats``) for
``snakeviz`` or ``python -m pstats``. With ``--profiler pyinstrument`` (if installed in the venv;
it is not a project dependency) a pyinstrument call tree is printed instead.
"""

from __future__ import annotations

import cProfile
import io
import logging
import pstats
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import httpx

import clients
from rayvision_async import AsyncRayvisionAPI
from rayvision_async import _request as request_loop
from rayvision_async._caller import Caller
from rayvision_async.api import _body as binding
from rayvision_async.api import _reply as reply
from rayvision_async.api._generated.query import QueryEndpoints
from rayvision_async.wire import AiohttpTransport, HttpChannel, SigningTransport
from rayvision_async.wire import _envelope as envelope
from rayvision_async.wire import _signing as signing
from rayvision_async.wire._lean import LeanLane

__all__ = ["profile_sdk"]

Key = tuple[str, int, str]


def _key(function: Callable[..., Any]) -> Key:
    code = function.__code__
    return code.co_filename, code.co_firstlineno, code.co_name


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "method": QueryEndpoints.task_info,
    "call": Caller.call,
    "build_body": binding.build_body,
    "encode_body": signing.encode_body,
    "send": request_loop.send,
    "post_once": request_loop.Connection.post_once,
    "post": HttpChannel.post,
    "httpx_request": httpx.Request.__init__,
    "signer": SigningTransport.handle_async_request,
    "lean": LeanLane.post,
    "sign_attempt": SigningTransport.sign_attempt,
    "signed_headers": SigningTransport.signed_headers,
    "sign_request": signing.sign_request,
    "aiohttp_transport": AiohttpTransport.handle_async_request,
    "post_direct": AiohttpTransport.post_direct,
    "aiohttp_request": aiohttp.ClientSession._request,
    "aiohttp_read": aiohttp.StreamReader.read,
    "httpx_response": httpx.Response.__init__,
    "decode_envelope": envelope.decode_envelope,
    "result_of": reply.result_of,
    "is_enabled_for": logging.Logger.isEnabledFor,
}


def breakdown(stats: pstats.Stats, wall: float, requests: int) -> list[tuple[str, float, float]]:
    """(step, µs per request, share of wall time) for disjoint steps of one SDK call.

    Every step is a function's cumulative time minus the steps nested in it, following the call
    chain: endpoint method → ``_call`` → ``send`` → ``post_once`` → ``HttpChannel.post`` →
    ``SigningTransport`` → ``AiohttpTransport`` (httpx path) or ``LeanLane`` →
    ``AiohttpTransport.post_direct`` (the default lean lane); the envelope is decoded in ``post_once`` and the
    result structured in ``send``. A step whose nested parts the profiler attributes elsewhere
    (a coroutine resumed by the event loop rather than by its caller) is clamped at zero and the
    difference is reported in the last line, so no share is negative.
    """
    raw: dict[Key, Any] = stats.stats  # type: ignore[attr-defined]
    ct = {name: raw.get(_key(fn), (0, 0, 0.0, 0.0))[3] for name, fn in FUNCTIONS.items()}
    calls = {name: raw.get(_key(fn), (0, 0, 0.0, 0.0))[1] for name, fn in FUNCTIONS.items()}
    clamped = 0.0

    def own(total: float, *parts: float) -> float:
        nonlocal clamped
        rest = total - sum(parts)
        if rest < 0:
            clamped -= rest
            return 0.0
        return rest

    steps = [
        ("endpoint method own (argument checks)", own(ct["method"], ct["call"])),
        ("Caller.call own (path, closed check)", own(ct["call"], ct["build_body"], ct["encode_body"], ct["send"])),
        ("  build_body (arguments → body dict)", ct["build_body"]),
        ("  encode_body (checks + json.dumps)", ct["encode_body"]),
        ("request loop: send own (retry decisions, logging check)",
         own(ct["send"], ct["post_once"], ct["result_of"])),
        ("request loop: post_once own (slot, total timeout)",
         own(ct["post_once"], ct["post"], ct["decode_envelope"])),
        ("HttpChannel.post own (URL, lane, RawReply, read)",
         own(ct["post"], ct["httpx_request"], ct["signer"], ct["lean"])),
        ("  httpx.Request(...) construction (httpx path)", ct["httpx_request"]),
        ("SigningTransport own (aread, header merging; httpx path)",
         own(ct["signer"], ct["sign_attempt"], ct["aiohttp_transport"]) if ct["signer"] else 0.0),
        ("LeanLane.post own (header list; lean lane)",
         own(ct["lean"], ct["sign_attempt"], ct["post_direct"]) if ct["lean"] else 0.0),
        ("  sign_attempt own (the signer's header dict)",
         own(ct["sign_attempt"], ct["signed_headers"], ct["sign_request"])),
        ("    signed_headers (timestamp + nonce)", ct["signed_headers"]),
        ("    sign_request (json.loads + string to sign + HMAC)", ct["sign_request"]),
        ("AiohttpTransport own (timeouts, headers, errors, decoding)",
         own(ct["aiohttp_transport"] + ct["post_direct"], ct["aiohttp_request"], ct["aiohttp_read"],
             ct["httpx_response"])),
        ("  aiohttp ClientSession._request", ct["aiohttp_request"]),
        ("  aiohttp StreamReader.read (the capped body read)", ct["aiohttp_read"]),
        ("  httpx.Response(...) construction", ct["httpx_response"]),
        ("decode_envelope (orjson + checks)", ct["decode_envelope"]),
        ("result_of (shape check + structuring)", ct["result_of"]),
    ]
    steps.append(("= whole SDK call (the endpoint method)", ct["method"]))
    steps.append(("outside the call (event loop, socket callbacks, driver)", max(0.0, wall - ct["method"])))
    steps.append((f"logging: Logger.isEnabledFor ({calls['is_enabled_for'] / max(requests, 1):.0f} per request)",
                  ct["is_enabled_for"]))
    steps.append(("(nested time the profiler put elsewhere, clamped above)", clamped))
    return [(label, seconds / requests * 1e6, seconds / wall) for label, seconds in steps]


#: Own-time groups, first match wins: (group, substrings of "file:line(function)").
GROUPS = (
    ("SDK code (rayvision_async)", ("/rayvision_async/",)),
    ("cattrs/attrs generated code + hooks", ("<cattrs generated", "<attrs generated", "/cattrs/", "/attr/")),
    ("httpx + httpcore", ("/httpx/", "/httpcore/")),
    ("aiohttp", ("/aiohttp/",)),
    ("yarl + multidict + propcache", ("/yarl/", "/multidict/", "/propcache/")),
    ("json", ("/json/", "_json.")),
    ("threads (aiohttp trust_env look-ups)", ("threading.py", "/concurrent/", "netrc", "getproxies", "proxy_bypass")),
    ("httpx cookie jar (http.cookiejar, urllib/email shims)", ("urllib/request.py", "http/cookiejar.py", "/email/")),
    ("os.urandom (nonce; includes GIL waits)", ("posix.urandom",)),
    ("socket I/O + epoll", ("_socket.socket", "select.epoll")),
    ("asyncio event loop", ("/asyncio/",)),
    ("logging", ("/logging/",)),
)


def own_time_groups(stats: pstats.Stats, wall: float, requests: int) -> list[tuple[str, float, float]]:
    """Own (``tottime``) seconds per group, as (group, µs per request, share of wall time)."""
    raw: dict[Key, Any] = stats.stats  # type: ignore[attr-defined]
    totals: dict[str, float] = {}
    for (filename, line, name), (_, _, own, _, _) in raw.items():
        where = f"{filename}:{line}({name})"
        group = next((label for label, marks in GROUPS if any(mark in where for mark in marks)), "other (stdlib, C)")
        totals[group] = totals.get(group, 0.0) + own
    ordered = sorted(totals.items(), key=lambda item: -item[1])
    return [(label, seconds / requests * 1e6, seconds / wall) for label, seconds in ordered]


def _restricted(stats: pstats.Stats, sort: str, pattern: str, limit: int) -> str:
    stream = io.StringIO()
    stats.stream = stream  # type: ignore[attr-defined]
    stats.sort_stats(sort).print_stats(pattern, limit)
    lines = stream.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return "\n".join(lines[start:])


async def _workload(
    bench: str, base_url: str, requests: int, trust_env: bool
) -> tuple[Callable[[], Awaitable[None]], AsyncRayvisionAPI, int]:
    """The coroutine to profile (already warmed up), its client, and how many requests it sends."""
    if bench == "P1":
        transport = None if trust_env else AiohttpTransport(limit=100, use_env_proxies=False)
        api = AsyncRayvisionAPI(clients.ACCESS_ID, clients.ACCESS_KEY, clients.DOMAIN, "4", base_url=base_url,
                                max_concurrency=100, transport=transport)

        async def request(task_id: int) -> Any:
            return await api.query.task_info([task_id])

        await clients.drive(request, range(1, 501), 50)

        async def run() -> None:
            await clients.drive(request, range(1, requests + 1), 50)

        return run, api, requests
    transport = None if trust_env else AiohttpTransport(use_env_proxies=False)
    api = AsyncRayvisionAPI(clients.ACCESS_ID, clients.ACCESS_KEY, clients.DOMAIN, "4", base_url=base_url,
                            transport=transport)
    await api.poll(range(1, 201))

    async def poll() -> None:
        await api.poll(range(1, 10_001))

    return poll, api, 100


async def profile_sdk(
    bench: str, base_url: str, *, requests: int, profiler: str, save_to: Path, trust_env: bool = True
) -> str:
    """Profile the SDK side of ``bench`` (P1 or P2) and return the report text.

    ``trust_env=False`` profiles the SDK on ``AiohttpTransport(trust_env=False)`` instead of its
    default transport (``run.py --profile P1 --p1-clients sdk-noenv``).
    """
    run, api, sent = await _workload(bench, base_url, requests, trust_env)
    out: list[str] = []
    try:
        if profiler == "pyinstrument":
            from pyinstrument import Profiler  # optional, not a project dependency

            with Profiler(async_mode="enabled") as instrument:
                await run()
            return instrument.output_text(unicode=True, color=False)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        try:
            await run()
        finally:
            profile.disable()
        wall = time.perf_counter() - started
    finally:
        await api.aclose()
    save_to.parent.mkdir(parents=True, exist_ok=True)
    profile.dump_stats(save_to)
    stats = pstats.Stats(profile)
    what = "single-id task_info calls at 50 in flight" if bench == "P1" else "api.poll of 10,000 ids (100 requests)"
    what += "" if trust_env else ", AiohttpTransport(trust_env=False)"
    out.append(f"{bench} profile: {what}; {sent} requests in {wall:.2f} s under cProfile "
               f"({sent / wall:,.0f} req/s profiled); saved to {save_to}")
    out.append("")
    out.append(f"{'step of one SDK call':<62} {'µs/req':>9} {'share':>7}")
    for label, micros, share in breakdown(stats, wall, sent):
        out.append(f"{label:<62} {micros:>9.1f} {share:>7.1%}")
    out.append("")
    out.append(f"{'own time by package':<62} {'µs/req':>9} {'share':>7}")
    for label, micros, share in own_time_groups(stats, wall, sent):
        out.append(f"{label:<62} {micros:>9.1f} {share:>7.1%}")
    out.append("")
    out.append("Top cumulative entries in rayvision_async / httpx / aiohttp / cattrs-generated code:")
    out.append(_restricted(stats, "cumulative", r"rayvision_async|httpx|aiohttp|cattrs", 30))
    out.append("Top entries by own time (everywhere):")
    out.append(_restricted(stats, "tottime", "", 25))
    return "\n".join(out)
