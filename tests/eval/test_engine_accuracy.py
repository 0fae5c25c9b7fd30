"""The engine against the labelled practitioner cases: the thresholds the issue sets.

``make eval`` prints the same figures next to the BM25 nearest-indicator baseline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.triage.evaluate import load_cases, run_baseline, run_engine

EVAL_DIR = Path(__file__).parent
CASE_FILES = sorted(EVAL_DIR.glob("*.yml"))


@pytest.fixture(scope="module")
def scores(engine):
    return run_engine(engine, load_cases(CASE_FILES))


def test_there_are_enough_cases_covering_every_level_in_every_area(kb):
    cases = load_cases(CASE_FILES)
    assert len(cases) >= 120
    for area_id, _ in kb.covered():
        levels = {c.expected_level for c in cases if c.area == area_id}
        assert levels == {lv.number for lv in kb.area(area_id).levels}, area_id
    assert sum(c.emergency for c in cases) >= 20


def test_exact_level_accuracy_is_at_least_85_percent(scores):
    wrong = [(p.case.id, p.case.expected_level, p.level) for p in scores.errors() if p.level != p.case.expected_level]
    assert scores.exact >= 0.85, f"exact {scores.exact:.1%}; wrong: {wrong}"


def test_every_emergency_is_recognised(scores):
    missed = [p.case.id for p in scores.predictions if p.case.emergency and not p.emergency]
    assert scores.emergency_recall == 1.0, f"missed emergencies: {missed}"


def test_no_top_level_case_is_predicted_below_the_top_level(scores):
    assert [(p.case.id, p.level) for p in scores.top_level_under] == []


def test_the_engine_beats_the_nearest_indicator_baseline(kb, scores):
    baseline = run_baseline(kb, load_cases(CASE_FILES))
    assert scores.exact > baseline.exact
    assert scores.under_triage < baseline.under_triage


def test_other_partnerships_lines_do_not_slip_back(engine):
    """A floor, not a target: the dev set's figures must not fall below what they were measured at.

    Phrases alone (with the national significant-harm layer): 43/61 level-4 lines reached 3 or 4,
    18 were at 2 or below or had no level, 127/210 within one level, 82/210 exact. With the
    meaning path filling what no phrase matched, and a description that only says needs are met
    read as level 1: 49/61, 12, 179/210, 111/210; level-1 lines given 3 or 4: 3 of 51. With a
    need described as serious, severe or chronic raised to the level below child protection:
    55/61, 6, 185/210, 113/210, 3 of 51. Then "needs met" made to hold for every part of a
    clause, so that "happy and well, her 30 year old boyfriend collects her" is never level 1:
    55/61, 6, 182/210, 106/210, 6 of 51. Then a list of strengths read as needs met (short list
    items share their neighbour's word of wellbeing; "able to recognise unsafe activities" is a
    strength), "unable to care for them" read as no one to care, and "discriminate between" no
    longer discrimination: 56/61, 5, 189/210, 117/210, 0 of 51. Then a child out of school
    altogether read as missing education (split from home education, part-time timetables and
    moving school, which stay early help), and recurring or clinical depression read as enduring
    mental health problems: 58/61, 3, 191/210, 117/210, 0 of 51.
    """
    from bot.triage.evaluate import (
        DEV_SET,
        dev_set_figures,
        dev_set_report,
        engine_predictor,
        load_dev_set,
    )

    figures = dev_set_figures(engine_predictor(engine), load_dev_set(DEV_SET))
    report = dev_set_report({"engine": figures})
    assert figures["level-4 recall (predicted 3 or 4)"][0] >= 58, report
    assert figures["level 4 predicted <= 2 or no level"][0] <= 3, report
    assert figures["within one level"][0] >= 191, report
    assert figures["exact"][0] >= 117, report
    assert figures["level-1 lines given 3 or 4"][0] <= 0, report


def test_the_labelled_cases_are_no_worse_for_the_meaning_path(scores):
    """266 of 275 exact with the meaning path and the severity rule (263 with phrases alone)."""
    assert scores.exact >= 266 / 275, f"exact {scores.exact:.1%}"
