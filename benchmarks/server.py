"""A loopback Rayvision stand-in for the benchmarks, meant to run in its own process.

It must cost far less per request than any client it serves, so it is written on a raw
``asyncio.Protocol``: HTTP/1.1 keep-alive, and of each request only the request line,
``Content-Length`` and the body are read. Nothing is verified, except that with
``--verify-every N`` one request in N has its signature checked with the SDK's own
``rayvision_async.wire._signing`` (results in ``/bench/stats``), to prove that every client under
test really signs.

Answers are canned but realistic envelopes built from the ``queryTaskInfo/v2`` example item of
the usage document (``sdk-usage-current-en.txt``), pre-rendered as one ``%``-template:

* ``queryTaskInfo`` (``/api/render/handle/queryTaskInfo/v2`` and the 2018 path): one TaskInfo per
  requested id. Each id's status advances each time it is asked (WAITING → RENDERING →
  RENDERING with more frames done → FINISHED), so ``watch`` sees events and ends.
* ``getTaskList``: a fixed 100-task page (:func:`task_list_page`, also used by P3).
* ``/bench/reset`` forgets the per-id progress; ``/bench/stats`` returns the counters (requests,
  signatures checked and found bad).

``--delay S`` holds every reply for ``S`` seconds before writing it (a timer, so the server stays
free meanwhile): a loopback stand-in for a service ``S`` seconds of round trip away.

Run: ``python benchmarks/server.py --port 0`` prints ``PORT <n>`` once listening. It exits on
SIGTERM or, with ``--watch-stdin``, when its stdin reaches EOF (the parent died); it ignores
SIGINT (the parent stops it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import threading
import time
from typing import Any

__all__ = ["ITEM", "envelope", "task_item", "task_list_page"]

#: The queryTaskInfo/v2 example item of sdk-usage-current-en.txt, verbatim.
ITEM: dict[str, Any] = {
    "sceneName": "test_no_randerman_175.hip", "id": 14400249, "taskAlias": "2W14400249", "taskStatus": 25,
    "statusText": "render_task_status_25", "preTaskStatus": None, "preStatusText": None, "totalFrames": 1,
    "abortFrames": 0, "executingFrames": 0, "doneFrames": 1, "failedFrames": 0,
    "framesRange": "/out/geometry110-200[1]", "projectName": "analysis_multi_project_empty_placeholder",
    "renderConsume": 0.0, "taskArrears": 0.0, "submitDate": 1577765849000, "startTime": 1577765851000,
    "completedDate": 1577766104000, "renderDuration": 13, "userName": "ding625yutao", "producer": "丁玉涛",
    "taskLevel": 81, "taskUserLevel": 0, "taskLimit": 1, "taskOverTime": 43200, "overTimeStop": 86400,
    "userId": 100150764, "outputFileName": "14400249_test_no_randerman_175", "munuTaskId": "2019123100841",
    "munuTaskIds": "2019123100841", "layerParentId": 0, "cgId": 2004, "userAccountConsume": 0.0,
    "couponConsume": 0.039, "qyCouponConsume": None, "isOpen": 0, "taskType": "GopRender", "renderCamera": "",
    "cloneParentId": 0, "cloneOriginalId": 0, "shareMainCapital": 0, "taskRam": 64,
    "respRenderingTaskList": None, "layerName": "", "taskTypeText": None,
    "locationOutput": "C:/RenderFarm/Download", "isDelete": 1, "channel": 1, "remark": "", "labels": "{}",
    "isOverTime": 0, "taskKeyValueVo": {"tiles": None, "allCamera": None, "renderableCamera": None},
    "waitingCount": None, "stopType": 0,
}

#: Fields substituted per item, as ``%``-format specs (``"@name@"`` sentinels in the template).
_SLOTS = {
    "id": "%(id)d", "taskAlias": '"2W%(id)d"', "taskStatus": "%(status)d",
    "statusText": '"render_task_status_%(status)d"', "totalFrames": "%(total)d",
    "executingFrames": "%(executing)d", "doneFrames": "%(done)d", "renderConsume": "%(consume)s",
    "couponConsume": "%(coupon)s", "submitDate": "%(submitted)d", "outputFileName": '"%(id)d_scene"',
    "respRenderingTaskList": "%(children)s",
}


def _template() -> str:
    item = {key: (f"@{key}@" if key in _SLOTS else value) for key, value in ITEM.items()}
    text = json.dumps(item, ensure_ascii=False, separators=(",", ":")).replace("%", "%%")
    for key, spec in _SLOTS.items():
        text = text.replace(f'"@{key}@"', spec)
    return text


TEMPLATE = _template()
_ENVELOPE = ('{"version":"1.0.0","result":%s,"message":"%s","code":%d,"data":%s,'
             '"serverTime":%d,"requestId":"bench-%d"}')

#: Progress of a task by how many times it was asked: (status, done frames, executing frames).
STAGES = ((0, 0, 0), (5, 3, 2), (5, 7, 2), (25, 10, 0))
TOTAL_FRAMES = 10
#: Statuses cycled through by the getTaskList page.
LIST_STATUSES = (0, 5, 8, 10, 25, 30, 35, 45, 50, 25)


def task_item(task_id: int, status: int, done: int, executing: int, children: str = "null") -> str:
    """One TaskInfo as JSON text (money and times vary with the id)."""
    return TEMPLATE % {
        "id": task_id, "status": status, "total": TOTAL_FRAMES, "executing": executing, "done": done,
        "consume": f"{task_id % 997 / 100:.2f}", "coupon": f"{task_id % 89 / 1000:.3f}",
        "submitted": 1577765849000 + task_id * 1000, "children": children,
    }


def envelope(data: str, request_id: int = 0, *, code: int = 200, message: str = "success") -> bytes:
    """The response envelope around ``data`` (JSON text), as UTF-8."""
    result = "true" if code == 200 else "false"
    return (_ENVELOPE % (result, message, code, data, int(time.time() * 1000), request_id)).encode()


def _page(items: list[str], *, total: int, size: int, extra: str = "") -> str:
    return f'{{"pageCount":1,"pageNum":1,"total":{total},"size":{size},"items":[{",".join(items)}]{extra}}}'


def task_list_page(count: int = 100, *, children: int = 0, first_id: int = 18000) -> bytes:
    """A getTaskList envelope with ``count`` tasks (each with ``children`` child tasks)."""
    items = []
    for index in range(count):
        task_id = first_id + index * (children + 1)
        status = LIST_STATUSES[index % len(LIST_STATUSES)]
        kids = "null"
        if children:
            kids = "[" + ",".join(task_item(task_id + k + 1, 25, TOTAL_FRAMES, 0) for k in range(children)) + "]"
        items.append(task_item(task_id, status, index % (TOTAL_FRAMES + 1), index % 3, kids))
    return envelope(_page(items, total=count * 32, size=count))


class BenchState:
    """Per-process server state: task progress, counters and the optional signature check."""

    def __init__(self, access_key: str, domain: str, verify_every: int, delay: float = 0.0) -> None:
        self.delay = delay
        self.access_key = access_key
        self.domain = domain
        self.verify_every = verify_every
        self.progress: dict[int, int] = {}
        self.task_list = task_list_page()
        self.requests = 0
        self.verified = 0
        self.bad_signatures = 0
        self.routes = {
            b"/api/render/handle/queryTaskInfo/v2": self.query_task_info,
            b"/api/render/task/queryTaskInfo": self.query_task_info,
            b"/api/render/handle/getTaskList/v2": self.get_task_list,
            b"/api/render/task/getTaskList": self.get_task_list,
            # What the official SDK asks while it is constructed (its "login"): small plausible answers.
            b"/api/render/setUp/queryUserProfile": self.user_profile,
            b"/api/render/setUp/queryUserSetting": self.user_setting,
            b"/api/render/transfer/getBid": self.transfer_bid,
            b"/bench/reset": self.reset,
            b"/bench/stats": self.stats,
        }

    def query_task_info(self, body: bytes) -> bytes:
        ids = json.loads(body)["taskIds"]
        progress = self.progress
        if len(progress) > 2_000_000:  # bounded: forget everything rather than grow without limit
            progress.clear()
        last = len(STAGES) - 1
        items = []
        for task_id in ids:
            asked = progress.get(task_id, 0)
            progress[task_id] = asked + 1
            status, done, executing = STAGES[min(asked, last)]
            items.append(task_item(task_id, status, done, executing))
        page = _page(items, total=len(items), size=100, extra=',"userAccountConsume":0.0')
        return envelope(page, self.requests)

    def get_task_list(self, body: bytes) -> bytes:
        return self.task_list

    def user_profile(self, body: bytes) -> bytes:
        return envelope('{"userId":100150764,"userName":"bench","platform":4,"zone":1,"level":49}', self.requests)

    def user_setting(self, body: bytes) -> bytes:
        return envelope('{"infoStatus":0,"accountType":1,"shareMainCapital":0,"taskOverTimeSec":43200}',
                        self.requests)

    def transfer_bid(self, body: bytes) -> bytes:
        return envelope('{"config_bid":"30201","output_bid":"20201","input_bid":"10201"}', self.requests)

    def reset(self, body: bytes) -> bytes:
        self.progress.clear()
        return envelope("null", self.requests)

    def stats(self, body: bytes) -> bytes:
        data = {"requests": self.requests, "verified": self.verified, "badSignatures": self.bad_signatures,
                "tracked": len(self.progress)}
        return envelope(json.dumps(data), self.requests)

    def verify(self, head: bytes, path: bytes, body: bytes) -> None:
        from rayvision_async.wire._signing import SIGNED_HEADER_NAMES, sign_request

        fields: dict[str, str] = {}
        for line in head.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        signed = {name: fields.get(name.lower(), "") for name in SIGNED_HEADER_NAMES}
        expected = sign_request(self.access_key, self.domain, path.decode(), signed, body)
        if fields.get("signature") == expected:
            self.verified += 1
        else:
            self.bad_signatures += 1


_HEAD = b"HTTP/1.1 %d %s\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: %d\r\n\r\n"
_MAX_HEAD = 64 * 1024


class BenchProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive: request line, Content-Length and body; pipelined requests are fine."""

    def __init__(self, state: BenchState) -> None:
        self.state = state
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def write(self, data: bytes) -> None:
        """Write a reply now, or after the state's delay (replies on one connection keep their order)."""
        transport = self.transport
        assert transport is not None
        delay = self.state.delay
        if delay:
            asyncio.get_running_loop().call_later(delay, self._write_later, transport, data)
        else:
            transport.write(data)

    @staticmethod
    def _write_later(transport: asyncio.Transport, data: bytes) -> None:
        if not transport.is_closing():
            transport.write(data)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        state = self.state
        transport = self.transport
        assert transport is not None
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > _MAX_HEAD:
                    transport.close()
                return
            head = bytes(buffer[:end])
            lower = head.lower()
            at = lower.find(b"\r\ncontent-length:")
            length = 0
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + 17:stop if stop > 0 else len(head)])
            total = end + 4 + length
            if len(buffer) < total:
                return
            body = bytes(buffer[end + 4:total])
            del buffer[:total]
            parts = head[:head.find(b"\r\n")].split(b" ") if b"\r\n" in head else head.split(b" ")
            path = parts[1] if len(parts) > 1 else b"/"
            state.requests += 1
            handler = state.routes.get(path)
            if handler is None:
                reply = b'{"message":"not found"}'
                self.write(_HEAD % (404, b"Not Found", len(reply)) + reply)
            else:
                if state.verify_every and state.requests % state.verify_every == 0 and path[:7] != b"/bench/":
                    state.verify(head, path, body)
                try:
                    reply = handler(body)
                except (ValueError, KeyError, TypeError):
                    reply = envelope("null", state.requests, code=100, message="bad request body")
                self.write(_HEAD % (200, b"OK", len(reply)) + reply)
            if b"\r\nconnection: close" in lower:
                if state.delay:  # after the delayed reply (timers of equal delay run in order)
                    asyncio.get_running_loop().call_later(state.delay, transport.close)
                else:
                    transport.close()
                return


async def serve(host: str, port: int, state: BenchState, *, watch_stdin: bool = False) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: BenchProtocol(state), host, port, backlog=1024, reuse_address=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if watch_stdin:
        def wait_for_eof() -> None:
            while os.read(sys.stdin.fileno(), 4096):
                pass
            loop.call_soon_threadsafe(stop.set)

        threading.Thread(target=wait_for_eof, daemon=True).start()
    bound = server.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--access-key", default="bench-access-key")
    parser.add_argument("--domain", default="task.renderbus.com")
    parser.add_argument("--verify-every", type=int, default=0, help="check the signature of 1 request in N")
    parser.add_argument("--watch-stdin", action="store_true", help="exit when stdin reaches EOF")
    parser.add_argument("--cpu", type=int, default=None, help="pin this process to one CPU")
    parser.add_argument("--delay", type=float, default=0.0, help="hold every reply this many seconds (a round trip)")
    args = parser.parse_args(argv)
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    state = BenchState(args.access_key, args.domain, args.verify_every, args.delay)
    asyncio.run(serve(args.host, args.port, state, watch_stdin=args.watch_stdin))


if __name__ == "__main__":
    main()
