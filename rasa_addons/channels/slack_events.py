"""What a Slack request asks of the assistant: one user turn, or nothing.

Pure (standard library only), so every shape Slack sends is tested without a server.
Two kinds of request reach the webhook:

- Events API (JSON): ``event_callback`` with a ``message`` in a direct message (``im``) or
  an ``app_mention`` in a channel. A mention is answered in a thread (the one it was in, or
  a new one under it); a direct message is answered where it was written.
- Interactivity (form field ``payload``): ``block_actions`` from one of our buttons; the
  button's value becomes the user's message, answered where the button was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

# Message subtypes that are still a person writing; every other subtype (edits, deletions,
# joins, bot messages) is not a turn of the conversation.
PERSON_SUBTYPES = {None, "file_share", "thread_broadcast"}
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
LINK = re.compile(r"<((?:mailto:|https?://)[^|>]+)\|([^>]*)>")


class BadRequest(ValueError):
    """The body is not one Slack would send; the webhook answers 400."""


@dataclass(frozen=True)
class Turn:
    """One user message to hand to Rasa, with where to answer it.

    ``keys`` identify the request for de-duplication (Slack's retries carry the same ones).
    ``team_id`` and ``user_id`` never leave the channel: the conversation is keyed on their hash.
    """

    text: str
    team_id: str
    user_id: str
    channel: str
    thread_ts: str | None
    kind: str
    keys: tuple[str, ...]


def _bot_user_ids(body: Mapping[str, Any]) -> set[str]:
    ids = set(body.get("authed_users") or [])
    for auth in body.get("authorizations") or []:
        if isinstance(auth, Mapping) and auth.get("is_bot", True) and auth.get("user_id"):
            ids.add(auth["user_id"])
    return ids


def clean_text(text: str, bot_ids: set[str]) -> str:
    """Drop mentions of the bot (any mention at the very start too) and unwrap Slack links."""
    for uid in bot_ids:
        text = re.sub(rf"<@{re.escape(uid)}(?:\|[^>]*)?>", " ", text)
    text = re.sub(rf"^\s*(?:{MENTION.pattern}\s*)+", "", text)
    text = LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]+", " ", text).strip()


def event_turn(body: Mapping[str, Any]) -> Turn | None:
    """The turn in an Events API callback, or None when it is not for the assistant."""
    if body.get("type") != "event_callback":
        return None
    event = body.get("event")
    if not isinstance(event, Mapping):
        raise BadRequest("event_callback without an event")
    kind = event.get("type")
    if event.get("bot_id") or event.get("subtype") not in PERSON_SUBTYPES:
        return None
    if kind == "app_mention":
        thread = event.get("thread_ts") or event.get("ts")
    elif kind == "message" and event.get("channel_type") == "im":
        thread = event.get("thread_ts")
    else:
        return None
    user, channel = event.get("user"), event.get("channel")
    team = body.get("team_id") or event.get("team") or ""
    text = clean_text(str(event.get("text") or ""), _bot_user_ids(body))
    if not (user and channel and text):
        return None
    keys = (f"event:{body.get('event_id') or ''}" if body.get("event_id") else "",
            f"message:{channel}:{event.get('ts')}" if event.get("ts") else "")
    return Turn(text, str(team), str(user), str(channel), thread, str(kind), tuple(k for k in keys if k))


def interaction_turn(payload: Mapping[str, Any]) -> Turn | None:
    """The turn in a ``block_actions`` payload (a button click), or None."""
    if payload.get("type") != "block_actions":
        return None
    actions = payload.get("actions") or []
    action = actions[0] if actions and isinstance(actions[0], Mapping) else {}
    value = action.get("value")
    if action.get("type") != "button" or not value:
        return None  # link buttons and other widgets say nothing to the assistant
    user = payload.get("user") or {}
    channel = (payload.get("channel") or {}).get("id") or (payload.get("container") or {}).get("channel_id")
    message = payload.get("message") or {}
    team = (payload.get("team") or {}).get("id") or user.get("team_id") or ""
    if not (user.get("id") and channel):
        return None
    key = payload.get("trigger_id") or f"{channel}:{message.get('ts')}:{action.get('action_id')}:{action.get('action_ts')}"
    return Turn(str(value), str(team), str(user["id"]), str(channel), message.get("thread_ts"), "button",
                (f"action:{key}",))


def parse_form_payload(body: bytes) -> Mapping[str, Any]:
    """Slack's interactivity body: ``payload=<url-encoded json>``."""
    try:
        fields = parse_qs(body.decode("utf-8"), strict_parsing=True)
        payload = json.loads(fields["payload"][0])
    except (UnicodeDecodeError, ValueError, KeyError, IndexError) as exc:
        raise BadRequest("interactivity body without a JSON payload field") from exc
    if not isinstance(payload, Mapping):
        raise BadRequest("payload is not an object")
    return payload


def parse_json(body: bytes) -> Mapping[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("body is not JSON") from exc
    if not isinstance(data, Mapping):
        raise BadRequest("body is not a JSON object")
    return data
