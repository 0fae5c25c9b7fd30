"""After each assessment: "Was this helpful and right?" The answer is stored beside the
assessment in the audit trail, with no names and no words of the concern."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.concern import ActionAssessConcern
from actions.feedback import ActionRecordFeedback
from bot.audit.trail import conversation_hash
from bot.db.models import AdviceRow, FeedbackRow
from tests.conversation.conftest import make_tracker

CONCERN = "Tyler Smith of 14 Acacia Avenue keeps missing school and mum can't get him up."


def tracker_for(sender: str, **kw):
    tracker = make_tracker(**kw)
    tracker.sender_id = sender
    return tracker


def latest_rows(engine, sender: str):
    with Session(engine) as session:
        advice = session.scalars(select(AdviceRow).where(AdviceRow.conversation_hash == conversation_hash(sender))
                                 .order_by(AdviceRow.at.desc())).first()
        feedback = session.scalars(select(FeedbackRow).where(FeedbackRow.advice_id == advice.id)).all() if advice else []
    return advice, feedback


def test_an_assessment_is_recorded_and_asks_whether_it_was_helpful_and_right(dispatcher, kb):
    ActionAssessConcern().run(dispatcher, tracker_for("fb-1", slots={"area": "worcestershire", "concern": CONCERN}), {})
    question = dispatcher.messages[-1]
    assert question["text"].startswith("Was this helpful and right?")
    titles = [b["title"] for b in question["buttons"]]
    assert titles == ["Yes"] + [f"No, I'd say level {n}" for n in (1, 2, 3, 4)]
    advice, _ = latest_rows(kb.engine, "fb-1")
    assert advice.kind == "assessment" and advice.area_id == "worcestershire"
    stored = " ".join(str(v) for v in vars(advice).values())
    assert "Tyler" not in stored and "Acacia" not in stored and "missing school" not in stored


def test_no_id_say_level_3_is_stored_beside_the_assessment(dispatcher, kb):
    ActionAssessConcern().run(dispatcher, tracker_for("fb-2", slots={"area": "worcestershire", "concern": CONCERN}), {})
    click = tracker_for("fb-2", slots={"area": "worcestershire"}, text='/feedback{"feedback_level":"3"}', intent="feedback",
                        entities=[{"entity": "feedback_level", "value": "3"}])
    ActionRecordFeedback().run(dispatcher, click, {})
    _, feedback = latest_rows(kb.engine, "fb-2")
    assert [(f.agrees, f.level) for f in feedback] == [(False, 3)]
    assert "Thank you" in dispatcher.messages[-1]["text"]


def test_typed_feedback_is_redacted_and_read_as_a_disagreement(dispatcher, kb):
    ActionAssessConcern().run(dispatcher, tracker_for("fb-3", slots={"area": "tameside", "concern": CONCERN}), {})
    typed = tracker_for("fb-3", slots={"area": "tameside"}, text="that answer was wrong, Jane Brown told me it is all term",
                        intent="feedback")
    ActionRecordFeedback().run(dispatcher, typed, {})
    _, feedback = latest_rows(kb.engine, "fb-3")
    assert feedback[0].agrees is False and "Jane" not in feedback[0].reason and "all term" in feedback[0].reason


def test_feedback_with_no_assessment_yet_is_thanked_and_not_stored(dispatcher):
    ActionRecordFeedback().run(dispatcher, tracker_for("fb-none", text="this was useful", intent="feedback"), {})
    assert "no assessment in this conversation" in dispatcher.messages[-1]["text"]
