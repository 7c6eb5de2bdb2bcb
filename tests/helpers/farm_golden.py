"""Seeded random runs of the simulated farm, reduced to one digest per step (the render engine's fingerprint).

Each scenario picks farm options (passes, child tasks, failure rate, limits) and a sequence of
operations (submit, advance time, stop, start, abandon, delete, restart and stop frames, limits,
full speed, over-time stops) from its seed, runs them through :meth:`Simulator.call` on a frozen
clock, and after every step digests everything a client can see: every task (recycle bin too)
as ``getTaskList`` and ``queryTaskInfo`` give it, every frame as ``queryTaskFrames`` gives it, the frame totals, the
balance and the operation log's length (odd scenarios look only every fifth step, so whatever the
engine does late, on reading, is exercised too; plain farms, from ``PLAIN_FROM`` on, list the frames
only at every third look, so tasks are also read without their frames).
``tests/data/simulator_golden.json`` holds the digests the engine gave when they were recorded;
``tests/simulator/test_simulator_golden.py`` checks that the engine still gives them, so a change to
the engine that changes behaviour shows up as the first step whose digest differs.

Regenerate (only when a behaviour change is intended and proven right by a test)::

    python tests/helpers/farm_golden.py
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rayvision_async.simulator import Farm, FarmError, SimClock, Simulator

__all__ = ["GOLDEN", "SCENARIOS", "STEPS", "Step", "run_scenario"]

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "simulator_golden.json"
SCENARIOS = 64
#: Scenarios from this number on use plain farms: no passes, no child tasks (a plain task renders one pass).
PLAIN_FROM = 40
STEPS = 60
_START = 1_700_000_000.0  # a fixed simulated epoch, so digests do not depend on the wall clock


@dataclass(frozen=True)
class Step:
    """One step of a scenario: what was done, and the digest of what a client could see after it."""

    action: str
    digest: str


def _options(rng: random.Random, plain: bool) -> dict[str, Any]:
    if plain:
        return {
            "seed": rng.randrange(1000),
            "frame_seconds": rng.choice([60.0, 45.5]),
            "analyse_seconds": rng.choice([30.0, 5.0]),
            "failure_rate": rng.choice([0.0, 0.0, 0.0, 0.15]),
            "task_limit": rng.choice([1, 2, 4, 5, 100]),
        }
    return {
        "seed": rng.randrange(1000),
        "frame_seconds": rng.choice([60.0, 45.5]),
        "analyse_seconds": rng.choice([30.0, 5.0]),
        "failure_rate": rng.choice([0.0, 0.0, 0.15, 0.5]),
        "child_tasks": rng.choice(["none", "none", "photon_and_main", "random"]),
        "pre_render": rng.random() < 0.3,
        "settlement": rng.random() < 0.3,
        "photon_frame": rng.random() < 0.3,
        "priority_frames": rng.choice([0, 0, 1, 3]),
        "task_limit": rng.choice([1, 2, 4, 5]),
    }


def _task_json(rng: random.Random) -> str:
    last = rng.randint(1, 12)
    frames = rng.choice([f"1-{last}[1]", f"1-{last + 6}[2]", f"{last}", f"1-{last},20-22"])
    cg_id = rng.choice(["2001", "2001", "2004", "2000"])
    return json.dumps({"task_info": {"frames": frames, "cg_id": cg_id, "input_cg_file": f"D:/s{last}.max"}})


#: Keys only queryTaskInfo's records have (getTaskList's lost them after the recording: left out of both).
_QUERY_ONLY = {"overTimeStop", "munuTaskIds", "qyCouponConsume", "locationOutput", "channel", "remark", "labels",
               "isOverTime", "waitingCount", "stopType"}


def _listed(record: dict[str, Any]) -> dict[str, Any]:
    children = record.get("respRenderingTaskList")
    kept = {key: value for key, value in record.items() if key not in _QUERY_ONLY}
    if children:
        kept["respRenderingTaskList"] = [_listed(child) for child in children]
    return kept


def _snapshot(sim: Simulator, with_frames: bool) -> str:
    farm = sim.farm
    every = 1_000_000
    listed = sim.call("get_task_list", {"pageSize": every})["items"]
    ids = [task["id"] for task in listed]
    state: dict[str, Any] = {
        "tasks": [_listed(task) for task in listed],
        "info": [item for at in range(0, len(ids), 100)
                 for item in sim.call("task_info", {"taskIds": ids[at : at + 100]})["items"]],
        "bin": [_listed(task) for task in sim.call("get_task_list", {"pageSize": every, "recycleFlag": 1})["items"]],
        "stats": sim.call("all_frame_status", {}),
        "balance": str(farm.account.balance),
        "consumed": str(farm.account.consumed),
        "log": len(farm.account.operation_log),
    }
    if with_frames:
        state["frames"] = {
            str(task_id): sim.call("task_frames", {"taskId": task_id, "pageSize": every})["items"] for task_id in ids
        }
    text = json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _act(sim: Simulator, rng: random.Random, ids: list[int]) -> str:
    """Do one random thing to ``sim``; returns what it did (and the refusal's code, if any)."""
    farm = sim.farm
    roll = rng.random()
    chosen = rng.sample(ids, k=min(len(ids), rng.randint(1, 2))) if ids else [123]
    try:
        if roll < 0.22 or not ids:
            [task_id] = sim.call("create_task", {})["taskIdList"]
            sim.call("upload_json_content", {"taskId": task_id, "content": _task_json(rng)})
            if rng.random() < 0.9:
                sim.call("submit_task", {"taskId": task_id})
            ids.append(task_id)
            return f"submit {task_id}"
        if roll < 0.50:
            seconds = rng.choice([0.5, 1, 5, 15, 29, 30, 31, 45.5, 59, 60, 61, 90, 120, 300, 900])
            farm.advance(seconds)
            return f"advance {seconds}"
        if roll < 0.56:
            sim.call("stop_task", {"taskIds": chosen})
            return f"stop {chosen}"
        if roll < 0.62:
            sim.call("start_task", {"taskIds": chosen})
            return f"start {chosen}"
        if roll < 0.65:
            sim.call("abort_task", {"taskIds": chosen})
            return f"abort {chosen}"
        if roll < 0.67:
            sim.call("delete_task", {"taskIds": chosen})
            return f"delete {chosen}"
        if roll < 0.73:
            sim.call("restart_failed_frames", {"taskIds": chosen})
            return f"restart failed {chosen}"
        if roll < 0.77:
            body: dict[str, Any] = {"taskId": chosen[0], "selectAll": 1}
            if rng.random() < 0.5:
                body["status"] = rng.sample([1, 2, 3, 4, 5, 11], k=2)
            sim.call("restart_frame", body)
            return f"restart frames {body}"
        if roll < 0.82:
            frames = sim.call("task_frames", {"taskId": chosen[0], "pageSize": 1000})["items"]
            picked = [frame["id"] for frame in frames if rng.random() < 0.4] or [1]
            operation = rng.choice(["stop_frame", "restart_frame"])
            sim.call(operation, {"taskId": chosen[0], "selectAll": 0, "ids": picked})
            return f"{operation} {chosen[0]} {picked}"
        if roll < 0.87:
            limit = rng.randint(1, 6)
            sim.call("update_task_limit", {"taskId": chosen[0], "taskLimit": limit})
            return f"limit {chosen[0]} {limit}"
        if roll < 0.91:
            sim.call("full_speed", {"taskIds": chosen})
            return f"full speed {chosen}"
        if roll < 0.96:
            seconds = rng.choice([1, 30, 60, 100, 250, 3600])
            sim.call("set_task_overtime_stop", {"taskIds": chosen, "overTime": seconds})
            return f"over time {chosen} {seconds}"
        sim.call("update_priority", {"taskId": chosen[0], "taskUserLevel": 60})
        return f"priority {chosen[0]}"
    except FarmError as error:
        return f"refused {error.code} ({roll:.3f})"


def run_scenario(number: int, steps: int = STEPS) -> list[Step]:
    """The steps of scenario ``number`` as the engine runs them now."""
    rng = random.Random(f"farm-golden/{number}")
    farm = Farm(clock=SimClock(0.0, start=_START), **_options(rng, plain=number >= PLAIN_FROM))
    sim = Simulator(farm=farm)
    ids: list[int] = []
    plain = number >= PLAIN_FROM
    every = 1 if number % 2 == 0 else 5  # odd scenarios look rarely, so state is brought up to date late
    steps_done: list[Step] = []
    for step in range(steps):
        action = _act(sim, rng, ids)
        look = step % every == every - 1
        frames = look and (not plain or step // every % 3 == 2)  # plain farms: the frames at every third look
        steps_done.append(Step(action, _snapshot(sim, frames) if look else ""))
    return steps_done


def main() -> int:
    scenarios = [[step.digest for step in run_scenario(number)] for number in range(SCENARIOS)]
    GOLDEN.write_text(json.dumps({"about": __doc__.splitlines()[0], "steps": STEPS, "scenarios": scenarios},
                                 indent=0) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
