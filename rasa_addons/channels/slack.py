"""Slack: Rasa 3.6's ``SlackInput``/``SlackBot`` with what this assistant needs.

credentials.yml (no values: secrets come from the environment, and Rasa's ``${VAR}``
substitution fails on unset variables)::

    rasa_addons.channels.slack.SlackChannel:

Environment: ``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET`` (both, or neither: then the channel
is off, says so once, and its webhook answers 503), ``SLACK_API_URL`` (default
``https://slack.com/api/``; tests point it at a local fake) and ``CHANNEL_ID_SALT``.
Webhook (Events API and Interactivity): ``/webhooks/slack/webhook``.

What changes from Rasa's channel, and why:

- A bad signature, a missing header or a timestamp outside 5 minutes gets 401 (Rasa: 400).
- Slack retries anything not answered within 3 s. Each event is acknowledged at once (the
  turn runs in a background task) and remembered for an hour, so a retry of an event
  already handled is acknowledged with 200 and does nothing, whatever its retry reason.
  A retry of an event never seen (the first attempt never reached us) is handled once.
- One reply is ONE Slack message: text, buttons and our sources json together as Block
  Kit (emergency line first, sources with their age in a context block); Rasa would post
  the json as a second message.
- Replies go in the thread the message came from; a mention in a channel is answered in a
  thread under it. A button click says the button's value as the user's message.
- The conversation is keyed on a salted hash of team + user id; message text is never logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.safety import unanswered_line
from rasa_addons.arrival import Reservation, hand_over, reserve
from rasa_addons.channels.ids import check_salt, hashed_sender
from rasa_addons.channels.slack_blocks import is_our_custom, render
from rasa_addons.channels.slack_events import (
    BadRequest,
    Turn,
    event_turn,
    interaction_turn,
    parse_form_payload,
    parse_json,
)
from rasa_addons.channels.slack_security import DEDUPE_TTL_SECONDS, RequestVerifier
from rasa_addons.coordination import SharedSeen

logger = logging.getLogger(__name__)

TOKEN_VARIABLE = "SLACK_BOT_TOKEN"
SECRET_VARIABLE = "SLACK_SIGNING_SECRET"
API_URL_VARIABLE = "SLACK_API_URL"
DEFAULT_API_URL = "https://slack.com/api/"
OFF_MESSAGE = f"Slack channel is off: {TOKEN_VARIABLE} and {SECRET_VARIABLE} are not set."
# Domain responses that are emergency advice: they carry no custom json, Rasa names them instead.
EMERGENCY_RESPONSES = frozenset({"utter_emergency"})


class SlackOutput(SlackBot):
    """Posts each assistant message as one Block Kit message, in the right thread."""

    def __init__(self, client: AsyncWebClient, channel: str, thread_ts: str | None = None) -> None:
        # Not SlackBot.__init__: it builds a client on slack.com; ours may point elsewhere.
        OutputChannel.__init__(self)
        self.client = client
        self.slack_channel = channel
        self.thread_id = thread_ts
        self.proxy = None

    @classmethod
    def name(cls) -> str:
        return "slack"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        text = message.get("text")
        buttons = message.get("buttons") or message.get("quick_replies")
        custom = message.get("custom")
        urgent = message.get("utter_action") in EMERGENCY_RESPONSES
        if text or buttons or is_our_custom(custom):
            await self._post(render(text, buttons, custom if is_our_custom(custom) else None, emergency=urgent))
        if custom and not is_our_custom(custom):
            await self.send_custom_json(recipient_id, dict(custom))  # Slack-native json, as Rasa does
        if message.get("image"):
            await self.send_image_url(recipient_id, message["image"])
        if message.get("attachment"):
            await self.send_attachment(recipient_id, message["attachment"])
        if message.get("elements"):
            await self.send_elements(recipient_id, message["elements"])

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._post(render(text))

    async def send_text_with_buttons(self, recipient_id: str, text: str,
                                     buttons: list[dict[str, Any]], **kwargs: Any) -> None:
        await self._post(render(text, buttons))

    async def _post(self, rendered: dict[str, Any]) -> None:
        kwargs: dict[str, Any] = {"text": rendered["text"]}
        if rendered.get("blocks"):
            kwargs["blocks"] = rendered["blocks"]
        await self._post_message(self.slack_channel, **kwargs)

    async def _post_message(self, channel: str, **kwargs: Any) -> None:
        """chat.postMessage; a refusal is logged by its error code only, never with the text."""
        kwargs.pop("as_user", None)  # not accepted from apps with a bot token
        if self.thread_id:
            kwargs["thread_ts"] = self.thread_id
        try:
            await self.client.chat_postMessage(channel=channel, **kwargs)
        except SlackApiError as exc:
            logger.error("Slack refused a reply: %s", exc.response.get("error", "unknown error"))
        except Exception as exc:  # noqa: BLE001 - a network failure must not lose the tracker
            logger.error("Could not reach the Slack API: %s", type(exc).__name__)


class SlackChannel(SlackInput):
    """Rasa's Slack input, configured from the environment, acknowledging at once."""

    @classmethod
    def name(cls) -> str:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        token = os.environ.get(TOKEN_VARIABLE, "").strip()
        secret = os.environ.get(SECRET_VARIABLE, "").strip()
        if not token and not secret:
            logger.info(OFF_MESSAGE)
            return cls(None, None)
        missing = [name for name, value in ((TOKEN_VARIABLE, token), (SECRET_VARIABLE, secret)) if not value]
        if missing:
            raise InvalidConfigException(
                f"Slack channel: {missing[0]} is not set. Set both {TOKEN_VARIABLE} and "
                f"{SECRET_VARIABLE} to turn the channel on, or neither to leave it off."
            )
        check_salt()  # ids are stored only as salted hashes; no salt, no channel
        return cls(token, secret, os.environ.get(API_URL_VARIABLE, "").strip() or DEFAULT_API_URL)

    def __init__(self, slack_token: str | None, slack_signing_secret: str | None,
                 api_url: str = DEFAULT_API_URL, now: Callable[[], float] = time.time) -> None:
        # Not SlackInput.__init__: it refuses an empty secret, and "off" is a valid state here.
        self.enabled = bool(slack_token and slack_signing_secret)
        self.slack_token = slack_token or ""
        self.slack_signing_secret = slack_signing_secret or ""
        self.slack_channel = None
        self.proxy = None
        self.use_threads = True
        self.conversation_granularity = "sender"
        self.retry_reason_header = "x-slack-retry-reason"
        self.retry_num_header = "x-slack-retry-num"
        self.errors_ignore_retry = ()
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self._verifier = RequestVerifier(self.slack_signing_secret, now) if self.enabled else None
        self._seen = SharedSeen(DEDUPE_TTL_SECONDS) if self.enabled else None
        self._client: AsyncWebClient | None = None
        self._background_tasks: set[asyncio.Task] = set()

    @property
    def client(self) -> AsyncWebClient:
        if self._client is None:
            self._client = AsyncWebClient(token=self.slack_token, base_url=self.api_url)
        return self._client

    def get_output_channel(self, channel: str | None = None,
                           thread_id: str | None = None) -> OutputChannel | None:
        channel = channel or self.slack_channel
        if not (self.enabled and channel):
            return None
        return SlackOutput(self.client, channel, thread_id)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if not self.enabled:
                return response.json({"status": "off"}, status=HTTPStatus.SERVICE_UNAVAILABLE)
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.text(OFF_MESSAGE, status=HTTPStatus.SERVICE_UNAVAILABLE)
            return self._answer(request, on_new_message)

        return slack_webhook

    def _answer(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """Everything before the 200 is cheap; the turn itself runs after the acknowledgement."""
        body = request.body or b""
        assert self._verifier is not None
        if not self._verifier.is_authentic(body, request.headers):
            return response.text("Invalid or stale Slack signature.", status=HTTPStatus.UNAUTHORIZED)
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        try:
            if content_type == "application/json":
                data = parse_json(body)
                if data.get("type") == "url_verification":
                    return response.json({"challenge": str(data.get("challenge", ""))})
                turn = event_turn(data)
            elif content_type == "application/x-www-form-urlencoded":
                turn = interaction_turn(parse_form_payload(body))
            else:
                return response.text("Unsupported content type.", status=HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        except BadRequest as exc:
            return response.text(str(exc), status=HTTPStatus.BAD_REQUEST)
        if turn is None:
            return response.text("")  # not for the assistant (bot echo, edit, other event)

        retry = request.headers.get(self.retry_num_header)
        if not self._seen.first_time(*turn.keys):
            logger.info("Slack sent again a request already handled (retry %s, reason %s): ignored.",
                        retry or "-", request.headers.get(self.retry_reason_header) or "-")
            return response.text("", headers={"X-Slack-No-Retry": "1"})
        if retry:
            logger.info("Slack retry %s of a request not seen before: handling it once.", retry)
        agent = getattr(request.app.ctx, "agent", None)
        self._start(turn, on_new_message, getattr(agent, "lock_store", None))
        return response.text("")

    def _start(self, turn: Turn, on_new_message: Callable[[UserMessage], Awaitable[Any]],
               lock_store: Any = None) -> None:
        message = UserMessage(
            turn.text,
            SlackOutput(self.client, turn.channel, turn.thread_ts),
            hashed_sender("slack", turn.team_id + turn.user_id),
            input_channel=self.name(),
            metadata={"slack_kind": turn.kind},
        )
        # The turn's place in its conversation is taken now, on arrival, not when the task runs.
        reservation = reserve(lock_store, message.sender_id)
        task = asyncio.create_task(self._handle(message, on_new_message, lock_store, reservation))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    @staticmethod
    async def _handle(message: UserMessage, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                      lock_store: Any = None, reservation: Reservation | None = None) -> None:
        try:
            async with hand_over(lock_store, reservation):
                await on_new_message(message)
        except Exception as exc:  # noqa: BLE001 - a background task has nobody else to tell
            logger.error("Slack turn failed for %s: %s", message.sender_id, type(exc).__name__)
            # A database or the lock store down: the practitioner still hears what to do now.
            await message.output_channel.send_text_message(message.sender_id, unanswered_line())
