"""End to end: the real Rasa server and action server, conversing over the REST channel.

Needs the trained model (models/current.tar.gz, built by `make test` before pytest);
without it these tests are skipped and say so.
"""

from __future__ import annotations

import pytest

from tests.support.numbers import area_numbers, number_of, urgent_numbers
from tests.support.stack import Stack, fresh_sender, needs_model

pytestmark = needs_model


@pytest.fixture(scope="module")
def rasa(shared_stack):
    # The run's shared stack: two Rasa workers, as `make run`, so turns of one conversation must
    # stay in order across them. Each test converses as its own fresh sender.
    assert shared_stack.rasa_workers == 2
    return shared_stack


def converse_until_answer(stack: Stack, sender: str, concern: str, answer: str = "no", turns: int = 4) -> str:
    """Send the concern, answer any questions that help, and return the whole reply text."""
    replies = stack.say(sender, concern)
    text = "\n".join(m.get("text", "") for m in replies)
    for _ in range(turns):
        if "level " in text.lower() and "Who to contact now" in text:
            return text
        replies = stack.say(sender, answer)
        text += "\n" + "\n".join(m.get("text", "") for m in replies)
    return text


BELT = "Dad hits him with a belt and he has marks on his legs."


@pytest.mark.parametrize(
    "area, level, numbers",
    [
        ("Worcs", "level 4", [number_of("worcestershire", "family-front-door"), number_of("worcestershire", "out-of-hours")]),
        ("Tameside", "level 4", [number_of("tameside", "childrens-hub"), number_of("tameside", "out-of-hours")]),
        ("Redcar", "level 4", [number_of("redcar-cleveland", "redcar-mach")]),
        ("Stockton", "level 4", ["no number given"]),
        ("Cambs", "level 3", ["no number given"]),
    ],
)
def test_each_area_gets_its_own_level_and_numbers(rasa, area, level, numbers):
    sender = fresh_sender(f"e2e-{area}")
    first = " ".join(m.get("text", "") for m in rasa.say(sender, f"I work in {area}"))
    assert "answer for" in first
    text = converse_until_answer(rasa, sender, BELT)
    assert level in text, text
    for n in numbers:
        assert n in text, (n, text)


def test_the_questions_that_help_are_asked_and_change_the_level(rasa):
    sender = fresh_sender("e2e-form")
    rasa.say(sender, "I'm in Worcestershire")
    text = converse_until_answer(rasa, sender, "I am worried about a year 3 boy, mum says she cannot cope with his behaviour at home and is struggling with his routines.", answer="yes")
    assert "level 3" in text or "level 4" in text, text


def test_an_emergency_gets_999_and_the_urgent_number_first(rasa):
    sender = fresh_sender("e2e-emergency")
    rasa.say(sender, "I'm in Tameside")
    replies = rasa.say(sender, "He came in with a fresh bruise on his cheek and said dad punched him this morning.")
    assert replies and "999" in replies[0]["text"]
    assert any(n in replies[0]["text"] for n in urgent_numbers("tameside"))


def test_an_area_we_do_not_cover(rasa):
    text = " ".join(m.get("text", "") for m in rasa.say(fresh_sender("e2e-leeds"), "I'm in Leeds"))
    assert "not an area I cover" in text and "999" in text and "101" in text


def test_a_general_question_is_answered_by_the_faq_response_selector(rasa):
    text = " ".join(m.get("text", "") for m in rasa.say(fresh_sender("e2e-faq"), "do you store the names I type?"))
    assert "redacted" in text


def test_conversations_in_parallel_each_keep_their_own_area(rasa):
    """Turns land on either worker; each conversation still answers for its own area."""
    from concurrent.futures import ThreadPoolExecutor

    cases = [("Tameside", number_of("tameside", "childrens-hub")), ("Worcs", number_of("worcestershire", "family-front-door")), ("Redcar", number_of("redcar-cleveland", "redcar-mach"))] * 2

    def converse(n: int) -> str:
        area, _ = cases[n]
        sender = fresh_sender(f"e2e-parallel-{n}")
        rasa.say(sender, f"I work in {area}")
        return converse_until_answer(rasa, sender, BELT)

    with ThreadPoolExecutor(max_workers=len(cases)) as pool:
        answers = list(pool.map(converse, range(len(cases))))
    for (area, number), text in zip(cases, answers):
        assert number in text, (area, text)


