"""The README's wrangler's day, command by command, as written, against ``rayvision-async simulate``.

The block under "A wrangler's day, at the terminal" in README.md's "The command line" is read as it is:
every ``$ rayvision-async ...`` line runs in order (its ``# comment`` dropped; a pipe through bash) in a
folder holding the analyzer's output folders it names (``work/shot_010``…), against the server the
paragraph after it starts, with the variables that server prints. ``configure`` and ``export
RAYVISION_PROFILE`` stand for those variables (a profile holding the same settings), so they are not
run. Each command must exit 0 (``watch`` and ``render``: 0 or 5, some frames failed, as the comments
say), and the one-line results the block shows must be what the commands print (the destination's
absolute path aside).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from cli_harness import Cli, Server
from test_cli_transfers import scene

ROOT = Path(__file__).resolve().parents[2]


def day() -> list[tuple[str, list[str]]]:
    """The block's commands, each with the output lines the README shows under it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("A wrangler's day, at the terminal:", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    commands: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append((re.sub(r"\s+#.*$", "", line[2:]).strip(), []))
        else:
            commands[-1][1].append(line)
    return commands


def server_command() -> list[str]:
    """The ``simulate`` command the README's paragraph after the day gives."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"run\s+`(rayvision-async simulate [^`]+)`\s+in one shell", text)
    assert match, "the README says how to start the server for the day"
    return shlex.split(match.group(1))[1:]


def test_the_readme_day_runs_as_written_against_simulate(cli: Cli, start_simulator: Callable[..., Server],
                                                         tmp_path: Path) -> None:
    args = server_command()
    assert args[:3] == ["simulate", "--port", "8765"]
    server = start_simulator(*args[3:])  # on a free port instead of 8765
    env = {**cli.env, **server.env, "RAYVISION_BASE_URL": server.base_url}
    commands = day()
    assert [command.split()[1] for command, _ in commands if command.startswith("rayvision-async")] == [
        "configure", "submit", "submit", "watch", "frames", "log", "restart", "tasks", "outputs", "render"]
    for folder in sorted(set(re.findall(r"work/shot_\d+", " ".join(command for command, _ in commands)))):
        scene(tmp_path / folder, folder.rsplit("/", 1)[1], base=tmp_path)  # upload.json: paths relative to here
    cli_function = f"rayvision-async() {{ {shlex.join([sys.executable, '-m', 'rayvision_async.cli'])} \"$@\"; }}"
    for command, shown in commands:
        if command.startswith(("rayvision-async configure", "export RAYVISION_PROFILE=")):
            continue
        done = subprocess.run(["bash", "-c", f"{cli_function}\nset -o pipefail\n{command}"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=180, check=False)
        verb = command.split()[1]
        assert done.returncode in ((0, 5) if verb in ("watch", "render") else (0,)), (command, done.stderr)
        assert "Traceback" not in done.stderr
        plain = [line for line in shown if line and not line.lstrip().startswith(("┏", "┃", "┡", "│", "└"))
                 and "watching" not in line]
        for expected in plain:
            printed = done.stdout.splitlines()
            assert expected.split(" into ")[0] in [line.split(" into ")[0] for line in printed], (command, printed)
