"""Source freshness: each document's review-by date, warned by `make check` and `/readyz`, and said
in every answer that rests on a document past it (issue 18).

The dates are fixed here, never today's: Worcestershire's guidance (May 2019) is due for review by
2022-12-31, Redcar and Cleveland's strategy (2024-2029) by 2029-12-31.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.errors import Check
from api.main import create_app
from api.routes import health
from bot.conversation.replies import pathway_reply
from bot.knowledge.__main__ import main, review_warnings
from bot.knowledge.schema import Document
from bot.safety import source_age
from tests.api.conftest import production_settings

CHECK_IT = "check with the front door that this is current"
AFTER_REVIEW = date(2026, 11, 18)  # past Stockton's, Tameside's and Worcestershire's review-by dates
BEFORE_REVIEW = date(2022, 6, 1)  # Worcestershire's guidance still within its review-by date
WORCS_WARNING = ("worcestershire: 'Multi Agency Levels of Need: Guidance to help support children, young people "
                 "and families in Worcestershire' was due for review by 2022-12-31: check it is current")
CONCERN = "She has been bunking off every week for months."


def _document(**extra) -> dict:
    return {"key": "guide", "title": "Threshold Guide", "date_label": "May 2019", "year": 2019,
            "seed_file": "x.txt", **extra}


# --- the schema and the packs -------------------------------------------------------------
def test_the_schema_accepts_a_review_by_date_and_rejects_a_non_date():
    doc = Document.model_validate(_document(review_by="2022-12-31"))
    assert doc.review_by == date(2022, 12, 31)
    assert Document.model_validate(_document()).review_by is None, "review_by is optional"
    with pytest.raises(ValidationError):
        Document.model_validate(_document(review_by="next year"))


def test_a_document_is_past_review_only_after_its_review_by_date():
    doc = Document.model_validate(_document(review_by="2022-12-31"))
    assert not doc.past_review(date(2022, 12, 31)) and doc.freshness_warning(date(2022, 12, 31)) is None
    assert doc.past_review(date(2023, 1, 1))
    assert doc.freshness_warning(date(2023, 1, 1)) == "'Threshold Guide' was due for review by 2022-12-31: check it is current"
    undated = Document.model_validate(_document(date_label="undated", year=None))
    assert not undated.past_review(AFTER_REVIEW), "an undated document has no review date to be past"
    assert undated.freshness_warning(AFTER_REVIEW) == "'Threshold Guide' is undated: check it is current"


def test_every_pack_sets_the_review_by_date_its_document_supports(knowledge):
    review_by = {area: loaded.pack.area.documents[0].review_by for area, loaded in knowledge.packs.items()}
    assert review_by == {
        "redcar-cleveland": date(2029, 12, 31),  # the strategy's own period, 2024-2029
        "stockton-on-tees": date(2015, 7, 31),  # its "annual review of Early Help Strategy, July 2015"
        "tameside": date(2020, 12, 31),  # 2017 + 3: it gives no review date
        "worcestershire": date(2022, 12, 31),  # 2019 + 3: it gives no review date
        "cambridgeshire": None,  # undated
    }


# --- make check -----------------------------------------------------------------------------
def test_check_warns_of_each_document_past_review_or_undated(knowledge):
    warnings = review_warnings(knowledge, AFTER_REVIEW)
    assert WORCS_WARNING in warnings
    assert [w.split(":")[0] for w in warnings] == ["cambridgeshire", "stockton-on-tees", "tameside", "worcestershire"]
    assert "cambridgeshire: 'Cambridgeshire Families Thrive Early Help Strategy' is undated: check it is current" in warnings
    assert not any(w.startswith("worcestershire") for w in review_warnings(knowledge, BEFORE_REVIEW))


def test_check_prints_the_warnings_and_still_passes(capsys):
    assert main(["check"], today=AFTER_REVIEW) == 0
    out = capsys.readouterr().out
    assert f"warning: {WORCS_WARNING}" in out
    assert "redcar-cleveland: '" not in out, "a document within its review date is not warned"


# --- /readyz --------------------------------------------------------------------------------
@pytest.fixture
def ready_app(kb, monkeypatch):
    """The app with Rasa answering (tests/api covers the Rasa check itself)."""

    async def rasa_answers(url: str) -> Check:
        return Check(name="rasa", ok=True, detail=f"{url} answered 200")

    monkeypatch.setattr(health, "_rasa", rasa_answers)
    return create_app(kb, production_settings())


def test_readyz_lists_packs_past_review_as_warnings_and_stays_ready(kb, ready_app, monkeypatch):
    monkeypatch.setattr(kb, "today", lambda: AFTER_REVIEW)
    with TestClient(ready_app) as c:
        r = c.get("/readyz")
        documented = c.get("/openapi.json").json()["paths"]["/readyz"]["get"]["description"]
    assert r.status_code == 200 and r.json()["status"] == "ready"
    assert WORCS_WARNING in r.json()["warnings"]
    assert not any(w.startswith("redcar-cleveland") for w in r.json()["warnings"])
    assert "warnings" in documented and "review-by date" in documented


def test_readyz_does_not_warn_of_a_document_within_its_review_date(kb, ready_app, monkeypatch):
    monkeypatch.setattr(kb, "today", lambda: BEFORE_REVIEW)
    with TestClient(ready_app) as c:
        r = c.get("/readyz")
    assert r.status_code == 200
    assert not any(w.startswith("worcestershire") for w in r.json()["warnings"])


# --- answers --------------------------------------------------------------------------------
def test_the_source_wording_is_unchanged_unless_past_review():
    assert source_age("May 2019", 2019, 7) == "May 2019, about 7 years old"
    assert source_age("May 2019", 2019, 7, past_review=True) == (
        "May 2019, about 7 years old; past its review date: check with the front door that this is current")


def test_an_answer_from_a_pack_past_review_says_to_check_it_is_current(engine):
    result = engine.assess("worcestershire", CONCERN, None, datetime(2026, 11, 18, 11, 0))
    assert result.level is not None and result.level.source.past_review
    assert result.level.source.age_text == (
        "May 2019 (updated), about 7 years old; past its review date: check with the front door that this is current")
    assert all(CHECK_IT in s.age_text for s in result.sources if s.document == "levels-of-need-2019")
    assert result.model_dump()["level"]["source"]["past_review"] is True


def test_an_answer_from_a_pack_within_its_review_date_does_not(engine):
    result = engine.assess("worcestershire", CONCERN, None, datetime(2022, 6, 1, 11, 0))
    assert not result.level.source.past_review
    assert result.level.source.age_text == "May 2019 (updated), about 3 years old"
    redcar = engine.assess("redcar", CONCERN, None, datetime(2026, 11, 18, 11, 0))
    assert redcar.sources and not any(CHECK_IT in s.age_text for s in redcar.sources)


def test_an_undated_document_says_undated_not_past_review(engine):
    result = engine.assess("cambridgeshire", CONCERN, None, datetime(2026, 11, 18, 11, 0))
    assert result.sources and all(s.age_text == "undated" for s in result.sources if s.document == "families-thrive-strategy")


def test_a_chat_reply_from_a_pack_past_review_says_so_in_its_source_line(kb, monkeypatch):
    monkeypatch.setattr(kb, "today", lambda: AFTER_REVIEW)
    source_line = pathway_reply(kb, "worcestershire").text.splitlines()[-1]
    assert source_line.startswith("Source: ") and CHECK_IT in source_line
    monkeypatch.setattr(kb, "today", lambda: BEFORE_REVIEW)
    assert CHECK_IT not in pathway_reply(kb, "worcestershire").text


def test_a_citation_says_so_too(kb):
    ak = kb.area("worcestershire")
    citation = ak.cite(ak.levels[0].source)
    assert citation.review_by == date(2022, 12, 31)
    assert CHECK_IT in citation.age_text(AFTER_REVIEW) and CHECK_IT not in citation.age_text(BEFORE_REVIEW)
