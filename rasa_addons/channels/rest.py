"""Rasa's REST channel, refusing what could join, crash or flood a conversation.

credentials.yml names it in place of ``rest:``; it keeps the URL ``/webhooks/rest/webhook``
and Rasa's answer (a list of messages). Before Rasa sees a turn it checks that:

- the caller presents ``Authorization: Bearer <RASA_REST_TOKEN>`` when that is set (``make
  run`` sets it and gives it to the API, the only client); otherwise anyone on loopback may
  call (tests, ``curl``) and a warning says so at start-up;
- the body is a JSON object with a non-empty ``sender`` (so no two callers share Rasa's
  ``default`` conversation) and a non-empty ``message`` of at most 8 KB;
- ``metadata``, if sent, is an object;
- a message starting with ``/`` (Rasa's ``/intent{"slot": ...}`` syntax, which sets slots
  directly) is one of the button payloads the assistant offered in its last answer.

A refused turn gets a 4xx with ``{"error": ...}`` naming the problem, never its text, and
leaves the conversation untouched. The turn's place in the conversation is reserved as it
arrives (:mod:`rasa_addons.arrival`).
"""

from __future__ import annotations

import hmac
import logging
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_addons.arrival import reserved_turn

logger = logging.getLogger(__name__)

TOKEN_ENV = "RASA_REST_TOKEN"
MAX_MESSAGE_BYTES = 8 * 1024
SENDER = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")


class TurnRefused(Exception):
    """A turn Rasa must not see; ``status`` and ``reason`` go back to the caller."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def checked_turn(body: Any) -> tuple[str, str, dict[str, Any] | None]:
    """``(sender, message, metadata)`` from a request body, or :class:`TurnRefused` saying why."""
    if not isinstance(body, dict):
        raise TurnRefused(400, "The body must be a JSON object with 'sender' and 'message'.")
    sender, message, metadata = body.get("sender"), body.get("message"), body.get("metadata")
    if not isinstance(sender, str) or not sender.strip():
        raise TurnRefused(400, "'sender' is required: a non-empty conversation id.")
    if not SENDER.match(sender):
        raise TurnRefused(400, "'sender' must be 1-128 letters, digits or . _ : @ -")
    if not isinstance(message, str) or not message.strip():
        raise TurnRefused(400, "'message' is required: the practitioner's words.")
    if len(message.encode("utf-8")) > MAX_MESSAGE_BYTES:
        raise TurnRefused(413, f"'message' is longer than {MAX_MESSAGE_BYTES // 1024} KB.")
    if metadata is not None and not isinstance(metadata, dict):
        raise TurnRefused(400, "'metadata' must be a JSON object.")
    return sender, message.strip(), metadata


def offered_payloads(events: list[Any]) -> set[str]:
    """The button payloads of the assistant's answer since the practitioner's last message."""
    from rasa.shared.core.events import BotUttered, UserUttered

    offered: set[str] = set()
    for event in reversed(events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            for button in (event.data or {}).get("buttons") or []:
                if isinstance(button, dict) and isinstance(button.get("payload"), str):
                    offered.add(button["payload"].strip())
    return offered


async def check_payload(agent: Any, sender: str, message: str) -> None:
    """Refuse a typed ``/intent{...}`` unless it is a button the assistant just offered."""
    if not message.startswith("/"):
        return
    tracker = await agent.tracker_store.retrieve(sender) if agent and agent.tracker_store else None
    if tracker is None or message not in offered_payloads(list(tracker.events)):
        raise TurnRefused(422, "Messages starting with '/' are commands the assistant's buttons send; "
                               "describe the concern in words instead.")


def authorised(request: Request, token: str | None) -> bool:
    if token is None:
        return True
    presented = request.headers.get("authorization", "")
    return hmac.compare_digest(presented.encode(), f"Bearer {token}".encode())


class GuardedRestInput(RestInput):
    """``/webhooks/rest/webhook``, with the checks in the module docstring."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GuardedRestInput:
        token = os.environ.get(TOKEN_ENV, "").strip() or None
        if token is None:
            logger.warning("%s is not set: any local process can send turns to the REST channel", TOKEN_ENV)
        return cls(token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("guarded_rest_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not authorised(request, self.token):
                logger.warning("REST channel: refused a turn without the token from %s", request.ip)
                return response.json({"error": "This channel needs the API's token."}, status=401)
            try:
                try:
                    body = request.json
                except Exception:  # noqa: BLE001 - Sanic's own error for JSON it cannot read
                    raise TurnRefused(400, "The body is not JSON.") from None
                sender, message, metadata = checked_turn(body)
                agent = getattr(request.app.ctx, "agent", None)
                with reserved_turn(agent.lock_store if agent else None, sender):
                    await check_payload(agent, sender, message)
                    collector = CollectingOutputChannel()
                    await on_new_message(UserMessage(message, collector, sender, input_channel=self.name(),
                                                     metadata=metadata))
            except TurnRefused as refused:
                logger.info("REST channel: refused a turn (%s)", refused.reason)
                return response.json({"error": refused.reason}, status=refused.status)
            except Exception as exc:  # noqa: BLE001 - by type only: its text can quote the turn
                logger.error("REST channel: %s while answering a turn", type(exc).__name__)
                return response.json({"error": "The assistant could not answer this turn."}, status=500)
            return response.json(collector.messages)

        return bp
