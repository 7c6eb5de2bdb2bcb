"""P2's honest baseline: the real official SDK (``rayvision-api==3.0.4.3``) in a throwaway venv.

The venv is created by the benchmark itself, once, under a cache folder
(``$RAYVISION_BENCH_CACHE``, else ``$XDG_CACHE_HOME/rayvision-async-bench``, else
``~/.cache/rayvision-async-bench``), never in the project's venv, and reused by later runs. Then
``official_driver.py`` runs with that venv's Python against the bench server. When the venv cannot
be made or the package cannot be installed (no network, no ``venv`` module), :func:`run` says why
and the table shows "not measured" with the reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["OFFICIAL_PACKAGE", "ensure_python", "run"]

OFFICIAL_PACKAGE = "rayvision-api==3.0.4.3"
HERE = Path(__file__).resolve().parent


def cache_dir() -> Path:
    explicit = os.environ.get("RAYVISION_BENCH_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rayvision-async-bench"


def ensure_python(log: Callable[[str], None] = print) -> tuple[Path | None, str]:
    """The Python of a venv with the official SDK (made on first use), or None and the reason."""
    venv = cache_dir() / ("venv-" + OFFICIAL_PACKAGE.replace("==", "-"))
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if marker.exists() and python.exists():
        return python, "cached"
    log(f"P2: installing {OFFICIAL_PACKAGE} into a throwaway venv at {venv} (once) ...")
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True,
                       timeout=300)
        subprocess.run([str(python), "-m", "pip", "install", "-q", OFFICIAL_PACKAGE], check=True,
                       capture_output=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        last = detail.decode(errors="replace").strip().splitlines()[-1:] if detail else []
        return None, f"could not install {OFFICIAL_PACKAGE} ({type(exc).__name__}{': ' + last[0] if last else ''})"
    marker.write_text(OFFICIAL_PACKAGE + "\n", encoding="utf-8")
    return python, "installed"


def run(base_url: str, *, sample: int, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Time ``sample`` sequential ``task_info([id])`` calls of the official SDK; ``reason`` if it could not."""
    python, how = ensure_python(log)
    if python is None:
        log(f"P2: official SDK not measured: {how}")
        return {"reason": how}
    log(f"P2: the official SDK ({OFFICIAL_PACKAGE}), one task_info([id]) per task, {sample:,} calls ...")
    with tempfile.TemporaryDirectory(prefix="rayvision-bench-logs-") as logs:
        command = [str(python), str(HERE / "official_driver.py"), "--base-url", base_url, "--count", str(sample),
                   "--log-folder", logs]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        except subprocess.TimeoutExpired:
            return {"reason": "the official SDK's run timed out"}
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        log(f"P2: official SDK run failed: {tail}")
        return {"reason": f"its run failed ({tail[:80]})"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"P2: official SDK {result['sent'] / result['seconds']:,.0f} calls/s ({result['sent']:,} in "
        f"{result['seconds']:.2f} s)")
    return result
