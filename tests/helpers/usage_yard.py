"""A simulated farm for the usage documents' examples: the client they call, and tasks to call it on.

Tasks are prepared on the farm side (``sim.call``), so the only SDK calls a ported example makes are
the ones its document shows. The legacy Chinese document's calls use the 2018 path set.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from rayvision_async import AsyncRayvisionAPI
from rayvision_async.simulator import Farm, FrameStatus, Simulator, SimulatorTransport
from rayvision_async.simulator.farm import SimFrame, SimTask

__all__ = ["EN", "PROTOCOLS", "ZH", "Yard", "open_yard"]

EN, ZH = "sdk-usage-current-en.txt", "sdk-usage-legacy-zh.txt"
#: The path set each document's calls belong to.
PROTOCOLS: dict[str, Literal["current", "2018"]] = {EN: "current", ZH: "2018"}
#: The domain of each document's ``user_info``.
DOMAINS = {EN: "jop.foxrenderfarm.com", ZH: "task.renderbus.com"}

FRAME_SECONDS = 60.0
ANALYSE_SECONDS = 30.0


@dataclass
class Yard:
    """The simulator, the client the example runs on, and helpers that prepare farm state."""

    sim: Simulator
    api: AsyncRayvisionAPI
    protocol: Literal["current", "2018"]

    @property
    def farm(self) -> Farm:
        return self.sim.farm

    def task(self, task_id: int) -> SimTask:
        return self.farm.task(task_id)

    def frames(self, task_id: int) -> list[SimFrame]:
        return self.task(task_id).all_frames()

    def submitted(self, frames: str = "1-10", *, labels: tuple[str, ...] = ()) -> int:
        """A task submitted on the farm side (analysing)."""
        task_id: int = self.sim.call("create_task", {"labels": list(labels)})["taskIdList"][0]
        content = json.dumps({
            "task_info": {"input_cg_file": "D:/work/shot_010.max", "cg_id": "2001"},
            "scene_info_render": {"common": {"frames": frames, "render_camera": ["Camera001"]}},
        })  # fmt: skip
        self.sim.call("upload_json_content", {"taskId": task_id, "content": content})
        self.sim.call("submit_task", {"taskId": task_id})
        return task_id

    def rendering(self, frames: str = "1-10") -> int:
        """A task whose frames are rendering."""
        task_id = self.submitted(frames)
        self.farm.advance(ANALYSE_SECONDS + 1)
        return task_id

    def finished(self, frames: str = "1-10") -> int:
        """A task whose every frame rendered (all at once: full speed)."""
        task_id = self.submitted(frames)
        self.sim.call("full_speed", {"taskIds": [task_id]})
        self.farm.advance(ANALYSE_SECONDS + 3 * FRAME_SECONDS)
        return task_id

    def statuses(self, task_id: int) -> list[FrameStatus]:
        return [frame.status for frame in self.frames(task_id)]

    def env(self, edit_name: str, cg_id: int = 2000, cg_name: str = "Maya", cg_version: str = "2018",
            plugin_ids: tuple[int, ...] = ()) -> None:
        """A render environment added on the farm side."""
        self.sim.call("add_render_env", {"cgId": cg_id, "cgName": cg_name, "cgVersion": cg_version,
                                         "editName": edit_name, "renderSystem": 1, "pluginIds": list(plugin_ids)})


async def open_yard(doc: str, example: Callable[[Yard], Awaitable[None]], **farm_options: Any) -> Simulator:
    """Run ``example`` on a fresh farm with a client made as ``doc``'s preamble makes it; returns the simulator."""
    farm_options = {"speed": 0.0, "frame_seconds": FRAME_SECONDS, "analyse_seconds": ANALYSE_SECONDS,
                    "child_tasks": "photon_and_main", **farm_options}  # fmt: skip
    sim = Simulator(farm=Farm(**farm_options))
    user_info = {"domain_name": DOMAINS[doc], "platform": "2", "access_id": sim.access_id,
                 "access_key": sim.access_key}  # fmt: skip
    api = AsyncRayvisionAPI(access_id=user_info["access_id"], access_key=user_info["access_key"],
                            domain=user_info["domain_name"], platform=user_info["platform"],
                            protocol=PROTOCOLS[doc], transport=SimulatorTransport(sim))  # fmt: skip
    async with api:
        await example(Yard(sim, api, PROTOCOLS[doc]))
    return sim
