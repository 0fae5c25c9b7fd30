"""Words that look like one need and are another: each case a probe that once gave a wrong level.

The first question for every case: could a child at risk of significant harm get a lower
answer? Those that lower a level (well groomed, able to recognise danger, hungry and nits) keep
the significant-harm question or the worry beside them.
"""

from __future__ import annotations

import pytest

from bot.knowledge.schema import AREA_IDS, Tier


def signals_read(result) -> set[str]:
    """The signals behind the indicators that decided ``result``."""
    return {s for i in result.indicators for s in i.signals}


def cp_level(kb, area: str) -> int:
    return kb.area(area).level_for_tier(Tier.child_protection).number


@pytest.mark.parametrize("area", AREA_IDS)
@pytest.mark.parametrize("concern", [
    "She is happy at school. She is not safe at home",
    "Happy and settled. Never safe when dad is home",
    "she says she doesn't feel safe at home",
])
def test_a_child_who_is_not_safe_at_home_is_never_a_low_level(assess, kb, area, concern):
    """A negated 'safe' once read as needs met, level 1 in every area."""
    result = assess(area, concern)
    assert result.level.number >= cp_level(kb, area) - 1, result.level


@pytest.mark.parametrize("area", AREA_IDS)
def test_well_groomed_is_hygiene_not_grooming(assess, area):
    result = assess(area, "he is well dressed and well groomed")
    assert result.level.number == 1
    assert not result.significant_harm


@pytest.mark.parametrize("area", AREA_IDS)
def test_grooming_beside_well_groomed_still_counts(assess, kb, area):
    result = assess(area, "she is well groomed but an older man is grooming her")
    assert result.level.number == cp_level(kb, area)


@pytest.mark.parametrize("area", AREA_IDS)
def test_domestic_abuse_the_children_see_is_at_least_the_level_below_child_protection(assess, kb, area):
    """A child who sees or hears domestic abuse is a victim of it (Domestic Abuse Act 2021, s3)."""
    result = assess(area, "dad hit mum in front of the kids")
    assert result.level.number >= cp_level(kb, area) - 1
    if result.level.number < cp_level(kb, area):
        assert result.questions[0].key == "significant_harm", "the significant-harm answer decides"


def test_domestic_abuse_the_children_heard_reaches_tameside_child_in_need(assess):
    result = assess("tameside", "domestic abuse at home, the children heard it")
    assert result.level.number == 3
    assert any("domestic abuse" in p for p in result.pulled_up_by)


def test_parents_arguing_is_not_raised_by_the_domestic_abuse_rule(assess):
    result = assess("tameside", "mum and dad argue a lot")
    assert result.level.number == 2


def test_smells_hungry_and_nits_is_worcestershire_level_3_with_the_significant_harm_question(assess):
    """Over-triage once: level 4 ('failure ... across most of the child's needs') from three words."""
    result = assess("worcestershire", "kid smells, always hungry, has nits")
    assert result.level.number == 3
    assert result.questions[0].key == "significant_harm"


@pytest.mark.parametrize("area", AREA_IDS)
def test_a_family_unable_to_care_for_the_child_is_a_high_level(assess, kb, area):
    result = assess(area, "children whose parents and wider family are unable to care for them")
    assert result.level.number >= cp_level(kb, area) - 1


@pytest.mark.parametrize("concern", ["Able to recognise unsafe activities", "Able to discriminate between 'safe' and 'unsafe'"])
def test_telling_safe_from_unsafe_is_a_strength_not_discrimination(assess, concern):
    result = assess("worcestershire", concern)
    assert result.level is None or result.level.number == 1
    assert not any("discrimination" in i.signals for i in result.indicators)


@pytest.mark.parametrize("area", AREA_IDS)
@pytest.mark.parametrize("concern", [
    "14 year old has a 30 year old boyfriend",
    "she is 15, boyfriend aged 22",
])
def test_a_child_under_16_with_an_adult_boyfriend_is_child_protection(assess, kb, area, concern):
    """The partner's stated age says an adult is in a relationship with the child."""
    result = assess(area, concern)
    assert result.level.number == cp_level(kb, area)


