"""The simulated farm's file storage: a folder on disk, laid out as the transfer engine sees the server.

``Farm(storage=folder)`` gives a farm one. Storage id ``S`` (one of the account's bids) of user
``U`` is the folder ``<root>/S-U``; the stand-in engine (:mod:`..transmitter`) reads and writes
there. What changes in a farm that has storage:

* each completed main or priority frame writes its image, ``<output bid>-<user>/<task id>_<scene>/
  <task id>_<scene>.<frame>.png`` (a few KiB of bytes determined by task, frame and attempt), and
  ``transmit.get_output_files`` lists those files with their sizes on disk;
* a submit is refused (code 100) while any file listed in the task's upload.json (uploaded as
  taskJsonFile, or sent by the engine to ``/<task id>/cfg/upload.json``) is missing from the
  input storage at its ``server`` path. A task without upload.json, or whose upload.json lists no
  asset, is not checked, so submitting without uploading still works where nothing was listed.

A farm without storage behaves as before (outputs are listed, never written; nothing is checked).
``_farm.json`` in the root tells the engine the host, ports and storage/user pairs the farm hands
out (from the account and the transfer config), so a wrong combination is refused as a server would.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..._arguments import checked_binding
from ...errors import ConfigurationError, InvalidInputError
from .. import _arguments as check
from ..transmitter import queue_fault, write_launcher
from ..transmitter._program import FARM_FILE, server_file
from ._account import Account
from ._model import SimFrame, SimTask

__all__ = ["TRANSFER_HOST", "TRANSFER_PORTS", "FarmStorage", "output_folder"]

#: The transfer server the simulated transfer config lists (its lines), per engine.
TRANSFER_HOST = "127.0.0.1"
TRANSFER_PORTS = {"aspera": "10221", "raysync": "10200"}
_PNG = b"\x89PNG\r\n\x1a\n"


def output_folder(task: SimTask) -> str:
    """A top-level task's output folder name (its ``outputFileName``): ``<id>_<scene stem>``."""
    return f"{task.id}_{posixpath.splitext(task.scene_name)[0] or 'scene'}"


def frame_image(task: SimTask, frame: SimFrame) -> bytes:
    """The bytes the simulated render writes for ``frame`` of top-level ``task`` (2–3 KiB, deterministic)."""
    seed = hashlib.sha256(f"{task.id}/{frame.index}/{frame.attempts}".encode()).digest()
    size = 2048 + frame.id % 1024
    return (_PNG + seed * (size // len(seed) + 1))[:size]


class FarmStorage:
    """A farm's storage folder (see the module docstring)."""

    @checked_binding(ConfigurationError)
    def __init__(self, root: str | os.PathLike[str], account: Account) -> None:
        with check.configuration():
            folder = check.folder(root, "storage")
            check.instance(account, "account", Account)
        try:
            self.root = Path(folder).resolve()
            self.root.mkdir(parents=True, exist_ok=True)
        except (OSError, RuntimeError) as exc:  # not a folder, no permission, a name too long, a symlink loop
            raise ConfigurationError(f"the farm's storage {folder[:200]!r} cannot be made: "
                                     f"{getattr(exc, 'strerror', None) or exc}") from None
        self.account = account
        bids = account.transfer_bid()
        self.config_bid = str(bids["config_bid"])
        self.input_bid = str(bids["input_bid"])
        self.output_bid = str(bids["output_bid"])
        self.user_id = str(account.user_id)
        pairs = [f"{bid}-{self.user_id}" for bid in (self.config_bid, self.input_bid, self.output_bid,
                                                      bids["parent_input_bid"])]
        pairs += [f"{bid}-{user}" for user, bid in account.sub_users.items()]
        try:
            (self.root / FARM_FILE).write_text(json.dumps({"host": TRANSFER_HOST, "ports": TRANSFER_PORTS,
                                                           "storages": sorted(set(pairs))}), encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(f"the farm's storage {str(self.root)[:200]!r} cannot be written: "
                                     f"{exc.strerror or exc}") from None

    def __repr__(self) -> str:
        return f"FarmStorage({str(self.root)!r})"

    @checked_binding()
    def launcher(self) -> Path:
        """The stand-in engine's launcher for this storage (written on first call): ``$RAYVISION_TRANSMITTER``."""
        return write_launcher(self.root)

    @checked_binding()
    def queue_fault(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` engine runs fail with ``kind`` (``exit1``, ``fatal``, ``hang``, ``partial``)."""
        queue_fault(self.root, kind, count)

    # -- places ------------------------------------------------------------------------------------

    @checked_binding()
    def input_file(self, server: str) -> Path:
        """Where an asset uploaded to ``server`` lies."""
        return self._place(self.input_bid, _remote(server, "server"))

    @checked_binding()
    def config_file(self, task_id: int, name: str) -> Path:
        """Where the engine puts a task's configuration file ``name``."""
        check.count(task_id, "task_id", 1)
        return self._place(self.config_bid, f"/{task_id}/cfg/{_remote(name, 'name')}")

    @checked_binding()
    def output_file(self, folder: str, name: str) -> Path:
        """Where a render output ``name`` of ``folder`` lies."""
        return self._place(self.output_bid, f"/{_remote(folder, 'folder')}/{_remote(name, 'name')}")

    def _place(self, bid: str, remote: str) -> Path:
        try:
            return server_file(self.root, bid, self.user_id, remote)
        except Exception as exc:  # the program's refusal of a path leaving the storage
            raise InvalidInputError(str(exc)) from None

    # -- the farm's hooks --------------------------------------------------------------------------

    def missing_assets(self, task: SimTask) -> list[str]:
        """The ``server`` paths of the task's upload.json assets that are not in the input storage."""
        document: Any = task.files.get("upload.json")
        if document is None:
            try:
                document = json.loads(self.config_file(task.id, "upload.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return []
        assets = document.get("asset") if isinstance(document, Mapping) else None
        if not isinstance(assets, list):
            return []
        servers = [item.get("server") for item in assets if isinstance(item, Mapping)]
        return [server for server in servers if isinstance(server, str) and not self._uploaded(server)]

    def _uploaded(self, server: str) -> bool:
        """Whether an asset is at ``server`` (a path the engine would refuse, such as ``../x``, never is)."""
        try:
            return self._place(self.input_bid, server).is_file()
        except (InvalidInputError, OSError, ValueError):
            return False

    def write_frame(self, task: SimTask, frame: SimFrame) -> Path:
        """Write ``frame``'s image for top-level ``task``; its path."""
        folder = output_folder(task)
        path = self.output_file(folder, f"{folder}.{frame.index}.png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(frame_image(task, frame))
        return path

    @checked_binding()
    def output_size(self, folder: str, name: str) -> int | None:
        """The size of a written output, or None if it is not there."""
        try:
            return self.output_file(folder, name).stat().st_size
        except OSError:
            return None


def _remote(value: object, name: str) -> str:
    """A remote path or name: non-empty text (at most 4096 characters, valid Unicode) without NUL."""
    text = check.text(value, name, nonempty=True)
    if "\0" in text:
        raise InvalidInputError(f"{name} has a NUL character")
    return text
