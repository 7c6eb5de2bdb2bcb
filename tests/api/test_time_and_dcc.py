"""Time-window filters are sent in the service's zone (UTC+8); every official DCC name is accepted."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from rayvision_async import AsyncRayvisionAPI
from rayvision_async.api._kinds import TIME, dcc_id
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport

#: rayvision_api 3.0.4.3's DCC_ID_MAPPINGS (name → cgId).
OFFICIAL_DCC = {
    "maya": 2000, "3ds max": 2001, "lightwave": 2002, "arnold": 2003, "houdini": 2004, "cinema4d": 2005,
    "softimage": 2006, "blender": 2007, "vr_standalone": 2008, "mr_standalone": 2009, "sketchup": 2010,
    "vue": 2011, "keyshot": 2012, "clarisse": 2013, "octane_render": 2014, "nuke": 2015, "katana": 2016,
    "unreal engine": 2020,
}


async def test_a_window_around_a_tasks_own_submit_date_finds_it() -> None:
    sim = Simulator(farm=Farm(speed=0.0, require_task_json=False))
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, transport=SimulatorTransport(sim)) as api:
        task_id = (await api.task.create_task()).task_id_list[0]
        await api.task.submit_task(task_id)
        listed = (await api.query.get_task_list()).items
        submitted = next(task.submit_date for task in listed if task.id == task_id)
        assert submitted is not None
        assert submitted.utcoffset() == dt.timedelta(0)
        minute = dt.timedelta(minutes=1)
        page = await api.query.get_task_list(start_time=submitted - minute, end_time=submitted + minute)
        assert [task.id for task in page.items] == [task_id]
        found = [task.id async for task in api.query.iter_tasks(start_time=submitted - minute,
                                                                 end_time=submitted + minute)]
        assert found == [task_id]


def test_time_forms() -> None:
    utc = dt.datetime(2020, 1, 1, 16, 30, tzinfo=dt.UTC)
    assert TIME.check(utc, "t") == "2020-01-02 00:30:00"  # converted to UTC+8
    assert TIME.check(dt.datetime(2020, 1, 1, 16, 30), "t") == "2020-01-01 16:30:00"  # naive: already UTC+8
    assert TIME.check(dt.date(2020, 1, 1), "t") == "2020-01-01 00:00:00"
    assert TIME.check("2020-01-01 08:00:00", "t") == "2020-01-01 08:00:00"


@pytest.mark.parametrize(("name", "cg_id"), sorted(OFFICIAL_DCC.items()))
def test_every_official_dcc_name(name: str, cg_id: int) -> None:
    assert dcc_id(name, "name") == cg_id
    assert dcc_id(name.upper().replace("_", " "), "name") == cg_id


@pytest.mark.parametrize("name", ["lightwave", "Octane Render", "unreal engine", "katana", "vr_standalone"])
async def test_get_render_env_takes_the_new_names(name: str) -> None:
    bodies: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return httpx.Response(200, json={"code": 200, "message": "success", "data": []})

    async with AsyncRayvisionAPI("AKIDtest", "secretkey", transport=httpx.MockTransport(answer)) as api:
        await api.env.get_render_env(name=name)
        await api.env.get_render_env(cg_names=[name, "maya"])
    assert len(bodies) == 2
    assert f'"cgId":{dcc_id(name, "name")}'.encode() in bodies[0].replace(b" ", b"")
