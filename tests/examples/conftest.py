"""The examples' tests: the plugin's fixtures over a fast, scripted farm.

``rayvision_farm`` is overridden (as a user of the pytest plugin would) with a farm whose clock runs
20,000 simulated seconds per real second, so a watch with a 10 ms interval sees tasks render, and
whose frames fail by the scene a task renders, so a test says how each task goes by naming its scene:

* a scene whose name contains ``flaky`` fails frame 3 on its first attempt only (a restart fixes it);
* a scene whose name contains ``broken`` fails frame 3 on every attempt.
"""

from __future__ import annotations

from typing import Any

import pytest

from rayvision_async.simulator import Farm
from rayvision_async.simulator.farm import SimFrame

FAST = 20_000.0


def scripted_failures(farm: Farm) -> Any:
    def fails(frame: SimFrame) -> bool:
        scene = farm.task(frame.task_id).scene_name or ""
        return frame.index == "3" and ("broken" in scene or ("flaky" in scene and frame.attempts == 0))
    return fails


@pytest.fixture
def rayvision_farm() -> Farm:
    farm = Farm(seed=5, speed=FAST, frame_seconds=60, analyse_seconds=30, task_limit=10)
    farm.failure_rule = scripted_failures(farm)
    return farm


def task_json(scene: str, frames: str = "1-6[1]", project: str = "examples") -> dict[str, Any]:
    return {"task_info": {"frames": frames, "project_name": project, "input_cg_file": scene}}
