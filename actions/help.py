"""Help where the practitioner is: about the question waiting for an answer, the concern asked
for, or what the assistant does."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions._services import QUESTION_SLOT_PREFIX, area_of, knowledge, send
from actions.area import CONCERN_FORM
from bot.conversation.replies import concern_help_reply, question_help_reply

QUESTIONS_FORM = "questions_form"


class ActionHelp(Action):
    """'What should I do?' while a question is waiting explains that question: why it is asked
    and what each answer leads to. Otherwise the general help."""

    def name(self) -> str:
        return "action_help"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        loop = tracker.active_loop_name
        requested = str(tracker.get_slot("requested_slot") or "")
        area = area_of(tracker)
        if loop == QUESTIONS_FORM and area and requested.startswith(QUESTION_SLOT_PREFIX):
            reply = question_help_reply(knowledge(), area, requested[len(QUESTION_SLOT_PREFIX):])
            if reply:
                send(dispatcher, reply, area)
                return []
        if loop == CONCERN_FORM:
            send(dispatcher, concern_help_reply(knowledge(), area), area)
            return []
        if loop == QUESTIONS_FORM and requested == "area":
            dispatcher.utter_message(response="utter_ask_area")
            return []
        dispatcher.utter_message(response="utter_help")
        return []
