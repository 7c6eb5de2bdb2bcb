"""Every request example of the usage documents, made with the official SDK, against the simulator over loopback.

A client nobody here wrote checks the simulator: the official SDK (``rayvision-api`` 3.0.4.3) is
installed from the package registry into a throwaway venv, once per test session, never into the
project's venv. Without the registry the test is skipped with the reason;
``RAYVISION_REQUIRE_OFFICIAL_SDK=1`` (set by ``.ci/run``) makes that a failure.

``helpers/official_driver.py`` runs with that venv's Python and makes the calls one by one as the
test sends them, against the simulator served on loopback HTTP (``serve``), which checks its
signatures: the official SDK signs for the ``host:port`` it is given. Before each call the test
prepares the farm (:mod:`helpers.doc_stage`), as for this SDK in ``test_usage_doc_replies.py``.

Each example is made as the document writes it first. Where the official SDK itself cannot make
it so (incumbent-sdk-facts.md, which wins over the usage documents, says why), the failure must be
the documented one and must not have sent anything; then the call is made the way the facts say
the official SDK takes it (:data:`ADAPTED`), so every example reaches the simulator. Every reply
is compared with the document's example reply like this SDK's, against the same table of
differences the documents contradict.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_usage_doc_replies import EXPECTED_DIFFERENCES, REQUESTS, compared, documented_reply

from helpers.doc_stage import Stage, staged_simulator
from rayvision_async.simulator import serve

OFFICIAL = "rayvision-api==3.0.4.3"
DRIVER = Path(__file__).resolve().parents[1] / "helpers" / "official_driver.py"
REQUIRED = os.environ.get("RAYVISION_REQUIRE_OFFICIAL_SDK") == "1"
ANSWER_TIMEOUT = 60.0

#: Methods the official SDK cannot call as the usage documents write them: (its exception, why), and the
#: call as incumbent-sdk-facts.md says it takes it.
AS_WRITTEN_FAILS: dict[str, tuple[str, str]] = {
    "add_render_env": ("TypeError", "B.5: its keyword is data, not render_env"),
    "update_render_env": ("TypeError", "B.5: its keyword is data, not render_env"),
    "get_render_env": ("ValueError", "B.5 #46: it sends cgId as a str, which its own validator refuses"),
    "delete_task_tag": ("TypeError", "B.4 #40: taskIds and labelNames are required positional arguments"),
}


def _env_as_data(kwargs: dict[str, Any]) -> dict[str, Any]:
    env = dict(kwargs["render_env"])
    return {"data": {**env, "renderSystem": int(env["renderSystem"])}}  # B.5: renderSystem must be an int


ADAPTED: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "add_render_env": _env_as_data,
    "update_render_env": _env_as_data,
    "get_render_env": lambda kwargs: {"cg_names": [kwargs["name"]]},  # cgIds: a list of str passes
    "delete_task_tag": lambda kwargs: {"taskIds": [], "labelNames": [], "tag_ids": kwargs["tag_ids"]},
}


@pytest.fixture(scope="session")
def official_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python of a throwaway venv with the official SDK, made once per session (skip if impossible)."""
    venv = tmp_path_factory.mktemp("official-sdk") / "venv"
    python = venv / "bin" / "python"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", OFFICIAL],
                       check=True, capture_output=True, timeout=600)  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        detail = (getattr(exc, "stderr", None) or b"").decode(errors="replace").strip().splitlines()[-1:]
        reason = f"{OFFICIAL} could not be installed from the package registry ({type(exc).__name__}"
        reason += f": {detail[0]})" if detail else ")"
        if REQUIRED:
            pytest.fail(reason + "; RAYVISION_REQUIRE_OFFICIAL_SDK=1 requires it")
        pytest.skip(reason)
    return python


class Driver:
    """The official SDK in its process: one JSON line out, one JSON line back."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        await self.process.stdin.drain()
        line = await asyncio.wait_for(self.process.stdout.readline(), ANSWER_TIMEOUT)
        if not line:
            stderr = await self.process.stderr.read() if self.process.stderr is not None else b""
            raise AssertionError(f"the official SDK's driver ended: {stderr.decode(errors='replace')[-2000:]}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()  # its own pid, never by name
            await self.process.wait()


def _own_replay(record: Any, requests: list[Any]) -> bool:
    """A 603 for a nonce the official SDK had used in an accepted request: it draws six random digits,
    so about one run in two hundred repeats one within the window, and it then signs again and resends."""
    nonce = record.headers.get("nonce")
    return record.code == 603 and any(other.code == 200 and other.headers.get("nonce") == nonce
                                       for other in requests[:requests.index(record)])


async def test_every_request_example_runs_with_the_official_sdk(official_python: Path, tmp_path: Path) -> None:
    sim = staged_simulator()
    stage = Stage(sim)
    failed_as_written: dict[str, set[str]] = {}
    differences: dict[tuple[str, str], list[str]] = {}
    ran = exact = 0
    async with serve(sim) as base_url:
        process = await asyncio.create_subprocess_exec(
            str(official_python), str(DRIVER), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        driver = Driver(process)
        try:
            ready = await driver.ask({"base_url": base_url, "access_id": sim.access_id, "access_key": sim.access_key,
                                      "platform": "2", "log_folder": str(tmp_path)})
            assert ready == {"ready": True}
            assert {request.name for request in sim.requests} == {"query_user_profile", "query_user_setting",
                                                                  "get_transfer_bid"}  # its log-in at construction
            for request in REQUESTS:
                kwargs = stage.prepare(request)
                method = request["call"].split(".")[1]
                before = len(sim.requests)
                answer = await driver.ask({"call": request["call"], "kwargs": kwargs})
                if "error" in answer:
                    failed_as_written.setdefault(method, set()).add(answer["error"])
                    assert len(sim.requests) == before, f"{method} failed after sending: {answer}"
                    assert method in ADAPTED, (request["doc"], request["line"], answer)
                    answer = await driver.ask({"call": request["call"], "kwargs": ADAPTED[method](kwargs)})
                assert answer == {"ok": True}, (request["doc"], request["line"], answer)
                ran += 1
                everything = list(sim.requests)
                sent = [record for record in everything[before:] if not _own_replay(record, everything)]
                assert sent, f"{request['call']} sent nothing"
                assert {record.code for record in sent} == {200}, [(record.path, record.code) for record in sent]
                data = sent[0].reply.json()["data"] if sent[0].reply is not None else None
                found = compared(request, data)
                exact += documented_reply(request)[0] and not found
                for difference in found:
                    differences.setdefault((request["call"], difference), []).append(
                        f"{request['doc']}:L{request['line']}")
        finally:
            await driver.close()
    assert sim.internal_errors == []
    assert ran == 75
    assert {method: {kind} for method, (kind, _why) in AS_WRITTEN_FAILS.items()} == failed_as_written
    assert {key: places for key, places in differences.items() if key not in EXPECTED_DIFFERENCES} == {}
    assert set(EXPECTED_DIFFERENCES) - set(differences) == set(), "exceptions no reply needs any more"
    assert exact == 60  # of the 74 examples with a reply; the other 14 differ only as the table says
