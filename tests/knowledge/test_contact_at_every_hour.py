"""Who answers an urgent concern now, in every area, at the moments practitioners ask about.

Office hours do not include England's bank holidays (issue 17). Each area's pack says, in its
source's words, when its contacts answer:

- Worcestershire: the Family Front Door 9.00am-5.00pm Monday to Thursday, 9.00am-4.30pm Friday;
  the out-of-hours line "out of hours or at weekends". On a bank holiday the front door is shut,
  so the out-of-hours line answers (stated hours).
- Stockton-on-Tees: the First Contact Team "during normal office hours (times not stated)"; the
  Emergency Duty Team "outside normal office hours, weekends and bank holidays", so on a weekend
  or a bank holiday the source itself says the EDT answers (stated hours). On a weekday evening
  the office hours are not stated, but 20:00 is outside them on any reading.
- Tameside: the Children's HUB in "office hours (times not stated)", the Out of Hours team "at
  other times". A weekday evening, a weekend or a bank holiday is outside office hours on any
  reading; a weekday morning is not known either way, so the HUB comes first.
- Redcar and Cleveland, Cambridgeshire: one urgent contact each and no hours at all, so the
  answer is that contact, saying its hours are not stated, whatever the moment.

Expected answers are contact keys, never phone numbers.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient

from api.keys import KeyStore
from api.main import create_app
from bot.knowledge.hours import bank_holiday
from bot.knowledge.query import clearly_outside_office_hours
from bot.knowledge.schema import AREA_IDS, Hours
from tests.api.conftest import production_settings

WEEKDAY_MORNING = datetime(2026, 11, 18, 10, 0)  # Wednesday
WEEKDAY_EVENING = datetime(2026, 11, 18, 20, 0)  # Wednesday
SATURDAY_AFTERNOON = datetime(2026, 11, 21, 15, 0)
CHRISTMAS_DAY = datetime(2026, 12, 25, 10, 0)  # Friday
EASTER_MONDAY = datetime(2027, 3, 29, 10, 0)
BOXING_DAY_SUBSTITUTE = datetime(2027, 12, 28, 10, 0)  # Tuesday: Boxing Day 2027 is a Sunday
NEW_YEARS_EVE_EVENING = datetime(2026, 12, 31, 20, 0)  # Thursday: not a bank holiday, but evening

MOMENTS = {
    "weekday morning": WEEKDAY_MORNING,
    "weekday evening": WEEKDAY_EVENING,
    "Saturday afternoon": SATURDAY_AFTERNOON,
    "Christmas Day": CHRISTMAS_DAY,
    "Easter Monday": EASTER_MONDAY,
    "Boxing Day substitute": BOXING_DAY_SUBSTITUTE,
    "New Year's Eve evening": NEW_YEARS_EVE_EVENING,
}
BANK_HOLIDAYS = {"Christmas Day", "Easter Monday", "Boxing Day substitute"}

# area -> moment -> (contact key, basis)
WHO_ANSWERS = {
    "worcestershire": {
        "weekday morning": ("family-front-door", "stated_hours"),
        "weekday evening": ("out-of-hours", "stated_hours"),
        "Saturday afternoon": ("out-of-hours", "stated_hours"),
        "Christmas Day": ("out-of-hours", "stated_hours"),
        "Easter Monday": ("out-of-hours", "stated_hours"),
        "Boxing Day substitute": ("out-of-hours", "stated_hours"),
        "New Year's Eve evening": ("out-of-hours", "stated_hours"),
    },
    "stockton-on-tees": {
        "weekday morning": ("first-contact-team", "hours_not_stated"),
        "weekday evening": ("emergency-duty-team", "outside_office_hours"),
        "Saturday afternoon": ("emergency-duty-team", "stated_hours"),
        "Christmas Day": ("emergency-duty-team", "stated_hours"),
        "Easter Monday": ("emergency-duty-team", "stated_hours"),
        "Boxing Day substitute": ("emergency-duty-team", "stated_hours"),
        "New Year's Eve evening": ("emergency-duty-team", "outside_office_hours"),
    },
    "tameside": {
        "weekday morning": ("childrens-hub", "hours_not_stated"),
        "weekday evening": ("out-of-hours", "outside_office_hours"),
        "Saturday afternoon": ("out-of-hours", "outside_office_hours"),
        "Christmas Day": ("out-of-hours", "outside_office_hours"),
        "Easter Monday": ("out-of-hours", "outside_office_hours"),
        "Boxing Day substitute": ("out-of-hours", "outside_office_hours"),
        "New Year's Eve evening": ("out-of-hours", "outside_office_hours"),
    },
    "redcar-cleveland": {moment: ("redcar-mach", "hours_not_stated") for moment in MOMENTS},
    "cambridgeshire": {moment: ("mash", "hours_not_stated") for moment in MOMENTS},
}


def test_every_area_is_checked_at_every_moment():
    assert set(WHO_ANSWERS) == set(AREA_IDS)
    assert all(set(by_moment) == set(MOMENTS) for by_moment in WHO_ANSWERS.values())


@pytest.mark.parametrize("area", AREA_IDS)
@pytest.mark.parametrize("moment_name", list(MOMENTS))
def test_the_urgent_contact_now_is_the_one_the_source_says_answers(kb, area, moment_name):
    use = kb.area(area).urgent_now(MOMENTS[moment_name], kb.timezone)
    assert (use.status.contact.key, use.basis) == WHO_ANSWERS[area][moment_name]


@pytest.mark.parametrize("area", AREA_IDS)
@pytest.mark.parametrize("moment_name", sorted(BANK_HOLIDAYS))
def test_on_a_bank_holiday_the_answer_says_it_is_one(kb, area, moment_name):
    moment = MOMENTS[moment_name]
    use = kb.area(area).urgent_now(moment, kb.timezone)
    assert f"is {bank_holiday(moment.date())}, a bank holiday in England" in use.why
    assert f"{moment:%A} {moment.day} {moment:%B}" in use.why


@pytest.mark.parametrize("area", AREA_IDS)
@pytest.mark.parametrize("moment_name", sorted(set(MOMENTS) - BANK_HOLIDAYS))
def test_on_other_days_the_answer_does_not_mention_bank_holidays(kb, area, moment_name):
    use = kb.area(area).urgent_now(MOMENTS[moment_name], kb.timezone)
    assert "bank holiday in England" not in use.why


def test_worcestershire_on_christmas_day_the_out_of_hours_line_answers_because_the_front_door_is_shut(kb):
    use = kb.area("worcestershire").urgent_now(CHRISTMAS_DAY, kb.timezone)
    assert use.why.startswith("Friday 25 December is Christmas Day, a bank holiday in England: office-hours "
                              "services are closed, and Out of hours line")
    open_now = {s.contact.key: s.available_now
                for s in kb.area("worcestershire").contacts_at(CHRISTMAS_DAY, kb.timezone)}
    assert open_now["family-front-door"] is False and open_now["out-of-hours"] is True


def test_the_same_weekday_hour_that_is_not_a_bank_holiday_has_the_front_door_open(kb):
    # Friday 18 December 2026, a week before Christmas, 10:00.
    open_now = {s.contact.key: s.available_now
                for s in kb.area("worcestershire").contacts_at(datetime(2026, 12, 18, 10, 0), kb.timezone)}
    assert open_now["family-front-door"] is True and open_now["out-of-hours"] is False


def test_stocktons_emergency_duty_team_covers_bank_holidays_because_its_source_says_so(kb):
    edt = kb.area("stockton-on-tees").contacts_by_key["emergency-duty-team"]
    assert "bank holidays" in edt.hours.text and edt.hours.bank_holidays is True


def test_early_help_on_a_bank_holiday_says_it_is_one(kb):
    use = kb.area("worcestershire").early_help_now(EASTER_MONDAY, kb.timezone)
    assert use.why.startswith("Monday 29 March is Easter Monday, a bank holiday in England.")
    assert use.status.contact.key == "early-help-family-support-request"


# --- England's bank holidays ------------------------------------------------------------
@pytest.mark.parametrize("day, name", [
    (date(2026, 12, 25), "Christmas Day"),
    (date(2027, 3, 29), "Easter Monday"),
    (date(2027, 12, 28), "Boxing Day (substitute day)"),  # Boxing Day 2027 is a Sunday
    (date(2026, 12, 31), None),  # New Year's Eve is a working day
    (date(2026, 11, 18), None),
])
def test_bank_holidays_are_englands(day, name):
    assert bank_holiday(day) == name


def test_a_bank_holiday_daytime_is_outside_office_hours_on_any_reading():
    assert clearly_outside_office_hours(EASTER_MONDAY)
    assert not clearly_outside_office_hours(WEEKDAY_MORNING)


def test_bank_holidays_may_be_stated_only_with_weekly_or_outside_hours():
    Hours(text="Outside office hours and bank holidays", outside="front-door", bank_holidays=True)
    Hours(text="Mon-Fri 9-5, not bank holidays", weekly={"mon": ["09:00-17:00"]}, bank_holidays=False)
    with pytest.raises(ValueError, match="bank_holidays"):
        Hours(text="Not stated", bank_holidays=True)


# --- the API says so --------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(kb, loaded_engine):
    key = KeyStore(loaded_engine, cache_seconds=0).create("bank holiday tests")[1]
    with TestClient(create_app(kb, production_settings()), headers={"Authorization": f"Bearer {key}"}) as c:
        yield c


def test_the_api_on_christmas_day_shows_the_front_door_shut_and_the_out_of_hours_line_answering(client):
    body = client.get("/v1/areas/worcestershire/contacts", params={"at": "2026-12-25T10:00:00"}).json()
    assert body["bank_holiday"] == "Christmas Day"
    open_now = {c["key"]: c["available_now"] for c in body["contacts"]}
    assert open_now["family-front-door"] is False and open_now["out-of-hours"] is True
    assert body["use_now"]["urgent"]["contact"]["key"] == "out-of-hours"
    assert "Christmas Day, a bank holiday in England" in body["use_now"]["urgent"]["why"]


def test_the_api_on_an_ordinary_day_says_no_bank_holiday(client):
    body = client.get("/v1/areas/worcestershire/contacts", params={"at": "2026-12-31T20:00:00"}).json()
    assert body["bank_holiday"] is None
