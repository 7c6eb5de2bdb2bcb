"""``to_dict()`` / ``unstructure``: every model back to the service's camelCase dict, and round-trips."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest

import rayvision_async.models as models
from rayvision_async.models import (
    EngineAccount,
    FrameInfo,
    OperationRecord,
    Page,
    ServiceModel,
    TaskInfo,
    TaskStatus,
    TransferBid,
    UserSetting,
    unstructure,
)
from rayvision_async.models._converter import make_converter, structure

MODEL_CLASSES = [value for name in models.__all__ if attrs.has(value := getattr(models, name))]


def test_every_model_has_to_dict() -> None:
    assert len(MODEL_CLASSES) >= 38
    for cls in MODEL_CLASSES:
        assert issubclass(cls, ServiceModel), cls
        required = {field.name: 1 for field in attrs.fields(cls) if field.default is attrs.NOTHING}  # TaskInfo.id
        assert cls(**required).to_dict() == unstructure(cls(**required))


def test_keys_are_the_wire_names_and_values_the_service_forms() -> None:
    task = structure({"id": 7, "taskStatus": 25, "submitDate": 1534387709123, "renderConsume": 1.57,
                      "labels": "[\"trailer\"]", "taskAlias": "2W7"}, TaskInfo)
    data = task.to_dict()
    assert data["id"] == 7
    assert data["taskAlias"] == "2W7"
    assert data["taskStatus"] == 25
    assert type(data["taskStatus"]) is int
    assert data["submitDate"] == 1534387709123
    assert type(data["submitDate"]) is int
    assert data["renderConsume"] == Decimal("1.57")
    assert data["labels"] == ["trailer"]
    assert data["completedDate"] is None
    assert "task_alias" not in data


def test_explicit_wire_names_and_aliases_use_the_main_key() -> None:
    bid = structure({"configBid": "30201", "input_bid": "10201"}, TransferBid)
    assert bid.to_dict()["config_bid"] == "30201"
    assert bid.to_dict()["input_bid"] == "10201"
    setting = structure({"miFileSwitchFlag": 1}, UserSetting)
    assert setting.to_dict()["mifileSwitchFlag"] == 1
    record = structure({"requestUri": "/api"}, OperationRecord)
    assert record.to_dict()["requestURI"] == "/api"


def test_unknown_enum_codes_and_sub_millisecond_times_survive() -> None:
    task = TaskInfo(id=3, task_status=TaskStatus(77), start_time=datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC))
    data = task.to_dict()
    assert data["taskStatus"] == 77
    assert data["startTime"] == 1704164645123.456
    assert structure(data, TaskInfo) == task


def test_secret_fields_are_in_the_dict_but_not_in_the_repr() -> None:
    account = EngineAccount(bid="1", name="user", password="s3cret")
    assert account.to_dict() == {"bid": "1", "name": "user", "password": "s3cret"}
    assert "s3cret" not in repr(account)


def test_pages_and_collections_of_models() -> None:
    page = structure({"items": [{"id": 1, "frameIndex": "3"}], "pageNum": 1, "pageCount": 2}, Page[FrameInfo])
    data = page.to_dict()
    assert data["items"][0]["frameIndex"] == "3"
    assert data["pageCount"] == 2
    assert structure(data, Page[FrameInfo]) == page
    frames = (FrameInfo(id=1), FrameInfo(id=2))
    assert [item["id"] for item in unstructure(frames)] == [1, 2]
    assert unstructure({"1": FrameInfo(id=1)})["1"]["id"] == 1


def test_the_dict_is_json_with_decimal_numbers() -> None:
    task = structure({"id": 1, "renderConsume": 2.5, "taskStatus": 10}, TaskInfo)
    text = json.dumps(task.to_dict(), default=str)
    assert json.loads(text)["renderConsume"] == "2.5"


@pytest.mark.parametrize("fast_path", [True, False])
def test_both_converters_round_trip(fast_path: bool) -> None:
    conv = make_converter(fast_path=fast_path)
    task = conv.structure({"id": 3, "taskStatus": 5, "respRenderingTaskList": [{"id": 4}]}, TaskInfo)
    assert conv.structure(conv.unstructure(task), TaskInfo) == task
