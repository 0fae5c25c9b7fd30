"""Two-stage fallback with buttons a practitioner can read (not intent names)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

READABLE = {
    "describe_concern": "I'm describing a worry about a child",
    "inform_area": "I'm telling you my area",
    "ask_contacts": "Who do I contact?",
    "ask_pathway": "What happens next / the early help pathway",
    "ask_step_up_down": "Stepping up or down",
    "ask_consent": "Consent and information sharing",
    "ask_escalation": "I disagree with a decision",
    "ask_definition": "What does a term mean?",
    "ask_level_meaning": "What does a level mean?",
    "ask_services": "What services are there?",
    "ask_handover": "A summary for my notes",
    "emergency": "A child is in danger now",
    "help": "What can you do?",
}


class ActionDefaultAskAffirmation(Action):
    def name(self) -> str:
        return "action_default_ask_affirmation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        ranking = tracker.latest_message.get("intent_ranking", [])
        options = [r["name"] for r in ranking if r.get("name") in READABLE][:2]
        buttons = [{"title": READABLE[i], "payload": f"/{i}"} for i in options]
        buttons.append({"title": "Something else", "payload": "/out_of_scope"})
        dispatcher.utter_message(text="Sorry, I'm not sure I understood. Did you mean:", buttons=buttons)
        return []
