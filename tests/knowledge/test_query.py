"""The query layer: areas by alias, glossary, search with citations."""

from __future__ import annotations

import pytest

from bot.conversation.replies import definition_reply
from bot.knowledge.errors import UnknownAreaError
from bot.knowledge.search import Searcher
from tests.support.numbers import number_of


@pytest.mark.parametrize(
    "typed, area_id",
    [
        ("Worcs", "worcestershire"),
        ("WORCESTERSHIRE", "worcestershire"),
        ("worcestshire", "worcestershire"),  # a typo
        ("Worcestershire County Council", "worcestershire"),
        ("R&C", "redcar-cleveland"),
        ("Redcar", "redcar-cleveland"),
        ("Redcar and Cleveland", "redcar-cleveland"),
        ("Stockton", "stockton-on-tees"),
        ("stockton on tees", "stockton-on-tees"),
        ("Cambs", "cambridgeshire"),
        ("cambridgshire", "cambridgeshire"),
        ("Tameside", "tameside"),
        ("tamside", "tameside"),
    ],
)
def test_an_area_is_found_by_id_name_or_alias(kb, typed, area_id):
    assert kb.area(typed).id == area_id


@pytest.mark.parametrize("typed", ["Wiltshire", "Leeds", "", "xx", "Middlesbrough"])
def test_areas_we_do_not_cover_are_not_guessed(kb, typed):
    with pytest.raises(UnknownAreaError):
        kb.area(typed)


@pytest.mark.parametrize("term", ["TAF", "taf", "Team Around the Family"])
def test_glossary_finds_a_term_whatever_the_case_or_spelling(kb, term):
    hits = kb.glossary("redcar-cleveland", term)
    assert hits and not hits[0].from_other_area
    assert "team around the family" in (hits[0].term.expansion or hits[0].term.term).lower()


def test_glossary_falls_back_to_another_areas_document_and_says_so(kb):
    hits = kb.glossary("cambridgeshire", "MACH")
    assert hits and hits[0].from_other_area and hits[0].area_id == "redcar-cleveland"


def test_glossary_unknown_term_is_empty(kb):
    assert kb.glossary("tameside", "ZZTOP") == []


# The document only uses these terms; the expansion or meaning given is general knowledge.
GENERAL = [("worcestershire", "EPO"), ("worcestershire", "Southwark"), ("worcestershire", "MASH"),
           ("tameside", "LSOA"), ("cambridgeshire", "MARAC"), ("redcar-cleveland", "CSE"),
           ("stockton-on-tees", "looked after")]
# These the document defines or explains in its own words.
DEFINED = [("redcar-cleveland", "MACH"), ("worcestershire", "PPRC"), ("worcestershire", "CIN"),
           ("cambridgeshire", "MASH"), ("tameside", "CAF"), ("stockton-on-tees", "EDT")]


@pytest.mark.parametrize(("area", "term"), GENERAL)
def test_glossary_general_meaning_is_marked_and_the_reply_says_so(kb, area, term):
    hit = kb.glossary(area, term)[0]
    assert hit.general_meaning and not hit.from_other_area
    reply = definition_reply(kb, area, term)
    assert f"{hit.term.meaning} (general meaning, not from the document)" in reply.text
    assert reply.sources and reply.sources[0].section == hit.citation.section


@pytest.mark.parametrize(("area", "term"), DEFINED)
def test_glossary_meaning_the_document_gives_is_not_marked(kb, area, term):
    hit = kb.glossary(area, term)[0]
    assert not hit.general_meaning and not hit.from_other_area
    assert "general meaning" not in definition_reply(kb, area, term).text


def test_glossary_general_meaning_from_another_area_says_both(kb):
    text = definition_reply(kb, "cambridgeshire", "EPO").text
    assert "(general meaning, not from the document) (from Worcestershire's guidance, not your area's)" in text


def test_search_shows_a_general_glossary_meaning_as_such_without_ranking_on_the_note(kb):
    hits = Searcher(kb).search("Emergency Protection Order", area="Worcs")
    epo = next(h.fact for h in hits if h.fact.kind == "glossary" and h.fact.title == "EPO")
    assert epo.general_meaning and epo.shown_text.endswith("(general meaning, not from the document)")
    assert "general meaning" not in epo.text
    mach = next(h.fact for h in Searcher(kb).search("MACH", area="Redcar") if h.fact.kind == "glossary")
    assert not mach.general_meaning and mach.shown_text == mach.text


def test_search_returns_ranked_facts_with_citations(kb):
    hits = Searcher(kb).search("out of hours number", area="Worcs")
    assert hits
    top = hits[0].fact
    assert top.area_id == "worcestershire"
    assert top.citation.title and top.citation.section
    assert any(number_of("worcestershire", "out-of-hours") in h.fact.text for h in hits[:3])


def test_search_across_areas_finds_step_up_guidance(kb):
    hits = Searcher(kb).search("step up to social care when the plan is not working")
    assert {h.fact.area_id for h in hits} >= {"worcestershire", "tameside"} or len(hits) == 10


GLOSSARY_TERMS = ["EHA", "CAF", "TAF", "TAC", "MACH", "MASH", "CIN", "CP", "section 17", "section 47",
                  "NEET", "SEND", "EHCP", "VEMT", "CSE", "CCE", "PPRC", "FGM", "EIFS", "TFS", "LSCB",
                  "STSCP", "EDT", "MARAC"]


@pytest.mark.parametrize("term", GLOSSARY_TERMS)
def test_every_acronym_the_documents_use_is_defined_in_some_areas_own_glossary(kb, term):
    own = [a for a, _ in kb.covered() if any(not h.from_other_area for h in kb.glossary(a, term))]
    assert own, f"{term} is defined in no area's glossary"


@pytest.mark.parametrize("question", ["What does MACH stand for?", "what's a MACH", "What is the MACH"])
def test_glossary_understands_a_question_about_a_term(kb, question):
    assert kb.glossary("redcar-cleveland", question)[0].term.term.upper().startswith("MACH")
