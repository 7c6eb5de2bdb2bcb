"""The real ``rayvision_transmitter``, run only with --help, --version and bad options (never a transfer).

``$RAYVISION_REAL_TRANSMITTER`` names the engine binary (``.ci/run`` takes it from the
``rayvision-sync`` wheel, fetched without its dependencies). Without it these tests skip with that
reason; with ``RAYVISION_REQUIRE_REAL_TRANSMITTER=1`` they fail instead. The binary is copied into
a temporary folder first, so nothing it writes lands beside the original; its log folder is the
SDK's (``RAYVISION_LOG``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from pathlib import Path

import pytest

from helpers.processes import linux_only
from rayvision_async.transfer import Transfer, TransferError
from rayvision_async.transfer._command import OPTIONS_USED, Route, Storage, engine_args
from rayvision_async.transfer._service import ServiceCalls

FACTS = json.loads((Path(__file__).resolve().parents[1] / "data" / "transfer_facts.json").read_text(encoding="utf-8"))
_OPTION = re.compile(r"-(\w) \[ --([\w-]+) \]")

pytestmark = [linux_only, pytest.mark.usefixtures("no_child_left")]


async def _no_request(*_args: object) -> object:
    raise AssertionError("the real-engine tests send no request")


def _transfer(engine: Path, tmp_path: Path) -> Transfer:
    calls = ServiceCalls(profile=_no_request, bids=_no_request, transfer_config=_no_request,  # type: ignore[arg-type]
                         task=_no_request, outputs=_no_request)  # type: ignore[arg-type]
    return Transfer(calls, transmitter=engine, engine="raysync", timeout=30, log_dir=tmp_path / "logs")


@pytest.fixture(scope="module")
def real_engine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("RAYVISION_REAL_TRANSMITTER", "")
    if not given or not Path(given).is_file():
        reason = (f"RAYVISION_REAL_TRANSMITTER={given!r} is not the rayvision_transmitter binary (.ci/run fetches it "
                  "from the rayvision-sync wheel)")
        if os.environ.get("RAYVISION_REQUIRE_REAL_TRANSMITTER") == "1":
            pytest.fail(f"RAYVISION_REQUIRE_REAL_TRANSMITTER=1 but {reason}")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("real-engine")
    copy = folder / "rayvision_transmitter"
    shutil.copyfile(given, copy)
    copy.chmod(stat.S_IRWXU)
    return copy


async def test_its_help_lists_every_option_the_sdk_passes(real_engine: Path, tmp_path: Path) -> None:
    text = await _transfer(real_engine, tmp_path).engine_help()
    listed = dict((f"--{long}", f"-{short}") for short, long in _OPTION.findall(text))
    assert set(OPTIONS_USED) <= set(listed)
    assert listed == {option["long"]: option["short"] for option in FACTS["engine"]["options"]}
    assert "RAYVISION_LOG" in text


async def test_its_version_is_read(real_engine: Path, tmp_path: Path) -> None:
    assert await _transfer(real_engine, tmp_path).version() == FACTS["engine"]["version"] == "1.1.5"


async def test_a_bad_option_is_the_documented_fatal_exit_code_with_its_message(real_engine: Path,
                                                                             tmp_path: Path) -> None:
    transfer = _transfer(real_engine, tmp_path)
    with pytest.raises(TransferError) as caught:
        await transfer._engine_runner().run(["--bogus"], label="bad option")  # the runner a transfer uses
    assert caught.value.exit_code == 255
    assert caught.value.attempts == 1  # fatal: not retried
    assert "unrecognised option '--bogus'" in caught.value.lines
    assert transfer.engine_starts == 1
    assert transfer.running == frozenset()


async def test_the_sdks_argument_syntax_is_what_its_parser_reads(real_engine: Path, tmp_path: Path) -> None:
    """Every ``--name=value`` the SDK builds parses; a bad speed limit (and no --engine) stops it before any work."""
    args = engine_args(Route(engine="aspera", host="127.0.0.1", port="9"), Storage(storage_id="1", user_id="2"),
                       "upload_path", str(tmp_path / "nothing"), "/1/cfg/task.json", keep=False)
    probe = [arg for arg in args if not arg.startswith(("--engine=", "--speed-limit="))] + ["--speed-limit=abc"]
    assert len(probe) == len(OPTIONS_USED) - 1  # all but --engine, which the parser requires only afterwards
    result = await _transfer(real_engine, tmp_path).probe(*probe)
    assert result.exit_code == 255
    assert "the argument ('abc') for option '--speed-limit' is invalid" in result.lines


async def test_the_measured_exit_codes_hold(real_engine: Path, tmp_path: Path) -> None:
    transfer = _transfer(real_engine, tmp_path)
    for measured in FACTS["engine"]["measured"]:
        result = await transfer.probe(*measured["args"])
        assert result.exit_code == measured["exit_code"], measured
        if measured["stderr"]:
            assert measured["stderr"] in result.lines, result.lines
    assert sorted(path.name for path in real_engine.parent.iterdir()) == ["rayvision_transmitter"]
