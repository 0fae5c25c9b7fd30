"""One concern, one tier, in every area.

The same worry must reach the same national tier (child protection, child in need,
targeted, universal) in all five areas, though the level numbers differ: Tameside's
level 3 is child in need, Worcestershire's is targeted support, Cambridgeshire has only
three levels. An area may differ only where its own document says so, and the matrix
(``cross_area_matrix.yml``) then names that line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.knowledge.schema import AREA_IDS

MATRIX = yaml.safe_load((Path(__file__).parent / "cross_area_matrix.yml").read_text(encoding="utf-8"))
TIERS = ("child_protection", "child_in_need", "targeted", "universal")
EXCEPTIONS = {(e["concern"], e["area"]): e for e in MATRIX["except"]}
TIER_MEMBERS = {
    "child_protection": {"child_protection"},
    "child_in_need": {"child_in_need"},
    "targeted": {"early_help_single", "early_help_multi"},
    "universal": {"universal"},
}


def _cases(group: str) -> list:
    return [pytest.param(concern, area, id=f"{area}: {concern}") for concern in MATRIX[group] for area in AREA_IDS]


def _tier_of(result) -> set[str]:
    return set(result.level.tiers) if result.level else set()


def _expect(concern: str, area: str, tier: str) -> tuple[str, str]:
    exception = EXCEPTIONS.get((concern, area))
    if exception:
        return exception["tier"], f" ({area}'s document says so: {exception['line']})"
    return tier, ""


def test_the_matrix_is_large_enough_and_names_known_tiers():
    concerns = [c for tier in (*TIERS, "question_first") for c in MATRIX[tier]]
    assert len(concerns) >= 60
    assert len(set(concerns)) == len(concerns), "each concern once"
    for e in MATRIX["except"]:
        assert e["area"] in AREA_IDS and e["tier"] in TIERS and e["line"]
        assert e["concern"] in concerns


@pytest.mark.parametrize(("concern", "area"), [c for tier in TIERS for c in _cases(tier)])
def test_a_concern_reaches_its_tier_in_every_area(assess, concern, area):
    tier = next(t for t in TIERS if concern in MATRIX[t])
    tier, why = _expect(concern, area, tier)
    result = assess(area, concern)
    assert result.level is not None, f"no level for '{concern}' in {area}"
    assert _tier_of(result) & TIER_MEMBERS[tier], (
        f"'{concern}' in {area}: level {result.level.number} {result.level.tiers}, expected {tier}{why}"
    )
    if tier != "child_protection":
        assert "child_protection" not in _tier_of(result) or tier == "child_in_need", "over-triaged to child protection"


@pytest.mark.parametrize(("concern", "area"), _cases("question_first"))
def test_a_possible_harm_asks_the_significant_harm_question_first(assess, concern, area):
    tier, why = _expect(concern, area, "question_first")
    result = assess(area, concern)
    if tier != "question_first":
        assert _tier_of(result) & TIER_MEMBERS[tier], f"expected {tier}{why}"
        return
    assert "child_protection" not in _tier_of(result) or "child_in_need" in _tier_of(result)
    first = result.questions[0]
    assert first.key.endswith("significant_harm")
    assert "significant harm" in first.why
    assert result.significant_harm and "significant-harm question first" in result.significant_harm


@pytest.mark.parametrize("area", AREA_IDS)
def test_yes_to_the_significant_harm_question_is_child_protection(assess, area):
    result = assess(area, "a single smack with no mark")
    question = next(q for q in result.questions if q.key.endswith("significant_harm")) if result.questions else None
    key = question.key if question else "significant_harm"
    answered = assess(area, "a single smack with no mark", answers={key: "yes"})
    assert "child_protection" in answered.level.tiers


@pytest.mark.parametrize("area", AREA_IDS)
def test_a_national_match_says_where_the_level_comes_from(assess, area):
    result = assess(area, "Dad hits him with a belt")
    national = [i for i in result.indicators if i.origin == "national"]
    assert national and national[0].source.title == "Working Together to Safeguard Children 2023"
    assert "significant harm" in result.significant_harm
    if area == "worcestershire":
        assert "no indicator table" not in result.significant_harm
    else:
        assert "document has no indicator table" in result.significant_harm
    assert national[0].basis, "the national basis, with its section"


def test_the_reasons_for_a_belt_in_tameside_are_abuse_not_domestic_violence(assess):
    result = assess("tameside", "Dad hits him with a belt")
    assert result.indicators[0].subdomain == "Physical abuse"
    assert not any("Domestic violence" in i.text for i in result.indicators)
    assert result.actions[0].stage in {"referral", "safeguarding_lead"}
    assert not any("consent" in a.text.lower() and "caf" in a.text.lower() for a in result.actions[:1])


def test_derived_indicators_are_shown_as_derived_with_their_basis(assess):
    result = assess("tameside", "mum has depression and is struggling")
    derived = [i for i in result.indicators if i.origin == "derived"]
    assert derived and "Section 5 level 2 description" in derived[0].basis


@pytest.mark.parametrize("name", ["South Tees", "Middlesbrough"])
def test_south_tees_and_middlesbrough_are_not_taken_for_redcar(kb, name):
    from bot.knowledge.errors import UnknownAreaError

    with pytest.raises(UnknownAreaError):
        kb.resolve_area_id(name)


def test_once_the_significant_harm_question_is_answered_no_the_answer_stops_asking_for_it(assess):
    result = assess("tameside", "a single smack with no mark", answers={"significant_harm": "no"})
    assert not result.significant_harm
    assert all(q.key != "significant_harm" for q in result.questions)
