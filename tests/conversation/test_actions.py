"""The Rasa actions are thin adapters: they answer from bot/, for the conversation's area."""

from __future__ import annotations

import asyncio

from rasa_sdk.events import FollowupAction, SlotSet

from actions.area import ActionAfterArea, ValidateSlots
from actions.concern import (
    ActionAssessConcern,
    ActionHandoverSummary,
    ActionScreenConcern,
    ValidateQuestionsForm,
)
from actions.fallback import ActionDefaultAskAffirmation
from actions.lookups import (
    ActionConsent,
    ActionContacts,
    ActionDefineTerm,
    ActionEscalation,
    ActionLevelMeaning,
)
from tests.conversation.conftest import make_tracker
from tests.support.numbers import number_of, urgent_numbers

EMERGENCY = "He came in with a fresh bruise on his cheek and said dad punched him this morning."


def texts(dispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def test_an_emergency_is_answered_before_any_question(dispatcher):
    tracker = make_tracker({"area": "worcestershire"}, text=EMERGENCY)
    events = ActionScreenConcern().run(dispatcher, tracker, {})
    assert texts(dispatcher).startswith("EMERGENCY")
    assert "999" in texts(dispatcher)
    assert SlotSet("concern", EMERGENCY) in events


def test_an_emergency_without_an_area_still_gives_999(dispatcher):
    ActionScreenConcern().run(dispatcher, make_tracker({}, text=EMERGENCY), {})
    assert "999" in texts(dispatcher)


def test_a_calm_concern_is_not_an_emergency(dispatcher):
    ActionScreenConcern().run(dispatcher, make_tracker({"area": "tameside"}, text="Mum has lost her job and money is tight."), {})
    assert dispatcher.messages == []


def test_a_new_concern_after_an_answer_replaces_the_old_one_and_its_answers(dispatcher, domain):
    slots = {"area": "tameside", "concern": "Mum has lost her job and money is tight.", "q_home_safe": "no", "level": 2.0}
    events = ActionScreenConcern().run(dispatcher, make_tracker(slots, text="He says he is hungry every morning."), domain)
    assert SlotSet("concern", "He says he is hungry every morning.") in events
    assert SlotSet("level", None) in events
    assert any(e == SlotSet(name, None) for e in events for name in domain["slots"] if name.startswith("q_"))


def test_detail_given_during_the_questions_adds_to_the_concern_and_is_screened(dispatcher, domain):
    slots = {"area": "tameside", "concern": "Mum has lost her job and money is tight."}
    tracker = make_tracker(slots, text="He just told me dad punched him this morning and he has a fresh bruise.",
                           active_loop="questions_form")
    events = ActionScreenConcern().run(dispatcher, tracker, domain)
    assert SlotSet("concern", "Mum has lost her job and money is tight. He just told me dad punched him "
                              "this morning and he has a fresh bruise.") in events
    assert texts(dispatcher).startswith("EMERGENCY") and any(n in texts(dispatcher) for n in urgent_numbers("tameside"))
    assert SlotSet("level", None) not in events


def test_the_form_asks_the_area_first_when_it_is_not_known(dispatcher, domain):
    slots = asyncio.run(ValidateQuestionsForm().required_slots([], dispatcher, make_tracker({"concern": "bunking off"}), domain))
    assert slots == ["area"]


def test_the_form_asks_only_questions_that_would_change_the_level(dispatcher, domain):
    tracker = make_tracker({"area": "worcestershire", "concern": "Mum needs some advice on parenting."})
    slots = asyncio.run(ValidateQuestionsForm().required_slots([], dispatcher, tracker, domain))
    assert slots[0] == "area" and 1 <= len(slots) <= 3
    assert all(s.startswith("q_") for s in slots[1:])


def test_the_form_asks_nothing_more_for_an_emergency(dispatcher, domain):
    tracker = make_tracker({"area": "worcestershire", "concern": EMERGENCY})
    assert asyncio.run(ValidateQuestionsForm().required_slots([], dispatcher, tracker, domain)) == ["area"]


def test_the_form_asks_nothing_more_once_the_level_cannot_change(dispatcher, domain):
    tracker = make_tracker({"area": "worcestershire", "concern": "Dad hits him with a belt and he has marks on his legs."})
    assert asyncio.run(ValidateQuestionsForm().required_slots([], dispatcher, tracker, domain)) == ["area"]


def test_the_form_assesses_a_concern_once_however_often_rasa_asks_for_its_slots(dispatcher, domain, monkeypatch):
    from actions import concern
    from actions._services import engine

    assessed = []
    real_assess = engine().assess
    monkeypatch.setattr(engine(), "assess", lambda *args: assessed.append(args) or real_assess(*args))
    monkeypatch.setattr(concern, "_FORM_QUESTIONS", type(concern._FORM_QUESTIONS)())
    words = "Mum needs some advice on parenting and he is often late to school."
    asked = [asyncio.run(ValidateQuestionsForm().required_slots(
        [], dispatcher, make_tracker({"area": "worcestershire", "concern": words}), domain)) for _ in range(4)]
    assert len(assessed) == 1 and asked == [asked[0]] * 4
    first_question = asked[0][1]
    answered = make_tracker({"area": "worcestershire", "concern": words, first_question: "yes"})
    after_an_answer = asyncio.run(ValidateQuestionsForm().required_slots([], dispatcher, answered, domain))
    assert len(assessed) == 2, "an answer is a new assessment"
    assert first_question not in after_an_answer
    assert all(words not in repr(key) for key in concern._FORM_QUESTIONS), "only digests are kept"


def test_the_answer_gives_level_reasons_steps_contacts_sources_and_follow_up_buttons(dispatcher):
    tracker = make_tracker({"area": "worcestershire", "concern": "She has been bunking off every week for months."})
    events = ActionAssessConcern().run(dispatcher, tracker, {})
    text = texts(dispatcher)
    assert "level 3" in text and "Why:" in text and "Next steps:" in text and "Who to contact now:" in text
    assert "May 2019" in text and "years old" in text
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["Who do I call?", "What happens next?", "Do I need consent?", "I disagree with a decision"]
    assert SlotSet("level", 3.0) in events
    assert dispatcher.messages[0]["custom"]["sources"], "sources ride along for channels that show them"


def test_answers_to_the_questions_change_the_level(dispatcher):
    tracker = make_tracker({"area": "tameside", "concern": "Mum needs some advice on parenting.", "q_significant_harm": "yes"})
    ActionAssessConcern().run(dispatcher, tracker, {})
    assert "level 4" in texts(dispatcher)


def test_an_area_we_do_not_cover_is_said_plainly_with_999(dispatcher):
    result = ValidateSlots().validate_area("Leeds", dispatcher, make_tracker(), {})
    assert result == {"area": None}
    text = texts(dispatcher)
    assert "Leeds" in text and "999" in text and "children's social care" in text


def test_a_place_we_cannot_recognise_gets_the_areas_we_cover_and_999(dispatcher):
    events = ActionAfterArea().run(dispatcher, make_tracker(text="I'm in Narnia", intent="inform_area"), {})
    assert events == []
    text = texts(dispatcher)
    assert "don't hold guidance" in text and "Tameside" in text and "999" in text and "children's social care" in text


def test_an_uncovered_place_the_model_did_not_pick_out_is_named(dispatcher):
    ActionAfterArea().run(dispatcher, make_tracker(text="I'm in Leeds", intent="inform_area"), {})
    assert "Leeds is not an area I cover" in texts(dispatcher)


def test_an_uncovered_area_already_answered_by_validation_is_not_answered_twice(dispatcher):
    tracker = make_tracker(text="I'm in Leeds", intent="inform_area", entities=[{"entity": "area", "value": "Leeds"}])
    assert ActionAfterArea().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages == []


def test_an_alias_becomes_the_area_id(dispatcher):
    assert ValidateSlots().validate_area("Worcs", dispatcher, make_tracker(), {}) == {"area": "worcestershire"}


def test_changing_area_reassesses_the_concern(dispatcher):
    events = ActionAfterArea().run(dispatcher, make_tracker({"area": "tameside", "concern": "bunking off"}, intent="inform_area"), {})
    assert FollowupAction("action_assess_concern") in events
    assert "Tameside" in texts(dispatcher)


def test_a_question_waiting_for_the_area_is_answered_once_it_is_given(dispatcher):
    events = ActionAfterArea().run(dispatcher, make_tracker({"area": "tameside", "pending_action": "action_contacts"}), {})
    assert FollowupAction("action_contacts") in events


def test_contacts_ask_for_the_area_first(dispatcher):
    events = ActionContacts().run(dispatcher, make_tracker({}, intent="ask_contacts"), {})
    assert dispatcher.messages[0]["response"] == "utter_ask_area"
    assert SlotSet("pending_action", "action_contacts") in events


def test_tameside_contacts_give_both_numbers(dispatcher):
    ActionContacts().run(dispatcher, make_tracker({"area": "tameside"}, intent="ask_contacts"), {})
    assert number_of("tameside", "childrens-hub") in texts(dispatcher) and number_of("tameside", "out-of-hours") in texts(dispatcher)


def test_consent_in_worcestershire_says_a_referral_cannot_be_anonymous(dispatcher):
    ActionConsent().run(dispatcher, make_tracker({"area": "worcestershire"}, intent="ask_consent"), {})
    assert "anonymous" in texts(dispatcher).lower()


def test_escalation_in_an_area_whose_document_is_silent_says_so(dispatcher):
    ActionEscalation().run(dispatcher, make_tracker({"area": "stockton-on-tees"}, intent="ask_escalation"), {})
    assert "does not describe" in texts(dispatcher)


def test_a_term_is_defined_with_its_source(dispatcher):
    ActionDefineTerm().run(dispatcher, make_tracker({"area": "redcar-cleveland", "term": "MACH"}, intent="ask_definition"), {})
    assert "Multi-Agency Children's Hub" in texts(dispatcher) and "Source:" in texts(dispatcher)


def test_cambridgeshire_has_three_levels_when_asked(dispatcher):
    ActionLevelMeaning().run(dispatcher, make_tracker({"area": "cambridgeshire"}, intent="ask_level_meaning"), {})
    assert "3 levels" in texts(dispatcher)


def test_the_handover_summary_holds_no_personal_data(dispatcher):
    concern = "Jake Smith, DOB 12/03/2015, has been bunking off every week for months."
    ActionHandoverSummary().run(dispatcher, make_tracker({"area": "worcestershire", "concern": concern}), {})
    text = texts(dispatcher)
    assert "Handover summary" in text and "Level of need: 3" in text
    assert "Jake" not in text and "Smith" not in text and "12/03/2015" not in text


def test_fallback_buttons_are_readable(dispatcher):
    tracker = make_tracker(intent="nlu_fallback")
    tracker.latest_message["intent_ranking"] = [{"name": "ask_contacts", "confidence": 0.3}, {"name": "ask_consent", "confidence": 0.2}]
    ActionDefaultAskAffirmation().run(dispatcher, tracker, {})
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["Who do I contact?", "Consent and information sharing", "Something else"]
