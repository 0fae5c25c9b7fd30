"""Benchmark overload: many conversations at once through the API's web chat, and the stack's memory.

Starts the stack as `make run` starts it (action server, Rasa with RASA_WORKERS workers, default
2, and the API; free ports, a fresh conversation store under var/bench-overload/), then

1. prints the resident memory of the stack at rest (Rasa's server with its workers, the action
   server, the API): the sum of RSS (shared pages counted in each process) and of PSS (shared
   pages split between the processes sharing them, the memory really used). Target <= 2.5 GB;
2. drives ``--conversations`` (default 500) concurrent six-turn conversations through
   POST /chat/sessions and POST /chat/messages, as the web chat does. A turn refused with 503
   "busy" is sent again after its Retry-After (with up to 1 s of jitter), at most ``--retries``
   times, as a practitioner would; prints errors, the 503 count, p50/p95/max of answered turns,
   how many waited longer than 3 s, and the longest time to a 503. Targets (issue 22): no
   answered turn over 3 s, every 503 within 100 ms (a turn that waited out CHAT_QUEUE_SECONDS in
   the queue is refused later, and counted apart);
3. does it again with the CPU taken by other work (``--hog`` processes spinning, default 2, one a
   core) and ``--hog-conversations`` (default 200) conversations;
4. prints the memory again, after the load.

The web chat's per-address rate limit is lifted for the run (every turn comes from 127.0.0.1).

    .venv/bin/python scripts/bench_overload.py [--conversations 500] [--hog 2] [--hog-conversations 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import get_settings
from scripts.bench_common import TURNS, pct
from tests.support.stack import running_stack

WAIT_LIMIT_S = 3.0
REFUSE_LIMIT_MS = 100.0


# --- memory --------------------------------------------------------------------------------
def _tree(pid: int) -> list[int]:
    """A process and all its descendants (Rasa's Sanic workers), from /proc."""
    out = [pid]
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return out
    for k in kids:
        out += _tree(int(k))
    return out


def _kb(pid: int, path: str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def memory_mb(pids: dict[str, int]) -> dict[str, tuple[float, float, int]]:
    """Per server: (RSS MB, PSS MB, processes), each summed over the server's process tree."""
    out = {}
    for name, pid in pids.items():
        tree = _tree(pid)
        rss = sum(_kb(p, "status", "VmRSS:") for p in tree) / 1024
        pss = sum(_kb(p, "smaps_rollup", "Pss:") for p in tree) / 1024
        out[name] = (rss, pss, len(tree))
    return out


def print_memory(when: str, pids: dict[str, int]) -> None:
    mem = memory_mb(pids)
    total_rss = sum(r for r, _, _ in mem.values())
    total_pss = sum(p for _, p, _ in mem.values())
    parts = ", ".join(f"{name} {rss:.0f} MB RSS / {pss:.0f} MB PSS ({n} processes)" for name, (rss, pss, n) in mem.items())
    print(f"memory {when}: {parts}")
    print(f"  stack total: RSS {total_rss / 1024:.2f} GB, PSS {total_pss / 1024:.2f} GB (target <= 2.5 GB)")
    rasa = [f"{_kb(p, 'status', 'VmRSS:') / 1024:.0f}" for p in _tree(pids["rasa"])]
    print(f"  Rasa's processes (the server, then its workers), RSS MB: {', '.join(rasa)}")


# --- load ----------------------------------------------------------------------------------
async def request(host: str, port: int, path: str, payload: dict) -> tuple[int, dict[str, str], bytes]:
    """POST JSON over a new connection: status, headers (lower-case names) and body."""
    body = json.dumps(payload).encode()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        await writer.drain()
        response = await reader.read()
    finally:
        writer.close()
    head, _, content = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":
        content = _unchunk(content)
    return int(lines[0].split(" ", 2)[1]), headers, content


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2:]
    return out


@dataclass
class Results:
    answered_ms: list[float] = field(default_factory=list)
    busy_ms: list[float] = field(default_factory=list)  # time to a 503 "busy"
    busy_without_999: int = 0
    busy_without_retry_after: int = 0
    other: dict[str, int] = field(default_factory=dict)  # anything else, by status or exception
    gave_up: int = 0  # conversations abandoned after too many refusals
    seconds: float = 0.0

    def note(self, what: str) -> None:
        self.other[what] = self.other.get(what, 0) + 1


async def drive(api_url: str, conversations: int, retries: int) -> Results:
    target = urlsplit(api_url)
    host, port = target.hostname, target.port
    results = Results()
    start_gate = asyncio.Event()

    async def conversation(n: int) -> None:
        await start_gate.wait()
        await asyncio.sleep(random.random())  # arrivals spread over the first second
        try:
            status, _, body = await request(host, port, "/chat/sessions", {})
        except OSError as exc:
            results.note(type(exc).__name__)
            return
        if status != 201:
            results.note(f"session {status}")
            return
        sender = json.loads(body)["conversation"]
        area = None
        for text in TURNS:
            for attempt in range(retries + 1):
                t = time.perf_counter()
                try:
                    status, headers, body = await request(host, port, "/chat/messages",
                                                          {"sender": sender, "message": text, "area": area})
                except OSError as exc:
                    results.note(type(exc).__name__)
                    return
                took = (time.perf_counter() - t) * 1000
                if status == 200:
                    results.answered_ms.append(took)
                    area = (json.loads(body).get("area") or {}).get("id") or area
                    break
                reply = json.loads(body) if body.startswith(b"{") else {}
                if status == 503 and reply.get("reason") == "busy":
                    results.busy_ms.append(took)
                    results.busy_without_999 += "999" not in json.dumps(reply.get("messages"))
                    results.busy_without_retry_after += "retry-after" not in headers
                    if attempt == retries:
                        results.gave_up += 1
                        return
                    await asyncio.sleep(int(headers.get("retry-after", "5")) + random.random())
                    continue
                results.note(f"HTTP {status} {reply.get('reason', '')}".strip())
                return

    tasks = [asyncio.create_task(conversation(n)) for n in range(conversations)]
    started = time.perf_counter()
    start_gate.set()
    await asyncio.gather(*tasks)
    results.seconds = time.perf_counter() - started
    return results


def report(label: str, r: Results, queue_seconds: float) -> None:
    a, b = r.answered_ms, r.busy_ms
    print(f"{label}: {len(a)} turns answered and {len(b)} refused busy (503) in {r.seconds:.0f} s "
          f"({len(a) / r.seconds:.1f} answered a second); {r.gave_up} conversations gave up after repeated 503s")
    if a:
        slow = sum(1 for x in a if x > WAIT_LIMIT_S * 1000)
        print(f"  answered: p50 {pct(a, 50):.0f} ms, p95 {pct(a, 95):.0f} ms, max {max(a):.0f} ms; "
              f"{slow} over {WAIT_LIMIT_S:.0f} s (target 0)")
    if b:
        print(f"  503 busy: p50 {pct(b, 50):.0f} ms, p95 {pct(b, 95):.0f} ms, max {max(b):.0f} ms; "
              f"{sum(1 for x in b if x > REFUSE_LIMIT_MS)} over {REFUSE_LIMIT_MS:.0f} ms (target 0); every 503 with 999: "
              f"{'yes' if not r.busy_without_999 else f'NO ({r.busy_without_999} without)'}, with Retry-After: "
              f"{'yes' if not r.busy_without_retry_after else f'NO ({r.busy_without_retry_after} without)'}")
    print(f"  errors: {json.dumps(r.other) if r.other else 'none'}")


def api_times(log: Path, offset: int) -> tuple[dict[int, list[float]], int]:
    """/chat/messages durations in the API's own access log from ``offset`` on, by status: the time
    from the API reading the request to its answer, without the wait to be read at all (which,
    on a CPU shared with the load generator and other work, the client's figures include)."""
    by_status: dict[int, list[float]] = {}
    with log.open("rb") as f:
        f.seek(offset)
        data = f.read()
    for line in data.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("event") == "request" and record.get("route") == "/chat/messages":
            by_status.setdefault(int(record["status"]), []).append(float(record["duration_ms"]))
    return by_status, offset + len(data)


def report_api_times(by_status: dict[int, list[float]], queue_seconds: float) -> None:
    parts = [f"{status}: {len(d)}, p50 {pct(d, 50):.0f} ms, p95 {pct(d, 95):.0f} ms, max {max(d):.0f} ms"
             for status, d in sorted(by_status.items())]
    print(f"  in the API (its access log, from reading the request to answering): {'; '.join(parts)}")
    refused = by_status.get(503, [])
    if refused:
        at_once = sum(1 for d in refused if d <= REFUSE_LIMIT_MS)
        waited = sum(1 for d in refused if d >= queue_seconds * 1000)
        print(f"  503s in the API: {at_once} within {REFUSE_LIMIT_MS:.0f} ms, {waited} after waiting out the queue "
              f"({queue_seconds} s), {len(refused) - at_once - waited} between")
    answered = by_status.get(200, [])
    if answered:
        print(f"  answered in the API over {WAIT_LIMIT_S:.0f} s: {sum(1 for d in answered if d > WAIT_LIMIT_S * 1000)}")


def _spin(stop: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    while not stop.is_set():
        sum(range(10_000))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--hog", type=int, default=2, help="processes spinning during the second run (0: no second run)")
    parser.add_argument("--hog-conversations", type=int, default=200)
    parser.add_argument("--retries", type=int, default=3, help="times a refused turn is sent again")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("RASA_WORKERS", "2")),
                        help="Rasa worker processes (default RASA_WORKERS or 2, as make run)")
    args = parser.parse_args()
    settings = get_settings()
    folder = ROOT / "var" / "bench-overload"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = {"CHAT_RATE_LIMIT_PER_MINUTE": "100000000", "APP_ENV": "development"}
    print(f"web chat bound: CHAT_MAX_IN_FLIGHT={settings.chat_max_in_flight}, CHAT_MAX_QUEUED={settings.chat_max_queued}, "
          f"CHAT_QUEUE_SECONDS={settings.chat_queue_seconds}; Rasa workers {args.workers}; {os.cpu_count()} cores")
    started = time.perf_counter()
    with running_stack(folder, settings.database_url, env=env, with_api=True, rasa_workers=args.workers) as stack:
        print(f"stack healthy after {time.perf_counter() - started:.0f} s")
        pids = {name: stack.processes[name].pid for name in ("rasa", "actions", "api")}
        asyncio.run(drive(stack.api_url, 2 * args.workers, 0))  # warm up every worker
        time.sleep(2)
        print_memory("at rest, warmed up", pids)
        _, offset = api_times(stack.logs["api"], 0)
        r = asyncio.run(drive(stack.api_url, args.conversations, args.retries))
        report(f"{args.conversations} conversations at once", r, settings.chat_queue_seconds)
        by_status, offset = api_times(stack.logs["api"], offset)
        report_api_times(by_status, settings.chat_queue_seconds)
        if args.hog:
            stop = multiprocessing.Event()
            hogs = [multiprocessing.Process(target=_spin, args=(stop,), daemon=True) for _ in range(args.hog)]
            for h in hogs:
                h.start()
            try:
                r = asyncio.run(drive(stack.api_url, args.hog_conversations, args.retries))
            finally:
                stop.set()
                for h in hogs:
                    h.join(5)
            report(f"{args.hog_conversations} conversations at once, {args.hog} processes spinning on the CPU",
                   r, settings.chat_queue_seconds)
            by_status, offset = api_times(stack.logs["api"], offset)
            report_api_times(by_status, settings.chat_queue_seconds)
        print_memory("after the load", pids)
    return 0


if __name__ == "__main__":
    sys.exit(main())
