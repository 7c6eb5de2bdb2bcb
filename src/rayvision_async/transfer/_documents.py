"""Checking what a transfer is given, before any engine starts: upload.json, config files, task ids, folders.

* :func:`plan_upload`: upload.json (a dict or a UTF-8 JSON file) must be a JSON object whose
  ``asset`` is a list of ``{"local": ..., "server": ...}`` objects (other keys are kept and
  ignored, as analyzers write them); every ``local`` must be a regular file this process can
  open for reading; two entries may not send different files to one ``server`` path. The
  checked document is what the engine is given (written by the SDK into the run's folder), so
  the engine reads exactly what was checked. A relative ``local`` is relative to the current
  folder, where it was checked; the engine, which runs in a folder of its own, is given it
  made absolute.
* :func:`config_files`: the configuration files of a task (``task.json``, ``tips.json``,
  ``asset.json``, ``upload.json``…), each a readable file, unique by name, put in the order the
  official package uploads them (those four first, others after in the order given).
* :func:`writable_folder`: a download destination, created if missing, proven writable by
  creating and removing a file in it.

Each problem is an :class:`~rayvision_async.errors.InvalidInputError` listing what is wrong.
"""

from __future__ import annotations

import os
import tempfile
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from .._arguments import checked_binding
from ..api import _kinds as kinds
from ..errors import InvalidInputError
from ..flows._analysis import file_path, read_document
from ..models._checks import install as install_checks

__all__ = ["CONFIG_ORDER", "Asset", "UploadPlan", "check_task_id", "checked_plan", "config_files", "plan_upload",
           "writable_folder"]

#: The order in which the official package uploads a task's configuration files.
CONFIG_ORDER = ("task.json", "tips.json", "asset.json", "upload.json")
_SHOWN = 5
#: The most configuration files one call uploads (one engine run each).
_MAX_CONFIG_FILES = 1000


@attrs.frozen
class Asset:
    """One file of upload.json: its local path, its path on the server and its size now."""

    local: str
    server: str
    size: int


@attrs.frozen
class UploadPlan:
    """A checked upload.json: the document the engine will read and the assets it lists."""

    #: The upload.json document as the engine will read it.
    document: dict[str, Any]
    #: Every asset it lists, each checked to exist and be readable, with its size.
    assets: tuple[Asset, ...]

    @property
    def total_bytes(self) -> int:
        """The assets' combined size."""
        return sum(asset.size for asset in self.assets)


for _record in (Asset, UploadPlan):
    install_checks(_record)  # built by hand, they refuse wrong types too (models/_checks.py)

#: The plans :func:`plan_upload` made, by id (a plan built by hand or evolved is checked again).
_CHECKED: weakref.WeakValueDictionary[int, UploadPlan] = weakref.WeakValueDictionary()


def _listing(problems: list[str]) -> str:
    shown = "; ".join(problems[:_SHOWN])
    return shown + (f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else "")


def _readable_size(path: str) -> int | str:
    """The size of a regular file this process can read, or why it cannot be uploaded."""
    try:
        with open(path, "rb") as handle:
            status = os.fstat(handle.fileno())
    except FileNotFoundError:
        return "does not exist"
    except IsADirectoryError:
        return "is a folder, not a file"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not Path(path).is_file():
        return "is not a regular file"
    return status.st_size


@checked_binding()
def plan_upload(source: Mapping[str, Any] | str | os.PathLike[str]) -> UploadPlan:
    """Check an upload.json (dict or file path) and every file it lists; InvalidInputError names each problem."""
    document = read_document(source, "upload.json")
    assets = document.get("asset")
    if not isinstance(assets, list):
        raise InvalidInputError('upload.json must have an "asset" list of {"local": ..., "server": ...} objects')
    problems: list[str] = []
    planned: list[Asset] = []
    servers: dict[str, str] = {}
    made_absolute: dict[int, str] = {}
    for index, entry in enumerate(assets):
        local = entry.get("local") if isinstance(entry, dict) else None
        server = entry.get("server") if isinstance(entry, dict) else None
        if not isinstance(local, str) or not local.strip() or not isinstance(server, str) or not server.strip():
            problems.append(f'asset[{index}] is not {{"local": "<file>", "server": "<path>"}}')
            continue
        if "\0" in local or "\0" in server:
            problems.append(f"asset[{index}] has a NUL character in a path")
            continue
        if servers.setdefault(server, local) != local:
            problems.append(f"asset[{index}] sends {local!r} to {server!r}, where {servers[server]!r} goes too")
            continue
        size = _readable_size(local)
        if isinstance(size, str):
            problems.append(f"{local!r} {size}")
            continue
        if not os.path.isabs(local):
            local = made_absolute[index] = os.path.abspath(local)
        planned.append(Asset(local=local, server=server, size=size))
    if problems:
        raise InvalidInputError(f"upload.json cannot be uploaded ({len(problems)} problem(s)): {_listing(problems)}")
    if made_absolute:
        document = {**document, "asset": [{**entry, "local": made_absolute[index]} if index in made_absolute else entry
                                          for index, entry in enumerate(assets)]}
    plan = UploadPlan(document=document, assets=tuple(planned))
    _CHECKED[id(plan)] = plan
    return plan


