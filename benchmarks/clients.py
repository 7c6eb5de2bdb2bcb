"""The clients compared in P1 and P2, and the loops that drive them.

Every client sends the same signed request: the body is ``rayvision_async.wire._signing.encode_body``,
the six protocol headers get a fresh timestamp and nonce per request, the signature comes from
``rayvision_async.wire._signing.sign_request``, and ``Content-Type``, ``languageFlag`` and
``User-Agent`` are the SDK's. So the raw clients differ from the SDK only by what the SDK adds
on top of the HTTP library (argument binding, body checks, the concurrency cap, the retry loop,
envelope decoding with ``Decimal``, structuring into models).
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import aiohttp
import httpx

from rayvision_async import AsyncRayvisionAPI
from rayvision_async.wire import AiohttpTransport
from rayvision_async.wire._channel import USER_AGENT
from rayvision_async.wire._signing import encode_body, make_nonce, sign_request

__all__ = [
    "ACCESS_ID",
    "ACCESS_KEY",
    "DOMAIN",
    "EXTRA_CLIENTS",
    "P1_CLIENTS",
    "QUERY_TASK_INFO",
    "drive",
    "httpx_aiohttp_available",
    "make_client",
    "run_p1",
    "run_poll",
    "run_raw_poll",
    "run_sequential",
    "signed_headers",
]

ACCESS_ID = "bench-access-id"
ACCESS_KEY = "bench-access-key"
DOMAIN = "task.renderbus.com"
PLATFORM = "4"
QUERY_TASK_INFO = "/api/render/handle/queryTaskInfo/v2"
#: Safety net for one timed run: nothing here should take this long.
RUN_TIMEOUT = 300.0


def signed_headers(path: str, content: bytes) -> dict[str, str]:
    """The headers the SDK's signer sends, signed with the SDK's own functions."""
    headers = {
        "accessId": ACCESS_ID,
        "channel": "4",
        "platform": PLATFORM,
        "UTCTimestamp": str(int(time.time())),
        "nonce": make_nonce(),
        "version": "2.0.0",
    }
    headers["signature"] = sign_request(ACCESS_KEY, DOMAIN, path, headers, content)
    headers["Content-Type"] = "application/json"
    headers["languageFlag"] = "0"
    headers["User-Agent"] = USER_AGENT
    return headers


def _ok(status: int, body: bytes) -> Any:
    if status != 200:
        raise RuntimeError(f"bench server answered HTTP {status}")
    return json.loads(body)


class SdkClient:
    """(a) The SDK with its defaults: ``api.query.task_info([id])``.

    With ``trust_env=False`` (the diagnostic client ``sdk-noenv``) its inner transport is an
    ``AiohttpTransport(use_env_proxies=False)``: proxy variables ignored.
    """

    def __init__(self, base_url: str, limit: int, *, trust_env: bool = True) -> None:
        transport = None if trust_env else AiohttpTransport(limit=limit, use_env_proxies=False)
        self.api = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, DOMAIN, PLATFORM, base_url=base_url,
                                     max_concurrency=limit, transport=transport)
        self.name = "sdk" if trust_env else "sdk-noenv"
        self.label = "SDK (default transport)" if trust_env else "SDK on AiohttpTransport(use_env_proxies=False)"

    async def request(self, task_id: int) -> Any:
        return await self.api.query.task_info([task_id])

    async def check(self) -> None:
        page = await self.request(42)
        assert page.items[0].id == 42, page

    async def aclose(self) -> None:
        await self.api.aclose()


class HttpxClient:
    """(b) raw ``httpx.AsyncClient`` on its own transport, or (c) on the SDK's ``AiohttpTransport``."""

    def __init__(self, base_url: str, limit: int, *, sdk_transport: bool) -> None:
        transport = AiohttpTransport(limit=limit) if sdk_transport else None
        limits = httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
        self.client = httpx.AsyncClient(base_url=base_url, transport=transport, limits=limits, timeout=30.0)
        self.name = "httpx+aiohttp" if sdk_transport else "httpx"
        self.label = "raw httpx on AiohttpTransport" if sdk_transport else "raw httpx (default transport)"

    async def request(self, task_id: int) -> Any:
        content = encode_body({"taskIds": [task_id]})
        response = await self.client.post(QUERY_TASK_INFO, content=content,
                                          headers=signed_headers(QUERY_TASK_INFO, content))
        return _ok(response.status_code, response.content)

    async def check(self) -> None:
        reply = await self.request(42)
        assert reply["data"]["items"][0]["id"] == 42, reply

    async def aclose(self) -> None:
        await self.client.aclose()


