"""Forward one chat turn to Rasa's REST channel and fold its replies into whole messages.

Rasa's REST channel answers with a list: text (with buttons) and, separately, the custom
json our actions attach (``{"sources": [...], "emergency": bool, "area": id}``). The web
chat wants one message per reply with its citations, so each custom part is merged into
the text message before it.

Each turn carries ``X-Conversation``, a hash of its sender id, so a load balancer in front of
several Rasa replicas sends every turn of one conversation to the same replica
(deploy/haproxy.cfg, docs/deployment.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import httpx

CONNECT_SECONDS = 3.0
ANSWER_SECONDS = 60.0


class RasaUnavailable(RuntimeError):
    """Rasa could not be reached or gave no usable answer."""


BUSY_HEADER = "X-Navigator-Busy"  # what the load balancer marks its "busy" 503 with (scripts/scaled.py)


class RasaBusy(RasaUnavailable):
    """The load balancer refused the turn at once: every replica is busy and its queue is full.
    ``why`` reads as :class:`api.chat_capacity.Busy`'s does."""

    why = "the load balancer's queue is full"


class RasaRefused(ValueError):
    """Rasa's channel refused the turn (4xx): ``status`` and Rasa's ``reason``, which names no text."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class BotMessage:
    text: str | None = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    emergency: bool = False


@dataclass
class BotTurn:
    messages: list[BotMessage]
    area: str | None = None


def fold(raw: list[dict[str, Any]]) -> BotTurn:
    """Merge each custom part into the message before it; keep the last area reported."""
    turn = BotTurn(messages=[])
    for part in raw:
        if not isinstance(part, dict):
            continue
        custom = part.get("custom")
        if isinstance(custom, dict) and not part.get("text"):
            if isinstance(custom.get("area"), str):
                turn.area = custom["area"]
            if turn.messages:
                target = turn.messages[-1]
                target.sources += [s for s in custom.get("sources") or [] if isinstance(s, dict)]
                target.emergency = target.emergency or bool(custom.get("emergency"))
            continue
        text = part.get("text")
        buttons = [
            {"title": str(b["title"]), "payload": str(b["payload"])}
            for b in part.get("buttons") or []
            if isinstance(b, dict) and b.get("title") and b.get("payload")
        ]
        if text or buttons:
            turn.messages.append(BotMessage(text=text if isinstance(text, str) else None, buttons=buttons))
    return turn


def conversation_key(sender: str) -> str:
    """What the load balancer hashes to keep a conversation on one Rasa replica (not the id itself)."""
    return hashlib.sha256(sender.encode()).hexdigest()[:32]


class RasaRest:
    """Rasa's REST channel at ``base_url``, with its ``token``; ``transport`` lets tests stand in for Rasa."""

    def __init__(self, base_url: str, transport: httpx.AsyncBaseTransport | None = None, token: str = ""):
        self.webhook = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
        self.transport = transport
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def turn(self, sender: str, message: str) -> BotTurn:
        timeout = httpx.Timeout(ANSWER_SECONDS, connect=CONNECT_SECONDS)
        try:
            async with httpx.AsyncClient(timeout=timeout, transport=self.transport) as client:
                response = await client.post(self.webhook, json={"sender": sender, "message": message},
                                             headers={**self.headers, "X-Conversation": conversation_key(sender)})
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"{type(exc).__name__} reaching Rasa") from exc
        if response.status_code in (400, 413, 422):  # the turn itself was refused (not 401: our own token)
            try:
                reason = str(response.json()["error"])
            except (ValueError, KeyError, TypeError):
                reason = "the assistant could not use this message"
            raise RasaRefused(response.status_code, reason)
        if response.status_code == 503 and BUSY_HEADER in response.headers:
            raise RasaBusy("every Rasa replica is busy and the load balancer's queue is full")
        if response.status_code != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}")
        try:
            raw = response.json()
        except ValueError as exc:
            raise RasaUnavailable("Rasa's answer was not JSON") from exc
        if not isinstance(raw, list):
            raise RasaUnavailable("Rasa's answer was not a list of messages")
        return fold(raw)