@pytest.mark.parametrize("text, ages", [
    ("her 30 year old boyfriend picks her up", [30]),
    ("boyfriend is 24", [24]),
    ("a 25-year-old man waits at the gate", [25]),
    ("mum's partner is 35", []),  # an adult's partner, not the child's
    ("mum's new 35 year old partner", []),
    ("her boyfriend is 17", [17]),
])
def test_a_partners_stated_age_is_read(text, ages):
    from bot.triage.ages import partner_ages_in

    assert partner_ages_in(text) == ages


@pytest.mark.parametrize("area", AREA_IDS)
def test_hba_is_honour_based_abuse(assess, kb, area):
    assert assess(area, "HBA concerns").level.number == cp_level(kb, area)


@pytest.mark.parametrize("area", AREA_IDS)
@pytest.mark.parametrize("concern", [
    "he is out of school",
    "she has been out of school for three months",
    "not on roll at any school",
])
def test_a_child_out_of_school_altogether_is_missing_education_not_an_arrangement(assess, area, concern):
    """Missing education is read at least as each area's pack puts it (level 3 where the pack
    says so; Worcestershire beside persistent non-attendance), never lower than a change of school."""
    missing = assess(area, concern)
    arrangement = assess(area, "he has moved schools recently")
    assert "missing_education" in signals_read(missing), missing.indicators
    assert missing.level.number >= arrangement.level.number


@pytest.mark.parametrize("concern", ["he is out of school", "child missing education"])
def test_worcestershire_reads_a_child_missing_education_beside_persistent_non_attendance(assess, concern):
    result = assess("worcestershire", concern)
    assert result.level.number == 3
    assert [i.key for i in result.indicators][:1] == ["l3-persistent-truanting"]


@pytest.mark.parametrize("area", AREA_IDS)
@pytest.mark.parametrize("concern", [
    "she is home educated",
    "he is on a part-time timetable",
    "he has moved schools recently",
])
def test_an_education_arrangement_on_its_own_is_early_help(assess, area, concern):
    """Home education, a part-time timetable and a new school were once read as missing
    education, level 3 in Redcar & Cleveland and Stockton-on-Tees. Said beside a child nobody
    has seen, the unseen child still decides (next test)."""
    assert assess(area, concern).level.number == 2


@pytest.mark.parametrize("area", AREA_IDS)
def test_home_education_with_a_child_nobody_has_seen_is_not_lowered(assess, kb, area):
    result = assess(area, "home educated and nobody has seen her for months")
    assert result.level.number >= cp_level(kb, area) - 1


@pytest.mark.parametrize("area", AREA_IDS)
def test_a_few_days_off_with_flu_is_not_missing_education(assess, area):
    result = assess(area, "he was out of school for two days with flu")
    assert "missing_education" not in signals_read(result)


@pytest.mark.parametrize("area", ["worcestershire", "redcar-cleveland", "stockton-on-tees"])
def test_recurring_depression_is_an_enduring_mental_health_problem(assess, area):
    """Worcestershire's level 3: 'Acute, severe and enduring mental health problems'; 'low mood'
    and 'he is depressed' stay mild to moderate (level 2)."""
    assert assess(area, "suffers from periods of depression").level.number == 3
    assert assess(area, "he is depressed").level.number == 2


@pytest.mark.parametrize("area", AREA_IDS)
def test_who_is_in_charge_is_not_a_criminal_charge(assess, area):
    """'Nobody seems sure who is in charge' once read as 'was charged': Worcestershire level 4."""
    result = assess(area, "nobody seems sure who is in charge")
    assert "charged_or_convicted" not in signals_read(result)
    charged = assess(area, "he was charged with robbery and is in court next week")
    assert "charged_or_convicted" in signals_read(charged)
