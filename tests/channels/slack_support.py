"""Offline Slack for tests and the benchmark: a fake Web API and a signed-request sender.

- :class:`FakeSlackApi` is a small local HTTP server standing in for ``https://slack.com/api/``:
  it records every ``chat.postMessage`` (with the time it arrived) and answers ``ok``.
- :class:`SlackSender` builds the requests Slack would send (Events API and interactivity),
  signed with ``slack_sdk.signature.SignatureVerifier`` exactly as Slack signs them.
- :func:`validate_blocks` checks our Block Kit with ``slack_sdk.models``, recursively.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
from slack_sdk.models.blocks import Block
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test-token-not-real"
BOT_USER = "UBOTNAV01"
SALT = "test-salt-0123456789abcdef"


class FakeSlackApi:
    """Records ``chat.postMessage`` calls; every other Web API method just answers ok."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.authorizations: list[str] = []
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw or b"{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                method = self.path.rstrip("/").rsplit("/", 1)[-1]
                answer: dict[str, Any] = {"ok": True}
                if method == "chat.postMessage":
                    ts = f"{1_800_000_000 + next(api._ts)}.000100"
                    with api._cond:
                        api.posts.append({**body, "ts": ts, "received_at": time.perf_counter()})
                        api.authorizations.append(self.headers.get("Authorization", ""))
                        api._cond.notify_all()
                    answer = {"ok": True, "channel": body.get("channel"), "ts": ts, "message": body}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def __enter__(self) -> FakeSlackApi:  # noqa: PYI034 - no typing.Self on Python 3.10
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def posts_to(self, channel: str) -> list[dict[str, Any]]:
        with self._cond:
            return [p for p in self.posts if p.get("channel") == channel]

    def wait_for(self, channel: str, count: int, timeout: float = 60) -> list[dict[str, Any]]:
        """The first ``count`` posts to ``channel``, waiting for them; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [p for p in self.posts if p.get("channel") == channel]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(found)} post(s) to {channel} after {timeout}s, wanted {count}")
                self._cond.wait(left)

    def wait_settled(self, channel: str, after: int, quiet: float = 1.5, timeout: float = 60) -> list[dict[str, Any]]:
        """Posts to ``channel`` beyond the first ``after``: at least one, then none for ``quiet`` s.

        One turn of the conversation may post more than one message; this returns them all.
        """
        self.wait_for(channel, after + 1, timeout)
        with self._cond:  # quiet: counted from the last post, not in fixed steps after the first
            while True:
                found = [p for p in self.posts if p.get("channel") == channel]
                left = max(p["received_at"] for p in found) + quiet - time.perf_counter()
                if left <= 0:
                    return found[after:]
                self._cond.wait(left)

    def wait_quiet(self, channel: str, seconds: float) -> list[dict[str, Any]]:
        """Wait ``seconds`` and return whatever was posted to ``channel`` by then."""
        time.sleep(seconds)
        return self.posts_to(channel)


def post_text(post: dict[str, Any]) -> str:
    """Everything a reader sees in a posted message: fallback text and every block's text."""
    parts = [str(post.get("text", ""))]
    for block in post.get("blocks") or []:
        if "text" in block:
            parts.append(block["text"]["text"])
        for el in block.get("elements") or []:
            parts.append(el["text"]["text"] if isinstance(el.get("text"), dict) else str(el.get("text", "")))
    return "\n".join(parts)


def buttons_of(post: dict[str, Any]) -> list[dict[str, Any]]:
    return [el for b in post.get("blocks") or [] if b["type"] == "actions" for el in b["elements"]]


def validate_blocks(blocks: list[dict[str, Any]]) -> None:
    """Parse every block with slack_sdk.models and validate it, its elements and their texts."""
    assert len(blocks) <= 50, f"{len(blocks)} blocks; Slack allows 50"
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, raw
        block.validate_json()
        for part in [getattr(block, "text", None), *(getattr(block, "elements", None) or [])]:
            if part is None or not hasattr(part, "validate_json"):
                continue
            part.validate_json()
            text = getattr(part, "text", None)
            if hasattr(text, "validate_json"):
                text.validate_json()


class SlackSender:
    """Sends what Slack would send to the webhook, signed (or deliberately not)."""

    def __init__(self, webhook: str, secret: str = SIGNING_SECRET, team: str = "T0NAVTEST") -> None:
        self.webhook = webhook
        self.secret = secret
        self.team = team
        self._ids = itertools.count(1)

    def signed_headers(self, body: bytes, *, timestamp: int | None = None, secret: str | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(secret or self.secret).generate_signature(timestamp=ts, body=body)
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or ""}

    def message_event(self, text: str, *, user: str, channel: str, mention: bool = False,
                      thread_ts: str | None = None, event_id: str | None = None) -> dict[str, Any]:
        """An Events API callback: a direct message, or an app mention in a channel."""
        n = next(self._ids)
        ts = f"{1_700_000_000 + n}.{n:06d}"
        event: dict[str, Any] = {
            "type": "app_mention" if mention else "message",
            "user": user,
            "text": f"<@{BOT_USER}> {text}" if mention else text,
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
            "team": self.team,
        }
        if not mention:
            event["channel_type"] = "im"
        if thread_ts:
            event["thread_ts"] = thread_ts
        return {
            "token": "deprecated-verification-token",
            "team_id": self.team,
            "api_app_id": "A0NAVTEST",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{n:08d}{int(time.time())}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team, "user_id": BOT_USER, "is_bot": True}],
        }

    def click(self, button: dict[str, Any], post: dict[str, Any], *, user: str) -> dict[str, Any]:
        """The block_actions payload Slack sends when ``user`` clicks ``button`` in ``post``."""
        n = next(self._ids)
        message = {"type": "message", "ts": post["ts"], "text": post.get("text", ""), "blocks": post.get("blocks")}
        if post.get("thread_ts"):
            message["thread_ts"] = post["thread_ts"]
        return {
            "type": "block_actions",
            "user": {"id": user, "team_id": self.team},
            "team": {"id": self.team},
            "api_app_id": "A0NAVTEST",
            "container": {"type": "message", "message_ts": post["ts"], "channel_id": post["channel"]},
            "trigger_id": f"{n}.{int(time.time())}.trigger",
            "channel": {"id": post["channel"]},
            "message": message,
            "actions": [{**button, "block_id": "b1", "action_ts": f"{time.time():.6f}"}],
        }

    def send_event(self, body: dict[str, Any], *, timestamp: int | None = None, secret: str | None = None,
                   headers: dict[str, str] | None = None) -> httpx.Response:
        raw = json.dumps(body).encode()
        h = {"Content-Type": "application/json", **self.signed_headers(raw, timestamp=timestamp, secret=secret),
             **(headers or {})}
        return httpx.post(self.webhook, content=raw, headers=h, timeout=30)

    def send_interaction(self, payload: dict[str, Any], **kw: Any) -> httpx.Response:
        raw = urlencode({"payload": json.dumps(payload)}).encode()
        h = {"Content-Type": "application/x-www-form-urlencoded", **self.signed_headers(raw, **kw)}
        return httpx.post(self.webhook, content=raw, headers=h, timeout=30)


def slack_env(api_url: str) -> dict[str, str]:
    """The environment that turns the channel on against the fake API."""
    return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url, "CHANNEL_ID_SALT": SALT}


CREDENTIALS = "rest:\nrasa_addons.channels.slack.SlackChannel:\n"
