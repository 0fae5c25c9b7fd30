"""How our replies look in Teams: one activity, emergency first, sources listed, buttons that work.

Replies are the real ones (engine + reply builders on the loaded packs), passed through the
same custom json as ``actions._services.send``, and the activities are read back with
Microsoft's own schema (botbuilder-schema).
"""

from __future__ import annotations

import pytest
from botbuilder.schema import Activity, HeroCard

from bot.conversation.replies import Reply, assessment_reply, screening_reply
from rasa_addons.channels.teams_render import (
    HERO_CARD,
    incoming_text,
    render_activity,
    sources_markdown,
    to_markdown,
)
from tests.conftest import WEDNESDAY_1100

BELT = "Dad hits him with a belt and he has marks on his legs."
PUNCHED = "He came in with a fresh bruise on his cheek and said dad punched him this morning."


def rasa_message(reply: Reply, area: str | None = None) -> dict:
    """What Rasa hands the output channel for a reply sent by actions._services.send."""
    message: dict = {"text": reply.text}
    if reply.buttons:
        message["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    if reply.sources or area:
        message["custom"] = {"sources": [s.model_dump() for s in reply.sources], "emergency": reply.emergency}
        if area:
            message["custom"]["area"] = area
    return message


@pytest.fixture
def answer(engine):
    return assessment_reply(engine.assess("tameside", BELT, {}, WEDNESDAY_1100))


def test_a_reply_is_one_activity_with_text_sources_and_buttons(answer):
    activity = render_activity(rasa_message(answer, "tameside"))
    parsed = Activity.deserialize(activity)
    assert parsed.type == "message" and parsed.text_format == "markdown"
    assert "Tameside: level" in parsed.text
    assert [a.content_type for a in parsed.attachments] == [HERO_CARD]


def test_buttons_are_message_back_actions_whose_value_is_the_payload(answer):
    card = HeroCard.deserialize(render_activity(rasa_message(answer))["attachments"][0]["content"])
    assert [b.title for b in card.buttons] == [b.title for b in answer.buttons]
    for button, original in zip(card.buttons, answer.buttons):
        assert button.type == "messageBack"
        assert button.value == original.payload and button.text == original.payload
        assert button.display_text == original.title  # the chat shows the title, not "/ask_contacts"


def test_sources_are_listed_by_document_with_age_and_sections_instead_of_the_summary(answer):
    text = render_activity(rasa_message(answer))["text"]
    assert "\nSources: " not in text and not text.startswith("Sources: ")
    listed = text.split("**Sources**\n\n", 1)[1].splitlines()
    assert len(listed) == len({s.title for s in answer.sources})
    first = answer.sources[0]
    line = next(item for item in listed if item.startswith(f"- {first.title} "))
    assert f"({first.date_label}, about {first.age_years} years old" in line
    if first.past_review:  # Tameside's 2017/18 framework is past its review-by date
        assert "past its review date: check with the front door that this is current" in line
    assert first.section.split(";")[0] in line


def test_the_emergency_line_comes_first_in_bold(engine, kb):
    reply = screening_reply(kb, engine, PUNCHED, "tameside")
    assert reply and reply.emergency
    activity = render_activity(rasa_message(reply, "tameside"))
    assert activity["text"].startswith("**EMERGENCY:")
    assert "999" in activity["text"].split("\n\n")[0]
    assert activity["importance"] == "high"


def test_an_emergency_line_further_down_is_moved_to_the_top():
    message = {"text": "Tameside: level 4.\nEMERGENCY: call 999 now.", "custom": {"emergency": True}}
    paragraphs = render_activity(message)["text"].split("\n\n")
    assert paragraphs[0] == "**EMERGENCY: call 999 now.**"
    assert paragraphs[1] == "Tameside: level 4."


def test_a_plain_reply_has_no_card_and_no_sources_heading():
    activity = render_activity({"text": "Which area do you work in?"})
    assert activity["text"] == "Which area do you work in?"
    assert "attachments" not in activity and "importance" not in activity


def test_more_than_six_buttons_are_spread_over_cards():
    buttons = [{"title": f"Option {n}", "payload": f"/option_{n}"} for n in range(8)]
    cards = render_activity({"text": "Pick one", "buttons": buttons})["attachments"]
    assert [len(c["content"]["buttons"]) for c in cards] == [6, 2]


def test_lists_stay_lists_and_paragraphs_are_separated():
    text = to_markdown(["Next steps:", "- Talk to the family", "- Call the front door", "In an emergency call 999."])
    assert text == "Next steps:\n\n- Talk to the family\n- Call the front door\n\nIn an emergency call 999."


def test_an_undated_source_says_so_and_each_section_is_listed_once():
    src = {"document": "d", "title": "Threshold guide", "date_label": "undated", "year": None,
           "age_years": None, "section": "Level 2"}
    both = {**src, "section": "Level 2; Appendix A"}
    assert sources_markdown([src, both]) == "**Sources**\n\n- Threshold guide (undated): Level 2; Appendix A"


@pytest.mark.parametrize("activity, said", [
    ({"text": "<at>Early Help Navigator</at> I work in Tameside"}, "I work in Tameside"),
    ({"text": "/ask_contacts", "value": "/ask_contacts"}, "/ask_contacts"),
    ({"text": "", "value": "/ask_pathway"}, "/ask_pathway"),
    ({"value": {"payload": "/affirm"}}, "/affirm"),
    ({"attachments": [{"contentType": "image/png"}]}, ""),
])
def test_what_the_user_said_or_clicked(activity, said):
    assert incoming_text(activity) == said
