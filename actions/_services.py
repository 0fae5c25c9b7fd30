"""What every action needs: the knowledge base, the engine, and a way to send a Reply."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.audit.trail import Advice, AuditTrail, channel_name
from bot.conversation.replies import Reply, with_standing_emergency
from bot.knowledge.errors import UnknownAreaError
from bot.knowledge.query import KnowledgeBase
from bot.triage.engine import TriageEngine

QUESTION_SLOT_PREFIX = "q_"


@lru_cache(maxsize=1)
def knowledge() -> KnowledgeBase:
    return KnowledgeBase.from_settings()


@lru_cache(maxsize=1)
def engine() -> TriageEngine:
    return TriageEngine(knowledge())


@lru_cache(maxsize=1)
def audit_trail() -> AuditTrail:
    return AuditTrail(knowledge().engine)


def record_advice(tracker: Tracker, advice: Advice) -> str | None:
    """One row in the audit trail, with the channel it came from and the conversation hashed."""
    channel = tracker.get_latest_input_channel() or "other"
    return audit_trail().record(replace(advice, channel=channel_name(channel), conversation=tracker.sender_id))


def send(dispatcher: CollectingDispatcher, reply: Reply, area: str | None = None) -> None:
    """Text and buttons for every channel; the sources ride along for channels that show them.

    ``area`` (the conversation's area id, when known) rides along too, so the web chat can
    keep that area's urgent number on screen.
    """
    custom: dict[str, Any] | None = None
    if reply.sources:
        custom = {"sources": [s.model_dump() for s in reply.sources], "emergency": reply.emergency}
    if area:
        custom = {**(custom or {"emergency": reply.emergency}), "area": area}
    if reply.emergency_lines:  # the safety path's own lines, for channels that lay them out
        custom = {**(custom or {}), "emergency": True, "emergency_advice": reply.emergency_lines}
    dispatcher.utter_message(
        text=reply.text,
        buttons=[{"title": b.title, "payload": b.payload} for b in reply.buttons] or None,
        json_message=custom,
    )


def area_of(tracker: Tracker) -> str | None:
    """The area id in the conversation, if it is one we cover."""
    value = tracker.get_slot("area")
    if not value:
        return None
    try:
        return knowledge().resolve_area_id(str(value))
    except UnknownAreaError:
        return None


def answers_of(tracker: Tracker, area_id: str) -> dict[str, str]:
    """Answers to this area's questions that help, from the q_<key> slots."""
    keys = {q.key for q in knowledge().area(area_id).questions}
    answers = {}
    for key in keys:
        # not get_slot: it logs every question of the area the domain has no slot for
        value = tracker.slots.get(f"{QUESTION_SLOT_PREFIX}{key}")
        if value in ("yes", "no"):
            answers[key] = value
    return answers


def keeps_emergency(tracker: Tracker, area: str | None, reply: Reply) -> Reply:
    """A concern flagged as immediate danger keeps 999 and the urgent number at the top of every
    later answer in the conversation, until a new concern replaces it."""
    return with_standing_emergency(knowledge(), engine(), tracker.get_slot("concern"), area, reply)


def named_an_area(tracker: Tracker) -> bool:
    """The latest message named a place (an ``area`` entity), covered or not."""
    return any(e.get("entity") == "area" for e in tracker.latest_message.get("entities", []))
