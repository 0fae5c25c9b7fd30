"""The practitioner's area: asked once, remembered, changeable at any point."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from actions._services import knowledge, named_an_area, send
from bot.conversation.rasa_domain import NOT_LISTED
from bot.conversation.replies import Reply, uncovered_area_reply
from bot.knowledge.errors import UnknownAreaError

CONCERN_FORM = "concern_form"


def validated_area(value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """The area id for what was typed; for an area we do not cover, say so and clear it."""
    if not value:
        return {"area": None}
    text = value[-1] if isinstance(value, list) else str(value)
    if text.strip().lower() == NOT_LISTED:  # the "My area is not listed" button
        send(dispatcher, uncovered_area_reply(knowledge()))
        return {"area": None}
    try:
        return {"area": knowledge().resolve_area_id(text)}
    except UnknownAreaError:
        send(dispatcher, uncovered_area_reply(knowledge(), text))
        return {"area": None}


class ValidateSlots(ValidationAction):
    """Checks the area whenever it is filled outside a form."""

    def validate_area(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        return validated_area(slot_value, dispatcher)


class ActionAfterArea(Action):
    """Once the area is known: answer the question that was waiting for it, or re-assess."""

    def name(self) -> str:
        return "action_after_area"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        area = tracker.get_slot("area")
        if not area:
            # A recognised area name was already answered by the slot validation (covered or
            # not); a place we could not recognise at all still gets a reply, with 999.
            if not named_an_area(tracker):
                place = knowledge().uncovered_place_in(str(tracker.latest_message.get("text") or ""))
                send(dispatcher, uncovered_area_reply(knowledge(), place))
            return []
        pending = tracker.get_slot("pending_action")
        if pending:
            return [SlotSet("pending_action", None), FollowupAction(pending)]
        name = knowledge().area(area).area.name
        if tracker.get_slot("concern"):
            send(dispatcher, Reply(f"I'll answer for {name} from now on."), area)
            return [FollowupAction("action_assess_concern")]
        send(dispatcher, Reply(f"Thanks: I'll answer for {name}."), area)
        # The concern form asks what is worrying them; whatever comes back is the concern.
        return [FollowupAction(CONCERN_FORM)]
