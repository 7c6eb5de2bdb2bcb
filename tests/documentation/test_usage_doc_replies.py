"""Every request example of the usage documents, made as written with this SDK, answers in the documented shape.

``tests/data/usage_requests.json`` holds the 75 calls the two usage documents show. Each runs as the
document writes it (keyword arguments and all; only the author's ids are replaced by a prepared
farm's, see :mod:`helpers.doc_stage`), the current English document's on the current path set, the
legacy Chinese one's on the 2018 set, against the simulator. The first reply each call got is
compared with the document's example reply: the same keys at every level, the same JSON types.
Differences the documents themselves contradict are listed in :data:`EXPECTED_DIFFERENCES`,
each with the document that shows otherwise, and the table is checked both ways: a difference not
in it fails, and so does an entry no reply needs any more. The official SDK runs the same calls in
``test_official_sdk_examples.py`` and shares the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from helpers.doc_stage import PREPARATIONS, Stage, shape_differences, staged_simulator
from helpers.spec_data import load_examples, skipped_blocks, usage_requests
from helpers.usage_yard import PROTOCOLS
from rayvision_async import AsyncRayvisionAPI, RayvisionError
from rayvision_async.simulator import SimulatorTransport

REQUESTS = usage_requests()
EXAMPLES = {(example.doc, example.line): example for example in load_examples()}
NO_REPLY = {(doc, line): reason for doc, line, reason in skipped_blocks()}



def _keys(call: str, where: str, keys: tuple[str, ...], how: str, why: str) -> dict[tuple[str, str], str]:
    return {(call, f"{where}.{key}: {how}"): why for key in keys}


#: (call, difference) → where the documents (or the official SDK's facts, which win over the usage documents)
#: show otherwise. Checked both ways by the tests of both SDKs.
EXPECTED_DIFFERENCES: dict[tuple[str, str], str] = {
    **_keys("query.platforms", "$[]", ("type", "status", "taskPrefix", "isShow"), "not documented",
            "incumbent-sdk-facts.md B.3 #19: the platform items have type, status, taskPrefix and isShow"),
    ("user.get_transfer_bid", "$.sub_user_output_bids: not documented"):
        "the current usage document's getBid example has it (the legacy one's predates it)",
    **_keys("query.get_task_list", "$.items[]", ("keyValue",), "not documented",
            "the 2018 protocol documents' getTaskList and queryTaskInfo examples have keyValue"),
    **_keys("query.task_info", "$.items[]", ("keyValue",), "not documented",
            "the 2018 protocol documents' getTaskList and queryTaskInfo examples have keyValue"),
    ("query.task_info", "$.userAccountConsume: not documented"):
        "incumbent-sdk-facts.md B.3 #26: the page has userAccountConsume beside items",
    **_keys("query.task_frames", "$.items[]", ("averageCpu", "averageMemory", "isOverTime", "nodeId",
                                               "currentRenderTime", "renderRam", "openRenderRam", "overOneMonth"),
            "not documented", "the current usage document's get_all_frames example (queryTaskFrames' items) "
                              "has them"),
    ("query.get_task_processing_img", "$.endTime: not documented"):
        "incumbent-sdk-facts.md B.3 #31: loadTaskProcessImg answers endTime beside startTime",
    ("query.get_frame_thumbnall", "$: array, documented string"):
        "the current usage document shows \"SUCCESS\"; the legacy one and incumbent-sdk-facts.md B.3 #32 "
        "show the list of thumbnail paths",
    **_keys("query.supported_plugin", "$", ("isAutoCommit", "renderInfoList", "defaultCgId"), "missing",
            "both usage documents show querySoftwareList's answer under supported_plugin; the protocol "
            "documents' querySupportedPlugin example answers cgPlugin and cgVersion"),
    **_keys("query.supported_plugin", "$", ("cgPlugin", "cgVersion"), "not documented",
            "both usage documents show querySoftwareList's answer under supported_plugin; the protocol "
            "documents' querySupportedPlugin example answers cgPlugin and cgVersion"),
}


def documented_reply(request: dict[str, Any]) -> tuple[bool, Any]:
    """``(has a reply example, its data)`` for ``request``."""
    example = EXAMPLES.get((request["doc"], request["reply_line"]))
    if example is None:
        assert (request["doc"], request["reply_line"]) in NO_REPLY
        return False, None
    if request["call"] == "query.get_all_frames":  # {frame number: FrameInfo}, the SDK's dict of one page's items
        return True, {"items": list(example.data.values())}
    return True, example.data


def compared(request: dict[str, Any], data: Any) -> list[str]:
    """The differences between ``data`` (the first reply of ``request``'s call) and the documented reply."""
    has_reply, documented = documented_reply(request)
    if not has_reply:
        return []
    if request["call"] == "query.get_all_frames":
        data = {"items": data["items"]}
    return shape_differences(documented, data)


async def run_with_this_sdk(doc: str) -> Iterator[tuple[dict[str, Any], str | None, Any]]:
    """``(request, error, first reply's data)`` of every request example of ``doc``, in order, on one farm."""
    sim = staged_simulator()
    stage = Stage(sim)
    outcomes = []
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, domain="task.renderbus.com", platform="2",
                                 protocol=PROTOCOLS[doc], transport=SimulatorTransport(sim)) as api:
        for request in (request for request in REQUESTS if request["doc"] == doc):
            kwargs = stage.prepare(request)
            group, method = request["call"].split(".")
            before = len(sim.requests)
            try:
                await getattr(getattr(api, group), method)(**kwargs)
                error = None
            except RayvisionError as exc:
                error = f"{type(exc).__name__}: {exc}"
            sent = list(sim.requests)[before:]
            data = sent[0].reply.json()["data"] if sent and sent[0].reply is not None else None
            outcomes.append((request, error, data))
    assert sim.internal_errors == []
    return iter(outcomes)


def test_every_documented_method_has_a_preparation() -> None:
    assert {request["call"].split(".")[1] for request in REQUESTS} == set(PREPARATIONS)


async def test_every_request_example_runs_and_answers_in_the_documented_shape() -> None:
    outcomes = [outcome for doc in PROTOCOLS for outcome in await run_with_this_sdk(doc)]
    assert len(outcomes) == 75
    errors = [(request["doc"], request["line"], error) for request, error, _data in outcomes if error]
    assert errors == []
    found: dict[tuple[str, str], list[str]] = {}
    for request, _error, data in outcomes:
        for difference in compared(request, data):
            found.setdefault((request["call"], difference), []).append(f"{request['doc']}:L{request['line']}")
    unexpected = {key: places for key, places in found.items() if key not in EXPECTED_DIFFERENCES}
    assert unexpected == {}
    assert set(EXPECTED_DIFFERENCES) - set(found) == set(), "exceptions no reply needs any more"
