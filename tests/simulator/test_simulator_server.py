"""The loopback server really serves and really resets; the pytest plugin's fixtures work."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import pytest

from rayvision_async.api._table import ENDPOINTS
from rayvision_async.simulator import Farm, Simulator, run_server, serve
from rayvision_async.simulator import pytest_plugin as plugin
from rayvision_async.wire._signing import make_nonce, sign_request

# The plugin is a pytest11 entry point once the package is installed; bind its fixtures here too,
# so these tests also run from a source checkout.
rayvision_farm = plugin.rayvision_farm
rayvision_simulator = plugin.rayvision_simulator
rayvision_simulator_url = plugin.rayvision_simulator_url
rayvision_client = plugin.rayvision_client

BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}
PROFILE = BY_NAME["query_user_profile"].path
CREATE = BY_NAME["create_task"].path


def signed_headers(access_id: str, access_key: str, domain: str, path: str, content: bytes) -> dict[str, str]:
    """The six signed headers plus ``signature``, as the official SDK builds them."""
    headers = {
        "accessId": access_id,
        "channel": "4",
        "platform": "4",
        "UTCTimestamp": str(int(time.time())),
        "nonce": make_nonce(),
        "version": "2.0.0",
    }
    headers["signature"] = sign_request(access_key, domain, path, headers, content)
    headers["Content-Type"] = "application/json"
    return headers


async def post(
    client: httpx.AsyncClient, sim: Simulator, path: str, body: dict[str, Any], *, domain: str | None = None
) -> httpx.Response:
    content = json.dumps(body).encode()
    headers = signed_headers(sim.access_id, sim.access_key, domain or sim.domain, path, content)
    return await client.post(path, content=content, headers=headers)


def new_sim() -> Simulator:
    return Simulator("AKIDloopbacktest", "loopback-secret", farm=Farm(speed=0.0))


async def test_loopback_server_serves_signed_requests() -> None:
    sim = new_sim()
    async with serve(sim) as base_url, httpx.AsyncClient(base_url=base_url, timeout=5.0) as client:
        assert base_url.startswith("http://127.0.0.1:")
        ok = await post(client, sim, CREATE, {"count": 2})
        assert ok.status_code == 200
        assert ok.headers["Content-Type"].startswith("application/json")
        assert ok.json()["code"] == 200
        assert len(ok.json()["data"]["taskIdList"]) == 2
        host = base_url.removeprefix("http://")
        assert (await post(client, sim, PROFILE, {}, domain=host)).json()["code"] == 200  # Host as domain
        wrong = await client.post(PROFILE, content=b"{}", headers={"accessId": sim.access_id})
        assert wrong.json()["code"] == 611
        not_post = await client.get(PROFILE)
        assert not_post.status_code == 405
    assert sim.counts == {"create_task": 1, "query_user_profile": 3}  # every request, the GET too
    assert sim.processed == {"create_task": 1, "query_user_profile": 1}
    assert len(sim.farm.tasks) == 2


async def test_loopback_server_really_resets_the_connection() -> None:
    sim = new_sim()
    sim.inject("create_task", "reset", after_processing=True)
    async with serve(sim) as base_url, httpx.AsyncClient(base_url=base_url, timeout=5.0) as client:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            await post(client, sim, CREATE, {"count": 1})
        assert len(sim.farm.tasks) == 1  # processed before the reset: the duplicate-work case
        again = await post(client, sim, CREATE, {"count": 1})  # a fresh connection works
        assert again.json()["code"] == 200
    assert sim.counts["create_task"] == 2


async def test_loopback_server_really_answers_slowly() -> None:
    sim = new_sim()
    sim.inject("query_user_profile", "slow", delay=1.0)
    async with serve(sim) as base_url, httpx.AsyncClient(base_url=base_url, timeout=0.2) as client:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            await post(client, sim, PROFILE, {})
        assert time.monotonic() - started >= 0.2
        sim.inject("query_user_profile", "latency", delay=0.1)
        started = time.monotonic()
        assert (await post(client, sim, PROFILE, {})).json()["code"] == 200
        assert time.monotonic() - started >= 0.1


async def test_loopback_server_sends_html_5xx_and_truncated_json() -> None:
    sim = new_sim()
    async with serve(sim) as base_url, httpx.AsyncClient(base_url=base_url, timeout=5.0) as client:
        sim.inject(None, "http_5xx", status=502)
        bad_gateway = await post(client, sim, PROFILE, {})
        assert bad_gateway.status_code == 502
        assert "Bad Gateway" in bad_gateway.text
        sim.inject(None, "malformed_json")
        truncated = await post(client, sim, PROFILE, {})
        assert truncated.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(truncated.content)


def test_run_server_blocks_until_stopped_and_prints_credentials() -> None:
    sim = new_sim()
    stop = threading.Event()
    printed: list[str] = []
    ready = threading.Event()

    def out(text: str) -> None:
        printed.append(text)
        ready.set()

    thread = threading.Thread(target=run_server, args=(sim, 0), kwargs={"stop": stop, "out": out}, daemon=True)
    thread.start()
    try:
        assert ready.wait(5.0)
        banner = printed[0]
        assert sim.access_id in banner
        assert sim.access_key in banner
        base_url = banner.split()[4]
        content = b"{}"
        headers = signed_headers(sim.access_id, sim.access_key, sim.domain, PROFILE, content)
        reply = httpx.post(base_url + PROFILE, content=content, headers=headers, timeout=5.0)
        assert reply.json()["code"] == 200
    finally:
        stop.set()
        thread.join(5.0)
    assert not thread.is_alive()


async def test_plugin_url_fixture(rayvision_simulator: Simulator, rayvision_simulator_url: str) -> None:
    async with httpx.AsyncClient(base_url=rayvision_simulator_url, timeout=5.0) as client:
        assert (await post(client, rayvision_simulator, PROFILE, {})).json()["code"] == 200
    assert rayvision_simulator.access_id == plugin.SIM_ACCESS_ID
    assert rayvision_simulator.farm.clock.speed == 0.0


async def test_plugin_client_fixture_talks_to_the_simulator(
    rayvision_client: Any, rayvision_simulator: Simulator
) -> None:
    created = await rayvision_client.task.create_task(count=1)
    task_id = created.task_id_list[0]
    await rayvision_client.transmit.upload_json_content(task_id, json.dumps({"task_info": {"frames": "1-2"}}))
    await rayvision_client.task.submit_task(task_id)
    rayvision_simulator.farm.advance(3600)
    page = await rayvision_client.query.task_info([task_id])
    assert [(task.id, int(task.task_status)) for task in page.items] == [(task_id, 25)]
    assert rayvision_simulator.counts["create_task"] == 1
    assert rayvision_simulator.counts["submit_task"] == 1
    assert rayvision_simulator.internal_errors == []
