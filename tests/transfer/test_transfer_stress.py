"""Many transfers at once under the stand-in's faults: each ends complete or with a typed error, no process left.

50 uploads and 50 downloads run concurrently while the stand-in engine fails runs on purpose (exit
code 1, exit code 255, a hang, a file left half-written). Afterwards every upload's files are in
the farm's storage byte for byte, or the upload raised a ``TransferError``; the same for every
download's files on disk; and the test process has no child process left, zombies included.
Cancelling a transfer whose engine hangs leaves no process either.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from helpers.processes import alive, linux_only
from rayvision_async import AsyncRayvisionAPI, RetryPolicy
from rayvision_async.simulator import Farm
from rayvision_async.simulator.farm import FarmStorage
from rayvision_async.transfer import DownloadResult, Transfer, TransferError, TransferResult, TransferTimeoutError

pytestmark = [linux_only, pytest.mark.usefixtures("no_child_left")]

JOBS = 50
FAULTS = {"exit1": 12, "partial": 10, "fatal": 5, "hang": 3}


def upload_jsons(tmp_path: Path) -> list[dict[str, Any]]:
    documents = []
    for job in range(JOBS):
        assets = []
        for index in range(3):
            path = tmp_path / "scenes" / f"job{job}" / f"file{index}.bin"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"{job}/{index}".encode() * (200 + 50 * index))
            assets.append({"local": str(path), "server": f"/jobs/job{job}/file{index}.bin"})
        documents.append({"asset": assets})
    return documents


def local_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


def storage_bytes(storage: FarmStorage, server: str) -> bytes | None:
    path = storage.input_file(server)
    return path.read_bytes() if path.is_file() else None


async def test_fifty_uploads_and_fifty_downloads_under_faults(
        rayvision_client: AsyncRayvisionAPI, rayvision_farm: Farm, storage: FarmStorage, rayvision_transmitter: str,
        tmp_path: Path) -> None:
    task_ids = [await rayvision_client.submit_task_json({"task_info": {"frames": "1-2[1]"}}) for _ in range(JOBS)]
    rayvision_farm.advance(3600)
    documents = upload_jsons(tmp_path)
    for kind, count in FAULTS.items():
        storage.queue_fault(kind, count)
    transfer = Transfer(rayvision_client, transmitter=rayvision_transmitter, max_concurrency=16, timeout=3.0,
                        grace=0.5, retry=RetryPolicy(attempts=3), log_dir=tmp_path / "logs")

    uploads = [transfer.upload_assets(document) for document in documents]
    downloads = [transfer.download_outputs(task_id, tmp_path / "out") for task_id in task_ids]
    results = await asyncio.gather(*uploads, *downloads, return_exceptions=True)

    failed = [result for result in results if isinstance(result, BaseException)]
    assert all(isinstance(result, TransferError) for result in failed), [type(error) for error in failed]
    assert sum(isinstance(result, TransferTimeoutError) for result in failed) == FAULTS["hang"]
    assert len(failed) >= FAULTS["fatal"] + FAULTS["hang"]
    assert len(failed) <= sum(FAULTS.values())
    assert list((storage.root / "_faults").iterdir()) == []  # every fault was met by some run

    for document, result in zip(documents, results[:JOBS], strict=True):
        if isinstance(result, TransferResult):
            for asset in document["asset"]:
                assert storage_bytes(storage, asset["server"]) == local_bytes(asset["local"])
    for task_id, result in zip(task_ids, results[JOBS:], strict=True):
        if isinstance(result, DownloadResult):
            assert len(result.files) == 2
            task = rayvision_farm.tasks[task_id]
            for path in result.files:
                folder, name = path.relative_to(tmp_path / "out").parts
                assert path.read_bytes() == storage.output_file(folder, name).read_bytes(), task.id
    assert transfer.running == frozenset()
    assert transfer.engine_starts >= 2 * JOBS


async def test_cancelling_a_transfer_leaves_no_process(
        rayvision_client: AsyncRayvisionAPI, storage: FarmStorage, rayvision_transmitter: str, tmp_path: Path) -> None:
    documents = upload_jsons(tmp_path)[:3]
    storage.queue_fault("hang", 3)
    transfer = Transfer(rayvision_client, transmitter=rayvision_transmitter, grace=0.5, log_dir=tmp_path / "logs")
    jobs = [asyncio.create_task(transfer.upload_assets(document)) for document in documents]
    for _ in range(400):
        if len(transfer.running) == 3:
            break
        await asyncio.sleep(0.025)
    pids = set(transfer.running)
    assert len(pids) == 3
    for job in jobs:
        job.cancel()
    outcomes = await asyncio.gather(*jobs, return_exceptions=True)
    assert all(isinstance(outcome, asyncio.CancelledError) for outcome in outcomes)
    assert not any(alive(pid) for pid in pids)
    assert transfer.running == frozenset()
