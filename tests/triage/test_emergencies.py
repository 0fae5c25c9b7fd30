"""Emergencies win: 999 and the area's urgent contact first, whatever else is in the text."""

from __future__ import annotations

import pytest

from tests.conftest import SATURDAY_2100
from tests.support.numbers import number_of

RED_FLAGS = [
    "He told me his stepdad said he is going to kill him when he gets home.",
    "She says she has saved up tablets and plans to take them tonight to end her life.",
    "There is a 3 year old left alone in the flat right now, mum went out hours ago.",
    "He came in with a fresh bruise on his cheek and said dad punched him this morning.",
    "A 14 year old disclosed she was raped at a party last night.",
    "Mum's partner had his hands round her neck last night and the kids were in the house.",
    "She is being taken abroad next week to be cut.",
    "A 13 year old has been missing since last night and nobody knows where she is right now.",
]


@pytest.mark.parametrize("area", ["worcestershire", "tameside", "cambridgeshire", "redcar-cleveland", "stockton-on-tees"])
@pytest.mark.parametrize("concern", RED_FLAGS)
def test_every_red_flag_gives_999_first_in_every_area(assess, area, concern):
    result = assess(area, concern)
    assert result.immediate_risk.flagged, concern
    assert result.contacts[0].phone == "999" and result.contacts[0].use_now
    assert "999" in result.immediate_risk.advice
    assert result.level.number == max(lv for lv in [result.level.number]) and result.level.basis == "immediate risk"


def test_an_emergency_in_worcestershire_on_saturday_night_names_the_out_of_hours_number(assess):
    result = assess("worcestershire", RED_FLAGS[3], at=SATURDAY_2100)
    assert number_of("worcestershire", "out-of-hours") in result.immediate_risk.advice
    urgent_now = [c for c in result.contacts if c.use_now and c.phone != "999"]
    assert [c.phone for c in urgent_now] == [number_of("worcestershire", "out-of-hours")]


def test_an_emergency_wins_over_everything_else_in_the_text(assess):
    text = "Mum asked about sleep routines and the toddler is doing well at nursery. " + RED_FLAGS[1]
    result = assess("tameside", text)
    assert result.immediate_risk.flagged
    assert result.level.number == 4


def test_an_emergency_goes_to_the_top_level_of_a_three_level_area(assess):
    assert assess("cambridgeshire", RED_FLAGS[5]).level.number == 3


def test_tameside_emergency_gives_both_numbers_because_hours_are_not_stated(assess):
    advice = assess("tameside", RED_FLAGS[0], at=SATURDAY_2100).immediate_risk.advice
    assert number_of("tameside", "childrens-hub") in advice and number_of("tameside", "out-of-hours") in advice


def test_an_area_whose_document_gives_no_number_never_gets_an_invented_one(assess):
    result = assess("stockton-on-tees", RED_FLAGS[0])
    phones = {c.phone for c in result.contacts}
    assert phones == {"999", None}
    assert all(c.phone_note for c in result.contacts if c.phone is None)


@pytest.mark.parametrize(
    "concern",
    [
        "He used to go missing but he isn't missing any more.",
        "Old bruises have healed and there have been no new injuries for months.",
        "She used to self-harm but has not for a year and is doing well.",
        "Mum asked the health visitor about weaning her 6 month old.",
    ],
)
def test_calm_descriptions_are_not_emergencies(assess, concern):
    assert not assess("worcestershire", concern).immediate_risk.flagged
