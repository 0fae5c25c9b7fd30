"""Load on the scaled topology, through its load balancer (issue 22, point 4).

    .venv/bin/python -m scripts.bench_scaled                  # 50 and 200 at once
    .venv/bin/python -m scripts.bench_scaled --soak-minutes 10 # then 20 at once for 10 minutes

Starts the topology of `make run-scaled` (scripts/scaled.py: PostgreSQL, Redis, two Rasa and two
action servers, HAProxy) and drives six-turn conversations through HAProxy's Rasa frontend, as
the API sends them: the REST channel's token and the ``X-Conversation`` header that keeps a
conversation on one replica. Prints, per level of concurrency, the turns answered, errors,
turns per second and p50 / p95 / slowest as the load generator saw them, and as HAProxy did (its log
of each turn, from reading it to answering it: the generator, on the same cores, adds its own
waiting to the first figures), and where a turn's CPU went, server by server (the whole
machine's, from /proc); for the soak, the servers' resident memory at its
start and end (flat within 10% is the target). Targets (quiet 2-core machine): 50 at once, 0
errors, p95 <= 400 ms; 200 at once, 0 errors, p95 <= 1.5 s; 500 at once, no turn answered after
more than 3 s, and the turns beyond what the replicas and their queue hold refused as busy within
100 ms (HAProxy: scripts/scaled.py's haproxy_config).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from api.rasa_rest import BUSY_HEADER, conversation_key
from scripts.bench_chat import rss_mb
from scripts.bench_common import TURNS, pct, process_stat
from scripts.scaled import TURN_LOG_FORMAT, ScaledStack

ROOT = Path(__file__).resolve().parent.parent


async def turn(host: str, port: int, token: str, sender: str, text: str) -> tuple[int, bool]:
    """One turn over a new connection (as the API opens one a turn): the HTTP status, and whether
    it is the balancer's "busy" refusal (503 with X-Navigator-Busy and Retry-After)."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write((f"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: {host}:{port}\r\n"
                      f"Authorization: Bearer {token}\r\nX-Conversation: {conversation_key(sender)}\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                      ).encode() + body)
        await writer.drain()
        response = await reader.read()
    finally:
        writer.close()
    if not response:
        return 0, False
    head = response.split(b"\r\n\r\n", 1)[0].lower()
    return int(response.split(b" ", 2)[1]), f"\r\n{BUSY_HEADER.lower()}:".encode() in head and b"\r\nretry-after: 5" in head


async def load(url: str, token: str, concurrency: int, conversations: int | None,
               until: float | None = None, refusals: list[float] | None = None) -> tuple[list[float], dict[int, int]]:
    """Six-turn conversations, ``concurrency`` at a time: latencies (ms) of answered turns, and the
    failed turns by HTTP status (0: no answer at all). The balancer's "busy" refusals are failures
    too; their latencies go to ``refusals`` when it is given."""
    target = urlsplit(url)
    latencies: list[float] = []
    errors: dict[int, int] = {}
    counter = iter(range(10**9))

    async def worker() -> None:
        for n in counter:
            if (conversations is not None and n >= conversations) or (until is not None and time.monotonic() > until):
                return
            sender = f"bench-scaled-{concurrency}-{n}-{time.monotonic_ns()}"
            for text in TURNS:
                started = time.perf_counter()
                try:
                    status, busy = await turn(target.hostname, target.port, token, sender, text)
                except OSError:
                    status, busy = 0, False
                took = (time.perf_counter() - started) * 1000
                if status == 200:
                    latencies.append(took)
                else:
                    errors[status] = errors.get(status, 0) + 1
                    if busy and refusals is not None:
                        refusals.append(took)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors


def report(label: str, latencies: list[float], errors: dict[int, int], seconds: float, target: str) -> None:
    rate = len(latencies) / seconds if seconds else 0.0
    failed = f"{sum(errors.values())} errors" + (f" (by status: {dict(sorted(errors.items()))})" if errors else "")
    if not latencies:
        print(f"{label}: no turn answered, {failed}")
        return
    print(f"{label}: {len(latencies)} turns, {failed}, {rate:.0f} turns/s, p50 {pct(latencies, 50):.0f} ms, "
          f"p95 {pct(latencies, 95):.0f} ms, slowest {max(latencies):.0f} ms ({target})", flush=True)


def cpu_snapshot() -> dict[int, tuple[str, int, float]]:
    """Every process's name, parent and CPU seconds so far (:func:`scripts.bench_common.process_stat`)."""
    stats = {int(entry.name): process_stat(int(entry.name)) for entry in Path("/proc").iterdir() if entry.name.isdigit()}
    return {pid: stat for pid, stat in stats.items() if stat}


