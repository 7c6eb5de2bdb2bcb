"""The simulator's HTTP-free service: signatures, clock window, routing of both path sets, faults, counts."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from rayvision_async.api._table import ENDPOINTS
from rayvision_async.simulator import Farm, FaultPlan, Simulator, SimulatorTransport
from rayvision_async.simulator.service import KINDS
from rayvision_async.wire._signing import make_nonce, sign_request

NOW = 1_700_000_000.0
BY_NAME = {endpoint.name: endpoint for endpoint in ENDPOINTS}
PROFILE = BY_NAME["query_user_profile"].path
CREATE = BY_NAME["create_task"].path


def make_sim(**options: Any) -> Simulator:
    return Simulator("AKIDtestaccess", "test-secret-key", farm=Farm(speed=0.0), wall_clock=lambda: NOW, **options)


def signed(
    sim: Simulator,
    path: str,
    body: dict[str, Any],
    *,
    key: str | None = None,
    access_id: str | None = None,
    timestamp: float = NOW,
    domain: str | None = None,
    version: str = "2.0.0",
    nonce: str | None = None,
) -> tuple[dict[str, str], bytes]:
    """Headers and body of a request signed like the official SDK signs it (a fresh nonce unless given)."""
    content = json.dumps(body).encode()
    headers = {
        "accessId": access_id or sim.access_id,
        "channel": "4",
        "platform": "4",
        "UTCTimestamp": str(int(timestamp)),
        "nonce": nonce or make_nonce(),
        "version": version,
    }
    headers["signature"] = sign_request(key or sim.access_key, domain or sim.domain, path, headers, content)
    headers["Content-Type"] = "application/json"
    return headers, content


async def call(sim: Simulator, path: str, body: dict[str, Any] | None = None, **sign: Any) -> dict[str, Any]:
    headers, content = signed(sim, path, body or {}, **sign)
    reply = await sim.handle("POST", path, headers, content)
    assert reply.status == 200
    assert not reply.reset
    envelope: dict[str, Any] = reply.json()
    return envelope


async def test_correctly_signed_request_succeeds() -> None:
    sim = make_sim()
    envelope = await call(sim, PROFILE)
    assert envelope["code"] == 200
    assert envelope["result"] is True
    assert envelope["message"] == "success"
    assert envelope["data"]["userId"] == sim.farm.account.user_id
    assert envelope["version"] == "2.0.0"
    assert envelope["serverTime"] == NOW * 1000
    assert envelope["requestId"]
    assert set(envelope) == {"version", "result", "message", "code", "data", "serverTime", "requestId"}


@pytest.mark.parametrize(
    "sign",
    [{"key": "wrong-key"}, {"access_id": "AKIDsomeoneelse"}, {"domain": "task.foxrenderfarm.com"}],
)
async def test_bad_credentials_get_611(sign: dict[str, Any]) -> None:
    sim = make_sim()
    envelope = await call(sim, PROFILE, **sign)
    assert (envelope["code"], envelope["result"], envelope["data"]) == (611, False, None)
    assert sim.processed[BY_NAME["query_user_profile"].name] == 0


async def test_tampered_body_or_missing_header_gets_611() -> None:
    sim = make_sim()
    headers, _ = signed(sim, CREATE, {"count": 1})
    tampered = await sim.handle("POST", CREATE, headers, json.dumps({"count": 50}).encode())
    assert tampered.json()["code"] == 611
    del headers["nonce"]
    missing = await sim.handle("POST", CREATE, headers, json.dumps({"count": 1}).encode())
    assert missing.json()["code"] == 611
    assert sim.farm.tasks == {}


async def test_old_timestamp_gets_610_with_server_time() -> None:
    sim = make_sim(signature_window=300.0)
    envelope = await call(sim, PROFILE, timestamp=NOW - 301)
    assert envelope["code"] == 610
    assert envelope["serverTime"] == NOW * 1000
    assert (await call(sim, PROFILE, timestamp=NOW - 299))["code"] == 200
    assert (await call(sim, PROFILE, timestamp=NOW + 299))["code"] == 200


async def test_clock_skew_shows_in_server_time_and_a_client_can_resync() -> None:
    sim = make_sim(clock_skew=1800.0)
    refused = await call(sim, PROFILE)  # signed with the (correct) client clock
    assert refused["code"] == 610
    server_now = refused["serverTime"] / 1000
    assert server_now == NOW + 1800
    assert (await call(sim, PROFILE, timestamp=server_now))["code"] == 200


async def test_host_header_is_accepted_as_the_signed_domain() -> None:
    sim = make_sim()
    headers, content = signed(sim, PROFILE, {}, domain="127.0.0.1:9999")
    headers["Host"] = "127.0.0.1:9999"
    assert (await sim.handle("POST", PROFILE, headers, content)).json()["code"] == 200
    headers["Host"] = "127.0.0.1:1111"
    assert (await sim.handle("POST", PROFILE, headers, content)).json()["code"] == 611


async def test_method_path_and_body_errors() -> None:
    sim = make_sim()
    headers, content = signed(sim, PROFILE, {})
    not_post = await sim.handle("GET", PROFILE, headers, b"")
    assert (not_post.status, not_post.json()["code"]) == (405, 603)
    unknown = await sim.handle("POST", "/api/render/nothing/here", headers, content)
    assert (unknown.status, unknown.json()["code"]) == (404, 404)
    garbage = await sim.handle("POST", PROFILE, headers, b"{not json")
    assert garbage.json()["code"] == 600
    assert sim.path_counts["/api/render/nothing/here"] == 1


def test_both_path_sets_route_every_endpoint() -> None:
    sim = make_sim()
    assert sim.router.unserved == []
    for endpoint in ENDPOINTS:
        current = sim.router.resolve(endpoint.path)
        assert current is not None
        assert current.name == endpoint.name
        assert not current.legacy
        if endpoint.legacy_path and endpoint.legacy_path != endpoint.path:
            legacy = sim.router.resolve(endpoint.legacy_path)
            assert legacy is not None
            assert legacy.name == endpoint.name
            assert legacy.legacy


async def submit_task(sim: Simulator, *, legacy: bool = False) -> int:
    create = BY_NAME["create_task"]
    data = (await call(sim, create.legacy_path if legacy else create.path, {"count": 1}))["data"]
    task_id: int = data["taskIdList"][0]
    sim.call("upload_json_content", {"taskId": task_id, "content": "{}"})
    assert (await call(sim, BY_NAME["submit_task"].path, {"taskId": task_id}))["code"] == 200
    return task_id


async def test_legacy_paths_translate_wire_names() -> None:
    sim = make_sim()
    task_id = await submit_task(sim, legacy=True)
    sim.farm.advance(60)
    stop = BY_NAME["stop_task"]
    assert stop.legacy_path is not None
    envelope = await call(sim, stop.legacy_path, {"taskParam": [task_id]}, version="1.0.0")
    assert (envelope["code"], envelope["version"]) == (200, "1.0.0")
    assert sim.farm.task(task_id).status() == 10

    restart = BY_NAME["restart_frame"]
    assert restart.legacy_path is not None
    frame_id = sim.farm.task(task_id).frames[0].id
    body = {"taskId": task_id, "selectAll": 0, "ids": [frame_id]}  # the 2018 document's request
    assert (await call(sim, restart.legacy_path, body, version="1.0.0"))["code"] == 200
    assert sim.farm.frames[frame_id].attempts == 1

    settings = BY_NAME["update_user_settings"]
    assert settings.legacy_path is not None
    await call(sim, settings.legacy_path, {"taskOverTime": 3}, version="1.0.0")  # hours in 2018
    assert sim.farm.account.task_over_time_sec == 3 * 3600
    assert sim.counts["stop_task"] == 1
    assert sim.path_counts[stop.legacy_path] == 1
    assert [r.legacy for r in sim.requests if r.name == "stop_task"] == [True]


async def test_counts_and_request_log() -> None:
    sim = make_sim()
    await submit_task(sim)
    await call(sim, PROFILE, key="wrong")
    assert sim.counts == {"create_task": 1, "submit_task": 1, "query_user_profile": 1}
    assert sim.processed == {"create_task": 1, "submit_task": 1}
    assert [(r.path, r.code) for r in sim.requests] == [
        (CREATE, 200),
        (BY_NAME["submit_task"].path, 200),
        (PROFILE, 611),
    ]
    assert sim.requests[0].body == {"count": 1}
    assert sim.internal_errors == []


def plan_outcomes(seed: int, requests: int = 300, **options: Any) -> list[str | None]:
    plan = FaultPlan(seed=seed, **options)
    return [(fault.kind if fault else None) for fault in (plan.draw("create_task") for _ in range(requests))]


def test_fault_plans_are_seeded_reproducible_and_near_their_rate() -> None:
    first = plan_outcomes(seed=11, rate=0.2)
    assert first == plan_outcomes(seed=11, rate=0.2)
    assert first != plan_outcomes(seed=12, rate=0.2)
    hits = sum(kind is not None for kind in plan_outcomes(seed=5, requests=2000, rate=0.2))
    assert 330 <= hits <= 470
    only = plan_outcomes(seed=3, rate=1.0, kinds={"reset": 1.0, "http_5xx": 1.0})
    assert set(only) == {"reset", "http_5xx"}
    assert set(plan_outcomes(seed=3, rate=1.0, requests=2000)) == set(KINDS)


async def test_fault_plan_applies_per_operation_through_the_service() -> None:
    before = FaultPlan(seed=1, rate=1.0, kinds=["error"], operations=["create_task"], after_processing_rate=0.0)
    sim = make_sim(faults=before)
    assert (await call(sim, PROFILE))["code"] == 200
    assert (await call(sim, CREATE, {"count": 1}))["code"] == 500
    assert sim.farm.tasks == {}
    assert list(before.history) == [("create_task", before.history[0][1])]
    assert before.history[0][1] is not None
    sim.fault_plans[:] = [FaultPlan(seed=1, rate=1.0, kinds=["error"], after_processing_rate=1.0)]
    assert (await call(sim, CREATE, {"count": 1}))["code"] == 500
    assert len(sim.farm.tasks) == 1  # the farm did the work, the client was told it failed


def transport_client(sim: Simulator, *, timeout: float = 5.0) -> httpx.AsyncClient:
    async def no_sleep(_seconds: float) -> None:
        return None

    transport = SimulatorTransport(sim, sleep=no_sleep)
    return httpx.AsyncClient(transport=transport, base_url="https://task.renderbus.com", timeout=timeout)


async def post(client: httpx.AsyncClient, sim: Simulator, path: str, body: dict[str, Any]) -> httpx.Response:
    headers, content = signed(sim, path, body)
    return await client.post(path, headers=headers, content=content)


async def test_reset_after_processing_did_the_work_but_the_client_saw_an_error() -> None:
    sim = make_sim()
    sim.inject("create_task", "reset", after_processing=True)
    async with transport_client(sim) as client:
        with pytest.raises(httpx.ReadError):
            await post(client, sim, CREATE, {"count": 1})
        assert len(sim.farm.tasks) == 1
        assert sim.processed["create_task"] == 1
        sim.inject("create_task", "reset", after_processing=False)
        with pytest.raises(httpx.ReadError):
            await post(client, sim, CREATE, {"count": 1})
        sim.inject("create_task", "reset", before_sending=True)
        with pytest.raises(httpx.ConnectError):
            await post(client, sim, CREATE, {"count": 1})
        assert len(sim.farm.tasks) == 1  # neither of the last two reached the farm
        assert (await post(client, sim, CREATE, {"count": 1})).json()["code"] == 200
    assert sim.counts["create_task"] == 4
    assert sim.processed["create_task"] == 2


async def test_slow_answer_exceeds_the_read_timeout() -> None:
    sim = make_sim()
    sim.inject("create_task", "slow", delay=2.0)
    async with transport_client(sim, timeout=0.5) as client:
        with pytest.raises(httpx.ReadTimeout):
            await post(client, sim, CREATE, {"count": 1})
        assert len(sim.farm.tasks) == 1  # slow answers follow processing by default
        sim.inject(None, "latency", delay=0.2)
        assert (await post(client, sim, PROFILE, {})).json()["code"] == 200


async def test_http_5xx_malformed_skew_and_error_faults() -> None:
    sim = make_sim()
    async with transport_client(sim) as client:
        sim.inject(None, "http_5xx", status=503)
        unavailable = await post(client, sim, PROFILE, {})
        assert unavailable.status_code == 503
        assert unavailable.headers["Retry-After"] == "1"
        assert unavailable.text.startswith("<html>")

        sim.inject(None, "malformed_json")
        malformed = await post(client, sim, PROFILE, {})
        assert malformed.status_code == 200
        with pytest.raises(ValueError, match=r"."):
            malformed.json()

        sim.inject(None, "clock_skew", skew=-600.0)
        skewed = (await post(client, sim, PROFILE, {})).json()
        assert (skewed["code"], skewed["serverTime"]) == (610, (NOW - 600) * 1000)

        sim.inject("query_user_profile", "error", code=500, times=2)
        assert [(await post(client, sim, PROFILE, {})).json()["code"] for _ in range(3)] == [500, 500, 200]
    assert [r.fault for r in sim.requests][:4] == ["http_5xx", "malformed_json", "clock_skew", "error"]
    assert sim.processed["query_user_profile"] == 2  # malformed (after processing) and the last one


async def test_only_the_latest_requests_keep_their_replies() -> None:
    from rayvision_async.simulator.service._simulator import REPLIES_KEPT

    sim = make_sim()
    for _ in range(REPLIES_KEPT + 5):
        assert (await call(sim, PROFILE))["code"] == 200
    assert len(sim.requests) == REPLIES_KEPT + 5  # every request is still recorded
    assert [record.reply for record in list(sim.requests)[:5]] == [None] * 5
    assert all(record.reply is not None and record.reply.json()["code"] == 200
               for record in list(sim.requests)[5:])  # fmt: skip


async def test_a_record_beyond_64_bit_ints_is_still_encoded() -> None:
    sim = make_sim()
    [task_id] = sim.call("create_task", {})["taskIdList"]
    sim.farm.tasks[task_id].clone_original_id = 2**70  # echoed in the record (createTask refuses it since the farm
    # checks its arguments: set on the farm's state, as a hand-edited farm could hold it)
    path = BY_NAME["task_info"].path
    for _ in range(2):  # made, then (not kept: orjson cannot encode it) made again
        envelope = await call(sim, path, {"taskIds": [task_id]})
        assert envelope["code"] == 200
        assert envelope["data"]["items"][0]["cloneOriginalId"] == 2**70
    assert sim.call("task_info", {"taskIds": [task_id]})["items"][0]["cloneOriginalId"] == 2**70
