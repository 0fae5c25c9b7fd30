"""What Rasa does when a custom action fails, and how it proves itself to the action server.

Applied when any add-on is imported (``rasa_addons/__init__.py``), like the speedups.

1. **A failed action still answers.** Rasa logs an exception (quoting the action server's
   error, which could quote the conversation) and sends nothing: the practitioner sees an
   empty reply. Now the failure is logged by action name and error type only, and the turn
   answers with the area's emergency advice first (``utter_emergency``: 999 and the area's
   urgent contact, from the packs) and a plain apology (``utter_action_failed``), once a turn.
   Rejections (a form's validation) still go to Rasa as before.
2. **Only Rasa may call the action server.** With ``ACTION_SERVER_TOKEN`` set, every call to
   the action server carries ``Authorization: Bearer <token>``; the action server
   (``actions.server``) refuses any request without it.
3. **Button payloads are not templates.** Rasa fills ``{slot}`` placeholders in a response's
   buttons too, so a payload such as ``/inform_area{"area":"tameside"}`` was read as a
   placeholder and logged a false ERROR for every area button, each time the area was asked.
   Buttons are now left as written (none of ours uses a placeholder; texts still do).
4. **A conversation store that fails is never silently replaced.** Rasa wraps the tracker
   store in ``FailSafeTrackerStore``, which, when the database cannot be read, starts the
   conversation afresh (its area, answers and emergency forgotten) and keeps what it saves in
   this process's memory only. With PostgreSQL down that meant a 200 answer asking "Which area
   do you work in?" mid-conversation. Now the error fails the turn, so the web chat says the
   assistant is unavailable with 999 (api/routes/chat.py), and the conversation resumes, whole,
   when the database is back.
"""

from __future__ import annotations

import logging
import os
from typing import Any

logger = logging.getLogger(__name__)

APOLOGY = "utter_action_failed"
EMERGENCY = "utter_emergency"
TOKEN_ENV = "ACTION_SERVER_TOKEN"


def apply() -> None:
    _answer_when_an_action_fails()
    _authenticate_to_the_action_server()
    _leave_button_payloads_as_written()
    _fail_the_turn_when_the_tracker_store_fails()


class ConversationStoreFailed(RuntimeError):
    """The conversation store could not be read or written; the turn is not answered."""


def _raise_store_error(error: Exception) -> None:
    raise ConversationStoreFailed(f"the conversation store failed ({type(error).__name__})") from error


def _fail_the_turn_when_the_tracker_store_fails() -> None:
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import FailSafeTrackerStore

    original = Agent._create_tracker_store

    def _create_tracker_store(store: Any, domain: Any) -> Any:
        created = original(store, domain)
        if isinstance(created, FailSafeTrackerStore):
            created._on_tracker_store_error = _raise_store_error
        return created

    Agent._create_tracker_store = staticmethod(_create_tracker_store)  # type: ignore[method-assign]


NOT_TEMPLATES = ("buttons", "quick_replies")


def _leave_button_payloads_as_written() -> None:
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

    original = TemplatedNaturalLanguageGenerator._fill_response

    def _fill_response(self: Any, response: dict[str, Any], filled_slots: dict[str, Any] | None = None,
                       **kwargs: Any) -> dict[str, Any]:
        as_written = {key: response.pop(key) for key in NOT_TEMPLATES if key in response}
        filled = original(self, response, filled_slots, **kwargs)
        filled.update(as_written)
        return filled

    TemplatedNaturalLanguageGenerator._fill_response = _fill_response  # type: ignore[method-assign]


def action_server_headers() -> dict[str, str]:
    """The header that proves a call comes from Rasa (none when no token is configured)."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    return {"Authorization": f"Bearer {token}"} if token else {}


def _authenticate_to_the_action_server() -> None:
    from rasa.core.actions.action import RemoteAction

    original_init = RemoteAction.__init__

    def __init__(self: RemoteAction, name: str, action_endpoint: Any) -> None:
        original_init(self, name, action_endpoint)
        if action_endpoint is not None:
            action_endpoint.headers.update(action_server_headers())

    RemoteAction.__init__ = __init__  # type: ignore[method-assign]


def already_apologised(tracker: Any) -> bool:
    """Whether this turn (since the practitioner's last message) has had the apology."""
    from rasa.shared.core.events import BotUttered, UserUttered

    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get("utter_action") == APOLOGY:
            return True
    return False


async def apology(output_channel: Any, nlg: Any, tracker: Any) -> list:
    """The emergency advice and the apology, as bot utterances (empty if this turn had them)."""
    from rasa.core.actions.action import create_bot_utterance

    if already_apologised(tracker):
        return []
    events = []
    for name in (EMERGENCY, APOLOGY):  # emergency advice is never delayed: 999 first
        message = await nlg.generate(name, tracker, output_channel.name())
        if message is None:  # pragma: no cover - both are in the domain (a test checks)
            continue
        message["utter_action"] = name
        events.append(create_bot_utterance(message))
    return events


def _answer_when_an_action_fails() -> None:
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction

    original_run = RemoteAction.run

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list:
        try:
            return await original_run(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure gets the same safe answer
            # By name and type only: the error's text can quote the conversation.
            logger.error("custom action %s failed (%s); answered with the apology and 999",
                         self.name(), type(exc).__name__)
            return await apology(output_channel, nlg, tracker)

    RemoteAction.run = run  # type: ignore[method-assign]
