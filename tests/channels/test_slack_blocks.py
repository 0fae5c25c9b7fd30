"""Block Kit for Slack: one message per reply, emergency first, sources with their age.

Rendered from real replies (the engine on the real packs) and checked with slack_sdk.models.
"""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackObjectFormationError

from bot.conversation.replies import FOLLOW_UPS, assessment_reply, contacts_reply
from rasa_addons.channels.slack_blocks import (
    MAX_BUTTON_TEXT,
    MAX_BUTTONS_PER_BLOCK,
    escape,
    render,
    source_age,
)
from tests.channels.slack_support import validate_blocks
from tests.support.numbers import number_of, urgent_numbers

EMERGENCY = "He came in with a fresh bruise on his cheek and said dad punched him this morning."
TRUANCY = "She has been bunking off every week for months and mum can't get her up."


def as_sent(reply, area=None):
    """What actions/_services.send hands to Rasa for this reply."""
    custom = None
    if reply.sources:
        custom = {"sources": [s.model_dump() for s in reply.sources], "emergency": reply.emergency}
    if area:
        custom = {**(custom or {"emergency": reply.emergency}), "area": area}
    return reply.text, [{"title": b.title, "payload": b.payload} for b in reply.buttons], custom


def test_an_answer_is_one_valid_message_with_buttons_and_dated_sources(assess):
    text, buttons, custom = as_sent(assessment_reply(assess("worcestershire", TRUANCY)), "worcestershire")
    out = render(text, buttons, custom)
    validate_blocks(out["blocks"])
    kinds = [b["type"] for b in out["blocks"]]
    assert kinds[-1] == "context" and "actions" in kinds
    context = " ".join(e["text"] for e in out["blocks"][-1]["elements"])
    for src in custom["sources"]:
        assert src["title"] in context and escape(src["section"]) in context
        assert source_age(src) in context
    sent = [el["value"] for b in out["blocks"] if b["type"] == "actions" for el in b["elements"]]
    assert sent == [b.payload for b in FOLLOW_UPS]


def test_the_sources_line_is_not_repeated_in_the_text_when_the_context_block_shows_them(assess):
    text, buttons, custom = as_sent(assessment_reply(assess("tameside", TRUANCY)))
    assert "Sources: " in text
    sections = " ".join(b["text"]["text"] for b in render(text, buttons, custom)["blocks"] if b["type"] == "section")
    assert "Sources: " not in sections


def test_the_emergency_line_comes_first_with_999_and_the_area_number(assess):
    text, buttons, custom = as_sent(assessment_reply(assess("tameside", EMERGENCY)), "tameside")
    assert custom["emergency"] is True
    out = render(text, buttons, custom)
    validate_blocks(out["blocks"])
    first = out["blocks"][0]["text"]["text"]
    assert first.startswith(":rotating_light: *EMERGENCY")
    assert "999" in first and any(n in first for n in urgent_numbers("tameside"))
    assert out["text"].startswith("EMERGENCY")
    reasons = [ln for ln in text.split("\n\n")[0].splitlines() if ln.startswith("- ")]
    assert reasons and all(escape(r) in first for r in reasons), "the reasons stay under the emergency line"


def test_an_emergency_line_further_down_still_goes_first():
    out = render("Thanks for telling me.\nEMERGENCY: call 999 now.", None, {"emergency": True})
    assert out["blocks"][0]["text"]["text"] == ":rotating_light: *EMERGENCY: call 999 now.*"
    assert "Thanks for telling me." in out["blocks"][1]["text"]["text"]


def test_a_flagged_reply_worded_otherwise_puts_its_first_paragraph_first():
    out = render("Call 999 now.\n\nThen ring the front door.", None, {"emergency": True})
    assert out["blocks"][0]["text"]["text"] == ":rotating_light: *Call 999 now.*"


def test_the_domain_emergency_response_is_marked_first_without_any_json():
    text = ("If a child is in immediate danger, call 999 now. "
            f"Then tell Tameside children's social care: {number_of('tameside', 'childrens-hub')}.")
    out = render(text, None, None, emergency=True)
    assert out["blocks"][0]["text"]["text"] == f":rotating_light: *{escape(text)}*"


