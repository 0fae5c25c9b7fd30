"""The Rasa files that carry facts are generated from the packs and kept current."""

from __future__ import annotations

import yaml

from bot.conversation.rasa_domain import DOMAIN_FILE, generated_files
from tests.support.numbers import number_of


def test_generated_files_are_current(knowledge):
    for path, text in generated_files(knowledge).items():
        assert path.read_text() == text, f"{path.name} is stale: run python -m bot.conversation.rasa_domain"


def test_the_emergency_response_has_999_and_each_areas_urgent_numbers(knowledge):
    variations = yaml.safe_load(DOMAIN_FILE.read_text())["responses"]["utter_emergency"]
    by_area = {v["condition"][0]["value"]: v["text"] for v in variations if "condition" in v}
    assert set(by_area) == set(knowledge.packs)
    for area_id, text in by_area.items():
        assert text.startswith("If a child is in immediate danger, call 999 now.")
        for c in knowledge.packs[area_id].pack.contacts:
            if c.urgent and c.role != "emergency" and c.phone:
                assert c.phone in text, (area_id, c.phone)
    assert number_of("worcestershire", "out-of-hours") in by_area["worcestershire"]
    assert number_of("tameside", "out-of-hours") in by_area["tameside"]
    default = [v for v in variations if "condition" not in v]
    assert default and "999" in default[0]["text"]
    # marked as an emergency, with its area, as the actions mark theirs, for every channel
    assert all(v["custom"] == {"emergency": True, "area": v["condition"][0]["value"]} for v in variations if "condition" in v)
    assert default[0]["custom"] == {"emergency": True}


def test_the_age_pattern_takes_the_childs_age_and_nothing_else():
    import re

    from bot.conversation.rasa_domain import CHILD_AGE_PATTERN

    def ages(text: str) -> list[str]:
        return [m.group() for m in re.finditer(CHILD_AGE_PATTERN, text, re.IGNORECASE)]

    assert ages("a 14 year old girl") == ["14"]
    assert ages("the 6yo and his 9-year-old brother") == ["6", "9"]
    assert ages("boy aged 11, seen 3 times this term") == ["11"]
    assert ages("level 3, rang at 10pm") == []
