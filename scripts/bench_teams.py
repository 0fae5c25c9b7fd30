"""Benchmark the Teams channel: how fast the webhook acknowledges, how fast the first reply comes.

Starts the action server and Rasa with the Teams channel on, against local fakes of
Microsoft's services (OpenID keys, token service, Bot Connector; tests/channels/teams_support),
then sends signed activities: short conversations (area, concern, answers) over distinct
chats, at concurrency 1 and 4. For each activity it measures the HTTP acknowledgement and
the time until the fake connector receives the first reply. Targets (issue 6): ack <= 1 s
and first reply <= 3 s at p95. Exit status 1 when a target is missed.

    .venv/bin/python scripts/bench_teams.py [--activities 30]

Needs the trained model (make model) and the loaded knowledge base (make knowledge).
Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import get_settings
from scripts.bench_common import TURNS as CONVERSATION
from scripts.bench_common import pct
from tests.channels.teams_support.activities import TeamsUser
from tests.channels.teams_support.fake_microsoft import FakeMicrosoft
from tests.support.stack import MODEL, running_stack

TURNS = CONVERSATION[:5]  # the benchmarks' conversation, without the glossary question
ACK_TARGET, REPLY_TARGET = 1.0, 3.0
REPLY_TIMEOUT = 30.0



def conversation(fake: FakeMicrosoft, webhook: str, turns: int) -> list[tuple[float, float | None]]:
    """One chat of ``turns`` activities; (ack seconds, first-reply seconds or None) each."""
    n = uuid.uuid4().hex[:10]
    user = TeamsUser(fake.service_url, user_id=f"29:bench-{n}", aad_object_id=f"bench-{n}",
                     conversation_id=f"a:bench-{n}")
    out = []
    with httpx.Client(timeout=REPLY_TIMEOUT) as client:
        for i in range(turns):
            activity = user.message(TURNS[i % len(TURNS)])
            token = fake.signer.token(activity["serviceUrl"])
            start = time.perf_counter()
            r = client.post(webhook, json=activity, headers={"Authorization": f"Bearer {token}"})
            ack = time.perf_counter() - start
            r.raise_for_status()
            first = fake.first_reply_at(activity["id"], timeout=REPLY_TIMEOUT)
            out.append((ack, None if first is None else first - start))
    return out


def run(fake: FakeMicrosoft, webhook: str, activities: int, concurrency: int) -> list[tuple[float, float | None]]:
    chats, per_chat = divmod(activities, len(TURNS))
    sizes = [len(TURNS)] * chats + ([per_chat] if per_chat else [])
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = pool.map(lambda size: conversation(fake, webhook, size), sizes)
        return [m for chat in results for m in chat]


def report(label: str, measures: list[tuple[float, float | None]]) -> bool:
    acks = [a for a, _ in measures]
    replies = [r for _, r in measures if r is not None]
    missing = len(measures) - len(replies)
    ok = pct(acks, 95) <= ACK_TARGET and not missing and pct(replies, 95) <= REPLY_TARGET
    print(f"{label}: {len(measures)} activities  "
          f"ack p50={pct(acks, 50) * 1000:6.1f} ms p95={pct(acks, 95) * 1000:6.1f} ms  "
          f"first reply p50={pct(replies, 50) * 1000:6.1f} ms p95={pct(replies, 95) * 1000:6.1f} ms"
          + (f"  {missing} without a reply" if missing else "")
          + ("  ok" if ok else f"  MISSED (targets: ack <= {ACK_TARGET:.0f} s, first reply <= {REPLY_TARGET:.0f} s)"))
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=30)
    args = parser.parse_args()
    if not MODEL.exists():
        print("no trained model: run `make model` first", file=sys.stderr)
        return 2
    fake = FakeMicrosoft(app_id=str(uuid.uuid4()), app_password=uuid.uuid4().hex).start()
    credentials = "rest:\nrasa_addons.channels.teams.TeamsInput:\n"
    ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="bench-teams-") as folder, \
                running_stack(Path(folder), get_settings().database_url, credentials=credentials,
                              env=fake.env("botframework.com", uuid.uuid4().hex)) as stack:
            webhook = f"{stack.rasa_url}/webhooks/teams/webhook"
            run(fake, webhook, len(TURNS), 1)  # warm up: keys, token, model caches
            for concurrency in (1, 4):
                ok &= report(f"concurrency {concurrency}", run(fake, webhook, args.activities, concurrency))
    finally:
        fake.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
