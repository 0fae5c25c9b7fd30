"""The web chat keeps the area's urgent number on screen: every reply tells it the area, once known."""

from __future__ import annotations

from actions.area import ActionAfterArea
from actions.concern import ActionAssessConcern, ActionScreenConcern
from actions.lookups import ActionContacts
from tests.conversation.conftest import make_tracker

EMERGENCY = "He came in with a fresh bruise on his cheek and said dad punched him this morning."


def test_the_answer_carries_its_area_beside_the_sources(dispatcher):
    tracker = make_tracker({"area": "worcestershire", "concern": "She has been bunking off every week for months."})
    ActionAssessConcern().run(dispatcher, tracker, {})
    custom = dispatcher.messages[0]["custom"]
    assert custom["area"] == "worcestershire"
    assert custom["sources"] and custom["emergency"] is False


def test_confirming_the_area_tells_the_chat_which_area(dispatcher):
    ActionAfterArea().run(dispatcher, make_tracker({"area": "tameside"}), {})
    assert dispatcher.messages[0]["custom"] == {"emergency": False, "area": "tameside"}


def test_an_emergency_reply_is_marked_and_carries_its_area(dispatcher):
    ActionScreenConcern().run(dispatcher, make_tracker({"area": "tameside"}, text=EMERGENCY), {})
    custom = dispatcher.messages[0]["custom"]
    assert custom["emergency"] is True and custom["area"] == "tameside"
    assert custom["emergency_advice"][0].startswith("If a child is in immediate danger, call 999")


def test_contacts_carry_their_area(dispatcher):
    ActionContacts().run(dispatcher, make_tracker({"area": "redcar-cleveland"}), {})
    assert dispatcher.messages[0]["custom"]["area"] == "redcar-cleveland"


def test_without_an_area_no_area_is_claimed(dispatcher):
    ActionScreenConcern().run(dispatcher, make_tracker({}, text=EMERGENCY), {})
    assert "area" not in (dispatcher.messages[0].get("custom") or {})
