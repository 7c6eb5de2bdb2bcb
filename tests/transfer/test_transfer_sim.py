"""``api.transfer`` against the simulator and its stand-in engine: files really move between folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from rayvision_async import AsyncRayvisionAPI, RetryPolicy, TaskInfo, errors
from rayvision_async.models import OutputFile
from rayvision_async.simulator import Farm, Simulator
from rayvision_async.simulator.farm import FarmStorage
from rayvision_async.simulator.farm._storage import frame_image, output_folder
from rayvision_async.transfer import (
    IncompleteTransferError,
    Transfer,
    TransferError,
    TransferEvent,
    TransferTimeoutError,
    UnknownTaskError,
)
from rayvision_async.transfer._service import ServiceCalls


def scene_files(tmp_path: Path) -> tuple[dict[str, Any], list[Path]]:
    """An upload.json for three local files, and the files."""
    made = []
    for name, size in (("shots/hero.mb", 5000), ("maps/wood.png", 1234), ("maps/stone.png", 1)):
        path = tmp_path / "work" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name.encode() * (size // len(name)) + b"!" * (size % len(name)))
        made.append(path)
    document = {"asset": [{"local": str(path), "server": f"/W/work/{path.relative_to(tmp_path / 'work')}"}
                          for path in made]}
    return document, made


async def rendered_task(api: AsyncRayvisionAPI, farm: Farm, frames: str = "1-3[1]") -> int:
    task_id = await api.submit_task_json({"task_info": {"frames": frames, "input_cg_file": "D:/shots/hero.mb"}})
    farm.advance(3600)
    return task_id


async def test_upload_config_puts_each_file_in_the_tasks_cfg_folder_in_order(
        rayvision_client: AsyncRayvisionAPI, storage: FarmStorage, tmp_path: Path) -> None:
    task_id = (await rayvision_client.task.create_task(count=1)).task_id_list[0]
    documents = {}
    for name in ("upload.json", "task.json", "tips.json"):
        documents[name] = tmp_path / name
        documents[name].write_text(json.dumps({"name": name}), encoding="utf-8")
    events: list[TransferEvent] = []
    result = await rayvision_client.transfer.upload_config(task_id, *documents.values(), on_event=events.append)
    for name, path in documents.items():
        assert storage.config_file(task_id, name).read_bytes() == path.read_bytes()
    assert result.runs == 3
    assert [Path(event.path or "").name for event in events if event.kind == "file_done"] == [
        "task.json", "tips.json", "upload.json"]
    assert (events[0].kind, events[-1].kind) == ("started", "finished")
    assert events[-1].files_done == events[-1].files_total == 3
    assert events[-1].bytes_done == events[-1].bytes_total == result.bytes


async def test_upload_assets_sends_every_listed_file_to_its_server_path(
        rayvision_client: AsyncRayvisionAPI, storage: FarmStorage, rayvision_transmitter: str, tmp_path: Path) -> None:
    document, made = scene_files(tmp_path)
    events: list[TransferEvent] = []
    transfer = Transfer(rayvision_client, transmitter=rayvision_transmitter, log_dir=tmp_path / "logs")
    result = await transfer.upload_assets(document, on_event=events.append)
    for entry, path in zip(document["asset"], made, strict=True):
        assert storage.input_file(entry["server"]).read_bytes() == path.read_bytes()
    assert result.files == tuple(map(str, made))
    assert result.bytes == sum(path.stat().st_size for path in made)
    assert [event.kind for event in events] == ["started", "file_done", "file_done", "file_done", "finished"]
    assert transfer.engine_starts == 1
    assert [path.name for path in (tmp_path / "logs").rglob("*")] == ["documents"]  # the run's copy and log: gone


async def test_the_farm_refuses_to_render_a_task_whose_listed_files_were_not_uploaded(
        rayvision_client: AsyncRayvisionAPI, tmp_path: Path) -> None:
    document, _made = scene_files(tmp_path)
    with pytest.raises(errors.FailError, match=r"3 file\(s\) listed in upload\.json were not uploaded"):
        await rayvision_client.submit_task_json({"task_info": {"frames": "1"}}, extra_files={"upload.json": document})
    await rayvision_client.transfer.upload_assets(document)
    task_id = await rayvision_client.submit_task_json({"task_info": {"frames": "1"}},
                                                      extra_files={"upload.json": document})
    assert task_id


async def test_download_fetches_what_the_render_wrote_and_skips_it_next_time(
        rayvision_client: AsyncRayvisionAPI, rayvision_farm: Farm, storage: FarmStorage, tmp_path: Path) -> None:
    task_id = await rayvision_client.submit_task_json({"task_info": {"frames": "1-3[1]"}})
    rayvision_farm.advance(3600)
    task = rayvision_farm.tasks[task_id]
    folder = output_folder(task)
    listed = await rayvision_client.transfer.list_outputs(task_id)
    assert [item.file_path for item in listed] == [f"/{folder}/{folder}.{index}.png" for index in (1, 2, 3)]
    events: list[TransferEvent] = []
    first = await rayvision_client.download_outputs(task_id, tmp_path / "out", on_event=events.append)
    expected = {tmp_path / "out" / folder / f"{folder}.{frame.index}.png": frame_image(task, frame)
                for frame in task.frames}
    assert {path: path.read_bytes() for path in first.files} == expected
    assert (len(first.downloaded), first.skipped, first.runs, first.rounds) == (3, (), 1, 1)
    assert first.bytes == sum(map(len, expected.values())) == sum(int(str(item.file_size)) for item in listed)
    assert [event.kind for event in events] == ["started", "file_done", "file_done", "file_done", "finished"]
    assert events[-1].bytes_done == events[-1].bytes_total == first.bytes

    broken = sorted(expected)[1]
    broken.write_bytes(b"short")
    again = await rayvision_client.download_outputs(task_id, tmp_path / "out")
    assert (again.downloaded, len(again.skipped), again.runs) == ((broken,), 2, 1)
    assert broken.read_bytes() == expected[broken]
    third = await rayvision_client.download_outputs(task_id, tmp_path / "out")
    assert (third.downloaded, third.runs, len(third.skipped)) == ((), 0, 3)


async def test_follow_fetches_frames_as_they_finish_until_the_task_ends(
        rayvision_client: AsyncRayvisionAPI, rayvision_farm: Farm, rayvision_transmitter: str, tmp_path: Path) -> None:
    task_id = await rayvision_client.submit_task_json({"task_info": {"frames": "1-8[1]"}})

    async def task_after_a_minute(wanted: int) -> TaskInfo | None:  # each look at the task: 60 s rendered
        rayvision_farm.advance(60)
        page = await rayvision_client.query.task_info([wanted])
        return next(iter(page.items), None)

    calls = ServiceCalls(profile=rayvision_client.user.query_user_profile,
                         bids=rayvision_client.user.get_transfer_bid,
                         transfer_config=rayvision_client.transmit.get_transfer_config, task=task_after_a_minute,
                         outputs=lambda wanted: rayvision_client.transmit.get_output_files(task_id=wanted))
    events: list[TransferEvent] = []
    result = await Transfer(calls, transmitter=rayvision_transmitter).download_outputs(
        task_id, tmp_path / "out", follow=True, interval=0.01, timeout=60, on_event=events.append)
    assert (await rayvision_client.query.task_info([task_id])).items[0].is_terminal
    assert (len(result.downloaded), result.skipped) == (8, ())
    assert (result.rounds, result.runs) == (3, 2)  # analysing at 60 s; frames 1-4 at 120 s; 5-8 and the end at 180 s
    assert [event.files_done for event in events if event.kind == "file_done"] == list(range(1, 9))
    assert [event.files_total for event in events if event.kind == "file_done"] == [4] * 4 + [8] * 4


async def test_engine_faults_are_retried_or_typed(rayvision_client: AsyncRayvisionAPI, storage: FarmStorage,
                                                  tmp_path: Path) -> None:
    document, made = scene_files(tmp_path)
    transfer = rayvision_client.transfer
    storage.queue_fault("exit1")
    assert (await transfer.upload_assets(document)).runs == 2
    storage.queue_fault("partial")
    assert (await transfer.upload_assets(document)).runs == 2
    for entry, path in zip(document["asset"], made, strict=True):
        assert storage.input_file(entry["server"]).read_bytes() == path.read_bytes()
    storage.queue_fault("fatal")
    with pytest.raises(TransferError) as caught:
        await transfer.upload_assets(document)
    assert caught.value.exit_code == 255
    assert "simulated fatal error" in str(caught.value)
    storage.queue_fault("exit1", 3)
    with pytest.raises(TransferError, match="no attempts left"):
        await transfer.upload_assets(document)


async def test_a_hung_engine_ends_at_the_deadline(rayvision_client: AsyncRayvisionAPI, storage: FarmStorage,
                                                 rayvision_transmitter: str, tmp_path: Path) -> None:
    document, _made = scene_files(tmp_path)
    transfer = Transfer(rayvision_client, transmitter=rayvision_transmitter, timeout=1.0, grace=0.5,
                        log_dir=tmp_path / "logs")
    storage.queue_fault("hang")
    with pytest.raises(TransferTimeoutError):
        await transfer.upload_assets(document)
    assert transfer.running == frozenset()


async def test_a_download_the_engine_leaves_short_is_incomplete(
        rayvision_client: AsyncRayvisionAPI, rayvision_farm: Farm, storage: FarmStorage, tmp_path: Path,
        rayvision_transmitter: str) -> None:
    task_id = await rendered_task(rayvision_client, rayvision_farm)
    transfer = Transfer(rayvision_client, transmitter=rayvision_transmitter, retry=RetryPolicy(attempts=2),
                        log_dir=tmp_path / "logs")
    storage.queue_fault("partial", 2)  # each run leaves its last file half-written and asks to retry
    with pytest.raises(TransferError, match="no attempts left"):
        await transfer.download_outputs(task_id, tmp_path / "out")
    storage.queue_fault("partial")
    result = await transfer.download_outputs(task_id, tmp_path / "out")
    assert len(result.files) == 3
    assert result.runs == 2


# -- bad input: a typed error and no engine started ---------------------------------------------------


@pytest.fixture
def transfer(rayvision_client: AsyncRayvisionAPI) -> Transfer:
    return rayvision_client.transfer


async def test_bad_upload_input_starts_no_engine_and_sends_nothing(
        transfer: Transfer, rayvision_simulator: Simulator, storage: FarmStorage, tmp_path: Path) -> None:
    document, made = scene_files(tmp_path)
    gone = {"asset": [*document["asset"], {"local": str(tmp_path / "gone.mb"), "server": "/gone.mb"}]}
    cases: list[tuple[Any, type[Exception]]] = [
        (transfer.upload_assets(gone), errors.InvalidInputError),
        (transfer.upload_assets({"assets": document["asset"]}), errors.InvalidInputError),
        (transfer.upload_assets({"asset": [{"local": str(made[0])}]}), errors.InvalidInputError),
        (transfer.upload_assets(tmp_path / "missing-upload.json"), errors.InvalidInputError),
        (transfer.upload_config(7, tmp_path / "task.json"), errors.InvalidInputError),
        (transfer.upload_config(0, made[0]), errors.InvalidInputError),
        (transfer.download_outputs(7, made[0]), errors.InvalidInputError),
        (transfer.download_outputs(7, tmp_path, interval=0), errors.InvalidInputError),
        (transfer.download_outputs(7, tmp_path, follow="yes"), errors.InvalidInputError),  # type: ignore[arg-type]
        (transfer.list_outputs(-3), errors.InvalidInputError),
    ]
    for call, expected in cases:
        with pytest.raises(expected):
            await call
    assert transfer.engine_starts == 0
    assert sum(rayvision_simulator.counts.values()) == 0
    assert not any(storage.root.glob("10201-*"))


async def test_an_unknown_task_starts_no_engine(transfer: Transfer, tmp_path: Path) -> None:
    (tmp_path / "task.json").write_text("{}", encoding="utf-8")
    for call in (transfer.download_outputs(99, tmp_path / "out"), transfer.upload_config(99, tmp_path / "task.json"),
                 transfer.list_outputs(99)):
        with pytest.raises(UnknownTaskError, match="does not know task 99"):
            await call
    assert transfer.engine_starts == 0
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


async def test_no_engine_is_a_configuration_error_before_any_request(
        rayvision_client: AsyncRayvisionAPI, rayvision_simulator: Simulator, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.delenv("RAYVISION_TRANSMITTER", raising=False)
    transfer = Transfer(rayvision_client)
    document, _made = scene_files(tmp_path)
    for call in (transfer.upload_assets(document), transfer.download_outputs(7, tmp_path / "out")):
        with pytest.raises(errors.ConfigurationError, match="no transfer engine"):
            await call
    assert sum(rayvision_simulator.counts.values()) == 0
    assert transfer.engine_starts == 0


@pytest.mark.parametrize(("settings", "message"), [
    ({"engine": "ftp"}, "engine"), ({"max_concurrency": 0}, "max_concurrency"), ({"timeout": -1}, "timeout"),
    ({"timeout": float("nan")}, "timeout"), ({"speed_limit": 2_000_000}, "speed_limit"),
    ({"protocol": 3}, "protocol"), ({"retry": 3}, "retry"), ({"line": ""}, "line"), ({"keep_logs": 1}, "keep_logs"),
    ({"transmitter": 5}, "transmitter"), ({"bogus": 1}, "bogus"),
])
def test_bad_settings_are_configuration_errors(rayvision_client: AsyncRayvisionAPI, settings: dict[str, Any],
                                               message: str) -> None:
    with pytest.raises(errors.ConfigurationError, match=message):
        Transfer(rayvision_client, **settings)


async def test_an_engine_or_line_the_service_does_not_offer_is_a_configuration_error(
        rayvision_client: AsyncRayvisionAPI, rayvision_transmitter: str, tmp_path: Path) -> None:
    document, _made = scene_files(tmp_path)
    transfer = Transfer(rayvision_client, transmitter=rayvision_transmitter, line="no-such-line")
    with pytest.raises(errors.ConfigurationError, match=r"no line named 'no-such-line'.*'Aspera_main'"):
        await transfer.upload_assets(document)
    assert transfer.engine_starts == 0
    raysync = Transfer(rayvision_client, transmitter=rayvision_transmitter, engine="raysync")
    assert (await raysync.upload_assets(document)).runs == 1


async def test_the_stand_in_refuses_a_storage_the_farm_did_not_hand_out(
        rayvision_client: AsyncRayvisionAPI, rayvision_simulator: Simulator, rayvision_transmitter: str,
        tmp_path: Path) -> None:
    rayvision_simulator.farm.account.user_id = 424242  # the service now names another user than the storage knows
    document, _made = scene_files(tmp_path)
    with pytest.raises(TransferError, match="authentication failure"):
        await Transfer(rayvision_client, transmitter=rayvision_transmitter,
                       log_dir=tmp_path / "logs").upload_assets(document)


async def test_the_transfer_repr_holds_no_secret(rayvision_client: AsyncRayvisionAPI) -> None:
    text = repr(rayvision_client.transfer)
    assert text.startswith("Transfer(engine='aspera'")
    assert "key" not in text


def test_incomplete_errors_list_their_files() -> None:
    error = IncompleteTransferError("download of task 1", files=[f"/f{index}" for index in range(7)])
    assert "7 file(s) incomplete: /f0, /f1, /f2, /f3, /f4 …" in str(error)


async def test_a_download_shorter_than_listed_after_success_is_incomplete(
        rayvision_client: AsyncRayvisionAPI, rayvision_farm: Farm, rayvision_transmitter: str, tmp_path: Path) -> None:
    task_id = await rendered_task(rayvision_client, rayvision_farm)

    async def task(wanted: int) -> TaskInfo | None:
        return next(iter((await rayvision_client.query.task_info([wanted])).items), None)

    async def listed_one_byte_longer(wanted: int) -> tuple[OutputFile, ...]:
        files = await rayvision_client.transmit.get_output_files(task_id=wanted)
        return (attrs.evolve(files[0], file_size=int(str(files[0].file_size)) + 1), *files[1:])

    calls = ServiceCalls(profile=rayvision_client.user.query_user_profile, bids=rayvision_client.user.get_transfer_bid,
                         transfer_config=rayvision_client.transmit.get_transfer_config, task=task,
                         outputs=listed_one_byte_longer)
    transfer = Transfer(calls, transmitter=rayvision_transmitter, retry=RetryPolicy(attempts=2),
                        log_dir=tmp_path / "logs")
    with pytest.raises(IncompleteTransferError) as caught:
        await transfer.download_outputs(task_id, tmp_path / "out")
    assert len(caught.value.files) == 1
    assert caught.value.files[0].endswith(".1.png")
    assert transfer.engine_starts == 2


def test_a_transfer_needs_a_client_or_service_calls() -> None:
    with pytest.raises(errors.ConfigurationError, match="api must be"):
        Transfer(None)  # type: ignore[arg-type]
