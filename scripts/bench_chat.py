"""Benchmark the conversation: REST turn latency with actions, startup time, memory.

Starts the action server and the Rasa server on free loopback ports (the trained model in
models/current.tar.gz), measures how long each takes to become healthy, then drives
bounded conversations over /webhooks/rest/webhook at concurrency 1 and 8 and prints p50/p95
per turn, each process's CPU per turn, and the resident memory of each process. Rasa starts as
`make run` starts it. Target (issue 4): p95 <= 300 ms at 8.

    .venv/bin/python scripts/bench_chat.py [--conversations 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench_common import TURNS, pct, process_stat
from scripts.rasa_runtime import rasa_runtime_env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    out = [int(k) for k in kids]
    for k in list(out):
        out += _children(k)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live children (Sanic workers), from /proc."""
    stats = [process_stat(p) for p in [pid, *_children(pid)]]
    return sum(stat[2] for stat in stats if stat)


def wait(url: str, limit: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(url)


async def post_json(host: str, port: int, path: str, payload: dict) -> bytes:
    """POST JSON over a new HTTP/1.1 connection and return the body; raises on an error status.

    The load generator shares the machine's two cores with the servers it measures, so it is
    kept light: httpx cost about 4 ms of CPU per turn, this a few tenths. Rasa closes each
    connection after its reply (no keep-alive, scripts/run.sh), as it does for any client.
    """
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
    status = int(head.split(b" ", 2)[1])
    if status != 200:
        raise RuntimeError(f"{path} answered {status}: {content[:200]!r}")
    return content


async def converse(url: str, conversations: int, concurrency: int) -> list[float]:
    latencies: list[float] = []
    queue = iter(range(conversations))
    target = urlsplit(url)

    async def worker() -> None:
        for n in queue:
            sender = f"bench-{concurrency}-{n}"
            for text in TURNS:
                t = time.perf_counter()
                await post_json(target.hostname, target.port, target.path, {"sender": sender, "message": text})
                latencies.append((time.perf_counter() - t) * 1000)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("RASA_WORKERS", "2")),
                        help="Rasa worker processes (default RASA_WORKERS or 2, as make run)")
    args = parser.parse_args()
    actions_port, rasa_port = free_port(), free_port()
    tmp = ROOT / "var" / "bench"
    tmp.mkdir(parents=True, exist_ok=True)
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())  # as `make run`, but free ports
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    (tmp / "endpoints.yml").write_text(yaml.safe_dump(endpoints))
    for old in tmp.glob("*.db*"):
        old.unlink()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # as scripts/run.sh: only Rasa gets its worker, event-loop and TensorFlow settings
    rasa_env = {**env, **rasa_runtime_env(args.workers), "TF_CPP_MIN_LOG_LEVEL": "3",
                "COORDINATION_DB": str(tmp / "coordination.db"),
                "TRACKER_DATABASE_URL": f"sqlite:///{tmp / 'conversations.db'}"}
    started = time.perf_counter()
    actions = subprocess.Popen([str(ROOT / ".venv/bin/python"), "-m", "actions.server", "--port", str(actions_port)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rasa = subprocess.Popen([str(ROOT / ".venv-rasa/bin/rasa"), "run", "--model", str(ROOT / "models/current.tar.gz"),
                             "--port", str(rasa_port), "--endpoints", str(tmp / "endpoints.yml"),
                             "--credentials", str(ROOT / "credentials.yml")],
                            cwd=ROOT, env=rasa_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        a = wait(f"http://127.0.0.1:{actions_port}/health", 120)
        r = wait(f"http://127.0.0.1:{rasa_port}/", 300)
        print(f"startup: action server {a:.1f} s, Rasa server {r:.1f} s (from launch, in parallel; {time.perf_counter() - started:.1f} s total)")
        url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        print(f"Rasa workers: {args.workers} (SQLite lock store, SQLite tracker store)")
        asyncio.run(converse(url, 4 * args.workers, 2 * args.workers))  # warm up every worker
        for concurrency in (1, 8):
            before = {"Rasa": cpu_seconds(rasa.pid), "actions": cpu_seconds(actions.pid), "client": time.process_time()}
            lat = asyncio.run(converse(url, args.conversations, concurrency))
            after = {"Rasa": cpu_seconds(rasa.pid), "actions": cpu_seconds(actions.pid), "client": time.process_time()}
            print(f"concurrency {concurrency}: {len(lat)} turns  p50={pct(lat, 50):6.1f} ms  p95={pct(lat, 95):6.1f} ms"
                  + ("  (target p95 <= 300 ms)" if concurrency == 8 else ""))
            # where a turn's CPU goes: on two cores, the sum bounds the throughput at concurrency 8
            print("  CPU per turn: " + ", ".join(f"{name} {(after[name] - before[name]) * 1000 / len(lat):.1f} ms"
                                                 for name in before))
        print(f"RSS: Rasa server {rss_mb(rasa.pid):.0f} MB, action server {rss_mb(actions.pid):.0f} MB")
    finally:
        for p in (rasa, actions):
            p.terminate()
        for p in (rasa, actions):
            p.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
