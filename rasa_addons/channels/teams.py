"""Microsoft Teams for Rasa: Rasa 3.6's botframework channel, with its faults worked around.

credentials.yml names the channel with no values (secrets never go in a file)::

    rasa_addons.channels.teams.TeamsInput:

and the environment turns it on: TEAMS_APP_ID, TEAMS_APP_PASSWORD, optional
TEAMS_TENANT_ID (single-tenant registrations), TEAMS_OPENID_METADATA_URL and TEAMS_LOGIN_URL
(Microsoft's by default; local fakes in tests). Without them the channel is off: one log
line says so and the webhook answers 503 problem+json, while everything else runs.

Messaging endpoint: ``https://<host>/webhooks/teams/webhook``.

Differences from ``rasa.core.channels.botframework`` (why this subclass exists):
- keys are fetched on first use and cached with a TTL, so Rasa starts offline;
- the bot token comes from the registration's tenant (single-tenant works) and is cached;
- every network call is async (aiohttp), none blocks the event loop;
- every incoming token is fully checked (signature, audience, issuer, expiry, serviceUrl,
  endorsement) and a refused request gets 401/403 and no reply;
- the HTTP answer (202) goes back at once; the turn runs in a background task;
- a reply is ONE activity (text, sources, buttons that work: see ``teams_render``);
- senders are salted hashes; the conversation reference stays in this process's memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from http import HTTPStatus
from typing import Any

from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.safety import danger_line, unanswered_line
from rasa_addons.arrival import Reservation, hand_over, reserve
from rasa_addons.channels.ids import check_salt, hashed_sender
from rasa_addons.channels.teams_auth import AuthError, authenticate
from rasa_addons.channels.teams_config import APP_ID, APP_PASSWORD, TeamsConfig
from rasa_addons.channels.teams_connector import Connector, ConversationReference
from rasa_addons.channels.teams_render import incoming_text, render_activity

logger = logging.getLogger(__name__)

GREETING_INTENT = "/greet"  # the welcome (with the privacy line) is Rasa's utter_greet
NO_TEXT_REPLY = ("I can only read typed messages. Please describe the worry in words, without "
                 f"names or addresses. {danger_line()}")
UNSUPPORTED_REPLY = f"I can only answer typed messages and button clicks. {danger_line()}"
SILENT_REPLY = ("Sorry, I didn't catch that. Describe the worry about the child and say which area "
                f"you work in. {danger_line()}")
FAILURE_REPLY = unanswered_line()
PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str) -> HTTPResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return response.json(body, status=status, content_type=PROBLEM)


class TeamsOutput(BotFramework):
    """Sends each Rasa message as one Teams activity, replying to the user's activity."""

    @classmethod
    def name(cls) -> str:
        return "teams"

    def __init__(self, connector: Connector, reference: ConversationReference) -> None:
        # Not super().__init__: Rasa's keeps app secrets and its blocking token code here.
        self.connector = connector
        self.reference = reference
        self.sent = 0

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self.connector.send(self.reference, render_activity(message))
        self.sent += 1

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(self, recipient_id: str, text: str,
                                     buttons: list[dict[str, Any]], **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"image": image})

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any],
                               **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"custom": json_message})

    async def send_elements(self, recipient_id: str, elements: Iterable[dict[str, Any]],
                            **kwargs: Any) -> None:
        for element in elements:
            text = " : ".join(str(element[k]) for k in ("title", "subtitle") if element.get(k))
            await self.send_response(recipient_id, {"text": text, "buttons": element.get("buttons")})


