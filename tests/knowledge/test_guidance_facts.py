"""The knowledge base says what each area's guidance says."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.knowledge.errors import UnknownAreaError
from bot.knowledge.schema import Tier
from tests.support.numbers import number_of


def _by_phone(kb, area: str, at: datetime) -> dict[str, bool | None]:
    return {cs.contact.phone: cs.available_now for cs in kb.contacts_at(area, at) if cs.contact.phone}


SATURDAY_2100 = datetime(2026, 11, 21, 21, 0)
WEDNESDAY_1100 = datetime(2026, 11, 18, 11, 0)


def test_on_a_saturday_at_2100_worcestershires_number_is_the_out_of_hours_line(kb):
    phones = _by_phone(kb, "worcestershire", SATURDAY_2100)
    assert phones[number_of("worcestershire", "out-of-hours")] is True
    assert phones[number_of("worcestershire", "family-front-door")] is False


def test_worcestershire_family_front_door_answers_in_office_hours(kb):
    phones = _by_phone(kb, "Worcs", WEDNESDAY_1100)
    assert phones[number_of("worcestershire", "family-front-door")] is True
    assert phones[number_of("worcestershire", "out-of-hours")] is False


def test_worcestershire_front_door_closes_earlier_on_friday_than_thursday(kb):
    thursday_1645 = datetime(2026, 11, 19, 16, 45)
    friday_1645 = datetime(2026, 11, 20, 16, 45)
    assert _by_phone(kb, "worcestershire", thursday_1645)[number_of("worcestershire", "family-front-door")] is True
    assert _by_phone(kb, "worcestershire", friday_1645)[number_of("worcestershire", "family-front-door")] is False
    assert _by_phone(kb, "worcestershire", friday_1645)[number_of("worcestershire", "out-of-hours")] is True


def test_office_hours_are_read_on_the_london_clock(kb):
    # 09:30 in London in summer is 08:30 UTC: the front door is open.
    from datetime import timezone
    summer_0830_utc = datetime(2026, 7, 15, 8, 30, tzinfo=timezone.utc)
    assert _by_phone(kb, "worcestershire", summer_0830_utc)[number_of("worcestershire", "family-front-door")] is True


def test_tamesides_office_hours_number_is_the_childrens_hub(kb):
    hub = [c for c in kb.area("tameside").contacts if c.phone == number_of("tameside", "childrens-hub")]
    assert hub and hub[0].role == "front_door" and hub[0].urgent


def test_tamesides_out_of_hours_number(kb):
    ooh = [c for c in kb.area("tameside").contacts if c.role == "out_of_hours"]
    assert [c.phone for c in ooh] == [number_of("tameside", "out-of-hours")]


def test_tameside_gives_no_office_hours_so_availability_is_unknown_not_guessed(kb):
    phones = _by_phone(kb, "tameside", SATURDAY_2100)
    assert phones[number_of("tameside", "childrens-hub")] is None
    assert phones[number_of("tameside", "out-of-hours")] is None


def test_redcar_and_cleveland_mach_number(kb):
    assert number_of("redcar-cleveland", "redcar-mach") in {c.phone for c in kb.area("R&C").contacts}


def test_cambridgeshire_has_three_levels(kb):
    assert [lv.number for lv in kb.area("cambridgeshire").levels] == [1, 2, 3]


def test_the_other_areas_have_four_levels(kb):
    for area in ("redcar-cleveland", "stockton-on-tees", "worcestershire", "tameside"):
        assert [lv.number for lv in kb.area(area).levels] == [1, 2, 3, 4], area


def test_level_3_means_child_in_need_in_tameside_but_multi_agency_early_help_in_worcestershire(kb):
    assert kb.area("tameside").level(3).tiers == [Tier.child_in_need]
    assert kb.area("worcestershire").level(3).tiers == [Tier.early_help_multi]


def test_cambridgeshire_top_level_is_specialist_statutory(kb):
    top = kb.area("cambs").top_level
    assert top.number == 3 and Tier.child_protection in top.tiers


@pytest.mark.parametrize("area, service", [("stockton-on-tees", "Emergency Duty Team"), ("cambridgeshire", "Early Help Hub")])
def test_a_service_named_without_a_number_says_so_instead_of_inventing_one(kb, area, service):
    matches = [c for c in kb.area(area).contacts if service.lower() in c.name.lower()]
    assert matches, f"{service} should be recorded for {area}"
    for c in matches:
        assert c.phone is None
        assert c.phone_note and ("no" in c.phone_note.lower() or "not" in c.phone_note.lower())


def test_every_contact_and_every_indicator_has_a_source_in_its_own_area(kb):
    for area_id, _ in kb.covered():
        ak = kb.area(area_id)
        docs = {d.key for d in ak.area.documents}
        for fact in [*ak.contacts, *ak.indicators, *ak.levels, *ak.steps, *ak.consent, *ak.glossary]:
            assert fact.source.doc in docs and fact.source.section.strip(), (area_id, fact)


def test_every_indicators_level_exists_in_its_area(kb):
    for area_id, _ in kb.covered():
        ak = kb.area(area_id)
        numbers = {lv.number for lv in ak.levels}
        assert {i.level for i in ak.indicators} <= numbers, area_id


def test_worcestershire_appendix_1_is_captured_at_every_level(kb):
    levels = [i.level for i in kb.area("worcestershire").indicators]
    for n in (1, 2, 3, 4):
        assert levels.count(n) >= 25, f"level {n} has only {levels.count(n)} indicators"


def test_review_cadence_worcestershire_6_to_12_weeks_tameside_six_weekly(kb):
    w = kb.area("worcestershire").review_cadence
    t = kb.area("tameside").review_cadence
    assert (w.weeks_min, w.weeks_max) == (6, 12)
    assert (t.weeks_min, t.weeks_max) == (6, 6)


def test_a_child_protection_referral_cannot_be_anonymous_in_worcestershire(kb):
    kinds = {c.kind for c in kb.area("worcestershire").consent}
    assert "no_anonymous_referral" in kinds


def test_tameside_questions_that_help_include_step_2(kb):
    keys = {q.key for q in kb.area("tameside").questions}
    assert {"own_agency_can_meet", "existing_plan_or_open_to_csc"} <= keys


def test_never_do_nothing_is_a_tameside_principle(kb):
    assert any("never do nothing" in p.name.lower() for p in kb.area("tameside").principles)


def test_an_unknown_area_gives_a_clear_error_naming_the_covered_areas(kb):
    with pytest.raises(UnknownAreaError) as err:
        kb.area("Wiltshire")
    message = str(err.value)
    assert "Wiltshire" in message
    for name in ("Worcestershire", "Tameside", "Cambridgeshire"):
        assert name in message
    assert "999" in message
