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