class TeamsInput(BotFrameworkInput):
    """The webhook Teams posts to: ``/webhooks/teams/webhook``."""

    @classmethod
    def name(cls) -> str:
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if credentials:
            logger.warning("Teams: values under the channel in credentials.yml are ignored; "
                           "set %s and %s in the environment instead", APP_ID, APP_PASSWORD)
        config = TeamsConfig.from_env()
        if config is None:
            logger.info("Microsoft Teams channel is off: %s and %s are not set", APP_ID, APP_PASSWORD)
        else:
            check_salt()
            logger.info("Microsoft Teams channel is on (%s-tenant) at /webhooks/teams/webhook",
                        "single" if config.single_tenant else "multi")
        return cls(config)

    def __init__(self, config: TeamsConfig | None) -> None:
        # Not super().__init__: Rasa's fetches Microsoft's keys here, so it cannot start offline.
        self.config = config
        self.connector = Connector(config) if config else None
        self._tasks: set[asyncio.Task] = set()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("teams_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            if self.connector is None:
                return self._off()
            return response.json({
                "status": "ok", "channel": "teams",
                "tenant": "single" if self.config.single_tenant else "multi",
                "signing_keys_cached": self.connector.keys.cached,
                "bot_token_cached": self.connector.token.cached,
            })

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if self.connector is None:
                return self._off()
            if not request.headers.get("Authorization"):
                return problem(401, "Unauthorized", "No Authorization header: requests carry a Bearer token.")
            try:
                activity = request.json
            except Exception:  # noqa: BLE001 - Sanic raises its own error for bad JSON
                activity = None
            shape_error = _shape_error(activity)
            if shape_error:
                return problem(400, "Bad activity", shape_error)
            try:
                await authenticate(request.headers.get("Authorization"), activity,
                                   self.connector.keys, self.config)
            except AuthError as refused:
                logger.warning("Teams: refused a %s activity: %s", activity.get("type"), refused.detail)
                title = HTTPStatus(refused.status).phrase
                return problem(refused.status, title, refused.detail)
            # The turn's place in its conversation is taken now, on arrival, not when the task runs.
            lock_store = getattr(getattr(request.app.ctx, "agent", None), "lock_store", None)
            reservation = reserve(lock_store, self._sender(activity)) if activity["type"] == "message" else None
            task = asyncio.get_running_loop().create_task(
                self._turn(activity, on_new_message, lock_store, reservation))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            if activity["type"] == "invoke":
                return response.json({}, status=200)
            return response.empty(status=202)

        @bp.listener("after_server_stop")
        async def close(app: Any, loop: Any) -> None:
            if self.connector is not None:
                await self.connector.close()

        return bp

    @staticmethod
    def _off() -> HTTPResponse:
        return problem(503, "Microsoft Teams channel is off",
                       f"Set {APP_ID} and {APP_PASSWORD} (and CHANNEL_ID_SALT) to turn it on.")

    @staticmethod
    def _sender(activity: dict[str, Any]) -> str:
        reference = ConversationReference.from_activity(activity)
        return hashed_sender("teams", (activity.get("from") or {}).get("aadObjectId") or reference.user_id)

    async def _turn(self, activity: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]],
                    lock_store: Any = None, reservation: Reservation | None = None) -> None:
        """One activity, after the HTTP answer: every accepted activity gets a reply."""
        async with hand_over(lock_store, reservation):
            await self._answer_activity(activity, on_new_message)

    async def _answer_activity(self, activity: dict[str, Any],
                               on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        reference = ConversationReference.from_activity(activity)
        out = TeamsOutput(self.connector, reference)
        sender = self._sender(activity)
        kind = activity["type"]
        try:
            if kind == "message":
                text = incoming_text(activity)
                if text:
                    await on_new_message(UserMessage(text, out, sender, input_channel=self.name()))
                    if not out.sent:  # the dialogue said nothing: the user still gets an answer
                        await out.send_text_message(sender, SILENT_REPLY)
                else:
                    await out.send_text_message(sender, NO_TEXT_REPLY)
            elif kind in ("conversationUpdate", "installationUpdate"):
                if _bot_left(activity):
                    logger.info("Teams: removed from a conversation; nothing to reply to")
                    return
                await on_new_message(UserMessage(GREETING_INTENT, out, sender, input_channel=self.name()))
            else:
                await out.send_text_message(sender, UNSUPPORTED_REPLY)
            logger.debug("Teams: %s activity answered for %s", kind, sender)
        except Exception:
            logger.exception("Teams: could not answer a %s activity for %s", kind, sender)
            try:
                await out.send_text_message(sender, FAILURE_REPLY)
            except Exception:  # noqa: BLE001
                logger.error("Teams: could not send the failure reply either")


def _shape_error(activity: Any) -> str | None:
    """What makes ``activity`` unusable, or ``None``."""
    if not isinstance(activity, dict):
        return "The body is not a JSON activity."
    if not isinstance(activity.get("type"), str):
        return "The activity has no type."
    if not isinstance(activity.get("serviceUrl"), str) or not activity["serviceUrl"].startswith(("https://", "http://")):
        return "The activity has no serviceUrl."
    if not isinstance((activity.get("conversation") or {}).get("id"), str):
        return "The activity has no conversation id."
    if not isinstance((activity.get("from") or {}).get("id"), str):
        return "The activity has no sender (from.id)."
    return None


def _bot_left(activity: dict[str, Any]) -> bool:
    bot_id = (activity.get("recipient") or {}).get("id")
    removed = activity.get("membersRemoved") or []
    return activity.get("action") == "remove" or any(m.get("id") == bot_id for m in removed if isinstance(m, dict))
