"""The audit trail: every assessment and contact answer writes one row of what was advised and
from which knowledge, never what was said; practitioners' feedback sits beside it."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from bot.audit.report import build_report, export_cases, report_csv
from bot.audit.trail import Advice, AuditTrail, Feedback, UnknownAdvice, conversation_hash
from bot.db.migrate import alembic_config, upgrade
from bot.db.models import AdviceRow, FeedbackRow
from tests.support.audit import stored_text

NAMED = "Tyler Smith, 14 Acacia Avenue, says his dad hit him with a belt and he has marks on his legs."


def test_an_assessment_writes_one_row_with_no_name_address_or_words(client, loaded_engine):
    r = client.post("/v1/assess", json={"area": "Tameside", "concern": NAMED})
    assert r.status_code == 200
    body = r.json()
    with Session(loaded_engine) as session:
        row = session.get(AdviceRow, body["id"])
    assert row.kind == "assessment" and row.channel == "api" and row.area_id == "tameside"
    assert row.level == body["level"]["number"] and row.emergency == body["immediate_risk"]["flagged"]
    assert set(row.indicator_keys) == {i["key"] for i in body["indicators"] if i["key"]}
    assert row.pack_hash and row.code_version
    stored = stored_text(loaded_engine)
    for personal in ("Tyler", "Smith", "Acacia", "belt", "marks on his legs"):
        assert personal not in stored


def test_feedback_is_stored_beside_its_assessment_redacted(client, loaded_engine):
    assessment = client.post("/v1/assess", json={"area": "Worcs", "concern": "She keeps missing school."}).json()
    r = client.post("/v1/feedback", json={"assessment_id": assessment["id"], "agrees": False, "level": 3,
                                          "reason": "Mum, Jane Brown of 3 Elm Road, says it has been all term"})
    assert r.status_code == 200 and r.json()["recorded"] is True
    with Session(loaded_engine) as session:
        fb = session.scalars(select(FeedbackRow).where(FeedbackRow.advice_id == assessment["id"])).one()
    assert fb.agrees is False and fb.level == 3
    assert "Jane" not in fb.reason and "Elm Road" not in fb.reason and "all term" in fb.reason


def test_feedback_on_an_assessment_that_does_not_exist_is_a_404(client):
    r = client.post("/v1/feedback", json={"assessment_id": "0" * 32, "agrees": True})
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


def test_a_contact_answer_writes_a_row_with_the_urgent_contact(client, loaded_engine):
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    assert client.get("/v1/areas/tameside/contacts", params={"at": "2026-11-21T21:00:00"}).status_code == 200
    with Session(loaded_engine) as session:
        row = session.scalars(select(AdviceRow).where(AdviceRow.kind == "contacts", AdviceRow.at >= before)).first()
    assert row.area_id == "tameside" and row.urgent_contact and row.urgent_contact in row.contacts_offered


@pytest.fixture
def trail(empty_db) -> AuditTrail:
    upgrade(empty_db)
    return AuditTrail(empty_db)


def advice(level: int, area: str = "worcestershire", **kw) -> Advice:
    return Advice(kind="assessment", channel=kw.pop("channel", "web"), area_id=area, pack_hash="h" * 64, level=level,
                  indicator_keys=kw.pop("indicators", ["l2-occasional-truanting"]), **kw)


def test_the_report_counts_advice_and_agreement_and_the_indicators_disagreed_with(trail):
    agreed = trail.record(advice(2))
    disagreed = trail.record(advice(2, channel="slack", emergency=True))
    trail.record(Advice(kind="contacts", channel="api", area_id="tameside", pack_hash="h" * 64))
    trail.feedback(agreed, Feedback(agrees=True))
    trail.feedback(disagreed, Feedback(agrees=False, level=3, reason="all term"))
    report = build_report(trail.engine, date.today() - timedelta(days=1))
    assert report.advice == 3 and report.emergencies == 1
    assert report.by_channel == {"web": 1, "slack": 1, "api": 1}
    assert report.agreement[("worcestershire", 2)] == [1, 2]
    assert report.disagreed_indicators["l2-occasional-truanting"] == 1
    shown = report.render()
    assert "worcestershire" in shown and "1 of 2 agreed" in shown
    lines = report_csv(trail.engine, date.today() - timedelta(days=1)).splitlines()
    assert lines[0].startswith("id,at,kind,channel,area,level") and len(lines) == 4


def test_disagreements_become_draft_cases_for_a_reviewer_not_tests(trail):
    trail.feedback(trail.record(advice(2)), Feedback(agrees=False, level=4, reason="dad hit him"))
    drafts = export_cases(trail.engine, date.today() - timedelta(days=1))
    assert "expected_level: 4" in drafts and "REVIEWER: write the concern" in drafts


def test_retention_deletes_old_advice_with_its_feedback(trail):
    old = trail.record(advice(2), at=datetime.now(timezone.utc) - timedelta(days=401))
    trail.feedback(old, Feedback(agrees=True))
    kept = trail.record(advice(3))
    assert trail.prune(400) == 1
    with Session(trail.engine) as session:
        assert session.get(AdviceRow, old) is None and session.get(AdviceRow, kept) is not None
        assert session.scalars(select(FeedbackRow)).all() == []
    with pytest.raises(UnknownAdvice):
        trail.feedback(old, Feedback(agrees=True))


def test_a_conversation_is_kept_only_as_a_hash(trail):
    trail.record(advice(2, conversation="web-3f2c9d0e"))
    with Session(trail.engine) as session:
        row = session.scalars(select(AdviceRow)).one()
    assert row.conversation_hash == conversation_hash("web-3f2c9d0e") and "3f2c9d0e" not in row.conversation_hash
    assert trail.latest_assessment_of("web-3f2c9d0e") == row.id


def test_the_migrations_upgrade_and_downgrade_cleanly(empty_db):
    upgrade(empty_db)
    assert {"advice_given", "advice_feedback"} <= set(inspect(empty_db).get_table_names())
    cfg = alembic_config()
    with empty_db.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    assert "advice_given" not in set(inspect(empty_db).get_table_names())
    upgrade(empty_db)
    assert "advice_feedback" in set(inspect(empty_db).get_table_names())
