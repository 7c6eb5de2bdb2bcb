"""Drives the official SDK (``rayvision-api`` 3.0.4.3) call by call; run only with the throwaway venv's Python.

It imports nothing of this project. It reads JSON lines on stdin and answers one JSON line per
line on stdout:

* first ``{"base_url", "access_id", "access_key", "platform", "log_folder"}``: it builds
  ``RayvisionAPI`` as the usage documents' preamble does, the domain being the server's
  ``host:port`` and the protocol ``http`` (construction logs in: three calls), and answers
  ``{"ready": true}``, or ``{"error": ...}``;
* then ``{"call": "task.stop_task", "kwargs": {...}}``: it makes that call and answers
  ``{"ok": true}`` or ``{"error": "<exception class>", "message": "..."}``.

The official SDK retries every failure five times, 1 to 2 s apart (incumbent-sdk-facts.md §D);
the driver keeps the five attempts but drops the waits between them, so a call that fails takes
no ten seconds. Its log goes to ``log_folder`` (the official SDK logs at DEBUG: secrets included).
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any
from urllib.parse import urlsplit

import tenacity
from rayvision_api import RayvisionAPI
from rayvision_api.connect import Connect


def _answer(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _failure(exc: BaseException) -> dict[str, Any]:
    return {"error": type(exc).__name__, "message": str(exc)[:300]}


def main() -> int:
    Connect.post.retry.wait = tenacity.wait_none()  # the same five attempts, without the 1-2 s between them
    settings = json.loads(sys.stdin.readline())
    logger = logging.getLogger("official-sdk")
    logger.addHandler(logging.FileHandler(f"{settings['log_folder']}/official-sdk.log"))
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    where = urlsplit(settings["base_url"])
    try:
        api = RayvisionAPI(access_id=settings["access_id"], access_key=settings["access_key"], domain=where.netloc,
                           platform=settings["platform"], protocol=where.scheme, logger=logger, timeout=30)
    except Exception as exc:  # reported to the test, which fails with it
        _answer(_failure(exc))
        return 1
    _answer({"ready": True})
    for line in sys.stdin:
        command = json.loads(line)
        group, method = command["call"].split(".")
        try:
            getattr(getattr(api, group), method)(**command["kwargs"])
        except Exception as exc:  # every failure of the SDK is an answer here
            _answer(_failure(exc))
        else:
            _answer({"ok": True})
    return 0


if __name__ == "__main__":
    sys.exit(main())
