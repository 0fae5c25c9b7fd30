"""The Rasa files that carry facts are generated from the packs and kept current."""

from __future__ import annotations

import yaml

from bot.conversation.rasa_domain import DOMAIN_FILE, generated_files


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
    assert "01905 768020" in by_area["worcestershire"]
    assert "0161 342 2222" in by_area["tameside"]
    default = [v for v in variations if "condition" not in v]
    assert default and "999" in default[0]["text"]
