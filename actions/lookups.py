"""Questions about the area's guidance: contacts, pathway, consent, escalation, terms, levels."""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions._services import area_of, keeps_emergency, knowledge, named_an_area, record_advice, send
from bot.audit.trail import advice_from_contacts
from bot.conversation import replies
from bot.conversation.replies import Reply, uncovered_area_reply
from bot.safety import emergency_advice


class AreaAction(Action, ABC):
    """An answer that depends on the area: if it is not known yet, ask, then come back."""

    @abstractmethod
    def answer(self, area: str, tracker: Tracker) -> Reply: ...

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        area = area_of(tracker)
        if not area:
            if named_an_area(tracker):  # "I work in Leeds, who do I call?": validation said Leeds is not covered
                return []
            place = knowledge().uncovered_place_in(str(tracker.latest_message.get("text") or ""))
            if place:  # a place the language model did not pick out: say it is not covered, by name
                send(dispatcher, uncovered_area_reply(knowledge(), place))
                return []
            dispatcher.utter_message(response="utter_ask_area")
            return [SlotSet("pending_action", self.name())]
        send(dispatcher, keeps_emergency(tracker, area, self.answer(area, tracker)), area)
        return []


def _level(tracker: Tracker) -> int | None:
    value = tracker.get_slot("level")
    return int(value) if value else None


EVERY_CONTACT = ("all contacts", "all the contacts", "every contact", "full list", "list all", "district", "which team")


class ActionContacts(AreaAction):
    def name(self) -> str:
        return "action_contacts"

    def answer(self, area: str, tracker: Tracker) -> Reply:
        """The contact for now; every contact (district teams and all) only when asked for."""
        text = str(tracker.latest_message.get("text") or "").lower()
        everything = any(ask in text for ask in EVERY_CONTACT)
        urgent = emergency_advice(knowledge(), area).urgent
        record_advice(tracker, advice_from_contacts(knowledge().area(area), urgent.key if urgent else None, "other"))
        return replies.contacts_reply(knowledge(), area, everything=everything)


class ActionPathway(AreaAction):
    def name(self) -> str:
        return "action_pathway"

    def answer(self, area: str, tracker: Tracker) -> Reply:
        return replies.pathway_reply(knowledge(), area, _level(tracker))


class ActionStepUpDown(AreaAction):
    def name(self) -> str:
        return "action_step_up_down"

    def answer(self, area: str, tracker: Tracker) -> Reply:
        return replies.pathway_reply(knowledge(), area, stages={"step_up", "step_down", "plan_not_working"})


class ActionConsent(AreaAction):
    def name(self) -> str:
        return "action_consent"

    def answer(self, area: str, tracker: Tracker) -> Reply:
        return replies.consent_reply(knowledge(), area)


class ActionEscalation(AreaAction):
    def name(self) -> str:
        return "action_escalation"

    def answer(self, area: str, tracker: Tracker) -> Reply:
        return replies.escalation_reply(knowledge(), area)


class ActionLevelMeaning(AreaAction):
    def name(self) -> str:
        return "action_level_meaning"

    def answer(self, area: str, tracker: Tracker) -> Reply:
        number = tracker.get_slot("level_number")
        return replies.level_meaning_reply(knowledge(), area, int(number) if number and str(number).isdigit() else None)


class ActionServices(AreaAction):
    def name(self) -> str:
        return "action_services"

    def answer(self, area: str, tracker: Tracker) -> Reply:
        return replies.services_reply(knowledge(), area, _level(tracker))


class ActionDefineTerm(Action):
    """A term's meaning in the area's documents (or another area's, said so)."""

    def name(self) -> str:
        return "action_define_term"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        term = tracker.get_slot("term") or tracker.latest_message.get("text") or ""
        area = area_of(tracker)
        if not area:  # a term's local meaning differs by area: no other area's glossary by default
            if named_an_area(tracker):
                return [SlotSet("term", None)]
            dispatcher.utter_message(response="utter_ask_area")
            return [SlotSet("term", str(term)), SlotSet("pending_action", self.name())]
        send(dispatcher, keeps_emergency(tracker, area, replies.definition_reply(knowledge(), area, str(term))), area)
        return [SlotSet("term", None)]
