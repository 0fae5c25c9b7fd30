"""The redactor measured on the planted test set (tests/privacy/planted.yml), and its speed.

    .venv/bin/python -m bot.privacy.measure tests/privacy/planted.yml -v

prints the same figures with every miss and every false redaction.
"""

from __future__ import annotations

import timeit
from pathlib import Path

import pytest

from bot.privacy.measure import identifying_words, load, report, score, words_left
from bot.privacy.redact import redact

TEST_SET = Path(__file__).with_name("planted.yml")


@pytest.fixture(scope="module")
def result():
    return score(TEST_SET, repeat=1)


def test_the_test_set_is_big_enough():
    data = load(TEST_SET)
    messages = data["messages"]
    assert len(messages) >= 60
    assert sum(len(m["planted"]) for m in messages) >= 120
    assert sum(len(m.get("keep", [])) for m in messages + data["keep_only"]) >= 40


def test_at_least_98_percent_of_the_planted_items_are_caught(result):
    assert result.rate >= 0.98, report(result)


def test_at_most_two_keep_strings_are_lost(result):
    assert len(result.lost) <= 2, report(result)


def test_every_kind_of_item_is_mostly_caught(result):
    for kind, total in result.total.items():
        assert result.caught[kind] / total >= 0.95, report(result)


def test_a_partly_redacted_item_counts_as_a_miss():
    text = "Flat 3, 12 Mill Lane"
    assert identifying_words(text) == ["3", "12", "Mill"]
    assert words_left(text, text, "Flat 3, [address]", [text]) == ["3"]
    assert words_left(text, text, "[address]", [text]) == []


def test_a_word_used_elsewhere_in_the_message_is_not_held_against_the_item():
    text = "Kai is 12 and lives at 12 Mill Lane"
    assert words_left("12 Mill Lane", text, "Kai is 12 and lives at [address]", ["12 Mill Lane"]) == []


def test_a_300_character_message_takes_well_under_a_millisecond():
    message = (
        "Worried about a Year 9 girl, Chloe Hughes, DOB 14/03/2010, who lives at 27 Beech Grove, "
        "Ashton-under-Lyne OL6 7TP. i saw jayden and his mum kerry-ann today; mum's mobile is "
        "07700.900.123 and she said Dad hits him. They are at the flats on church street. Is this "
        "level 3 in Tameside?"
    )
    assert 250 <= len(message) <= 300
    redact(message)  # loads the word lists
    seconds = min(timeit.repeat(lambda: redact(message), number=20, repeat=5)) / 20
    assert seconds < 0.001, f"{seconds * 1e6:.0f} µs"
