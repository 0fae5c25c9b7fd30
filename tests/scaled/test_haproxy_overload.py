"""Beyond what the Rasa replicas can serve, HAProxy refuses the API's turns at once, and no turn
it lets in waits long (issue 22, part 3).

A real HAProxy, with the configuration scripts/scaled.py generates, in front of two stand-in
replicas that take 0.1 s a turn: 8 turns are served at once (4 a replica), 96 may wait, and the
rest of the API's turns (they carry X-Conversation) get 503 with Retry-After and X-Navigator-Busy
at once, which the API answers as "busy" with 999 (tests/api/test_chat_overload.py). A turn
without the header (Teams, Slack) waits its turn instead: those platforms show nothing for a 503.
Loopback only; about 5 s.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from scripts.bench_scaled import balancer_times
from scripts.scaled import (
    RASA_QUEUE_TIMEOUT,
    RASA_QUEUED_PER_REPLICA,
    RASA_TURNS_AT_ONCE,
    free_port,
    haproxy_config,
    port_open,
)

pytestmark = pytest.mark.skipif(not shutil.which("haproxy"),
                                reason="haproxy not installed: run scripts/ensure_scaled.sh (make test does)")

TURN_SECONDS = 0.1  # a stand-in replica's time for a turn


class SlowReplica(BaseHTTPRequestHandler):
    """Health checks answered at once; a turn after TURN_SECONDS, as an empty answer."""

    def do_GET(self) -> None:
        self._answer(b"ok")

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(TURN_SECONDS)
        self._answer(b"[]")

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def balancer(tmp_path: Path) -> Iterator[str]:
    """HAProxy as scripts/scaled.py configures it, logging each turn, in front of two stand-in
    replicas; its standard output (the turns' log) goes to ``tmp_path / "haproxy.log"``."""
    replicas = [ThreadingHTTPServer(("127.0.0.1", 0), SlowReplica) for _ in range(2)]
    for server in replicas:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports = [server.server_address[1] for server in replicas]
    front, actions = free_port(), free_port()
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config(ports, ports, front, actions, tmp_path / "stats.sock", log_turns=True))
    with open(tmp_path / "haproxy.log", "wb") as log:
        haproxy = subprocess.Popen(["haproxy", "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while not port_open(front):
            assert haproxy.poll() is None and time.monotonic() < deadline, "haproxy did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{front}/webhooks/rest/webhook"
    finally:
        haproxy.terminate()
        haproxy.wait(timeout=10)
        for server in replicas:
            server.shutdown()


def logged_turns(folder: Path, expected: int) -> dict[int, list[float]]:
    """The balancer's own time for each turn, in milliseconds, by status, once all ``expected``
    turns, answered or refused, are in its log (HAProxy writes a turn's line once it has answered
    it; the start-up probe's bare connection is logged too, as a bad request, and not counted)."""
    deadline = time.monotonic() + 5
    while True:
        by_status, _ = balancer_times(folder / "haproxy.log", 0)
        logged = len(by_status.get(200, [])) + len(by_status.get(503, []))
        if logged >= expected or time.monotonic() > deadline:
            return by_status
        time.sleep(0.05)


async def timed_post(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    r = await client.post(url, json={"sender": "s", "message": "hello"}, headers=headers)
    return r, time.perf_counter() - started


def overload(url: str, turns: int) -> list[tuple[httpx.Response, float]]:
    """``turns`` of the API's turns at once, each of another conversation."""
    async def scenario() -> list[tuple[httpx.Response, float]]:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=10) as client:
            return await asyncio.gather(*(timed_post(client, url, {"X-Conversation": f"{n:032x}"})
                                          for n in range(turns)))

    return asyncio.run(scenario())


def test_beyond_the_replicas_and_their_queue_the_apis_turns_get_503_busy_at_once(balancer, tmp_path):
    """"At once" is the balancer's own time, from its log (the one scripts/bench_scaled.py reads):
    here the load generator and the stand-in replicas share one Python process, and under a busy
    CI machine their threads alone have delayed a refusal's arrival at the client by 0.65 s. A
    refusal that had waited in the queue instead would come only after the queue's timeout."""
    served, may_wait, beyond = 2 * RASA_TURNS_AT_ONCE, 2 * RASA_QUEUED_PER_REPLICA, 20
    results = overload(balancer, served + may_wait + beyond)
    refused = [(r, took) for r, took in results if r.status_code == 503 and "X-Navigator-Busy" in r.headers]
    answered = [(r, took) for r, took in results if r.status_code == 200]
    assert len(refused) >= beyond - 4, f"{len(refused)} refused at once"  # the first few may be served already
    assert len(refused) + len(answered) == len(results), "every turn is answered or refused as busy"
    assert all(r.headers["Retry-After"] == "5" for r, _ in refused)
    queue_timeout = float(RASA_QUEUE_TIMEOUT.removesuffix("ms")) / 1000
    assert max(took for _, took in refused) < queue_timeout, "a busy refusal waited in the queue first"

    at_the_balancer = logged_turns(tmp_path, len(results))
    seen = {status: sum(1 for r, _ in results if r.status_code == status) for status in (200, 503)}
    assert {status: len(at_the_balancer.get(status, [])) for status in (200, 503)} == seen, "every turn is logged"
    assert len(at_the_balancer.get(503, [])) == len(refused)
    assert seen[503] > 0 and max(at_the_balancer[503]) < 100, "the balancer took 100 ms or more to refuse a turn"
    assert max(at_the_balancer[200]) < 3000, "a turn let in waited 3 s or more at the balancer"
    assert min(at_the_balancer[200]) >= TURN_SECONDS * 1000 * 0.9, "the log's times are the turns' real times"


def test_a_turn_without_the_conversation_header_waits_in_the_queue_instead(balancer):
    async def scenario() -> tuple[httpx.Response, float]:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=10) as client:
            fill = [asyncio.create_task(timed_post(client, balancer, {"X-Conversation": f"{n:032x}"}))
                    for n in range(2 * (RASA_TURNS_AT_ONCE + RASA_QUEUED_PER_REPLICA) + 8)]
            await asyncio.sleep(0.15)  # the queue is full now
            teams_turn = await timed_post(client, balancer, {})
            await asyncio.gather(*fill)
            return teams_turn

    r, took = asyncio.run(scenario())
    assert r.status_code == 200 and "X-Navigator-Busy" not in r.headers
    assert took > TURN_SECONDS