def checked_plan(plan: object) -> UploadPlan:
    """``plan`` if :func:`plan_upload` made it; a plan built by hand is checked now from its document.

    A hand-built plan's ``assets`` may not match its ``document`` (the engine reads the document):
    the checked plan of its document is what is sent.
    """
    if not isinstance(plan, UploadPlan):
        raise InvalidInputError(f"plan must be an UploadPlan (from plan_upload), not {type(plan).__name__}")
    if _CHECKED.get(id(plan)) is plan:
        return plan
    return plan_upload(plan.document)


def config_files(files: Iterable[str | os.PathLike[str]]) -> tuple[Path, ...]:
    """The files, checked (readable, unique names) and in the official upload order."""
    if isinstance(files, str | os.PathLike):
        files = [files]
    problems: list[str] = []
    checked: dict[str, Path] = {}
    for index, item in enumerate(kinds.read_items(files, "files")):
        if index == _MAX_CONFIG_FILES:
            raise InvalidInputError(f"at most {_MAX_CONFIG_FILES} configuration files can be uploaded at once")
        if not isinstance(item, str | os.PathLike):
            problems.append(f"a {type(item).__name__} is not a file path")
            continue
        text = file_path(item, f"files[{index}]")
        if "\0" in text:
            problems.append(f"files[{index}] has a NUL character")
            continue
        path = Path(text)
        size = _readable_size(str(path))
        if isinstance(size, str):
            problems.append(f"{text!r} {size}")
        elif path.name in checked:
            problems.append(f"two files are named {path.name!r} ({checked[path.name]} and {path})")
        else:
            checked[path.name] = path.resolve()
    if problems:
        raise InvalidInputError(f"the configuration files cannot be uploaded: {_listing(problems)}")
    if not checked:
        raise InvalidInputError("no configuration file was given (task.json, tips.json, asset.json, upload.json)")
    known = [checked[name] for name in CONFIG_ORDER if name in checked]
    return (*known, *(path for name, path in checked.items() if name not in CONFIG_ORDER))


def writable_folder(dest: str | os.PathLike[str]) -> Path:
    """``dest`` as an absolute folder, created if missing, that this process can write into."""
    if not isinstance(dest, str | os.PathLike):
        raise InvalidInputError(f"the destination must be a folder path, not a {type(dest).__name__}")
    text = file_path(dest, "the destination")
    if "\0" in text:
        raise InvalidInputError("the destination has a NUL character")
    folder = Path(text)
    try:
        folder = folder.expanduser().resolve()
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, probe = tempfile.mkstemp(dir=folder, prefix=".rayvision-write-check-")
        os.close(descriptor)
        os.unlink(probe)
    except FileExistsError:
        raise InvalidInputError(f"the destination {str(folder)!r} is not a folder") from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop, or no home folder for "~"
        raise InvalidInputError(f"the destination {str(folder)[:200]!r} cannot be written: "
                                f"{getattr(exc, 'strerror', None) or exc}") from None
    return folder


def check_task_id(task_id: object) -> int:
    """A task id: a positive int (never a bool), below 2**63."""
    if isinstance(task_id, bool) or not isinstance(task_id, int) or not 0 < task_id < 2**63:
        shown = task_id if isinstance(task_id, int) and abs(task_id) < 10**30 else f"a {type(task_id).__name__}"
        raise InvalidInputError(f"task_id must be a positive int below 2**63, not {shown}")
    return task_id
