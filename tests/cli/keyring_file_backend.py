"""A keyring backend for the tests: passwords in the JSON file named by ``$RAYVISION_TEST_KEYRING``.

Selected in a subprocess with ``PYTHON_KEYRING_BACKEND=keyring_file_backend.FileKeyring`` (and this folder
on ``PYTHONPATH``), so the command line talks to the real ``keyring`` package and the test can see what it
stored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    """Stores ``service → user → password`` in one JSON file."""

    priority = 1  # type: ignore[assignment]  # only ever chosen by name

    def _path(self) -> Path:
        return Path(os.environ["RAYVISION_TEST_KEYRING"])

    def _read(self) -> dict[str, dict[str, str]]:
        path = self._path()
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        stored = self._read()
        stored.setdefault(service, {})[username] = password
        self._path().write_text(json.dumps(stored), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        stored = self._read()
        stored.get(service, {}).pop(username, None)
        self._path().write_text(json.dumps(stored), encoding="utf-8")
