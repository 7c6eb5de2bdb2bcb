"""Digits are ASCII digits, wherever the SDK reads a number or a time from text (issue 20, item 4).

``str.isdigit()``, ``int()``, ``float()`` and ``\\d`` accept full-width (``"２０２０"``) and Arabic-Indic
(``"٢٠٢٠"``) digits, and ``isdigit()`` accepts superscripts (``"¹"``) that ``int()`` then refuses with a
``ValueError``. Before: a full-width time filter was sent as written; superscript digits in task.json's
``cg_id`` raised a raw ``ValueError``; the simulator and the command line read other scripts' digits as
numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

import httpx
import pytest

from rayvision_async import AsyncRayvisionAPI, HardwareRequest, InvalidInputError
from rayvision_async.cli import _options as options
from rayvision_async.flows import _analysis as analysis
from rayvision_async.models import HardwareConfig
from rayvision_async.simulator import Farm, FarmError, Simulator, SimulatorTransport
from rayvision_async.simulator.farm._taskfile import parse_frames
from rayvision_async.wire._envelope import parse_retry_after
from rayvision_async.wire._signing import SIGNED_HEADER_NAMES, sign_request

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
SCRIPTS = [pytest.param(FULL_WIDTH, id="full-width"), pytest.param(ARABIC_INDIC, id="arabic-indic"),
           pytest.param(SUPERSCRIPT, id="superscript")]
TIME = "2020-01-02 03:04:05"


def counting_client() -> tuple[AsyncRayvisionAPI, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"code": 200, "message": "ok", "data": {"items": [], "pageCount": 1}})

    return AsyncRayvisionAPI("AKIDdigits01", "digits-secret", transport=httpx.MockTransport(answer)), sent


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("keyword", ["start_time", "end_time"])
async def test_a_time_filter_in_other_digits_is_refused_before_sending(script: dict[int, str], keyword: str) -> None:
    api, sent = counting_client()
    async with api:
        for text in (TIME.translate(script), TIME[:4].translate(script) + TIME[4:],
                     TIME[:-1] + TIME[-1:].translate(script)):
            with pytest.raises(InvalidInputError, match=keyword):
                await api.query.get_task_list(**{keyword: text})
            with pytest.raises(InvalidInputError, match=keyword):
                api.query.iter_tasks(**{keyword: text})
        await api.query.get_task_list(**{keyword: TIME})  # the documented form is sent as given
    assert len(sent) == 1
    assert f'"{TIME}"' in sent[0].content.decode()


@pytest.mark.parametrize("script", SCRIPTS)
def test_analysis_helpers_refuse_other_digits_as_input_errors(script: dict[int, str]) -> None:
    task = {"task_info": {"cg_id": "2000".translate(script)}, "software_config": {"cg_version": "2020"}}
    config = HardwareConfig(id=1, model="Default", ram="64GB", gpu_num=None, platform=2, status=1)
    with pytest.raises(InvalidInputError, match="cg_id"):
        analysis.choose_hardware(task, [config], HardwareRequest(ram="64GB"), platform=2)
    with pytest.raises(InvalidInputError, match="ram"):
        HardwareRequest.coerce({"ram": "64".translate(script) + "GB"})
    assert analysis.choose_hardware({**task, "task_info": {"cg_id": "2000"}}, [config], HardwareRequest(ram="64GB"),
                                    platform=2)["hardwareConfigIds"] == ["1"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_command_lines_numbers_are_ascii(script: dict[int, str]) -> None:
    for parse, text in ((options.number(), "2.5"), (options.integer(), "25"), (options.statuses, "25"),
                        (options.port, "8765")):
        parse(text)  # type: ignore[operator]
        with pytest.raises(argparse.ArgumentTypeError):
            parse(text.translate(script))  # type: ignore[operator]
    for text in ("1_0", "inf", "nan"):
        with pytest.raises(argparse.ArgumentTypeError):
            options.number()(text)


@pytest.mark.parametrize("value", ["\uff11", "\u00b9", "1_0", "inf", "nan", "Infinity", " "])
def test_retry_after_is_ascii_seconds(value: str) -> None:
    assert parse_retry_after(value) is None
    assert parse_retry_after("2") == 2.0


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_simulator_reads_ascii_digits_only(script: dict[int, str]) -> None:
    sim = Simulator(farm=Farm(speed=0))
    with pytest.raises(FarmError):
        sim.call("get_render_env", {"cgIds": ["2000".translate(script)]})
    with pytest.raises(FarmError):
        sim.call("task_info", {"taskIds": ["7".translate(script)]})
    with pytest.raises(FarmError):
        parse_frames("1-10[1]".translate(script))
    assert parse_frames("1-3[1]") == ["1", "2", "3"]


@pytest.mark.parametrize("script", SCRIPTS)
async def test_the_simulator_refuses_a_signed_timestamp_in_other_digits(script: dict[int, str]) -> None:
    sim = Simulator(farm=Farm(speed=0))
    api = AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain, transport=SimulatorTransport(sim))
    async with api:
        await api.query.platforms()
    record = sim.requests[-1]
    content = json.dumps(record.body).encode()
    signed = {name: record.headers[name.lower()] for name in SIGNED_HEADER_NAMES}
    signed["UTCTimestamp"] = str(int(sim.server_time())).translate(script)  # correctly signed, other digits
    headers: dict[str, Any] = {**{key.lower(): value for key, value in signed.items()},
                               "signature": sign_request(sim.access_key, sim.domain, record.path, signed, content)}
    reply = await sim.handle("POST", record.path, headers, content)
    assert json.loads(reply.body)["code"] == 611


def test_a_naive_datetime_filter_is_still_formatted_in_ascii() -> None:
    from rayvision_async.api._kinds import TIME as TIME_KIND

    assert TIME_KIND.check(dt.datetime(2020, 1, 2, 3, 4, 5), "start_time") == TIME
    assert TIME_KIND.check(TIME, "start_time") == TIME
