"""'Was this helpful and right?': the practitioner's answer, stored beside the assessment in
the audit trail (bot/audit), redacted like everything else."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions._services import area_of, audit_trail, send
from bot.audit.trail import Feedback, UnknownAdvice
from bot.conversation.replies import Reply

AGREE = "agree"
THANKS = ("Thank you: your feedback is stored beside the assessment (without names or your words' details) for "
          "the leads who review the advice. If a child may be at risk now, act on your own judgement and your "
          "safeguarding lead's.")


def feedback_of(tracker: Tracker) -> Feedback:
    """A button's choice ("agree" or the level they would give), else what they typed."""
    chosen = next((str(e.get("value")) for e in tracker.latest_message.get("entities", [])
                   if e.get("entity") == "feedback_level"), None)
    if chosen == AGREE:
        return Feedback(agrees=True)
    if chosen and chosen.isdigit():
        return Feedback(agrees=False, level=int(chosen))
    said = str(tracker.latest_message.get("text") or "")
    return Feedback.from_words("" if said.startswith("/") else said)


class ActionRecordFeedback(Action):
    def name(self) -> str:
        return "action_record_feedback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        area = area_of(tracker)
        assessment = audit_trail().latest_assessment_of(tracker.sender_id)
        if assessment is None:
            send(dispatcher, Reply("Thank you. There is no assessment in this conversation to attach it to yet; "
                                   "please also tell your safeguarding lead if an answer looked wrong."), area)
            return []
        try:
            audit_trail().feedback(assessment, feedback_of(tracker))
        except UnknownAdvice:  # past its retention
            pass
        send(dispatcher, Reply(THANKS), area)
        return []