def cpu_by_server(stack: ScaledStack, before: dict, after: dict) -> dict[str, float]:
    """CPU seconds used between two snapshots, by server of the topology (a server's children
    count as its own); PostgreSQL, Redis and this benchmark by name; everything else as "other"."""
    servers = {server.process.pid: name for name, server in stack.servers.items()}

    def owner(pid: int) -> str:
        name = after[pid][0]
        for _ in range(16):
            if pid in servers:
                return servers[pid]
            if pid == os.getpid():
                return "benchmark (load)"
            if pid not in after:
                break
            pid = after[pid][1]
        return {"postgres": "postgresql", "redis-server": "redis"}.get(name, "other")

    used: dict[str, float] = {}
    for pid, (_, _, seconds) in after.items():
        spent = seconds - (before[pid][2] if pid in before else 0.0)
        if spent > 0:
            server = owner(pid)
            used[server] = used.get(server, 0.0) + spent
    return used


def report_cpu(used: dict[str, float], turns: int, seconds: float) -> None:
    """Where a turn's CPU goes, across the whole machine (two cores: at most 2 s a second)."""
    parts = ", ".join(f"{name} {spent / turns * 1000:.1f}" for name, spent in sorted(used.items(), key=lambda kv: -kv[1]))
    print(f"  CPU per turn, ms: {parts}; machine busy {sum(used.values()) / seconds:.2f} of "
          f"{os.cpu_count()} cores", flush=True)


def balancer_times(log: Path, offset: int) -> tuple[dict[int, list[float]], int]:
    """The turns HAProxy logged after byte ``offset`` of its log (scripts/scaled.py's
    TURN_LOG_FORMAT): milliseconds from reading each turn to answering it, by status; and the
    offset to read on from. The balancer's own view: no load generator's waiting in it."""
    prefix = TURN_LOG_FORMAT.split()[0] + " "
    with open(log, "rb") as handle:
        handle.seek(offset)
        data = handle.read()
    by_status: dict[int, list[float]] = {}
    for line in data.decode(errors="replace").splitlines():
        if line.startswith(prefix):
            fields = dict(part.split("=", 1) for part in line[len(prefix):].split())
            by_status.setdefault(int(fields["status"]), []).append(float(fields["ms"]))
    return by_status, offset + len(data)


def report_balancer(by_status: dict[int, list[float]]) -> None:
    answered, refused = by_status.get(200, []), by_status.get(503, [])
    parts = []
    if answered:
        parts.append(f"answered p50 {pct(answered, 50):.0f} ms, p95 {pct(answered, 95):.0f} ms, "
                     f"slowest {max(answered):.0f} ms")
    if refused:
        parts.append(f"refused p95 {pct(refused, 95):.0f} ms, slowest {max(refused):.0f} ms")
    if parts:
        print(f"  at the balancer (from reading a turn to answering it): {'; '.join(parts)}", flush=True)


def memory(stack: ScaledStack) -> float:
    return sum(rss_mb(server.process.pid) for server in stack.servers.values() if server.alive())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soak-minutes", type=float, default=0, help="then 20 at once for this long (0: no soak)")
    args = parser.parse_args()
    stack = ScaledStack(ROOT / "var" / "bench-scaled", say=lambda line: None, log_turns=True)
    started = time.perf_counter()
    stack.start()
    print(f"scaled topology started in {time.perf_counter() - started:.0f} s (2 Rasa and 2 action servers, "
          "PostgreSQL, Redis, HAProxy)", flush=True)
    url = f"{stack.lb_rasa_url}/webhooks/rest/webhook"
    try:
        asyncio.run(load(url, stack.rest_token, 8, 16))  # warm every replica
        balancer_log = stack.servers["haproxy"].log
        _, offset = balancer_times(balancer_log, 0)
        for concurrency, conversations, target in ((50, 100, "target: 0 errors, p95 <= 400 ms"),
                                                  (200, 200, "target: 0 errors, p95 <= 1.5 s"),
                                                  (500, 500, "target: no wait over 3 s; the excess 503 within 100 ms")):
            t, before, refusals = time.perf_counter(), cpu_snapshot(), []
            latencies, errors = asyncio.run(load(url, stack.rest_token, concurrency, conversations, refusals=refusals))
            seconds = time.perf_counter() - t
            report(f"{concurrency} at once", latencies, errors, seconds, target)
            if refusals:
                print(f"  refused at once as busy (503, Retry-After 5): {len(refusals)}, p95 {pct(refusals, 95):.0f} ms, "
                      f"slowest {max(refusals):.0f} ms", flush=True)
            if latencies:
                report_cpu(cpu_by_server(stack, before, cpu_snapshot()), len(latencies), seconds)
            at_balancer, offset = balancer_times(balancer_log, offset)
            report_balancer(at_balancer)
        if args.soak_minutes > 0:
            before = memory(stack)
            t = time.perf_counter()
            latencies, errors = asyncio.run(load(url, stack.rest_token, 20, None,
                                                 until=time.monotonic() + args.soak_minutes * 60))
            after = memory(stack)
            report(f"soak, 20 at once for {args.soak_minutes:g} min", latencies, errors, time.perf_counter() - t,
                   "target: 0 errors")
            print(f"soak memory (RSS of every server): {before:.0f} MB -> {after:.0f} MB "
                  f"({(after - before) / before * 100:+.1f}%; target within 10%)")
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