def test_a_screening_reply_without_sources_is_still_first_and_marked():
    out = render("EMERGENCY: if the child is in immediate danger, call 999 now.", None,
                 {"emergency": True, "area": "tameside"})
    assert len(out["blocks"]) == 1 and "999" in out["blocks"][0]["text"]["text"]


def test_buttons_go_five_to_an_actions_block_and_long_titles_are_shortened():
    buttons = [{"title": f"Option {i} " + "x" * 100, "payload": f"/choose{i}"} for i in range(12)]
    out = render("Pick one.", buttons)
    validate_blocks(out["blocks"])
    actions = [b for b in out["blocks"] if b["type"] == "actions"]
    assert [len(a["elements"]) for a in actions] == [5, 5, 2]
    assert all(len(el["text"]["text"]) <= MAX_BUTTON_TEXT for a in actions for el in a["elements"])
    ids = [el["action_id"] for a in actions for el in a["elements"]]
    assert len(ids) == len(set(ids))


def test_slack_models_refuse_what_we_never_send():
    """The validator used above does fail on a limit: a 76-character button text."""
    too_long = {"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "x" * 76}, "value": "v"}]}
    with pytest.raises(SlackObjectFormationError):
        validate_blocks([too_long])
    assert MAX_BUTTONS_PER_BLOCK == 5


def test_contacts_render_with_every_number_and_no_invented_one(kb):
    reply = contacts_reply(kb, "stockton-on-tees")
    text, buttons, custom = as_sent(reply)
    out = render(text, buttons, custom)
    validate_blocks(out["blocks"])
    shown = " ".join(b["text"]["text"] for b in out["blocks"] if b["type"] == "section")
    assert "no number given" in shown
    assert "999" in shown


def test_slack_control_characters_are_escaped():
    out = render("Mum & dad <said> it's fine > ok")
    assert out["blocks"][0]["text"]["text"] == "Mum &amp; dad &lt;said&gt; it's fine &gt; ok"


def test_a_very_long_reply_stays_within_slack_limits():
    text = "\n\n".join(f"Paragraph {i} " + "word " * 700 for i in range(60))
    out = render(text, [{"title": "Yes", "payload": "/affirm"}], {"sources": [], "emergency": False})
    validate_blocks(out["blocks"])
    assert len(out["text"]) <= 3000


def test_more_than_ten_documents_are_summarised_in_one_context_block():
    sources = [{"document": f"d{i}", "title": f"Doc {i}", "section": "s", "date_label": "2020", "year": 2020,
                "age_years": 6} for i in range(14)]
    out = render("Text", None, {"sources": sources, "emergency": False})
    validate_blocks(out["blocks"])
    elements = out["blocks"][-1]["elements"]
    assert len(elements) == 10 and elements[-1]["text"] == "and 5 more documents"


def test_sections_of_one_document_share_its_line():
    doc = {"document": "d", "title": "Threshold Guide", "date_label": "2019", "year": 2019, "age_years": 7}
    out = render("Text", None, {"sources": [{**doc, "section": "Level 2"}, {**doc, "section": "Level 3"},
                                            {**doc, "section": "Level 2"}], "emergency": False})
    assert out["blocks"][-1]["elements"] == [
        {"type": "mrkdwn", "text": "*Threshold Guide* (2019, about 7 years old): Level 2; Level 3"}]


@pytest.mark.parametrize("src, age", [
    ({"year": None, "date_label": "undated"}, "undated"),
    ({"year": 2019, "date_label": "March 2019", "age_years": 7}, "March 2019, about 7 years old"),
    ({"year": 2026, "date_label": "2026", "age_years": 0}, "2026, current"),
])
def test_every_source_says_how_old_it_is(src, age):
    assert source_age(src) == age


def test_a_json_that_is_not_ours_is_left_alone():
    out = render("Hello", None, {"blocks": [{"type": "divider"}]})
    assert [b["type"] for b in out["blocks"]] == ["section"]
