"""One safety path for every reply: the emergency advice, the contact for now and the source's age
come from bot/safety.py, and every channel shows them as they are."""

from __future__ import annotations

from datetime import datetime

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions._services import send
from actions.area import CONCERN_FORM, ActionAfterArea
from actions.lookups import ActionContacts, ActionDefineTerm
from bot.conversation.replies import emergency_reply
from bot.knowledge.schema import AREA_IDS
from bot.safety import emergency_advice
from rasa_addons.channels.slack_blocks import escape as slack_escape
from rasa_addons.channels.slack_blocks import render as slack_render
from rasa_addons.channels.teams_render import render_activity
from tests.conversation.conftest import make_tracker

PUNCHED = "He came in with a fresh bruise on his cheek and said dad punched him this morning, he is scared to go home tonight."
SATURDAY_NIGHT = datetime(2026, 11, 21, 22, 0)


def texts(dispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


@pytest.mark.parametrize("area", AREA_IDS)
def test_every_channel_shows_the_safety_paths_own_emergency_lines(kb, dispatcher, area):
    advice = emergency_advice(kb, area, SATURDAY_NIGHT)
    send(dispatcher, emergency_reply(advice), area)
    sent = dispatcher.messages[0]
    assert sent["custom"]["emergency_advice"] == advice.lines()
    teams = render_activity(sent)["text"]
    slack = slack_render(sent["text"], sent.get("buttons"), sent["custom"])
    slack_text = "\n".join(b["text"]["text"] for b in slack["blocks"] if b.get("type") == "section")
    for line in advice.lines():
        assert line in sent["text"], "web chat and make shell show the text as sent"
        assert (line.removeprefix("- ")) in teams, f"Teams lost: {line}"  # one bold paragraph
        assert slack_escape(line) in slack_text, f"Slack lost: {line}"  # Slack's mrkdwn escapes & < >
    assert teams.startswith("**EMERGENCY: If a child is in immediate danger, call 999 now.")


def test_after_the_area_the_concern_is_asked_for_by_its_form(dispatcher):
    events = ActionAfterArea().run(dispatcher, make_tracker({"area": "tameside"}, intent="inform_area"), {})
    assert events == [FollowupAction(CONCERN_FORM)]
    assert "Tameside" in texts(dispatcher)


def test_a_later_answer_keeps_999_and_the_urgent_number_on_top_after_an_emergency(dispatcher):
    tracker = make_tracker({"area": "tameside", "concern": PUNCHED}, text="who do I call?", intent="ask_contacts")
    ActionContacts().run(dispatcher, tracker, {})
    text = texts(dispatcher)
    assert text.startswith("EMERGENCY: If a child is in immediate danger, call 999 now.")
    assert dispatcher.messages[0]["custom"]["emergency"] is True
    assert "Who to call in Tameside now" in text


def test_a_calm_concern_does_not_put_an_emergency_on_later_answers(dispatcher):
    tracker = make_tracker({"area": "tameside", "concern": "he keeps missing school"}, intent="ask_contacts")
    ActionContacts().run(dispatcher, tracker, {})
    assert not texts(dispatcher).startswith("EMERGENCY")


def test_a_question_naming_an_area_we_do_not_cover_is_not_asked_which_area_again(dispatcher):
    tracker = make_tracker(text="I work in Leeds, who do I call about a child at risk?", intent="ask_contacts",
                           entities=[{"entity": "area", "value": "Leeds"}])
    assert ActionContacts().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages == [], "the slot validation already said Leeds is not covered"


def test_a_term_without_an_area_asks_for_the_area_rather_than_answering_from_another(dispatcher):
    tracker = make_tracker(text="What does TAF stand for?", intent="ask_definition")
    events = ActionDefineTerm().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_ask_area"
    assert SlotSet("pending_action", "action_define_term") in events
    assert SlotSet("term", "What does TAF stand for?") in events


def test_taf_in_worcestershire_says_what_it_stands_for_first(dispatcher):
    tracker = make_tracker({"area": "worcestershire", "term": "TAF"}, text="What does TAF stand for?", intent="ask_definition")
    ActionDefineTerm().run(dispatcher, tracker, {})
    text = texts(dispatcher)
    assert text.startswith("TAF stands for Team around the family.")
    assert "Multi-agency meeting" in text and "years old" in text


def test_a_question_naming_an_uncovered_place_the_model_missed_says_so_by_name(dispatcher):
    tracker = make_tracker(text="I work in Leeds, who do I call about a child at risk?", intent="ask_contacts")
    assert ActionContacts().run(dispatcher, tracker, {}) == []
    text = texts(dispatcher)
    assert "Leeds is not an area I cover" in text and "999" in text and "101" in text
    assert "Which area" not in text


def test_reading_glasses_are_not_a_place(kb):
    assert kb.uncovered_place_in("year 7 girl in reading glasses") is None
    assert kb.uncovered_place_in("I work in Reading") == "Reading"
    assert kb.uncovered_place_in("I work in Tameside") is None


def test_a_name_and_an_address_get_a_short_privacy_note_once(dispatcher):
    from actions.concern import PRIVACY_NOTED, ActionScreenConcern

    said = "Tyler Smith at 14 Acacia Avenue keeps missing school"
    events = ActionScreenConcern().run(dispatcher, make_tracker({"area": "tameside"}, text=said), {"slots": {}})
    assert PRIVACY_NOTED in texts(dispatcher) and SlotSet("privacy_noted", True) in events
    again = type(dispatcher)()
    ActionScreenConcern().run(again, make_tracker({"area": "tameside", "privacy_noted": True}, text=said), {"slots": {}})
    assert PRIVACY_NOTED not in texts(again)


def test_a_concern_without_personal_details_gets_no_privacy_note(dispatcher):
    from actions.concern import PRIVACY_NOTED, ActionScreenConcern

    ActionScreenConcern().run(dispatcher, make_tracker({"area": "tameside"}, text="a year 8 boy keeps missing school"), {"slots": {}})
    assert PRIVACY_NOTED not in texts(dispatcher)


def test_help_while_a_question_waits_explains_that_question(dispatcher, kb):
    from actions.help import ActionHelp

    tracker = make_tracker({"area": "tameside", "requested_slot": "q_significant_harm"}, text="what should I do?",
                           intent="help", active_loop="questions_form")
    ActionHelp().run(dispatcher, tracker, {})
    text = texts(dispatcher)
    question = next(q for q in kb.area("tameside").questions if q.key == "significant_harm")
    assert question.text in text and "yes means at least Tameside level 4" in text and "don't know" in text


@pytest.mark.parametrize("area", AREA_IDS)
def test_the_area_question_offers_every_area_and_not_listed(area):
    import yaml

    from bot.config import PROJECT_ROOT

    domain = yaml.safe_load((PROJECT_ROOT / "domain" / "generated.yml").read_text())
    titles = [b["title"] for b in domain["responses"]["utter_ask_area"][0]["buttons"]]
    assert titles[-1] == "My area is not listed" and len(titles) == len(AREA_IDS) + 1


def test_my_area_is_not_listed_gets_the_advice_for_anywhere(dispatcher):
    from actions.area import ValidateSlots

    assert ValidateSlots().validate_area("not listed", dispatcher, make_tracker(), {}) == {"area": None}
    text = texts(dispatcher)
    assert "999" in text and "101" in text and "not listed" not in text
