"""The spec-example data (``tests/data/spec_examples.json``), its extractor and its lenient JSON reader.

The data is checked here on its own; ``test_spec_data_sync.py`` checks it against the documents.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from helpers.lenient_json import LenientJSONError, loads, loads_fragments
from helpers.spec_data import SPEC_DOCUMENTS, SpecExample, load_examples, skipped_blocks
from helpers.spec_extract import extract_examples

V5, V3, ZH = "protocol-v5-2020-en.txt", "protocol-v3-2018-en.txt", "protocol-zh.txt"
USAGE_EN, USAGE_ZH = "sdk-usage-current-en.txt", "sdk-usage-legacy-zh.txt"

# Measured on the documents: (response examples, skipped headings) per document.
EXPECTED_COUNTS = {V5: (33, 1), V3: (27, 2), ZH: (28, 1), USAGE_EN: (40, 2), USAGE_ZH: (34, 0)}
EXPECTED_SKIPPED = [
    (V5, 483, "request body"),  # updateUserSetting shows its request under "Example of return"
    (V3, 462, "request body"),  # same section in the 2018 document
    (V3, 1702, "no example: no body"),  # getLabelList: heading directly followed by the next section
    (ZH, 1683, "no example: no body"),  # getLabelList again
    (USAGE_EN, 191, "no example: python code only"),  # update_user_settings(...) under "Example of return"
    (USAGE_EN, 1019, "no example: inline value 'None'"),  # "Example of return:None"
]
EXPECTED_REPAIRED = {V5: 12, V3: 10, ZH: 8, USAGE_EN: 1, USAGE_ZH: 1}


def _example(doc: str, path: str) -> SpecExample:
    matches = [e for e in load_examples() if e.doc == doc and e.path == path]
    assert len(matches) == 1, f"{doc} {path}: {len(matches)} examples"
    return matches[0]


# --- every heading is accounted for -------------------------------------------------------


@pytest.mark.parametrize("doc", SPEC_DOCUMENTS)
def test_counts_per_document(doc: str) -> None:
    examples = {e.line for e in load_examples() if e.doc == doc}
    skipped = {line for d, line, _ in skipped_blocks() if d == doc}
    assert not examples & skipped
    assert (len(examples), len(skipped)) == EXPECTED_COUNTS[doc]


def test_skipped_blocks_and_their_reasons() -> None:
    skipped = skipped_blocks()
    assert len(skipped) == len(EXPECTED_SKIPPED)
    for (doc, line, reason), (want_doc, want_line, want_reason) in zip(skipped, EXPECTED_SKIPPED, strict=True):
        assert (doc, line) == (want_doc, want_line)
        assert reason.startswith(want_reason), reason
    assert "taskOverTime" in skipped[0][2]
    assert not any(reason.startswith("unparseable") for _, _, reason in skipped)


def test_number_of_examples_that_needed_repairs() -> None:
    repaired = Counter(e.doc for e in load_examples() if e.repairs)
    assert dict(repaired) == EXPECTED_REPAIRED


def test_every_payload_is_a_container_and_ids_are_unique() -> None:
    examples = load_examples()
    assert all(isinstance(e.payload, dict | list) for e in examples)
    assert all(e.repairs >= 0 for e in examples)
    assert len({e.id for e in examples}) == len(examples)


def test_envelope_and_bare_data() -> None:
    bare = {e.id for e in load_examples() if not e.enveloped}
    assert bare == {
        f"{V5}:L2253:loadTaskProcessImg",
        f"{ZH}:L2111:loadTaskProcessImg",
        f"{USAGE_EN}:L868:query.get_all_frames",
    }
    for example in load_examples():
        if example.enveloped:
            assert example.payload["code"] == 200
            assert example.data is example.payload.get("data")
        else:
            assert example.data is example.payload


def test_sections_have_titles_and_normalised_paths() -> None:
    for example in load_examples():
        assert example.title
        if example.path is not None:
            assert re.fullmatch(r"/api(/\w+)+", example.path), example.path
    pathless = [e.id for e in load_examples() if e.path is None]
    assert pathless == [f"{USAGE_EN}:L868:query.get_all_frames"]
    # The documents write this path without its leading slash.
    assert _example(V5, "/api/render/task/getTransferServerMsg").title == "Get Raysync transmission message"
    assert _example(USAGE_ZH, "/api/render/task/getTransferServerMsg").call == "query.get_transfer_server_msg"
    assert _example(V5, "/api/render/task/getTaskList").id == f"{V5}:L805:getTaskList"


# --- spot checks with real content --------------------------------------------------------


def test_v5_task_list() -> None:
    example = _example(V5, "/api/render/task/getTaskList")
    assert example.title == "Obtain the task list"
    assert example.payload["serverTime"] == 1535964116655
    assert example.data["pageCount"] == 32
    [task] = example.data["items"]
    assert task["id"] == 18278
    assert task["taskKeyValueVo"] == {"tiles": None, "allCamera": None, "renderableCamera": None}
    assert [child["id"] for child in task["respRenderingTaskList"]] == [18280, 18281]
    assert task["isDelete"] == 1  # from the last page fragment
    assert example.repairs == 6  # six spurious closers dropped, nothing else


def test_v5_task_info() -> None:
    example = _example(V5, "/api/render/task/queryTaskInfo")
    [task] = example.data["items"]
    assert task["id"] == 19084
    assert [child["id"] for child in task["respRenderingTaskList"]] == [19087, 19088]
    assert example.payload["serverTime"] == 1535969100700


def test_v5_error_detail() -> None:
    data = _example(V5, "/api/render/common/queryErrorDetail").data
    assert isinstance(data, list)
    [info] = data
    assert info["code"] == "15000"
    assert info["updateTime"] == 1534387709000
    # The string broken over two lines is joined again.
    assert "if any, manually close it; \n2. Check" in info["desSolutionCn"]


def test_v5_supported_plugin() -> None:
    example = _example(V5, "/api/render/common/querySupportedPlugin")
    assert example.data["cgPlugin"][0]["pluginVersions"][0]["pluginId"] == 1652
    assert example.data["cgVersion"][0]["id"] == 23
    assert example.repairs == 3  # exactly the "] } }" closing the first page


def test_v5_task_progress_is_bare_data() -> None:
    example = _example(V5, "/api/render/task/loadTaskProcessImg")
    assert not example.enveloped
    frame = example.data["grabInfo"][0][0]
    assert frame["frameIndex"] == "0"
    assert frame["grabUrl"].endswith("_frame_0[_]bloo")  # truncated in the document
    assert frame["feeAmount"] == "0.20"
    assert example.data["width"] == 2000


def test_v5_render_env_item_left_open() -> None:
    data = _example(V5, "/api/render/common/getRenderEnv").data
    assert [env["editName"] for env in data] == ["testRenderEnv332", "testRenderEnv222"]
    assert "cglId" in data[0]
    assert "cgId" in data[1]


def test_v5_thumbnail_comment_dropped() -> None:
    data = _example(V5, "/api/render/task/loadingFrameThumbnail").data
    assert data == ["small_pic\\100000\\100001\\138\\Render_264_renderbus_0008[-].jpg.jpg"]


def test_v3_key_value_string_spanning_pages() -> None:
    example = _example(V3, "/api/render/task/getTaskList")
    task = example.data["items"][0]
    assert task["keyValue"].startswith("filter_kernel:Catmull-Rom::channel:0::")
    assert task["keyValue"].endswith("::image_sampler_type:1::")
    assert [child["id"] for child in task["respRenderingTaskList"]] == [18280, 18281]
    assert example.payload["serverTime"] == 1535964116655


def test_envelope_keys_lost_inside_data_are_hoisted() -> None:
    example = _example(ZH, "/api/render/common/querySupportedPlugin")
    assert set(example.data) == {"cgPlugin", "cgVersion"}
    assert example.payload["serverTime"] == 1535973841043


def test_zh_doubled_opener() -> None:
    [info] = _example(ZH, "/api/render/common/queryErrorDetail").data
    assert info["id"] == 5
    assert _example(ZH, "/api/render/common/setDefaultRenderEnv").payload["code"] == 200


def test_clean_examples_need_no_repairs() -> None:
    assert _example(V5, "/api/render/common/queryPlatforms").repairs == 0
    assert all(e.repairs == 0 for e in load_examples() if e.doc == USAGE_ZH and e.call != "user.get_transfer_bid")


@pytest.mark.parametrize("doc", [USAGE_EN, USAGE_ZH])
def test_usage_examples_are_mapped_to_calls(doc: str) -> None:
    examples = [e for e in load_examples() if e.doc == doc]
    assert all(e.call and re.fullmatch(r"\w+\.\w+", e.call) for e in examples)
    by_call = {e.call: e for e in examples}
    task_info = by_call["query.task_info"]
    assert task_info.data["items"][0]["id"] == 14400249
    assert by_call["query.platforms"].data == [{"platform": 2, "name": "query_platform_w2"}]
    assert by_call["user.update_user_settings"].data is None
    assert by_call["env.get_render_env"].data[0]["respUserPluginInfoVos"][0]["pluginId"] == 5304


def test_usage_en_specifics() -> None:
    examples = {e.call: e for e in load_examples() if e.doc == USAGE_EN}
    bids = examples["user.get_transfer_bid"]
    assert bids.data["sub_user_output_bids"] == [{"userId": "119776", "outputBid": "10401"}]
    assert bids.repairs == 2  # two unquoted keys
    frames = examples["query.get_all_frames"]
    assert frames.title == "Gets the page frame details for the specified task"
    assert set(frames.data) == {"1", "2-4[1]"}
    assert examples["transmit.get_transfer_config"].payload["version"] == "1.0.0"
    upload = _example(USAGE_EN, "/api/render/submit/taskJsonFile")
    assert upload.call == "task.start_task"  # the document's copy-paste slip
    assert upload.payload["version"] == "2.0.0"


def test_usage_zh_specifics() -> None:
    examples = {e.call: e for e in load_examples() if e.doc == USAGE_ZH}
    bids = examples["user.get_transfer_bid"]
    assert bids.data["parent_input_bid"] == "10206"
    assert bids.repairs == 1  # one missing comma
    assert examples["task.create_task"].data["taskIdList"] == [19097]  # fenced as ```python
    assert examples["query.get_raysync_user_key"].line == 1966  # under a bare "返回参数：" heading


# --- the extractor, on a document written here ------------------------------------------


def test_extractor_on_a_small_document(tmp_path: Path) -> None:
    for doc in SPEC_DOCUMENTS:
        (tmp_path / doc).write_text("", encoding="utf-8")
    (tmp_path / V5).write_text(
        "Get things\n\nInterface path: *api/render/thing/get*\n\n"
        'Example of return:\n\n```\n{\n  "code": 200,\n}\n```\n\n```\n"data": [1, 2}\n}\n```\n\n'
        "Other thing\n\nInterface path: `/api/render/thing/other`\n\nExample of return:\n\nThird thing\n",
        encoding="utf-8",
    )
    [example], skipped = extract_examples(tmp_path)
    assert (example.doc, example.line, example.title, example.path) == (V5, 5, "Get things", "/api/render/thing/get")
    assert example.payload == {"code": 200, "data": [1, 2]}
    assert example.repairs == 2  # one dropped "}", one "}" closing the list
    assert skipped == [(V5, 22, "no example: no body under the heading")]
    with pytest.raises(FileNotFoundError, match="RAYVISION_SPEC_DIR"):
        extract_examples(tmp_path / "absent")


# --- the lenient parser ------------------------------------------------------------------


def test_clean_json_needs_no_repairs() -> None:
    text = '{"a": [1, 2.5, -3e2, "x\\"y\\u00e9"], "b": {"c": null, "d": true, "e": false}}'
    parsed = loads(text)
    assert parsed.value == json.loads(text)
    assert parsed.repairs == 0


@pytest.mark.parametrize(
    ("text", "value", "repairs"),
    [
        ('{"a": [1, 2}', {"a": [1, 2]}, 1 + 1),  # wrong closer, then the object left open
        ('{"a": [1, 2}}', {"a": [1, 2]}, 1),  # mismatched closer
        ('{"a": 1, "b": [1, 2,],}', {"a": 1, "b": [1, 2]}, 2),  # trailing commas
        ('{"a": "x" // a comment\n}', {"a": "x"}, 1),
        ('{"a": "http://x//y"}', {"a": "http://x//y"}, 0),  # not a comment inside a string
        ('{"a": "trunc\n  "b": "c"}', {"a": "trunc", "b": "c"}, 1 + 1),  # unterminated, missing comma
        ('{"a": "one \n\n two",\n"b": 1}', {"a": "one two", "b": 1}, 1),  # broken across lines
        ('{"a": "glued-\nword",\n"b": 1}', {"a": "glued-word", "b": 1}, 1),
        ('{"a": "x\\Vy"}', {"a": "x\\Vy"}, 1),  # invalid escape kept
        ('{"a": 1 "b": 2}', {"a": 1, "b": 2}, 1),  # missing comma between members
        ("[1 2]", [1, 2], 1),  # missing comma between items
        ('{a: "b"}', {"a": "b"}, 1),  # unquoted key
        ("[True, None]", [True, None], 2),  # python literals
        ('[{ {"a": 1}]', [{"a": 1}], 1),  # doubled opener
        ('{"a": [1, {"b": 2', {"a": [1, {"b": 2}]}, 3),  # three containers closed at the end
        ('[{"a": 1, {"b": 2}]', [{"a": 1}, {"b": 2}], 1),  # object never closed before ", {"
        ('{"a": [1, "b": 2}', {"a": [1], "b": 2}, 1),  # array never closed before ', "key":'
    ],
)
def test_repairs(text: str, value: Any, repairs: int) -> None:
    parsed = loads(text)
    assert parsed.value == value
    assert parsed.repairs == repairs


def test_fragments_drop_all_spurious_closers() -> None:
    # Like getTaskList: every page ends with closers the next page does not expect.
    fragments = ['{\n  "version": "1.0.0",\n}', '"data": {\n  "items": [\n    {"id": 1,\n    }\n  ]\n}', '"x": 2}\n]}}']
    parsed = loads_fragments(fragments)
    assert parsed.value == {"version": "1.0.0", "data": {"items": [{"id": 1, "x": 2}]}}
    assert parsed.drops == (1, 3)
    assert parsed.repairs == 4


def test_fragments_drop_only_the_closers_that_do_not_fit() -> None:
    # Like querySupportedPlugin: "} ] }" are real, the last "] } }" are spurious.
    fragments = ['{"data": {"a": [{"b": [{"c": 1}]}]}}', '],\n"d": [2]\n},\n"t": 3\n}']
    parsed = loads_fragments(fragments)
    assert parsed.value == {"data": {"a": [{"b": [{"c": 1}]}], "d": [2]}, "t": 3}
    assert parsed.drops == (3,)
    assert parsed.dropped == 3


def test_fragment_string_continues_on_the_next_page() -> None:
    parsed = loads_fragments(['{"k": "first-', 'second::",\n"n": 1}'])
    assert parsed.value == {"k": "first-second::", "n": 1}
    assert parsed.repairs == 1


@pytest.mark.parametrize("text", ["", "garbage", '{"a": 1} 2', '{"a" 1}', "{'a': 1}", "[1,, 2]"])
def test_unreadable_text_raises(text: str) -> None:
    with pytest.raises(LenientJSONError):
        loads(text)
