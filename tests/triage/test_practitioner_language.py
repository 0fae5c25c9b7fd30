"""Practitioners do not write like threshold tables: their words map onto indicators."""

from __future__ import annotations

import pytest

from bot.knowledge.schema import Tier


def keys(result) -> set[str]:
    return {i.key for i in result.indicators}


@pytest.mark.parametrize(
    "concern, any_of",
    [
        ("her dad slapped her and left a mark", {"l4-physical-chastisement", "l4-likelihood-significant-harm", "l4-parents-abusive"}),
        ("he's been kicked out of school", {"l3-permanent-exclusion"}),
        ("a year 8 lad has been bunking off", {"l2-occasional-truanting"}),
        ("always starving at lunch, same unwashed uniform all week", {"l2-some-basic-needs-unmet", "l2-minor-diet-dental-hygiene-clothing", "l2-poor-personal-hygiene", "l3-diet-hygiene-clothing-emotional-impact", "l3-persistent-poor-hygiene-isolation", "l4-diet-hygiene-clothing-not-improving", "l4-poor-care-most-needs"}),
        ("I think he's running drugs for older boys, county lines", {"l4-risky-associations-gangs", "l4-drug-alcohol-abuse-dealing", "l4-criminal-activity"}),
    ],
)
def test_everyday_words_match_the_worcestershire_indicator(assess, concern, any_of):
    result = assess("worcestershire", concern)
    assert keys(result) & any_of, f"{concern!r} matched {sorted(keys(result))}"
    matched = next(i for i in result.indicators if i.key in any_of)
    assert matched.matched_words, "the words that matched are reported"
    assert matched.source.section.startswith("Appendix 1")


def test_the_words_that_matched_come_from_the_description(assess):
    result = assess("worcestershire", "her dad slapped her and left a mark")
    words = {w.lower() for i in result.indicators for w in i.matched_words}
    assert any("slap" in w for w in words)


def test_bunking_off_all_term_is_persistent_truanting_at_level_3(assess):
    result = assess("worcestershire", "She has been bunking off every week for months.")
    assert "l3-persistent-truanting" in keys(result)
    assert "l2-occasional-truanting" not in keys(result), "the more specific indicator stands for the general one"
    assert result.level.number == 3


class TestNegation:
    def test_no_concerns_about_attendance_does_not_match_attendance(self, assess):
        result = assess("worcestershire", "No concerns about attendance, but mum has just lost her job and they are struggling with bills.")
        assert not any("truant" in (i.key or "") or "attendance" in i.text.lower() for i in result.indicators)
        assert "l2-low-income-unemployment" in keys(result)

    def test_he_isnt_missing_any_more_does_not_match_missing(self, assess):
        result = assess("worcestershire", "He isn't missing any more, things have settled at home.")
        assert not any("missing" in (i.key or "") for i in result.indicators)
        assert not result.immediate_risk.flagged

    @pytest.mark.parametrize("concern", ["He isn't going missing any more.", "She is no longer going missing."])
    def test_a_negated_mention_is_reported_as_not_counted(self, assess, concern):
        result = assess("worcestershire", concern)
        assert not any("missing" in (i.key or "") for i in result.indicators)
        assert any(n.signal == "missing_from_home" for n in result.not_counted)


class TestAgeCues:
    def test_sexual_activity_under_13_is_level_4_in_worcestershire(self, assess):
        result = assess("worcestershire", "She's 12 and says she is sleeping with her boyfriend.")
        assert "l4-sexual-activity-under-13" in keys(result)
        assert result.level.number == 4

    def test_starting_to_have_sex_at_15_is_level_2_in_worcestershire(self, assess):
        result = assess("worcestershire", "A 15 year old told the school nurse she has started having sex with her boyfriend.")
        assert "l2-sex-under-16" in keys(result)
        assert "l4-sexual-activity-under-13" not in keys(result)

    def test_sexual_activity_under_13_is_specialist_in_cambridgeshire(self, assess):
        result = assess("cambridgeshire", "A 12-year-old girl is having sex with a boy from year 10.")
        assert result.level.number == 3

    def test_the_age_is_asked_when_it_would_change_the_level(self, assess):
        result = assess("worcestershire", "A girl told the school nurse she is sleeping with her boyfriend.")
        assert any("old" in q.text.lower() for q in result.questions)


class TestNonPrefix:
    """"non-" negates its own word only: a non-accidental injury is an injury."""

    @pytest.mark.parametrize("area", ["worcestershire", "tameside", "redcar-cleveland", "stockton-on-tees"])
    def test_a_non_accidental_injury_is_child_protection(self, assess, area, kb):
        result = assess(area, "non-accidental injury")
        assert result.level is not None and result.level.number == kb.area(area).level_for_tier(Tier.child_protection).number
        assert result.level.basis != "nothing recognised"

    def test_nai_on_a_baby_gets_999(self, assess):
        result = assess("worcestershire", "NAI on a 4 month old")
        assert result.immediate_risk.flagged and "999" in result.immediate_risk.advice

    def test_non_attendance_is_still_attendance_not_counted_as_attending(self, assess):
        result = assess("worcestershire", "chronic non-attendance at school this term")
        assert result.level is not None and result.level.number >= 2


def test_a_child_whose_whereabouts_nobody_knows_is_missing_not_just_out_of_education(assess):
    """Not 'not in education, employment or training': a child nobody can find is a missing child."""
    result = assess("worcestershire", "child missing education, family moved, nobody knows where")
    assert result.level.number == 4 and result.immediate_risk.flagged


@pytest.mark.parametrize("concern", ["worried about CSE", "CSE concerns", "worried about grooming"])
def test_cse_and_grooming_in_shorthand_put_the_significant_harm_question_first(assess, concern):
    result = assess("worcestershire", concern)
    assert result.level is not None and result.significant_harm
    assert result.questions[0].key == "significant_harm"
