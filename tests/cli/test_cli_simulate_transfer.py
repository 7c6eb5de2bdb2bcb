"""``rayvision-async simulate`` prints the stand-in transfer engine; a client over HTTP transfers with it."""

from __future__ import annotations

import json
import re
import signal
import subprocess
from pathlib import Path

from cli_harness import Cli, free_port, printed_details, read_until

from rayvision_async import AsyncRayvisionAPI
from rayvision_async.transfer import Transfer


def started(cli: Cli, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    process = cli.start("simulate", "--port", str(free_port()), *args)
    return process, read_until(process, b"Press Ctrl+C to stop.").decode()


def test_simulate_prints_rayvision_transmitter_beside_the_credentials(cli: Cli) -> None:
    process, text = started(cli, "--speed", "0")
    details = printed_details(text.encode(), as_json=False)
    engine = details["transmitter"]
    assert f"RAYVISION_TRANSMITTER={engine} " in text
    assert re.search(r"RAYVISION_API_KEY=\S+ RAYVISION_TRANSMITTER=", text)
    version = subprocess.run([engine, "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert version.returncode == 1
    assert version.stdout.startswith("current version: ")
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    assert not Path(engine).exists()  # the farm's storage goes with the server


def test_simulate_json_has_the_transmitter(cli: Cli) -> None:
    process = cli.start("simulate", "--port", str(free_port()), "--speed", "0", "--json")
    details = json.loads(read_until(process, b"}\n").decode().splitlines()[0])
    assert Path(details["transmitter"]).name == "rayvision-sim-transmitter"


async def test_a_client_over_http_uploads_submits_and_downloads_with_the_printed_engine(
        cli: Cli, tmp_path: Path) -> None:
    _process, text = started(cli, "--speed", "20000", "--tasks", "0")
    details = printed_details(text.encode(), as_json=False)
    scene = tmp_path / "scene.mb"
    scene.write_bytes(b"scene" * 1000)
    upload = {"asset": [{"local": str(scene), "server": "/work/scene.mb"}]}
    async with AsyncRayvisionAPI(details["access_id"], details["access_key"], domain=details["domain"],
                                 base_url=details["base_url"]) as api:
        api.transfer = Transfer(api, transmitter=details["transmitter"])
        assert (await api.transfer.upload_assets(upload)).bytes == 5000
        task_id = await api.submit_task_json({"task_info": {"frames": "1-2[1]"}}, extra_files={"upload.json": upload})
        result = await api.download_outputs(task_id, tmp_path / "out", follow=True, interval=0.05, timeout=60)
    assert len(result.downloaded) == 2
    assert all(path.read_bytes().startswith(b"\x89PNG") for path in result.downloaded)
