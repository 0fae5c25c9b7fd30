"""Benchmark the Slack channel: time to HTTP acknowledgement and to the first reply.

Starts the action server and Rasa with the Slack channel on (tests/support/stack.py), a local
fake of the Slack Web API (tests/channels/slack_support.py), then sends signed Events API
requests, each from a new practitioner in a new direct message, at concurrency 1 and 4.
Prints p50/p95 of the time to the HTTP 200 (Slack retries after 3 s; target <= 1 s) and to
the first chat.postMessage at the fake API (target p95 <= 3 s).

    .venv/bin/python scripts/bench_slack.py [--events 30] [--concurrency 1 4]

Needs the knowledge base (make knowledge) and the trained model (make model).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import get_settings
from scripts.bench_common import pct
from tests.channels.slack_support import CREDENTIALS, FakeSlackApi, SlackSender, slack_env
from tests.support.stack import MODEL, running_stack

MESSAGES = [
    "I work in Worcestershire",
    "She has been bunking off every week for months and mum can't get her up.",
    "what's a TAF?",
    "who do I call?",
]
ACK_TARGET_S = 1.0
REPLY_TARGET_S = 3.0



async def run(slack: SlackSender, api: FakeSlackApi, events: int, concurrency: int, tag: str) -> tuple[list[float], list[float]]:
    """Send ``events`` events, ``concurrency`` at a time; return (ack seconds, first-reply seconds)."""
    acks: list[float] = []
    replies: list[float] = []
    numbers = iter(range(events))
    async with httpx.AsyncClient(timeout=30) as client:
        async def worker() -> None:
            for n in numbers:
                channel = f"D{tag}{n:04d}"
                body = json.dumps(slack.message_event(MESSAGES[n % len(MESSAGES)], user=f"U{tag}{n:04d}",
                                                      channel=channel)).encode()
                headers = {"Content-Type": "application/json", **slack.signed_headers(body)}
                started = time.perf_counter()
                r = await client.post(slack.webhook, content=body, headers=headers)
                acks.append(time.perf_counter() - started)
                r.raise_for_status()
                (first, *_) = await asyncio.to_thread(api.wait_for, channel, 1, 120)
                replies.append(first["received_at"] - started)
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return acks, replies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    if not MODEL.exists():
        sys.exit("no trained model: run `make model` first")
    database_url = get_settings().database_url
    tags = (f"B{i}" for i in itertools.count())
    with tempfile.TemporaryDirectory(prefix="bench-slack-") as folder, FakeSlackApi() as api:
        started = time.perf_counter()
        with running_stack(Path(folder), database_url, credentials=CREDENTIALS, env=slack_env(api.url)) as stack:
            print(f"stack ready in {time.perf_counter() - started:.1f} s")
            slack = SlackSender(f"{stack.rasa_url}/webhooks/slack/webhook")
            asyncio.run(run(slack, api, 4, 1, next(tags)))  # warm up
            ok = True
            for concurrency in args.concurrency:
                acks, replies = asyncio.run(run(slack, api, args.events, concurrency, next(tags)))
                a95, r95 = pct(acks, 95), pct(replies, 95)
                ok &= a95 <= ACK_TARGET_S and r95 <= REPLY_TARGET_S
                print(f"concurrency {concurrency}: {len(acks)} events  "
                      f"ack p50={pct(acks, 50) * 1000:6.1f} ms p95={a95 * 1000:6.1f} ms max={max(acks) * 1000:6.1f} ms "
                      f"(target <= {ACK_TARGET_S * 1000:.0f})  "
                      f"first reply p50={pct(replies, 50) * 1000:6.1f} ms p95={r95 * 1000:6.1f} ms "
                      f"(target <= {REPLY_TARGET_S * 1000:.0f})")
            print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