class HttpxAiohttpPackageClient:
    """(e) the independent "httpx over aiohttp": the ``httpx-aiohttp`` package's ``HttpxAiohttpClient``.

    Not the SDK's transport: a third-party one (the ``bench`` extra installs it). Same request, same
    ``json.loads``. Where the package is missing, the client is left out and the run says so.
    """

    name = "httpx-aiohttp"
    label = "httpx-aiohttp package (HttpxAiohttpClient)"

    def __init__(self, base_url: str, limit: int) -> None:
        from httpx_aiohttp import HttpxAiohttpClient

        limits = httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
        self.client = HttpxAiohttpClient(base_url=base_url, limits=limits, timeout=30.0)

    async def request(self, task_id: int) -> Any:
        content = encode_body({"taskIds": [task_id]})
        response = await self.client.post(QUERY_TASK_INFO, content=content,
                                          headers=signed_headers(QUERY_TASK_INFO, content))
        return _ok(response.status_code, response.content)

    async def check(self) -> None:
        reply = await self.request(42)
        assert reply["data"]["items"][0]["id"] == 42, reply

    async def aclose(self) -> None:
        await self.client.aclose()


def httpx_aiohttp_available() -> bool:
    """Whether the ``httpx-aiohttp`` package (the ``bench`` extra) is installed."""
    try:
        import httpx_aiohttp  # noqa: F401
    except ImportError:
        return False
    return True


class AiohttpClient:
    """(d) raw ``aiohttp.ClientSession``: post, read, ``json.loads``."""

    name = "aiohttp"
    label = "raw aiohttp"

    def __init__(self, base_url: str, limit: int) -> None:
        self.base_url = base_url
        self.limit = limit
        self.session: aiohttp.ClientSession | None = None

    async def request(self, task_id: int) -> Any:
        session = self.session
        if session is None:
            session = self.session = aiohttp.ClientSession(
                base_url=self.base_url, connector=aiohttp.TCPConnector(limit=self.limit))
        content = encode_body({"taskIds": [task_id]})
        async with session.post(QUERY_TASK_INFO, data=content,
                                headers=signed_headers(QUERY_TASK_INFO, content)) as response:
            body = await response.read()
            return _ok(response.status, body)

    async def check(self) -> None:
        reply = await self.request(42)
        assert reply["data"]["items"][0]["id"] == 42, reply

    async def aclose(self) -> None:
        if self.session is not None:
            await self.session.close()


Client = SdkClient | HttpxClient | HttpxAiohttpPackageClient | AiohttpClient
P1_CLIENTS = ("sdk", "httpx", "httpx+aiohttp", "httpx-aiohttp", "aiohttp")
#: Optional diagnostic clients (``--p1-clients``).
EXTRA_CLIENTS = ("sdk-noenv",)


def make_client(name: str, base_url: str, limit: int) -> Client:
    if name in ("sdk", "sdk-noenv"):
        return SdkClient(base_url, limit, trust_env=name == "sdk")
    if name in ("httpx", "httpx+aiohttp"):
        return HttpxClient(base_url, limit, sdk_transport=name == "httpx+aiohttp")
    if name == "httpx-aiohttp":
        return HttpxAiohttpPackageClient(base_url, limit)
    if name == "aiohttp":
        return AiohttpClient(base_url, limit)
    raise ValueError(name)


async def drive(request: Callable[[int], Awaitable[Any]], ids: Iterable[int], in_flight: int) -> float:
    """Send one request per id with ``in_flight`` workers; return the elapsed seconds."""
    pending = iter(ids)

    async def worker() -> None:
        for task_id in pending:  # shared iterator: each id is taken by exactly one worker
            await request(task_id)

    gc.collect()
    started = time.perf_counter()
    async with asyncio.timeout(RUN_TIMEOUT), asyncio.TaskGroup() as group:
        for _ in range(in_flight):
            group.create_task(worker())
    return time.perf_counter() - started


async def run_p1(
    base_url: str, *, levels: tuple[int, ...], requests: dict[int, int], repeats: int, warmup: int,
    names: tuple[str, ...] = P1_CLIENTS, log: Callable[[str], None] = print,
    server_cpu: Callable[[], float] | None = None,
) -> dict[str, Any]:
    """req/s of every client at every level: ``repeats`` runs each, client order alternating.

    ``server_cpu`` (the server process's CPU seconds so far) adds how busy the server was during
    each run, to show it is not the bottleneck.
    """
    limit = max(100, *levels)
    clients = [make_client(name, base_url, limit) for name in names]
    rates: dict[str, dict[str, list[float]]] = {str(level): {c.name: [] for c in clients} for level in levels}
    busy: dict[str, dict[str, list[float]]] = {str(level): {c.name: [] for c in clients} for level in levels}
    #: Requests per second of this process's CPU time: what throughput would be if the client had a
    #: CPU to itself (robust on a machine shared with other work, where wall time is not).
    cpu_rates: dict[str, dict[str, list[float]]] = {str(level): {c.name: [] for c in clients} for level in levels}
    try:
        for client in clients:
            await client.check()
            await drive(client.request, range(1, warmup + 1), max(levels))
        for level in levels:
            count = requests[level]
            for rep in range(repeats):
                order = clients if rep % 2 == 0 else clients[::-1]
                for client in order:
                    cpu_before = server_cpu() if server_cpu else 0.0
                    own_cpu = time.process_time()
                    elapsed = await drive(client.request, range(1, count + 1), level)
                    own_cpu = time.process_time() - own_cpu
                    rates[str(level)][client.name].append(count / elapsed)
                    cpu_rates[str(level)][client.name].append(count / max(own_cpu, 1e-9))
                    if server_cpu:
                        busy[str(level)][client.name].append((server_cpu() - cpu_before) / elapsed)
                log(f"  P1 {level:>3} in flight, run {rep + 1}/{repeats}: " + ", ".join(
                    f"{c.name} {rates[str(level)][c.name][-1]:,.0f}/s" for c in clients))
    finally:
        for client in clients:
            await client.aclose()
    return {"rates": rates, "cpu_rates": cpu_rates, "server_busy": busy, "labels": {c.name: c.label for c in clients}}


