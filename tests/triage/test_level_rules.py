"""Level rules per area: the documents' own rules, including the questions that help."""

from __future__ import annotations

import pytest

from bot.triage.engine import InvalidAnswers


def test_when_indicators_of_different_levels_match_the_highest_wins_and_says_why(assess):
    result = assess("worcestershire", "Mum has lost her job and money is tight. Dad hits him with a belt.")
    assert result.level.number == 4
    assert result.pulled_up_by, "the indicators that pulled the level up are named"
    assert {i.level for i in result.indicators} >= {2, 4}


def test_several_level_2_needs_in_different_domains_add_up_to_level_3_in_worcestershire(assess):
    result = assess(
        "worcestershire",
        "Mum has just been made redundant, the boy is being bullied at school and his speech is behind for his age.",
    )
    assert result.accumulation is not None
    assert result.accumulation.raised_from == 2 and result.accumulation.raised_to == 3
    assert result.level.number == 3
    assert result.accumulation.source.section.lower().startswith("section 6")


def test_needing_several_agencies_is_level_3_in_worcestershire(assess):
    result = assess("worcestershire", "Mum needs some advice on parenting.", answers={"needs_several_agencies": "yes"})
    assert result.level.number == 3


def test_a_child_in_need_is_level_4_in_worcestershire(assess):
    concern = "Mum needs some advice on parenting."
    assert assess("worcestershire", concern, answers={"child_in_need_or_significant_harm": True}).level.number == 4


def test_yes_to_significant_harm_is_child_protection_in_tameside_not_child_in_need(assess):
    # Section 5: level 4 is "a concern that the child is suffering, or likely to suffer, significant harm".
    result = assess("tameside", "Mum needs some advice on parenting.", answers={"significant_harm": True})
    assert result.level.number == 4
    assert result.level.tiers == ["child_protection"]


def test_needs_your_agency_cannot_meet_go_to_multi_agency_in_tameside(assess):
    result = assess("tameside", "Mum needs some advice on parenting.", answers={"own_agency_can_meet": "no"})
    assert result.level.number == 2 and "early_help_multi" in result.level.tiers


def test_answers_never_lower_the_level_the_indicators_give(assess):
    result = assess("worcestershire", "Dad hits him with a belt.", answers={"needs_several_agencies": "no"})
    assert result.level.number == 4


def test_an_answer_to_a_question_the_area_does_not_ask_is_a_clear_error(assess):
    with pytest.raises(InvalidAnswers) as err:
        assess("cambridgeshire", "Mum needs some parenting advice.", answers={"favourite_colour": "blue"})
    assert "favourite_colour" in str(err.value)


def test_an_answer_that_is_not_yes_or_no_is_a_clear_error(assess):
    with pytest.raises(InvalidAnswers):
        assess("worcestershire", "Mum needs some parenting advice.", answers={"needs_several_agencies": "perhaps"})


def test_nothing_recognised_gives_no_level_and_asks_the_most_useful_question(assess):
    result = assess("worcestershire", "Could you help me with something please?")
    assert result.level is None and not result.recognised
    assert result.questions and result.questions[0].key == "describe"
    assert "not" in result.message.lower()


def test_questions_still_worth_asking_would_change_the_level(assess):
    result = assess("worcestershire", "Mum needs some advice on parenting.")
    assert result.level.number == 2
    assert any(q.key in {"needs_several_agencies", "likely_multi_agency", "needs_coordination", "child_in_need_or_significant_harm"} for q in result.questions)
    for q in result.questions:
        assert q.why


def test_every_answer_carries_sources_with_their_age(assess):
    result = assess("worcestershire", "He has been bunking off all term.")
    assert result.sources
    assert all(s.year == 2019 and s.age_years == 7 for s in result.sources)
    assert result.judgement


def test_next_steps_for_early_help_are_the_areas_pathway(assess):
    result = assess("worcestershire", "He has been bunking off all term.")
    stages = [a.stage for a in result.actions]
    assert "assessment" in stages and "referral" not in stages


def test_next_steps_for_level_4_start_with_the_referral(assess):
    result = assess("worcestershire", "Dad hits him with a belt and he has marks on his legs.")
    assert result.actions[0].stage in ("referral", "safeguarding_lead")


def test_consent_for_a_level_4_concern_says_a_referral_cannot_be_anonymous(assess):
    result = assess("worcestershire", "Dad hits him with a belt and he has marks on his legs.")
    assert "no_anonymous_referral" in {c.kind for c in result.consent}
