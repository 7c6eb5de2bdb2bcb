"""The stand-in engine: ``rayvision_transmitter``'s command line and exit codes over the simulated farm's storage.

Standard library only, and no import of ``rayvision_async``: the launcher runs this file directly
(``python _program.py``), so a run starts in tens of milliseconds instead of importing the SDK.

The contract (as the real engine's ``--help`` documents it): ``-E/--engine aspera|raysync``,
``-H/--host``, ``-P/--port``, ``-S/--storage`` (a bid), ``-U/--uid``, ``-T/--type``
(``upload_path``, ``upload_json``, ``download_path``; the two ``*_list`` types are refused),
``-L/--local``, ``-R/--remote`` (default ``/``), ``-r/--retry``, ``-K/--keep``,
``-s/--speed-limit``, ``-C/--config``, ``-p/--protocol``, ``-c/--count-ranges``; ``-h/--help`` and
``-v/--version`` print and exit 1, as the real one does; a bad option or value is one stderr line,
``'--help' gives usage information.`` on stdout, and exit code 255 (its -1). Exit codes: 0
success, 1 "should retry", 255 fatal.

Storage (``--farm-storage PATH`` or ``$RAYVISION_SIM_STORAGE``; the launcher sets it): the
remote path ``/x/y`` of storage id ``S`` and user ``U`` is ``<storage>/S-U/x/y``. ``_farm.json``
there lists the storage/user pairs, host and ports the farm hands out; anything else is refused
(exit 255), as a real server would refuse it. Files are written under a temporary name and
renamed when complete; a file already at the destination with the same size is not sent again.
Every line it prints also goes to ``rayvision_transmitter.log`` in ``$RAYVISION_LOG``.

Faults (:data:`FAULT_KINDS`): one-shot faults queued in ``<storage>/_faults/`` (:func:`queue_fault`;
each run claims the oldest one atomically), or a rate per kind in
``$RAYVISION_SIM_TRANSMITTER_FAULTS`` (``exit1=0.2,fatal=0.05``):

* ``exit1`` — exit 1 before sending anything;
* ``fatal`` — exit 255 before sending anything;
* ``hang`` — start a helper process in the same group, print its pid, then never finish;
* ``partial`` — send files, leave the last one half-written at its destination, exit 1.

``$RAYVISION_SIM_TRANSMITTER_DELAY`` (seconds) waits that long before each file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NoReturn

__all__ = ["EXIT_FATAL", "EXIT_OK", "EXIT_RETRY", "FARM_FILE", "FAULTS_DIR", "FAULT_KINDS", "STORAGE_ENV",
           "VERSION_LINE", "claim_fault", "main", "queue_fault", "server_file", "user_root"]

VERSION_LINE = "current version: 1.1.5 (rayvision-async stand-in)"
STORAGE_ENV = "RAYVISION_SIM_STORAGE"
FAULTS_ENV = "RAYVISION_SIM_TRANSMITTER_FAULTS"
DELAY_ENV = "RAYVISION_SIM_TRANSMITTER_DELAY"
FARM_FILE = "_farm.json"
FAULTS_DIR = "_faults"
FAULT_KINDS = ("exit1", "fatal", "hang", "partial")
EXIT_OK, EXIT_RETRY, EXIT_FATAL = 0, 1, 255

_HELP = """Options (the simulator's stand-in for rayvision_transmitter):
  -h [ --help ]                show this text; exit code 1. Exit codes: 0 success, -1 fatal, 1 should retry.
  -v [ --version ]             show the version; exit code 1.
  -E [ --engine ] arg          engine: aspera or raysync
  -H [ --host ] arg            transfer server host
  -P [ --port ] arg            transfer server port
  -S [ --storage ] arg         storage id
  -U [ --uid ] arg             user id
  -T [ --type ] arg            upload_json, upload_list, upload_path, download_list or download_path
  -L [ --local ] arg           local file or folder (upload_json: the upload.json file)
  -R [ --remote ] arg (=/)     remote path
  -r [ --retry ] arg (=2)      the engine's own retries
  -K [ --keep ] arg (=0)       true or false: keep the remote folder level when downloading
  -s [ --speed-limit ] arg (=2000)  KB/s
  -C [ --config ] arg          local db config (ignored here)
  -p [ --protocol ] arg (=0)   0, 1 or 2 (raysync)
  -c [ --count-ranges ] arg    with the *_list types (not supported here)
Environment: RAYVISION_LOG (log folder), RAYVISION_SIM_STORAGE (the farm's storage folder)."""


class _Fatal(Exception):
    """A run that must end with exit code 255."""


# -- storage layout (the farm's side imports these) ---------------------------------------------------


def user_root(root: Path, storage_id: str, user_id: str) -> Path:
    """The folder holding storage ``storage_id`` of user ``user_id``."""
    return root / f"{storage_id}-{user_id}"


def server_file(root: Path, storage_id: str, user_id: str, remote: str) -> Path:
    """The local place of a remote path; a path leaving the user's folder is refused."""
    base = user_root(root, storage_id, user_id)
    parts = [part for part in remote.replace("\\", "/").split("/") if part not in ("", ".")]
    if ".." in parts:
        raise _Fatal(f"remote path {remote!r} leaves the storage")
    return base.joinpath(*parts)


def queue_fault(root: Path, kind: str, count: int = 1) -> None:
    """Queue ``count`` one-shot faults of ``kind`` for the next runs (oldest first)."""
    if kind not in FAULT_KINDS:
        raise ValueError(f"fault kind must be one of {FAULT_KINDS}, not {kind!r}")
    folder = root / FAULTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"{time.time_ns():020d}-{index:04d}.{kind}").write_text(kind)


def claim_fault(root: Path) -> str | None:
    """The oldest queued fault, claimed by this run (a rename only one process can win), or None."""
    folder = root / FAULTS_DIR
    try:
        names = sorted(name for name in os.listdir(folder) if name.rsplit(".", 1)[-1] in FAULT_KINDS)
    except FileNotFoundError:
        return None
    for name in names:
        claimed = folder / f"{name}.claimed-{os.getpid()}"
        try:
            os.rename(folder / name, claimed)
        except FileNotFoundError:
            continue  # another run claimed it first
        claimed.unlink(missing_ok=True)
        return name.rsplit(".", 1)[-1]
    return None


def _random_fault(spec: str) -> str | None:
    for item in filter(None, (part.strip() for part in spec.split(","))):
        kind, _, rate = item.partition("=")
        if kind in FAULT_KINDS and random.random() < float(rate or 0):
            return kind
    return None


# -- the command line ---------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _Fatal(message)


def _parser() -> _Parser:
    parser = _Parser(add_help=False, allow_abbrev=False)
    parser.add_argument("-h", "--help", action="store_true")
    parser.add_argument("-v", "--version", action="store_true")
    parser.add_argument("--farm-storage")
    for short, long in (("-E", "--engine"), ("-H", "--host"), ("-P", "--port"), ("-S", "--storage"),
                        ("-U", "--uid"), ("-T", "--type"), ("-L", "--local"), ("-C", "--config")):
        parser.add_argument(short, long)
    parser.add_argument("-R", "--remote", default="/")
    parser.add_argument("-K", "--keep", default="0")
    for short, long, default in (("-r", "--retry", 2), ("-s", "--speed-limit", 2000), ("-p", "--protocol", 0)):
        parser.add_argument(short, long, type=int, default=default)
    parser.add_argument("-c", "--count-ranges", nargs="*")
    return parser


def _say(line: str) -> None:
    """Print a line, and append it to the log file in ``$RAYVISION_LOG`` (as the real engine logs there)."""
    print(line, flush=True)
    folder = os.environ.get("RAYVISION_LOG")
    if folder and os.path.isdir(folder):
        with open(os.path.join(folder, "rayvision_transmitter.log"), "a", encoding="utf-8") as log:
            log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")


def _delay() -> None:
    seconds = float(os.environ.get(DELAY_ENV) or 0)
    if seconds > 0:
        time.sleep(seconds)


def _check_farm(root: Path, args: argparse.Namespace) -> None:
    try:
        farm = json.loads((root / FARM_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise _Fatal(f"no farm storage at {root} ({FARM_FILE} missing)") from None
    if args.host != farm["host"] or str(args.port) != farm["ports"].get(args.engine):
        raise _Fatal(f"cannot reach a {args.engine} server at {args.host}:{args.port}")
    if f"{args.storage}-{args.uid}" not in farm["storages"]:
        raise _Fatal(f"authentication failure: storage {args.storage} of user {args.uid}")


def _copy(source: Path, dest: Path, *, half: bool = False) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    data = source.read_bytes()
    if half:  # a transfer broken off midway: the file stays short at its destination
        dest.write_bytes(data[: len(data) // 2])
        return
    temporary = dest.with_name(f".{dest.name}.part-{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, dest)


def _send(pairs: Sequence[tuple[Path, Path, str]], kind: str, fault: str | None) -> int:
    """Copy each (source, destination, shown path); a missing source fails that file."""
    failed = 0
    for index, (source, dest, shown) in enumerate(pairs):
        _delay()
        _say(f"{kind} file begin ({shown})")
        if not source.is_file():
            _say(f"{kind} file fail ({shown}), error-path is not exist")
            failed += 1
            continue
        if dest.is_file() and dest.stat().st_size == source.stat().st_size and kind == "download":
            _say(f"download file ignore ({shown})")
            continue
        if fault == "partial" and index == len(pairs) - 1:
            _copy(source, dest, half=True)
            _say(f"{kind} file interrupt ({shown}), error-connection lost")
            _say("task failure: has recoverable error, need retry")
            return EXIT_RETRY
        _copy(source, dest)
        _say(f"{kind} file progress ({shown}) speed: 1024 KB/S, progress: 100")
        _say(f"{kind} file done ({shown})")
    if failed:
        _say("task failure: at least one file is failure")
        return EXIT_FATAL
    _say("task success: all files are success")
    return EXIT_OK


def _files_under(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            yield path


def _plan(root: Path, args: argparse.Namespace) -> tuple[list[tuple[Path, Path, str]], str]:
    if not args.local:
        raise _Fatal("the option '--local' is required but missing")
    local = Path(args.local)
    if args.type == "upload_path":
        target = server_file(root, args.storage, args.uid, args.remote)
        if local.is_dir():
            return [(path, target / local.name / path.relative_to(local), str(path))
                    for path in _files_under(local)], "upload"
        if args.remote.endswith("/"):
            target = target / local.name
        return [(local, target, str(local))], "upload"
    if args.type == "upload_json":
        try:
            assets = json.loads(local.read_text(encoding="utf-8-sig"))["asset"]
            pairs = [(Path(item["local"]), server_file(root, args.storage, args.uid, item["server"]), item["local"])
                     for item in assets]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise _Fatal(f"upload json ({local}) failed while into element <asset>: {exc}") from None
        return pairs, "upload"
    if args.type == "download_path":
        source = server_file(root, args.storage, args.uid, args.remote)
        keep = args.keep.strip().lower() in ("true", "1")
        base = local / args.remote.strip("/") if keep and source.is_dir() else local
        if source.is_file():
            return [(source, local / (args.remote.strip("/") if keep else source.name), "")], "download"
        if not source.is_dir():
            raise _Fatal(f"remote path is not exist ({args.remote})")
        pairs = [(path, base / path.relative_to(source), "") for path in _files_under(source)]
        return pairs, "download"
    raise _Fatal(f"transmit type {args.type!r} is not supported by the stand-in engine")


def _hang() -> NoReturn:
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    _say(f"stand-in hang: helper pid {helper.pid}")
    while True:
        time.sleep(3600)


def run(argv: Sequence[str], storage: str | None = None) -> int:
    """One engine run; the exit code."""
    args = _parser().parse_args(list(argv))
    if args.help:
        _say(_HELP)
        return EXIT_RETRY
    if args.version:
        _say(VERSION_LINE)
        return EXIT_RETRY
    for name in ("engine", "host", "port", "storage", "uid", "type"):
        if getattr(args, name) in (None, ""):
            raise _Fatal(f"the option '--{name}' is required but missing")
    if args.engine not in ("aspera", "raysync"):
        raise _Fatal(f"engine {args.engine!r} is not supported")
    root_text = args.farm_storage or storage or os.environ.get(STORAGE_ENV)
    if not root_text:
        raise _Fatal(f"no farm storage: pass --farm-storage or set {STORAGE_ENV}")
    root = Path(root_text)
    _check_farm(root, args)
    fault = claim_fault(root) or _random_fault(os.environ.get(FAULTS_ENV, ""))
    if fault == "exit1":
        _say("task failure: has recoverable error, need retry")
        return EXIT_RETRY
    if fault == "fatal":
        _say("task failure: simulated fatal error")
        return EXIT_FATAL
    if fault == "hang":
        _hang()
    pairs, kind = _plan(root, args)
    shown = [(source, dest, text or str(dest)) for source, dest, text in pairs]
    return _send(shown, kind, fault)


def main(argv: Sequence[str] | None = None, storage: str | None = None) -> int:
    """Run with ``argv`` (default: the command line); parse errors and refusals exit 255 as the real one."""
    try:
        return run(sys.argv[1:] if argv is None else argv, storage)
    except _Fatal as exc:
        print(exc, file=sys.stderr, flush=True)
        _say("'--help' gives usage information.")
        return EXIT_FATAL


if __name__ == "__main__":
    sys.exit(main())