def test_changing_area_after_an_answer_keeps_the_new_area(rasa):
    sender = fresh_sender("e2e-change-area")
    rasa.say(sender, "I work in Tameside")
    converse_until_answer(rasa, sender, BELT)
    after = " ".join(m.get("text", "") for m in rasa.say(sender, "no"))
    assert "anything else" in after and "can't help" not in after
    changed = " ".join(m.get("text", "") for m in rasa.say(sender, "I work in Worcestershire now"))
    assert "Worcestershire" in changed and "can't help" not in changed
    contacts = " ".join(m.get("text", "") for m in rasa.say(sender, "who do I call?"))
    assert "Who to call in Worcestershire" in contacts and any(n in contacts for n in area_numbers("worcestershire"))
    assert not any(n in contacts for n in area_numbers("tameside"))


def test_an_emergency_before_the_area_carries_through_to_that_areas_answer(rasa, kb):
    """The danger is not forgotten while the area is asked: the area's answer is the emergency."""
    from bot.safety import emergency_advice

    sender = fresh_sender("e2e-emergency-first")
    first = rasa.say(sender, "toddler left home alone right now, nobody answering the door")
    assert "999" in first[0]["text"]
    titles = [b["title"] for m in first for b in m.get("buttons", [])]
    assert "Worcestershire" in titles, "the area question offers the areas as buttons"
    answer = rasa.say(sender, "Worcestershire")
    urgent = emergency_advice(kb, "worcestershire").urgent
    assert answer[0]["text"].startswith("EMERGENCY: If a child is in immediate danger, call 999 now.")
    assert urgent.phone in answer[0]["text"], "the area's urgent number for now"


def test_a_question_naming_an_area_we_do_not_cover_says_so_and_gives_101(rasa):
    replies = rasa.say(fresh_sender("e2e-leeds-contacts"), "I work in Leeds, who do I call about a child at risk?")
    text = " ".join(m.get("text", "") for m in replies)
    assert "Leeds is not an area I cover" in text and "999" in text and "101" in text
    assert "Which area do you work in" not in text


def _concerns(n: int) -> list[str]:
    """Practitioners' own words: every labelled case's concern, spread across the set."""
    from bot.triage.evaluate import DEFAULT_CASES, load_cases

    concerns = sorted({c.concern for c in load_cases(DEFAULT_CASES)})
    step = max(1, len(concerns) // n)
    return concerns[::step][:n]


def test_whatever_comes_back_after_the_concern_is_asked_for_is_the_concern(rasa):
    """100 varied concerns, each right after "What is worrying you about the child?": none is met
    with "Sorry, I'm not sure I understood"."""
    concerns = _concerns(100)
    assert len(concerns) == 100
    fell_back = []
    for n, concern in enumerate(concerns):
        sender = fresh_sender(f"e2e-asked-{n}")
        asked = " ".join(m.get("text", "") for m in rasa.say(sender, "I work in Worcestershire"))
        assert "What is worrying you" in asked, asked
        reply = " ".join(m.get("text", "") for m in rasa.say(sender, concern))
        if "not sure I understood" in reply or "can't help with that" in reply or not reply.strip():
            fell_back.append((concern, reply[:120]))
    assert not fell_back, fell_back


def test_feedback_in_a_conversation_reaches_the_report_with_no_personal_data(rasa, loaded_engine):
    """A web-chat conversation (the REST channel behind it): an assessment, the feedback button,
    then the lead's report shows the advice and the feedback; the database holds no name,
    address or words of the concern."""
    from datetime import date, timedelta

    from bot.audit.report import build_report
    from tests.support.audit import stored_text

    sender = fresh_sender("e2e-feedback")
    rasa.say(sender, "I work in Worcestershire")
    answer = converse_until_answer(rasa, sender, "Tyler Smith of 14 Acacia Avenue keeps bunking off school, "
                                                 "mum says she can't get him up in the mornings.")
    assert "Was this helpful and right?" in answer
    thanks = " ".join(m.get("text", "") for m in rasa.say(sender, '/feedback{"feedback_level":"3"}'))
    assert "Thank you" in thanks
    report = build_report(loaded_engine, date.today() - timedelta(days=1))
    assert report.by_channel["rest"] >= 1
    assert any(area == "worcestershire" and answered for (area, _), (_, answered) in report.agreement.items())
    stored = stored_text(loaded_engine)
    for personal in ("Tyler", "Smith", "Acacia", "bunking"):
        assert personal not in stored
