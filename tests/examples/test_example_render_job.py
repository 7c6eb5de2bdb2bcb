"""examples/render_job.py: analyzer output → upload → submit → watch → download, against the simulator.

The frames on disk must be byte for byte what the simulated render wrote into the farm's storage.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from examples import render_job
from rayvision_async import AsyncRayvisionAPI
from rayvision_async.simulator import Simulator
from rayvision_async.simulator.farm._storage import frame_image, output_folder

ROOT = Path(__file__).resolve().parents[2]


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


async def test_the_job_puts_what_the_render_wrote_on_disk(rayvision_client: AsyncRayvisionAPI,
                                                          rayvision_simulator: Simulator, tmp_path: Path) -> None:
    task_json, upload_json = render_job.write_analysis(tmp_path / "analysis")
    result = await render_job.render(rayvision_client, task_json, upload_json, tmp_path / "out", interval=0.01)

    farm = rayvision_simulator.farm
    storage = farm.storage
    assert storage is not None
    task = farm.tasks[result.task_id]
    folder = output_folder(task)
    rendered = {f"{folder}/{folder}.{frame.index}.png": frame_image(task, frame) for frame in task.frames}
    assert len(rendered) == 6
    assert files_under(tmp_path / "out") == rendered
    assert {name: storage.output_file(folder, name.split("/")[1]).read_bytes() for name in rendered} == rendered
    assert (len(result.downloaded), result.skipped) == (6, ())
    for asset in (tmp_path / "analysis" / "project").rglob("*.*"):  # the scene's files went up first
        server = "/project/" + asset.relative_to(tmp_path / "analysis" / "project").as_posix()
        assert storage.input_file(server).read_bytes() == asset.read_bytes()


def test_the_example_runs_as_a_program(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "render_job.py"), str(tmp_path / "frames")],
                          capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "6 frames downloaded, 0 already there" in done.stdout
    assert "submitted task" in done.stdout
    assert "FINISHED" in done.stdout
    assert len(files_under(tmp_path / "frames")) == 6
