"""examples/fastapi_service.py: the web service, through httpx's ASGI transport, over the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from examples import fastapi_service
from rayvision_async import AsyncRayvisionAPI
from rayvision_async.simulator import Simulator, SimulatorTransport


class Service:
    def __init__(self, http: httpx.AsyncClient, sim: Simulator, clients: list[AsyncRayvisionAPI]) -> None:
        self.http, self.sim, self.clients = http, sim, clients

    async def submit(self, scene: str, frames: str = "1-6[1]") -> httpx.Response:
        return await self.http.post("/renders", json={"scene": scene, "frames": frames})

    async def until_finished(self, task_id: int) -> dict[str, Any]:
        async with asyncio.timeout(20):
            for _ in range(2000):  # a client of the service polls its status endpoint
                answer: dict[str, Any] = (await self.http.get(f"/renders/{task_id}")).json()
                if answer["finished"]:
                    return answer
                await asyncio.sleep(0.01)
        raise AssertionError(f"task {task_id} did not finish")


@pytest.fixture
async def service(rayvision_simulator: Simulator) -> AsyncIterator[Service]:
    clients: list[AsyncRayvisionAPI] = []

    def client() -> AsyncRayvisionAPI:
        clients.append(AsyncRayvisionAPI(rayvision_simulator.access_id, rayvision_simulator.access_key,
                                         domain=rayvision_simulator.domain,
                                         transport=SimulatorTransport(rayvision_simulator)))
        return clients[-1]

    app = fastapi_service.create_app(client)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://renders.test") as http:
        yield Service(http, rayvision_simulator, clients)
    assert len(clients) == 1
    assert clients[0].is_closed  # the lifespan closed the one client the app used


async def test_submit_then_status_until_the_render_has_finished(service: Service) -> None:
    submitted = await service.submit("shots/sh010.mb", "1-6[1]")
    assert submitted.status_code == 201
    task_id = submitted.json()["task_id"]
    task = service.sim.farm.task(task_id)
    assert task.scene_name == "sh010.mb"
    assert task.frames_range == "1-6[1]"
    assert task.project_name == "web"

    assert await service.until_finished(task_id) == {
        "task_id": task_id, "status": "FINISHED", "finished": True, "total_frames": 6, "done_frames": 6,
        "failed_frames": 0}


async def test_a_render_with_failed_frames_reports_them(service: Service) -> None:
    task_id = (await service.submit("broken.mb")).json()["task_id"]
    answer = await service.until_finished(task_id)
    assert answer["status"] == "FINISHED_HAS_FAILED"
    assert answer["failed_frames"] == 1
    assert answer["done_frames"] == 5


async def test_concurrent_submits_share_one_client_and_get_distinct_tasks(service: Service) -> None:
    answers = await asyncio.gather(*(service.submit(f"shot{i}.mb") for i in range(12)))
    assert [answer.status_code for answer in answers] == [201] * 12
    ids = {answer.json()["task_id"] for answer in answers}
    assert len(ids) == 12
    assert service.sim.processed["submit_task"] == 12


async def test_unknown_and_invalid_ids_and_bodies_send_nothing_to_the_farm(service: Service) -> None:
    assert (await service.http.get("/renders/999999")).status_code == 404
    sent = sum(service.sim.counts.values())
    assert (await service.http.get("/renders/0")).status_code == 422
    assert (await service.http.get("/renders/abc")).status_code == 422
    assert (await service.submit("a.mb", frames="one to ten")).status_code == 422
    assert (await service.http.post("/renders", json={"frames": "1-2[1]"})).status_code == 422
    assert sum(service.sim.counts.values()) == sent


async def test_a_submit_with_an_unknown_outcome_is_settled_by_the_sdk(service: Service) -> None:
    service.sim.inject("submit_task", kind="reset", after_processing=True)
    answer = await service.submit("a.mb")
    assert answer.status_code == 201
    assert list(service.sim.farm.tasks) == [answer.json()["task_id"]]
    assert service.sim.counts["submit_task"] == 1  # sent once: the SDK read the task and saw it submitted
    assert service.sim.processed["submit_task"] == 1


async def test_a_submit_the_service_cannot_settle_is_503_with_the_task_id_and_is_not_resent(service: Service) -> None:
    service.sim.inject("submit_task", kind="reset", after_processing=True)
    service.sim.inject("task_info", kind="error", code=602)  # the read that would settle it is refused
    answer = await service.submit("a.mb")
    assert answer.status_code == 503
    assert list(service.sim.farm.tasks) == [answer.json()["task_id"]]  # one task created, and its id reported
    assert service.sim.counts["submit_task"] == 1  # sent once, never retried
    assert service.sim.processed["submit_task"] == 1  # the farm did take it: the caller must resume, not recreate


async def test_a_refusal_by_the_service_is_502(service: Service) -> None:
    service.sim.inject("create_task", kind="error", code=403)
    answer = await service.submit("a.mb")
    assert answer.status_code == 502
    assert "refused" in answer.json()["detail"]
    assert service.sim.farm.tasks == {}


async def test_the_example_program_runs(capsys: pytest.CaptureFixture[str]) -> None:
    await fastapi_service.main()
    out = capsys.readouterr().out
    assert "submitted: 201" in out
    assert "'status': 'FINISHED'" in out
    assert "unknown task: 404" in out
