"""Unit tests of the response models and the converter (inputs adapted from the spec examples)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

from rayvision_async.models import (
    TERMINAL_TASK_STATUSES,
    CreatedTasks,
    EngineAccount,
    ErrorCodeInfo,
    FrameInfo,
    FrameStatus,
    FrameType,
    GrabInfo,
    OperationRecord,
    OutputFile,
    Page,
    Platform,
    ProjectList,
    RaySyncUserKey,
    RenderEnv,
    SoftwareDetail,
    TaskInfo,
    TaskInfoPage,
    TaskProgress,
    TaskStatus,
    TransferBid,
    TransferConfig,
    UserProfile,
    UserSetting,
)
from rayvision_async.models._converter import converter, snake_to_camel, structure

# A child task of the getTaskList example (sdk-usage-current-en.txt), trimmed.
CHILD: dict[str, Any] = {
    "sceneName": "衣帽间.max",
    "id": 18280,
    "taskAlias": "P18280",
    "taskStatus": 25,
    "statusText": "render_task_status_25",
    "preTaskStatus": None,
    "totalFrames": 1,
    "abortFrames": 0,
    "doneFrames": 1,
    "framesRange": "0",
    "renderConsume": 1.57,
    "taskArrears": 0,
    "submitDate": 1535602289000,
    "startTime": 1535602601000,
    "completedDate": 1535603874000,
    "renderDuration": 1176,
    "taskOverTime": 86400000,
    "userId": 10001520,
    "munuTaskId": "2018083000075",
    "layerParentId": 18278,
    "cgId": 2001,
    "taskKeyValueVo": {"tiles": None, "allCamera": None, "renderableCamera": None},
    "userAccountConsume": 0,
    "couponConsume": 1.57,
    "taskType": "RenderPhoton",
    "respRenderingTaskList": None,
    "layerName": None,
    "taskTypeText": "render_photons_task",
    "isDelete": 1,
}
PARENT: dict[str, Any] = {
    **CHILD,
    "id": 18278,
    "taskStatus": 0,
    "preTaskStatus": 25,
    "renderConsume": None,
    "startTime": None,
    "completedDate": None,
    "respRenderingTaskList": [CHILD, {**CHILD, "id": 18281, "taskType": "Render", "renderConsume": 6.7}],
}
TASK_PAGE: dict[str, Any] = {"pageCount": 32, "pageNum": 1, "total": 32, "size": 1, "items": [PARENT]}

FRAME: dict[str, Any] = {
    "id": 1546598,
    "userId": None,
    "framePrice": None,
    "frameIndex": "0-1",
    "frameStatus": 4,
    "feeAmount": 0.44,
    "startTime": 1535960273000,
    "endTime": 1535960762000,
    "frameExecuteTime": 489,
    "frameStatusText": "task_frame_status_4",
    "arrearsFee": None,
    "munuJobId": "0",
    "taskId": 19088,
    "frameType": 5,
    "couponFee": 0,
    "averageCpu": 9,
    "averageMemory": 2240647168,
}


def test_rename_rule() -> None:
    assert snake_to_camel("task_key_value_vo") == "taskKeyValueVo"
    assert snake_to_camel("c4d_flag") == "c4dFlag"
    assert snake_to_camel("rmbbalance") == "rmbbalance"
    assert snake_to_camel("des_description_cn") == "desDescriptionCn"


def test_task_info_snake_case_and_values() -> None:
    task = structure(CHILD, TaskInfo)
    assert task.id == 18280
    assert task.task_alias == "P18280"
    assert task.scene_name == "衣帽间.max"
    assert task.task_status is TaskStatus.FINISHED
    assert task.pre_task_status is None
    assert task.munu_task_id == "2018083000075"
    assert task.layer_parent_id == 18278
    assert task.task_type_text == "render_photons_task"
    assert task.task_key_value_vo is not None
    assert task.task_key_value_vo.renderable_camera is None
    assert task.is_terminal


def test_epoch_milliseconds_become_utc_datetimes() -> None:
    task = structure(CHILD, TaskInfo)
    assert task.submit_date == datetime(2018, 8, 30, 4, 11, 29, tzinfo=UTC)
    assert task.start_time == datetime(2018, 8, 30, 4, 16, 41, tzinfo=UTC)
    assert task.completed_date is not None
    assert task.completed_date.tzinfo is UTC
    key = structure({"loginTime": 1565682011157}, RaySyncUserKey)
    assert key.login_time == datetime(2019, 8, 13, 7, 40, 11, 157000, tzinfo=UTC)


@pytest.mark.parametrize("raw", [1535602289000, 1535602289000.0, Decimal("1535602289000"), "1535602289000"])
def test_time_accepts_int_float_decimal_and_digit_string(raw: object) -> None:
    assert structure({"id": 1, "submitDate": raw}, TaskInfo).submit_date == datetime(2018, 8, 30, 4, 11, 29, tzinfo=UTC)


@pytest.mark.parametrize("raw", [None, 0, "", "0"])
def test_unset_times_are_none(raw: object) -> None:
    assert structure({"startTime": raw, "endTime": raw}, FrameInfo).start_time is None


def test_formatted_progress_times_are_in_the_service_zone() -> None:
    progress = structure({"startTime": "2018-11-09 18:27:40", "completedTime": "2020-01-03 10:02:55"}, TaskProgress)
    assert progress.start_time == datetime(2018, 11, 9, 10, 27, 40, tzinfo=UTC)  # 18:27:40 at UTC+8
    assert progress.completed_time == datetime(2020, 1, 3, 2, 2, 55, tzinfo=UTC)


def test_money_is_exact_decimal() -> None:
    task = structure(CHILD, TaskInfo)
    assert task.render_consume == Decimal("1.57")
    assert str(task.render_consume) == "1.57"
    assert task.task_arrears == Decimal(0)
    assert isinstance(task.user_account_consume, Decimal)
    profile = structure({"coupon": 49.93, "cpuPrice": 0.67, "gpuPrice": 20, "rmbbalance": "12.30"}, UserProfile)
    assert (profile.coupon, profile.cpu_price, profile.gpu_price) == (
        Decimal("49.93"),
        Decimal("0.67"),
        Decimal("20"),
    )
    assert str(profile.rmbbalance) == "12.30"
    frame = structure({"couponFee": 0.037, "feeAmount": Decimal("0.44")}, FrameInfo)
    assert frame.coupon_fee == Decimal("0.037")
    assert frame.fee_amount == Decimal("0.44")


def test_money_from_decimal_parsed_json() -> None:
    data = json.loads(json.dumps(CHILD), parse_float=Decimal)
    task = structure(data, TaskInfo)
    assert task.coupon_consume == Decimal("1.57")
    frame = structure(json.loads('{"averageCpu": 9.5, "feeAmount": 0.1}', parse_float=Decimal), FrameInfo)
    assert frame.average_cpu == 9.5
    assert isinstance(frame.average_cpu, float)
    assert frame.fee_amount == Decimal("0.1")


def test_unknown_enum_codes_are_tolerated() -> None:
    task = structure({**CHILD, "taskStatus": 77}, TaskInfo)
    assert task.task_status == 77
    assert int(task.task_status) == 77
    assert isinstance(task.task_status, TaskStatus)
    assert task.task_status.name == "UNKNOWN_77"
    assert not task.task_status.is_known
    assert TaskStatus(77) is TaskStatus(77) is task.task_status
    assert not task.is_terminal
    assert TaskStatus(77) not in list(TaskStatus)
    frame = structure({"frameStatus": 99, "frameType": 42}, FrameInfo)
    assert frame.frame_status == 99
    assert frame.frame_status is not None
    assert frame.frame_status.name == "UNKNOWN_99"
    assert frame.frame_type is FrameType(42)


def test_enum_codes_sent_as_strings() -> None:
    block = structure({"frameStatus": "4", "feeAmount": "0.20"}, GrabInfo)
    assert block.frame_status is FrameStatus.COMPLETE
    assert block.fee_amount == Decimal("0.20")
    assert structure({"frameStatus": ""}, GrabInfo).frame_status is None


def test_enum_values() -> None:
    assert TaskStatus.WAITING.value == 0
    assert TaskStatus.WAITING_LEGACY.value == 1
    assert TaskStatus.TIME_OUT_STOP.value == 23
    assert TaskStatus.ANALYSE.value == 50
    assert FrameStatus.TIMED_OUT.value == 11
    assert FrameType.MAX_CHANNEL.value == 9
    assert {
        TaskStatus.FINISHED,
        TaskStatus.FINISHED_HAS_FAILED,
        TaskStatus.FINISHED_TEST,
        TaskStatus.ABANDON,
        TaskStatus.FAILED,
        TaskStatus.STOP,
        TaskStatus.USER_STOP,
        TaskStatus.ARREARAGE_STOP,
        TaskStatus.TIME_OUT_STOP,
    } == TERMINAL_TASK_STATUSES
    assert not TaskStatus.RENDERING.is_terminal
    assert TaskStatus.USER_STOP.is_terminal
    assert FrameStatus.COMPLETE.is_done
    assert FrameStatus.FAILED.is_failed
    assert FrameStatus.TIMED_OUT.is_failed
    assert FrameStatus.WAITING_PHOTON_JOB.is_waiting
    assert not FrameStatus.PROCESSING.is_failed


def test_unknown_fields_are_ignored_and_missing_fields_default() -> None:
    task = structure({"id": 1, "brandNewField": {"x": [1, 2]}, "anotherOne": None}, TaskInfo)
    assert task.id == 1
    assert task.task_status is None
    assert task.children == ()
    assert task.labels == ()
    assert structure({"id": 1}, TaskInfo) == TaskInfo(id=1)
    assert structure({}, TransferConfig).resq_engines == ()


def test_null_sequences_become_empty_tuples() -> None:
    assert structure({"id": 1, "respRenderingTaskList": None, "labels": None}, TaskInfo).children == ()
    assert structure({"items": None}, Page[TaskInfo]).items == ()
    config = structure({"resqEngines": [{"resqEngineAccounts": None, "respTaskEngineLines": None}]}, TransferConfig)
    assert config.resq_engines[0].accounts == ()
    assert config.resq_engines[0].lines == ()
    assert structure(None, tuple[Platform, ...]) == ()


def test_nested_children() -> None:
    parent = structure(PARENT, TaskInfo)
    assert [child.id for child in parent.children] == [18280, 18281]
    assert parent.children[1].render_consume == Decimal("6.7")
    assert parent.children[1].task_type == "Render"
    assert parent.children[0].children == ()
    assert parent.resp_rendering_task_list is parent.children
    assert parent.task_status is TaskStatus.WAITING
    assert not parent.is_terminal


def test_generic_pages() -> None:
    tasks = structure(TASK_PAGE, Page[TaskInfo])
    assert isinstance(tasks, Page)
    assert (tasks.page_count, tasks.page_num, tasks.total, tasks.size) == (32, 1, 32, 1)
    assert isinstance(tasks.items[0], TaskInfo)
    assert tasks.has_next
    assert [t.id for t in tasks] == [18278]
    frames = structure({"pageCount": 9, "pageNum": 9, "total": 17, "size": 2, "items": [FRAME]}, Page[FrameInfo])
    assert len(frames) == 1
    assert not frames.has_next
    frame = frames.items[0]
    assert isinstance(frame, FrameInfo)
    assert frame.frame_status is FrameStatus.COMPLETE
    assert frame.frame_type is FrameType.MAIN_RENDER
    assert frame.is_done
    assert frame.fee_amount == Decimal("0.44")
    assert frame.end_time == datetime(2018, 9, 3, 7, 46, 2, tzinfo=UTC)
    assert frame.average_memory == 2240647168


def test_task_info_page_has_account_consumption() -> None:
    page = structure({**TASK_PAGE, "userAccountConsume": 12.5}, TaskInfoPage)
    assert isinstance(page, Page)
    assert page.user_account_consume == Decimal("12.5")
    assert page.items[0].children[0].id == 18280


def test_labels_from_list_or_json_string() -> None:
    assert structure({"id": 1, "labels": "{}"}, TaskInfo).labels == ()
    assert structure({"id": 1, "labels": ["a", "b"]}, TaskInfo).labels == ("a", "b")
    assert structure({"id": 1, "labels": '["x"]'}, TaskInfo).labels == ("x",)
    assert structure({"id": 1, "labels": "single"}, TaskInfo).labels == ("single",)


def test_spelling_variants() -> None:
    old_frame = structure({"arrearFee": 1.2, "menuJobId": "0", "menuTaskId": "2018090300040"}, FrameInfo)
    assert old_frame.arrears_fee == Decimal("1.2")
    assert old_frame.munu_job_id == "0"
    assert old_frame.munu_task_id == "2018090300040"
    both = structure({"arrearFee": 1, "arrearsFee": 2}, FrameInfo)
    assert both.arrears_fee == Decimal(2)
    task = structure({"id": 1, "taskKeyValueVo": {"RenderableCarema": "VRayCam003"}, "menuTaskId": "m"}, TaskInfo)
    assert task.task_key_value_vo is not None
    assert task.task_key_value_vo.renderable_camera == "VRayCam003"
    assert task.munu_task_id == "m"
    envs = structure([{"cglId": 2000, "editName": "a"}, {"cgId": 2004, "editName": "b"}], tuple[RenderEnv, ...])
    assert [env.cg_id for env in envs] == [2000, 2004]
    settings = structure({"miFileSwitchFlag": 1, "assfileSwitchFlag": 0, "taskOverTimeSec": 3600}, UserSetting)
    assert (settings.mifile_switch_flag, settings.assfile_switch_flag, settings.task_over_time_sec) == (1, 0, 3600)


def test_transfer_bid_snake_case_keys() -> None:
    bid = structure(
        {
            "config_bid": "30201",
            "input_bid": "10201",
            "output_bid": "20201",
            "parent_input_bid": "10202",
            "sub_user_output_bids": [{"userId": "119776", "outputBid": "10401"}],
        },
        TransferBid,
    )
    assert (bid.config_bid, bid.input_bid, bid.output_bid, bid.parent_input_bid) == (
        "30201",
        "10201",
        "20201",
        "10202",
    )
    assert bid.sub_user_output_bids[0].user_id == "119776"
    assert bid.sub_user_output_bids[0].output_bid == "10401"
    config = structure({"configBid": "30201", "subUserOutputBids": [{"userId": 119784}]}, TransferConfig)
    assert config.config_bid == "30201"
    assert config.sub_user_output_bids[0].user_id == "119784"


def test_secrets_are_not_in_repr() -> None:
    key = structure(
        {
            "signature": "rayvision2017",
            "userKey": "5394a44e890557d8d937b92086482dab",
            "raySyncUserKey": "40d59041f72809ffaa16146a36780595666c681e",
            "userName": "wsh_12345",
        },
        RaySyncUserKey,
    )
    assert key.ray_sync_user_key == "40d59041f72809ffaa16146a36780595666c681e"
    assert key.user_key == "5394a44e890557d8d937b92086482dab"
    assert key.signature == "rayvision2017"
    text = repr(key)
    assert "wsh_12345" in text
    for secret in ("rayvision2017", "5394a44e890557d8d937b92086482dab", "40d59041f72809ffaa16146a36780595666c681e"):
        assert secret not in text
        assert secret not in str(key)
    config = structure(
        {
            "resqEngines": [
                {
                    "engineName": "Aspera",
                    "resqEngineAccounts": [{"bid": "30201", "name": "30201", "password": "ACz/0lNMCgyq=="}],
                    "respTaskEngineLines": [{"name": "Aspera_main", "port": "10221", "lineId": 123}],
                }
            ]
        },
        TransferConfig,
    )
    account = config.resq_engines[0].accounts[0]
    assert isinstance(account, EngineAccount)
    assert account.password == "ACz/0lNMCgyq=="
    assert "ACz/0lNMCgyq==" not in repr(config)
    assert "30201" in repr(config)
    assert config.engine("aspera") is config.resq_engines[0]
    assert config.resq_engines[0].lines[0].line_id == 123


def test_models_are_frozen_and_slotted() -> None:
    task = structure(CHILD, TaskInfo)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        task.id = 1  # type: ignore[misc]
    assert not hasattr(task, "__dict__")
    assert hash(structure(CHILD, TaskInfo)) == hash(task)


#: Fields the service always sends: a reply without them is malformed, so they have no default.
REQUIRED_FIELDS = {"TaskInfo": {"id": 1}}


def test_every_field_but_the_required_ones_has_a_default() -> None:
    import rayvision_async.models as models

    for name in models.__all__:
        cls = getattr(models, name)
        if isinstance(cls, type) and attrs.has(cls):
            required = REQUIRED_FIELDS.get(name, {})
            instance = cls(**required)
            for field in attrs.fields(cls):
                if field.name not in required:
                    assert getattr(instance, field.name) in (None, ()), (name, field.name)
            assert {f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING} == set(required)


def test_error_code_and_misc_models() -> None:
    info = structure(
        [{"id": 5, "code": "15000", "type": 1, "isRepair": 0, "updateTime": 1534387709000, "lastModifyAdmin": ""}],
        tuple[ErrorCodeInfo, ...],
    )[0]
    assert info.code == "15000"
    assert info.update_time == datetime(2018, 8, 16, 2, 48, 29, tzinfo=UTC)
    assert structure([{"code": 15000}], tuple[ErrorCodeInfo, ...])[0].code == "15000"
    created = structure({"aliasTaskIdList": ["2W19097"], "taskIdList": [19097], "userId": 10007893}, CreatedTasks)
    assert created.task_id_list == (19097,)
    assert created.alias_task_id_list == ("2W19097",)
    projects = structure({"projectNameList": [{"projectId": 3671, "projectName": "myLabel"}]}, ProjectList)
    found = projects.find("myLabel")
    assert found is not None
    assert found.project_id == 3671
    detail = structure(
        {
            "cgPlugin": [{"cvId": 19, "pluginName": "zblur", "pluginVersions": [{"pluginId": 1652}]}],
            "cgVersion": [{"id": 23, "cgId": 2005, "cgName": "CINEMA 4D", "cgVersion": "R19"}],
        },
        SoftwareDetail,
    )
    assert detail.plugins[0].plugin_versions[0].plugin_id == 1652
    assert detail.versions[0].cg_version == "R19"


def test_task_progress_grab_info_is_a_list_of_lists() -> None:
    progress = structure(
        {
            "isRenderPhoton": True,
            "width": 700,
            "grabInfo": [[{"frameStatus": "4", "couponFee": "1.04", "frameBlock": None}], None],
        },
        TaskProgress,
    )
    assert progress.is_render_photon is True
    assert progress.grab_info[0][0].coupon_fee == Decimal("1.04")
    assert progress.grab_info[0][0].frame_status is FrameStatus.COMPLETE
    assert progress.grab_info[1] == ()


def test_undocumented_types_are_kept_leniently() -> None:
    record = structure(
        {"taskIds": "[1, 2]", "requestURI": "/api/x", "createTime": 1600000000000, "channel": "4"},
        OperationRecord,
    )
    assert record.task_id_list == (1, 2)
    assert record.request_uri == "/api/x"
    assert record.create_time == datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)
    assert record.channel == 4
    file = structure({"lastModify": "2020-01-01 10:00:00", "fileSize": "12 KB", "directory": "false"}, OutputFile)
    assert file.last_modify == "2020-01-01 10:00:00"
    assert file.file_size == "12 KB"
    assert file.directory is False


def test_bad_data_raises() -> None:
    with pytest.raises(ValueError, match="money"):
        structure({"renderConsume": "abc"}, TaskInfo)
    with pytest.raises(ValueError, match="integer"):
        structure({"taskRam": 1.5}, TaskInfo)
    with pytest.raises(TypeError):
        structure({"items": "not a list"}, Page[TaskInfo])


def test_one_converter_instance() -> None:
    import rayvision_async.models._converter as module

    assert module.converter is converter
    assert converter.get_structure_hook(TaskInfo) is converter.get_structure_hook(TaskInfo)


def test_unknown_enum_codes_keep_a_bounded_cache() -> None:
    import gc
    import tracemalloc

    from rayvision_async.models import enums

    TaskStatus(5_000_001)  # warm up the cache structures
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for code in range(1_000_000, 1_100_000):  # 100,000 distinct unknown codes, as a hostile server could send
        member = TaskStatus(code)
        assert member == code
        assert not member.is_known
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    cache = enums._PSEUDO[TaskStatus]
    assert len(cache) == enums.PSEUDO_MEMBER_CACHE_SIZE
    assert grown < 2_000_000  # ~1,024 members kept, not 100,000 (that was 110-240 MB)
    assert TaskStatus(1_099_999) is TaskStatus(1_099_999)  # recent codes stay the same object
    assert len(TaskStatus._value2member_map_) == len(TaskStatus.__members__)  # nothing leaked into the enum
    assert TaskStatus("25") is TaskStatus.FINISHED
    with pytest.raises(ValueError, match="--5"):
        TaskStatus("--5")
