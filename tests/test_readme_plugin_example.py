"""The README's "testing your code with the simulator" example, run as written (plugin fixtures)."""

from __future__ import annotations

from typing import Any


async def test_my_pipeline(rayvision_client: Any, rayvision_farm: Any) -> None:
    task_id = await rayvision_client.submit_task_json({"task_info": {"frames": "1-10[1]"}})
    rayvision_farm.advance(3600)
    assert (await rayvision_client.wait(task_id, interval=0.01)).is_terminal
