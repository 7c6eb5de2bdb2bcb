"""Property tests: what is signed depends on the wire body alone; unknown data never breaks the models."""

from __future__ import annotations

import asyncio
import json
import string
from typing import Any

import attrs
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rayvision_async import models
from rayvision_async.api._table import ENDPOINTS
from rayvision_async.models import (
    FrameInfo,
    FrameStatus,
    FrameType,
    Page,
    TaskInfo,
    TaskStatus,
    TransferConfig,
    UserProfile,
)
from rayvision_async.models._converter import structure, wire_name
from rayvision_async.models._meta import ALIASES
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport
from rayvision_async.wire import SigningTransport
from rayvision_async.wire._signing import encode_body, sign, sign_request, string_to_sign

ACCESS_ID = "AKIDproperties0001"
ACCESS_KEY = "properties-secret-0001"
DOMAIN = "task.renderbus.com"
PATH = next(endpoint.path for endpoint in ENDPOINTS if endpoint.name == "query_user_profile")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- (1) the signer ----------------------------------------------------------------------------------

# Letters-only keys: keys with dots or digits can collide after flattening (documented in signing.py).
keys = st.text(alphabet=string.ascii_letters, min_size=1, max_size=8)
leaves = st.one_of(st.text(max_size=12), st.integers(min_value=-(2**63), max_value=2**63 - 1))  # what encode_body sends
values = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                      st.dictionaries(keys, inner, max_size=5)), max_leaves=25)
bodies = st.dictionaries(keys, values, max_size=8)


def reordered(value: Any) -> Any:
    """The same JSON value with every object's keys in reverse insertion order."""
    if isinstance(value, dict):
        return {key: reordered(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reordered(item) for item in value]
    return value


HEADERS = {"accessId": ACCESS_ID, "channel": "4", "platform": "4", "UTCTimestamp": "1700000000", "nonce": "123456",
           "version": "2.0.0"}


@SETTINGS
@given(bodies)
def test_the_string_to_sign_is_a_function_of_the_wire_body(body: dict[str, Any]) -> None:
    wire = encode_body(body)
    decoded = json.loads(wire)
    text = string_to_sign(DOMAIN, PATH, HEADERS, decoded)
    assert string_to_sign(DOMAIN, PATH, HEADERS, body) == text
    assert string_to_sign(DOMAIN, PATH, HEADERS, reordered(body)) == text  # key order does not matter
    signature = sign_request(ACCESS_KEY, DOMAIN, PATH, HEADERS, wire)
    assert signature == sign(ACCESS_KEY, text)
    assert sign_request(ACCESS_KEY, DOMAIN, PATH, HEADERS, encode_body(reordered(body))) == signature
    assert sign_request(ACCESS_KEY, DOMAIN, PATH, HEADERS, json.dumps(decoded, indent=1).encode()) == signature


async def _through_the_signer(sim: Simulator, body: dict[str, Any]) -> tuple[int, str]:
    signer = SigningTransport(SimulatorTransport(sim), access_id=ACCESS_ID, access_key=ACCESS_KEY, domain=DOMAIN,
                              platform="4")
    request = httpx.Request("POST", f"https://{DOMAIN}{PATH}", content=encode_body(body))
    response = await signer.handle_async_request(request)
    await response.aread()
    return response.json()["code"], request.headers["signature"]


@SETTINGS
@given(bodies)
def test_the_simulator_accepts_what_the_signer_signs(body: dict[str, Any]) -> None:
    sim = Simulator(ACCESS_ID, ACCESS_KEY, farm=Farm(speed=0.0), domain=DOMAIN)
    code, signature = asyncio.run(_through_the_signer(sim, body))
    assert code == 200, sim.requests[-1].reply
    assert sim.processed["query_user_profile"] == 1
    assert sim.requests[-1].headers["signature"] == signature
    # and the same request with another body is refused: the signature covers the body
    record = sim.requests[-1]
    tampered = encode_body({**body, "zzTampered": "1"})
    headers = {name: value for name, value in record.headers.items() if name not in ("content-length",)}
    reply = asyncio.run(sim.handle("POST", PATH, headers, tampered))
    assert reply.json()["code"] == 611


# -- (2) the converter -------------------------------------------------------------------------------


def _known_keys() -> frozenset[str]:
    found: set[str] = set()
    for name in models.__all__:
        cls = getattr(models, name)
        if attrs.has(cls):
            for field in attrs.fields(cls):
                found.add(wire_name(field))
                found.update(field.metadata.get(ALIASES, ()))
    return frozenset(found)


KNOWN = _known_keys()
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=10,
)
extras = st.dictionaries(st.text(min_size=1, max_size=12).filter(lambda key: key not in KNOWN), json_values,
                         max_size=6)