async def run_poll(base_url: str, count: int, repeats: int, cpu: list[float] | None = None) -> list[float]:
    """Seconds per ``api.poll(range(1, count + 1))`` (SDK defaults: batches of 100, 32 in flight).

    ``cpu``, if given, receives the process CPU seconds of every poll.
    """
    times = []
    async with AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY, DOMAIN, PLATFORM, base_url=base_url) as api:
        await api.poll(range(1, 201))
        for _ in range(repeats):
            gc.collect()
            started, cpu_started = time.perf_counter(), time.process_time()
            async with asyncio.timeout(RUN_TIMEOUT):
                result = await api.poll(range(1, count + 1))
            times.append(time.perf_counter() - started)
            if cpu is not None:
                cpu.append(time.process_time() - cpu_started)
            if len(result) != count or result.missing:
                raise RuntimeError(f"poll returned {len(result)} of {count} tasks")
    return times


async def run_raw_poll(base_url: str, count: int, repeats: int, *, batch_size: int = 100,
                       in_flight: int = 32, cpu: list[float] | None = None) -> list[float]:
    """Seconds per raw-aiohttp poll: the SDK's batches (100 ids, 32 in flight), signed, ``json.loads`` only.

    The floor under ``api.poll``: the same requests on a bare ``aiohttp.ClientSession``, each reply
    decoded with ``json.loads`` and its items kept by id, with no checks, no models and no retry loop.
    """
    times = []
    async with aiohttp.ClientSession(base_url=base_url, connector=aiohttp.TCPConnector(limit=100)) as session:

        async def fetch(ids: list[int]) -> list[Any]:
            content = encode_body({"taskIds": ids})
            async with session.post(QUERY_TASK_INFO, data=content,
                                    headers=signed_headers(QUERY_TASK_INFO, content)) as response:
                items: list[Any] = _ok(response.status, await response.read())["data"]["items"]
                return items

        async def poll(ids: list[int]) -> dict[int, Any]:
            batches = [ids[start:start + batch_size] for start in range(0, len(ids), batch_size)]
            pending = iter(batches)
            found: dict[int, Any] = {}

            async def worker() -> None:
                for batch in pending:
                    for item in await fetch(batch):
                        found[item["id"]] = item

            async with asyncio.TaskGroup() as group:
                for _ in range(min(in_flight, len(batches))):
                    group.create_task(worker())
            return found

        await poll(list(range(1, 201)))
        for _ in range(repeats):
            gc.collect()
            started, cpu_started = time.perf_counter(), time.process_time()
            async with asyncio.timeout(RUN_TIMEOUT):
                result = await poll(list(range(1, count + 1)))
            times.append(time.perf_counter() - started)
            if cpu is not None:
                cpu.append(time.process_time() - cpu_started)
            if len(result) != count:
                raise RuntimeError(f"raw poll returned {len(result)} of {count} tasks")
    return times


def run_sequential(base_url: str, ids: Iterable[int]) -> tuple[int, float]:
    """The official SDK's pattern: one blocking signed request per task on a keep-alive session.

    Returns (requests sent, seconds).
    """
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        content = encode_body({"taskIds": [1]})
        client.post(QUERY_TASK_INFO, content=content, headers=signed_headers(QUERY_TASK_INFO, content))
        gc.collect()
        sent = 0
        started = time.perf_counter()
        for task_id in ids:
            content = encode_body({"taskIds": [task_id]})
            response = client.post(QUERY_TASK_INFO, content=content,
                                   headers=signed_headers(QUERY_TASK_INFO, content))
            data = _ok(response.status_code, response.content)["data"]
            if data["items"][0]["id"] != task_id:
                raise RuntimeError(f"asked for task {task_id}, got {data['items'][0]['id']}")
            sent += 1
            if time.perf_counter() - started > RUN_TIMEOUT:
                raise TimeoutError("sequential baseline took too long")
        return sent, time.perf_counter() - started
