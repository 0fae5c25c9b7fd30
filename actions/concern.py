"""A concern: emergency screening first, then the questions that help, then the answer."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._services import QUESTION_SLOT_PREFIX, answers_of, area_of, engine, knowledge, record_advice, send
from actions.area import validated_area
from bot.audit.trail import advice_from_assessment
from bot.conversation.replies import (
    PRIVACY_NOTED,
    Reply,
    assessment_reply,
    feedback_question,
    handover_reply,
    screening_reply,
)
from bot.privacy.redact import redact

MAX_FORM_QUESTIONS = 2


class ActionScreenConcern(Action):
    """Emergencies win: if the words show immediate danger, 999 comes before anything else."""

    def name(self) -> str:
        return "action_screen_concern"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        previous = tracker.get_slot("concern") or ""
        concern, is_new = concern_after(previous, tracker.latest_message.get("text") or "",
                                        tracker.active_loop_name == "questions_form")
        area = area_of(tracker)
        reply = screening_reply(knowledge(), engine(), concern, area)
        if reply:
            send(dispatcher, reply, area)
        events: list[EventType] = [SlotSet("concern", concern)]
        said = str(tracker.latest_message.get("text") or "")
        if not tracker.get_slot("privacy_noted") and redact(said) != said:
            # Said once: the words held a name, an address or another personal detail.
            send(dispatcher, Reply(PRIVACY_NOTED), area)
            events.append(SlotSet("privacy_noted", True))
        if is_new and previous:
            # Answers and the level belonged to the previous child's concern.
            events += [SlotSet(name, None) for name in domain.get("slots", {})
                       if name.startswith(QUESTION_SLOT_PREFIX)]
            events.append(SlotSet("level", None))
        return events


def concern_after(previous: str, message: str, questions_active: bool) -> tuple[str, bool]:
    """The concern to assess after ``message``, and whether it is a new one.

    During the questions that help, more detail adds to the concern (and is screened with it,
    so a danger mentioned mid-way is caught). After an answer, a described concern is a new one.
    """
    message = message.strip()
    if not message:
        return previous, False
    if questions_active and previous:
        return f"{previous} {message}", False
    return message, True


_FORM_QUESTIONS: OrderedDict[bytes, tuple[bool, tuple[str, ...]]] = OrderedDict()
_FORM_QUESTIONS_KEPT = 256


def form_questions(area: str, concern: str, answers: dict[str, str]) -> tuple[bool, tuple[str, ...]]:
    """Whether the concern shows immediate danger, and the keys of its questions that help.

    rasa_sdk asks the form for its slots three or four times a turn, and each time the concern
    was assessed again: half of the action server's CPU. The answer depends only on the loaded
    knowledge and these arguments, so the last few are remembered, keyed by a digest (the
    practitioner's words are not kept).
    """
    state = knowledge().snapshot().state
    key = hashlib.sha256(repr((state, area, concern, sorted(answers.items()))).encode()).digest()
    found = _FORM_QUESTIONS.get(key)
    if found is None:
        result = engine().assess(area, concern, answers)
        found = result.immediate_risk.flagged, tuple(q.key for q in result.questions)
        _FORM_QUESTIONS[key] = found
        if len(_FORM_QUESTIONS) > _FORM_QUESTIONS_KEPT:
            _FORM_QUESTIONS.popitem(last=False)
    else:
        _FORM_QUESTIONS.move_to_end(key)
    return found


class ValidateQuestionsForm(FormValidationAction):
    """Asks only what the description has not answered and what would change the level."""

    def name(self) -> str:
        return "validate_questions_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        area = area_of(tracker)
        if not area:
            return ["area"]
        concern = tracker.get_slot("concern") or ""
        flagged, question_keys = form_questions(area, concern, answers_of(tracker, area))
        if flagged:
            return ["area"]
        wanted = [f"{QUESTION_SLOT_PREFIX}{key}" for key in question_keys
                  if f"{QUESTION_SLOT_PREFIX}{key}" in domain.get("slots", {})]
        return ["area", *wanted[:MAX_FORM_QUESTIONS]]

    def validate_area(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return validated_area(slot_value, dispatcher)


class ActionAssessConcern(Action):
    """The answer: level and why, next steps, who to contact now, sources with dates."""

    def name(self) -> str:
        return "action_assess_concern"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        area = area_of(tracker)
        concern = tracker.get_slot("concern")
        if not area or not concern:
            dispatcher.utter_message(response="utter_ask_area" if not area else "utter_ask_concern")
            return []
        result = engine().assess(area, concern, answers_of(tracker, area))
        send(dispatcher, assessment_reply(result), area)
        recorded = record_advice(tracker, advice_from_assessment(result, "other", knowledge().area(area).content_hash))
        if recorded and result.level:
            send(dispatcher, feedback_question(knowledge(), area), area)
        return [SlotSet("level", float(result.level.number) if result.level else None)]


class ActionHandoverSummary(Action):
    """A summary for notes or the safeguarding lead, with no personal data."""

    def name(self) -> str:
        return "action_handover_summary"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        area = area_of(tracker)
        concern = tracker.get_slot("concern")
        if not area or not concern:
            send(dispatcher, Reply("There is nothing to summarise yet: describe the concern and your area first."))
            return []
        send(dispatcher, handover_reply(engine().assess(area, concern, answers_of(tracker, area))), area)
        return []
