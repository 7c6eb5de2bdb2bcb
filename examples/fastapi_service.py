"""An async web service (FastAPI) in front of the render farm: submit a render, ask for its status.

``POST /renders`` submits a task (create → upload task.json → submit, one awaited SDK call) and
answers ``201`` with its id; ``GET /renders/{task_id}`` answers the task's status and frame counts
(``404`` for a task the service does not know). One ``AsyncRayvisionAPI`` is opened in the app's
lifespan and shared by every request: it is safe for concurrent use and pools its connections.

SDK errors become HTTP answers: bad input → 422, the service refused → 502, and a submit whose outcome
is unknown → 503 with the created task id, if any, so the caller can resume it (``task_id=``) instead
of creating another. (The SDK settles an unknown submit itself by reading the task; it reports
"unknown" only when the service cannot tell.)

Serve it against the real service (credentials from ``RAYVISION_API_ACCESS_ID`` / ``RAYVISION_API_KEY``,
``RAYVISION_DOMAIN`` default ``task.renderbus.com``) with any ASGI server, e.g.
``uvicorn examples.fastapi_service:app``. Or run it as a program: it serves a simulated farm and
drives the app through httpx's ASGI transport::

    python examples/fastapi_service.py
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import FastAPI, HTTPException, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from rayvision_async import AsyncRayvisionAPI, errors
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport

ClientFactory = Callable[[], AsyncRayvisionAPI]


class RenderRequest(BaseModel):
    """What a caller asks to render."""

    scene: str = Field(min_length=1, max_length=255, examples=["shots/sh010.mb"])
    frames: str = Field(pattern=r"^\d+(-\d+(\[\d+\])?)?$", examples=["1-100[1]"])
    project: str = Field(default="web", min_length=1, max_length=64)


class Submitted(BaseModel):
    task_id: int


class RenderStatus(BaseModel):
    task_id: int
    status: str
    finished: bool
    total_frames: int | None
    done_frames: int | None
    failed_frames: int | None


def client_from_environment() -> AsyncRayvisionAPI:
    """The production client: credentials from the environment (the SDK reads them)."""
    return AsyncRayvisionAPI(domain=os.environ.get("RAYVISION_DOMAIN", "task.renderbus.com"),
                             platform=os.environ.get("RAYVISION_PLATFORM", "4"))


def create_app(client_factory: ClientFactory = client_from_environment) -> FastAPI:
    """The web service; ``client_factory`` makes the one SDK client the app uses while it runs."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with client_factory() as api:
            app.state.api = api
            yield

    app = FastAPI(title="renders", lifespan=lifespan)

    def api_of(request: Request) -> AsyncRayvisionAPI:
        api: AsyncRayvisionAPI = request.app.state.api
        return api

    @app.post("/renders", status_code=201)
    async def submit(render: RenderRequest, request: Request) -> Submitted:
        task_json = {"task_info": {"frames": render.frames, "input_cg_file": render.scene,
                                   "project_name": render.project}}
        return Submitted(task_id=await api_of(request).submit_task_json(task_json, producer="web"))

    @app.get("/renders/{task_id}")
    async def status(task_id: Annotated[int, Path(ge=1)], request: Request) -> RenderStatus:
        found = await api_of(request).poll([task_id])
        task = found.tasks.get(task_id)
        if task is None:
            raise HTTPException(status_code=404, detail=f"no task {task_id}")
        return RenderStatus(task_id=task_id, status=task.task_status.name if task.task_status else "UNKNOWN",
                            finished=task.is_terminal, total_frames=task.total_frames,
                            done_frames=task.done_frames, failed_frames=task.failed_frames)

    @app.exception_handler(errors.InvalidInputError)
    async def invalid_input(request: Request, error: errors.InvalidInputError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": str(error)})

    @app.exception_handler(errors.RequestOutcomeUnknownError)
    async def outcome_unknown(request: Request, error: errors.RequestOutcomeUnknownError) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": "the render service may or may not have the "
                                                                "task: check before submitting again",
                                                      "task_id": _created_task_id(error)})

    @app.exception_handler(errors.RayvisionError)
    async def refused(request: Request, error: errors.RayvisionError) -> JSONResponse:
        return JSONResponse(status_code=502, content={"detail": f"the render service refused: {error}"})

    return app


def _created_task_id(error: BaseException) -> int | None:
    """The task id of an error raised after ``submit_task_json`` created the task (None before)."""
    if isinstance(task_id := getattr(error, "task_id", None), int):  # RenderOutcomeUnknownError
        return task_id
    for note in getattr(error, "__notes__", ()):
        if match := re.search(r"task_id=(\d+)", note):
            return int(match.group(1))
    return None


#: For an ASGI server: ``uvicorn examples.fastapi_service:app`` (the client is made at start-up).
app = create_app()


async def main() -> None:
    sim = Simulator(farm=Farm(seed=2, speed=0))
    service = create_app(lambda: AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain,
                                                   transport=SimulatorTransport(sim)))
    async with service.router.lifespan_context(service), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=service), base_url="http://renders.local") as http:
        submitted = await http.post("/renders", json={"scene": "shots/sh010.mb", "frames": "1-8[1]"})
        task_id = submitted.json()["task_id"]
        print("submitted:", submitted.status_code, submitted.json())
        sim.farm.advance(3600)  # an hour later on the simulated farm
        print("status:", (await http.get(f"/renders/{task_id}")).json())
        print("unknown task:", (await http.get("/renders/999999")).status_code)


if __name__ == "__main__":
    asyncio.run(main())
