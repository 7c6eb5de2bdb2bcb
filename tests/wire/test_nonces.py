"""The SDK never sends a nonce twice: not across retries, concurrent calls, clients, threads or many calls.

The simulator refuses a nonce it accepted within the signature window (code 603, the protocol's
replay protection), so every scenario here runs against it and also checks that no request was
refused as a replay.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading

import pytest

from rayvision_async import AsyncRayvisionAPI, RetryPolicy
from rayvision_async.simulator import Farm, FaultPlan, Simulator, SimulatorTransport
from rayvision_async.wire._nonce import _VALUES, NonceSource, _Sequence, make_nonce


def test_the_sequence_is_a_permutation_of_every_six_digit_value() -> None:
    sequence = _Sequence()
    values = {sequence._permute(position) for position in range(_VALUES)}
    assert len(values) == _VALUES
    assert (min(values), max(values)) == (0, _VALUES - 1)


def test_consecutive_nonces_look_random_and_do_not_repeat() -> None:
    nonces = [make_nonce() for _ in range(100_000)]
    assert len(set(nonces)) == len(nonces)
    assert all(len(nonce) == 6 and nonce.isdigit() and nonce[0] != "0" for nonce in nonces)
    steps = {int(b) - int(a) for a, b in itertools.pairwise(nonces)}
    assert len(steps) > 90_000  # not a counter, not an arithmetic progression


def test_threads_and_sources_share_one_sequence() -> None:
    drawn: list[list[str]] = [[] for _ in range(4)]

    def draw(into: list[str]) -> None:
        source = NonceSource()  # one per signer, as each client has
        into.extend(source() for _ in range(20_000))

    threads = [threading.Thread(target=draw, args=(into,)) for into in drawn]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    every = [nonce for into in drawn for nonce in into]
    assert len(every) == 80_000
    assert len(set(every)) == 80_000


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_draws_its_own_sequence() -> None:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next nonces, then exit at once
        os.write(writer, " ".join(make_nonce() for _ in range(50)).encode())
        os._exit(0)
    os.close(writer)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(reader, "rb") as pipe:
        child = pipe.read().decode().split()
    parent = [make_nonce() for _ in range(50)]
    assert os.waitstatus_to_exitcode(status) == 0
    assert len(child) == 50
    assert child != parent  # the child was re-keyed, not a copy of the parent's sequence


def _sent_nonces(sim: Simulator) -> list[str]:
    return [request.headers["nonce"] for request in sim.requests]


async def test_many_calls_retries_and_concurrent_clients_never_reuse_a_nonce() -> None:
    # 20 % of task_info requests fail (HTTP 503, resets, error codes; half of them after the farm
    # answered), so the SDK retries them, each attempt signed again.
    plan = FaultPlan(seed=7, rate=0.2, kinds=["http_5xx", "reset", "error"], operations=["task_info"],
                     after_processing_rate=0.5, error_codes=(500,))
    sim = Simulator(farm=Farm(speed=0.0), faults=plan)
    [task_id] = sim.call("create_task", {})["taskIdList"]
    transport, retry = SimulatorTransport(sim), RetryPolicy(attempts=8)  # (0.2 ** 8: no call runs out of tries)
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=transport, retry=retry) as first, \
            AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=transport, retry=retry) as second:
        singles = [first.query.task_info([task_id]) for _ in range(1_500)]
        polls = [second.poll(range(1, 30_001)), first.poll(range(30_001, 60_001))]
        results = await asyncio.gather(*singles, *polls)
    assert all(result.items for result in results[:1_500])
    nonces = _sent_nonces(sim)
    assert len(nonces) >= 2_100  # 1,500 single calls, 600 poll batches, and the retries
    assert sum(request.fault is not None for request in sim.requests) > 300
    assert len(set(nonces)) == len(nonces)
    assert 603 not in {request.code for request in sim.requests}


async def test_a_nonce_already_used_is_refused_and_the_call_resent_with_a_fresh_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Processes sharing an access key draw from sequences of their own, so two can send the same nonce
    # within the window: the simulator refuses the later request as a replay (603), and the SDK signs
    # it again (a fresh nonce) and resends it, a creating call included, since nothing was processed.
    sim = Simulator(farm=Farm(speed=0.0))
    [task_id] = sim.call("create_task", {})["taskIdList"]
    scripted = iter(["111111", "111111", "222222", "222222", "333333"])
    monkeypatch.setattr(NonceSource, "__call__", lambda self: next(scripted))
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=SimulatorTransport(sim),
                                 retry=RetryPolicy(attempts=1)) as api:
        first = await api.query.task_info([task_id])
        again = await api.query.task_info([task_id])
        created = await api.task.create_task()
    assert first.items[0].id == again.items[0].id == task_id
    assert len(created.task_id_list) == 1
    assert _sent_nonces(sim)[-5:] == ["111111", "111111", "222222", "222222", "333333"]
    assert [request.code for request in sim.requests][-5:] == [200, 603, 200, 603, 200]
    assert len(sim.farm.tasks) == 2  # the seeding call's task and one more: the refused request made nothing
