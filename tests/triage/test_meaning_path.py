"""Assessment by meaning: what no phrase of the pack matches is read by its nearest indicators."""

from __future__ import annotations

import numpy as np
import pytest

from bot.knowledge.schema import Indicator, Source, Tier
from bot.triage.meaning.encoder import SentenceEncoder
from bot.triage.meaning.matcher import (
    IndicatorVectors,
    MeaningMatcher,
    says_needs_met,
    shared_matcher,
    units,
)


def test_a_concern_no_phrase_matches_gets_a_level_by_meaning_with_its_reasons(assess):
    result = assess("worcestershire", "Parent or carer refusing medical care, endangering the child's life")
    assert result.level is not None and result.level.basis.startswith("matched by meaning")
    by_meaning = [i for i in result.indicators if i.matched_by == "meaning"]
    assert by_meaning, "the reasons show the indicators matched by meaning"
    best = by_meaning[0]
    assert 0 < best.similarity <= 1 and best.source.section and best.matched_words
    assert result.level.confidence_label == "low", "a level by meaning alone is offered with low confidence"


def test_meaning_never_lowers_a_level_the_phrases_gave(assess):
    result = assess("worcestershire", "Dad hits him with a belt and he has marks on his legs.")
    assert result.level.number == 4 and not any(i.matched_by == "meaning" for i in result.indicators)


def test_a_negated_clause_is_left_to_the_phrases(assess):
    result = assess("worcestershire", "He isn't missing any more, things have settled at home.")
    assert not any(i.matched_by == "meaning" for i in result.indicators)


def test_words_that_mean_nothing_about_a_child_get_no_level(assess):
    assert assess("worcestershire", "the printer on the second floor is out of toner").level is None


def test_units_are_sentences_and_the_clauses_of_long_ones_without_negations():
    concern = ("She has withdrawn from her friends. She arrives late every day, looks exhausted, her work is "
               "sparse, and her cousin collects her in a car we do not recognise. No marks seen.")
    assert units(concern) == [
        "She has withdrawn from her friends",
        "She arrives late every day",
        "looks exhausted",
        "her work is sparse",
    ]


def _indicator(text: str, level: int) -> Indicator:
    return Indicator(text=text, level=level, origin="document", domain="any", source=Source(doc="dev", section="s"))


def test_a_pack_with_no_triggers_at_all_is_assessed_by_meaning():
    """A new partnership's lines, with only their text and level (from the dev set's sources)."""
    pack = [
        _indicator("Child is well cared for, healthy and attends school regularly", 1),
        _indicator("Parents need advice and support with routines and boundaries", 2),
        _indicator("Persistent non-attendance at school and exclusions", 3),
        _indicator("Child has suffered physical abuse or non-accidental injury", 4),
        _indicator("Child is at risk of sexual exploitation", 4),
    ]
    matcher = shared_matcher()
    assert matcher.read(pack, "dad beat him and he has bruises on his arms").level == 4
    assert matcher.read(pack, "we think she is being sexually exploited").level == 4
    assert matcher.read(pack, "he hasn't been in school for most of this term").level is None  # a negation
    assert matcher.read(pack, "he keeps missing school and has been excluded twice").level == 3
    assert matcher.read(pack, "mum would like some tips on bedtime routines").level == 2


def test_indicator_vectors_are_cached_on_disk_by_content(tmp_path):
    encoder = SentenceEncoder()
    texts = ["Missing from home or care", "Needs help with routines"]
    first = IndicatorVectors(encoder, tmp_path).of(texts)
    assert len(list(tmp_path.glob("*.npy"))) == 1

    class Refusing:
        dimensions = encoder.dimensions

        def encode(self, _texts):  # pragma: no cover - must not be called
            raise AssertionError("the cached vectors should have been read")

    again = IndicatorVectors(Refusing(), tmp_path).of(texts)  # type: ignore[arg-type]
    assert np.array_equal(first, again)
    changed = IndicatorVectors(encoder, tmp_path).of([*texts, "A new line"])
    assert changed.shape == (3, 384) and len(list(tmp_path.glob("*.npy"))) == 2


@pytest.mark.parametrize("concern", ["", "   ", "ok"])
def test_nothing_to_read_gives_no_level(concern):
    assert MeaningMatcher(shared_matcher().encoder).read([_indicator("Missing from home", 4)], concern).level is None


@pytest.mark.parametrize("concern", [
    "Health appointments kept and immunisations up to date",
    "Parents are able to offer stability and a warm, loving home",
])
def test_a_description_that_only_says_needs_are_met_is_level_1(assess, concern):
    assert assess("worcestershire", concern).level.number == 1


@pytest.mark.parametrize("concern", [
    "developmental checks and immunisations up to date, health appointments kept, including ante-natal",
    "Age-appropriate social care and communication skills",
    "Able to recognise unsafe activities",
    "Parent works effectively with services in the best interests of the child",
])
def test_a_list_of_strengths_is_needs_met(concern):
    assert says_needs_met(concern)


@pytest.mark.parametrize("concern", [
    "She is happy at school. She is not safe at home",  # a negation says a need is unmet
    "she is able to tell us her uncle touches her",  # what a child is able to tell is a disclosure
    "happy, with older friends",  # a short part about people is not a list item
    "happy and well, goes to parties",
    "well fed, sleeps in the car",
])
def test_a_strength_beside_a_worry_is_not_needs_met(concern):
    assert not says_needs_met(concern)


@pytest.mark.parametrize("concern", [
    "Dad is loving but drinks every night",
    "She is happy at school. She is not safe at home",
    "Happy and settled. Never safe when dad is home",
    "She is happy at school but scared to go home",
    "He seems settled. A man we don't know waits for him at the gate every day.",
    "She is happy and well, her 30 year old boyfriend collects her from school",
])
@pytest.mark.parametrize("area", ["worcestershire", "tameside", "redcar-cleveland", "stockton-on-tees", "cambridgeshire"])
def test_a_word_of_wellbeing_does_not_hide_a_worry_beside_it(assess, concern, area):
    result = assess(area, concern)
    assert result.level is None or result.level.number >= 2
    assert result.level is None or not result.level.basis.endswith("needs are met")


# --- severity: how serious a need is tells the levels apart ---------------------------------------
@pytest.mark.parametrize("area", ["worcestershire", "tameside", "cambridgeshire"])
def test_a_need_described_as_serious_is_at_least_the_level_below_child_protection(assess, kb, area):
    result = assess(area, "There are serious concerns about her emotional health")
    below_cp = kb.area(area).level_for_tier(Tier.child_protection).number - 1
    assert result.level.number >= below_cp  # by the phrases already, or by the severity rule


def test_nothing_serious_raises_nothing(assess):
    result = assess("worcestershire", "a bit of cheek in class, nothing serious, mum is on it")
    assert result.level is None or not result.level.basis.startswith("severity")


def test_a_level_below_child_protection_read_only_by_meaning_asks_the_significant_harm_question_first(assess):
    """'Uncle sleeps in her bed' matches no phrase; meaning reads it as Stockton level 1, so the
    significant-harm question comes first and the answer decides."""
    result = assess("stockton-on-tees", "uncle sleeps in her bed when he visits")
    assert result.level.basis.startswith("matched by meaning") and result.level.number < 4
    assert result.questions[0].key == "significant_harm"
    assert "meaning of your words" in result.questions[0].why
