"""A replayed request is refused (code 603), its nonce forgotten once the timestamp has expired."""

from __future__ import annotations

import json
from typing import Any

import httpx

from rayvision_async.simulator import Farm, Simulator, serve
from rayvision_async.simulator.service._replay import NonceLedger
from rayvision_async.wire._signing import make_nonce, sign_request
from simulator.test_simulator_service import CREATE, NOW, PROFILE, make_sim, signed


class Clock:
    """A wall clock the test moves."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


async def send(sim: Simulator, path: str, headers: dict[str, str], content: bytes) -> dict[str, Any]:
    reply = await sim.handle("POST", path, headers, content)
    envelope: dict[str, Any] = reply.json()
    return envelope


async def test_the_same_signed_request_twice_is_refused_the_second_time_and_runs_once() -> None:
    sim = make_sim()
    headers, content = signed(sim, CREATE, {"count": 1})
    first = await send(sim, CREATE, headers, content)
    second = await send(sim, CREATE, headers, content)
    assert first["code"] == 200
    assert (second["code"], second["result"], second["data"]) == (603, False, None)
    assert "replayed" in second["message"]
    assert len(sim.farm.tasks) == 1  # the replay created nothing
    assert sim.processed["create_task"] == 1
    assert [request.code for request in sim.requests] == [200, 603]


async def test_a_nonce_is_refused_with_another_timestamp_and_body_while_the_first_may_be_valid() -> None:
    sim = make_sim(signature_window=300.0)
    nonce = make_nonce()
    assert (await send(sim, PROFILE, *signed(sim, PROFILE, {}, nonce=nonce)))["code"] == 200
    later = signed(sim, CREATE, {"count": 2}, nonce=nonce, timestamp=NOW + 200)
    assert (await send(sim, CREATE, *later))["code"] == 603
    assert sim.farm.tasks == {}


async def test_a_request_refused_before_its_nonce_counts_does_not_use_the_nonce_up() -> None:
    sim = make_sim(signature_window=300.0)
    nonce = make_nonce()
    forged = signed(sim, PROFILE, {}, key="not-the-key", nonce=nonce)
    expired = signed(sim, PROFILE, {}, nonce=nonce, timestamp=NOW - 301)
    assert (await send(sim, PROFILE, *forged))["code"] == 611
    assert (await send(sim, PROFILE, *expired))["code"] == 610
    assert (await send(sim, PROFILE, *signed(sim, PROFILE, {}, nonce=nonce)))["code"] == 200
    assert len(sim.nonces) == 1


async def test_a_nonce_is_forgotten_when_its_timestamp_leaves_the_window() -> None:
    clock = Clock()
    sim = Simulator("AKIDtestaccess", "test-secret-key", farm=Farm(speed=0.0), wall_clock=clock,
                    signature_window=300.0)
    nonce = make_nonce()
    headers, content = signed(sim, PROFILE, {}, nonce=nonce)
    assert (await send(sim, PROFILE, headers, content))["code"] == 200
    clock.now = NOW + 300  # the first request's timestamp is still inside the window: a replay
    assert (await send(sim, PROFILE, headers, content))["code"] == 603
    clock.now = NOW + 301  # now the replay would be expired (610), and the nonce is free again
    assert (await send(sim, PROFILE, headers, content))["code"] == 610
    fresh = signed(sim, PROFILE, {}, nonce=nonce, timestamp=clock.now)
    assert (await send(sim, PROFILE, *fresh))["code"] == 200


async def test_the_ledger_holds_only_the_nonces_of_requests_that_may_still_be_valid() -> None:
    clock = Clock()
    sim = Simulator("AKIDtestaccess", "test-secret-key", farm=Farm(speed=0.0), wall_clock=clock,
                    signature_window=60.0)
    for second in range(0, 600, 2):  # ten minutes of a request every two seconds
        clock.now = NOW + second
        envelope = await send(sim, PROFILE, *signed(sim, PROFILE, {}, timestamp=clock.now))
        assert envelope["code"] == 200
        assert len(sim.nonces) <= 31  # the last 60 s of requests (and the one just sent)


def test_the_ledger_orders_expiries_whatever_order_the_timestamps_come_in() -> None:
    ledger = NonceLedger()
    assert ledger.admit("A", "111111", NOW + 50, now=NOW, window=100)
    assert ledger.admit("A", "222222", NOW - 50, now=NOW, window=100)
    assert ledger.admit("B", "111111", NOW, now=NOW, window=100)  # another access id's nonce is its own
    assert not ledger.admit("A", "111111", NOW, now=NOW + 149, window=100)
    assert ledger.admit("A", "222222", NOW + 51, now=NOW + 51, window=100)  # expired at NOW + 50
    assert not ledger.admit("A", "111111", NOW, now=NOW + 150, window=100)  # valid up to NOW + 150
    assert ledger.admit("A", "111111", NOW + 151, now=NOW + 151, window=100)
    assert len(ledger) == 2  # B's expired too


async def test_a_replay_over_loopback_http_is_refused() -> None:
    sim = Simulator(farm=Farm(speed=0.0))
    async with serve(sim) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        content = json.dumps({"zone": 1}).encode()
        path = "/api/render/common/queryPlatforms"
        headers = {"accessId": sim.access_id, "channel": "4", "platform": "2",
                   "UTCTimestamp": str(int(sim.server_time())), "nonce": make_nonce(), "version": "2.0.0"}
        headers["signature"] = sign_request(sim.access_key, sim.domain, path, headers, content)
        codes = [(await client.post(path, content=content, headers=headers)).json()["code"] for _ in range(2)]
    assert codes == [200, 603]
