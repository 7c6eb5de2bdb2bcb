"""Times the official synchronous SDK (``rayvision-api``) doing one ``task_info`` call per task.

Run only by ``official_sdk.py``, with the Python of the throwaway venv that has ``rayvision-api``
installed (never the project's venv): it imports nothing of this project.

    python official_driver.py --base-url http://127.0.0.1:PORT --count 1000 --log-folder DIR

It builds ``RayvisionAPI`` as its documentation shows (the domain is the server's ``host:port``,
protocol ``http``; construction logs in with three calls), warms up with ten calls, then times
``api.query.task_info([task_id])`` for ids 1..count, one after the other, checking every answer.
Prints one JSON line: ``{"sent": n, "seconds": s, "version": v}``.
"""

from __future__ import annotations

import argparse
import json
import time
from importlib.metadata import version
from urllib.parse import urlsplit

from rayvision_api import RayvisionAPI

ACCESS_ID = "bench-access-id"
ACCESS_KEY = "bench-access-key"
RUN_TIMEOUT = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--log-folder", required=True)
    args = parser.parse_args()
    where = urlsplit(args.base_url)
    api = RayvisionAPI(access_id=ACCESS_ID, access_key=ACCESS_KEY, domain=where.netloc, platform="4",
                       protocol=where.scheme, log_folder=args.log_folder, timeout=30)
    for task_id in range(1, 11):
        api.query.task_info([task_id])
    sent = 0
    started = time.perf_counter()
    for task_id in range(1, args.count + 1):
        data = api.query.task_info([task_id])
        if data["items"][0]["id"] != task_id:
            raise RuntimeError(f"asked for task {task_id}, got {data['items'][0]['id']}")
        sent += 1
        if time.perf_counter() - started > RUN_TIMEOUT:
            break
    seconds = time.perf_counter() - started
    print(json.dumps({"sent": sent, "seconds": seconds, "version": version("rayvision-api")}), flush=True)


if __name__ == "__main__":
    main()
