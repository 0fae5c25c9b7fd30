"""No area phone number is written in more than two test files.

Tests read the numbers they expect from the packs (tests/support/numbers.py); the golden test
(tests/knowledge/test_golden_numbers.py) writes each out once, against its source document. A
number found here in a third file means a pack correction would again fail tests for the right
change: ask the pack (``number_of(area, contact key)``) instead. 999 and 101 are national
numbers and may be written anywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import PROJECT_ROOT
from tests.support.numbers import all_area_numbers

TESTS = PROJECT_ROOT / "tests"
TEXT_FILES = {".py", ".yml", ".yaml", ".json", ".md", ".txt", ".feature", ".html", ".js"}
MOST_FILES = 2


def _as_written_anywhere(number: str) -> re.Pattern[str]:
    """The number with or without its spaces (also as a tel: link), not inside a longer number."""
    digits = number.replace(" ", "")
    return re.compile(r"(?<![\d])" + r"[ ]?".join(map(re.escape, digits)) + r"(?![\d])")


def _test_files() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8", errors="replace") for path in sorted(TESTS.rglob("*"))
            if path.suffix in TEXT_FILES and path.is_file() and "__pycache__" not in path.parts}


def test_the_pattern_finds_a_number_however_it_is_spaced_and_not_inside_another():
    pattern = _as_written_anywhere("0113 496 0555")  # an Ofcom drama number, no area's
    for written in ("ring 0113 496 0555.", "tel:01134960555", "0113 4960555"):
        assert pattern.search(written), written
    assert not pattern.search("201134960555") and not pattern.search("0113 496 05551")


def test_no_area_number_is_written_in_more_than_two_test_files():
    files = _test_files()
    assert TESTS / "knowledge" / "test_golden_numbers.py" in files
    numbers = all_area_numbers()
    assert len(numbers) >= 5, "the packs' numbers were read"
    too_many = {}
    for number, (area, key) in numbers.items():
        pattern = _as_written_anywhere(number)
        written_in = [str(path.relative_to(PROJECT_ROOT)) for path, text in files.items() if pattern.search(text)]
        if len(written_in) > MOST_FILES:
            too_many[f"{number} ({area} {key})"] = written_in
    assert not too_many, ("area numbers written in more than two test files; read them from the pack with "
                          f"tests.support.numbers.number_of(area, contact key): {too_many}")
