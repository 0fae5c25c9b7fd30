"""Benchmark the quick-lookup API. Prints figures; asserts nothing.

Starts uvicorn (one worker) on a free loopback port in production mode, with a real API key
made for the run in the configured database (DATABASE_URL) and revoked afterwards, and the
rate limit raised out of the way. Then drives /v1/areas/{area}/contacts and /v1/search at
concurrency 16 (httpx AsyncClient, keep-alive) next to /healthz in the same run, and prints
requests per second, p50 and p95.

    .venv/bin/python scripts/bench_api.py [--requests 800] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.keys import store_from_settings

CONTACT_PATHS = [f"/v1/areas/{a}/contacts" for a in ("tameside", "Worcs", "stockton", "R&C", "Cambs")]
SEARCHES = [("consent", "Cambs"), ("out of hours number", None), ("step down", "worcestershire"),
            ("team around the family", None), ("neglect", "tameside")]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def drive(base: str, requests: list[tuple[str, dict | None]], headers: dict, concurrency: int) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = iter(requests)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:

        async def worker() -> None:
            for path, params in queue:
                t = time.perf_counter()
                r = await client.get(path, params=params)
                latencies.append((time.perf_counter() - t) * 1000)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"rps": len(requests) / elapsed, "p50": pct(latencies, 50), "p95": pct(latencies, 95), "statuses": statuses}


def wait_healthy(base: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise TimeoutError(f"{base}/healthz not healthy after {seconds}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=800, help="requests per endpoint (bounded)")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    keys = store_from_settings()
    info, key = keys.create("bench_api.py (temporary; revoked after the run)")
    port = free_port()
    env = {**os.environ, "APP_ENV": "production", "RATE_LIMIT_PER_MINUTE": "100000000"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        cwd=ROOT, env=env, stderr=subprocess.DEVNULL,  # the JSON request log would drown the figures
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {key}"}
    n = args.requests
    plans = {
        "/healthz": [("/healthz", None)] * n,
        "/v1/areas/{area}/contacts": list(itertools.islice(itertools.cycle([(p, None) for p in CONTACT_PATHS]), n)),
        "/v1/search": list(itertools.islice(itertools.cycle(
            [("/v1/search", {"q": q, **({"area": a} if a else {})}) for q, a in SEARCHES]), n)),
    }
    try:
        wait_healthy(base, server)
        for plan in plans.values():  # warm up: key cache, search index, connections
            asyncio.run(drive(base, plan[:50], headers, 4))
        print(f"quick-lookup API: uvicorn, 1 worker, APP_ENV=production with a real API key ({info.prefix}, "
              f"Bearer), rate limit raised; {n} requests each at concurrency {args.concurrency}")
        for name, plan in plans.items():
            r = asyncio.run(drive(base, plan, headers, args.concurrency))
            ok = r["statuses"].get(200, 0)
            print(f"  {name:28} {r['rps']:7.0f} req/s  p50={r['p50']:6.1f} ms  p95={r['p95']:6.1f} ms  "
                  f"200s={ok}/{n}" + (f"  other={ {k: v for k, v in r['statuses'].items() if k != 200} }" if ok != n else ""))
    finally:
        server.terminate()
        server.wait(timeout=10)
        keys.revoke(info.prefix)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