#: Status codes are Java ints: wider ones are malformed (tests/test_reply_ranges.py).
codes = st.one_of(st.integers(min_value=-(2**31), max_value=2**31 - 1), st.integers(-1000, 1000).map(str))


def check_code(member: Any, code: int | str, enum: type[models.TolerantIntEnum]) -> None:
    assert isinstance(member, enum)
    assert int(member) == int(code)
    assert json.dumps(member) == str(int(code))  # serialises like the raw number
    if int(code) not in {int(known) for known in enum}:
        assert not member.is_known
        assert member.name == f"UNKNOWN_{int(code)}".replace("-", "MINUS_")


@SETTINGS
@given(extras, codes, codes, extras, codes, codes)
def test_task_info_and_pages_survive_unknown_fields_and_codes(
    extra: dict[str, Any], status: int | str, previous: int | str, child_extra: dict[str, Any],
    child_status: int | str, frame_status: int | str,
) -> None:
    child = {**child_extra, "id": 2, "taskStatus": child_status, "grabInfo": [{**extra, "frameStatus": frame_status}]}
    task = {**extra, "id": 1, "taskStatus": status, "preTaskStatus": previous, "sceneName": "a.max",
            "respRenderingTaskList": [child]}
    info = structure(task, TaskInfo)
    assert (info.id, info.scene_name) == (1, "a.max")
    check_code(info.task_status, status, TaskStatus)
    check_code(info.pre_task_status, previous, TaskStatus)
    check_code(info.children[0].task_status, child_status, TaskStatus)
    page = structure({**child_extra, "items": [task, child], "pageCount": 1, "total": 2}, Page[TaskInfo])
    assert [item.id for item in page.items] == [1, 2]
    assert page.items[0] == info


@SETTINGS
@given(extras, codes, codes)
def test_frame_info_survives_unknown_fields_and_codes(extra: dict[str, Any], status: int | str,
                                                      kind: int | str) -> None:
    frame = structure({**extra, "id": 9, "frameStatus": status, "frameType": kind, "frameIndex": "3"}, FrameInfo)
    assert (frame.id, frame.frame_index) == (9, "3")
    check_code(frame.frame_status, status, FrameStatus)
    check_code(frame.frame_type, kind, FrameType)


@SETTINGS
@given(extras, extras, extras)
def test_profile_and_transfer_config_ignore_unknown_fields(profile_extra: dict[str, Any],
                                                           config_extra: dict[str, Any],
                                                           engine_extra: dict[str, Any]) -> None:
    profile = structure({**profile_extra, "userId": 5, "rmbbalance": 1.57, "userName": "me"}, UserProfile)
    assert (profile.user_id, profile.user_name, str(profile.rmbbalance)) == (5, "me", "1.57")
    engine = {**engine_extra, "engineName": "Aspera", "resqEngineAccounts": [{**engine_extra, "password": "p"}]}
    config = structure({**config_extra, "inputBid": "10201", "resqEngines": [engine]}, TransferConfig)
    assert config.input_bid == "10201"
    assert config.engine("aspera") is not None
    assert config.engines[0].accounts[0].password == "p"
