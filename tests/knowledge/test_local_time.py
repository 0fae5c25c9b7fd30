"""Reading a wall-clock time on the area's clock, on the two days a year it is not one moment.

In London the clocks go forward at 01:00 on the last Sunday of March (01:00-01:59 never
happens) and back at 02:00 on the last Sunday of October (01:00-01:59 happens twice).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.knowledge.hours import NonexistentLocalTime, read_local

LONDON = "Europe/London"
SPRING_GAP = datetime(2027, 3, 28, 1, 30)
AUTUMN_TWICE = datetime(2026, 10, 25, 1, 30)


def test_a_time_the_clocks_skip_is_refused_saying_they_go_forward_and_which_times_exist():
    with pytest.raises(NonexistentLocalTime) as refused:
        read_local(SPRING_GAP, LONDON)
    message = str(refused.value)
    assert "2027-03-28T01:30 does not exist in London" in message
    assert "clocks go forward from 01:00 GMT to 02:00 BST on Sunday 28 March 2027" in message
    assert "before 01:00 or from 02:00" in message


def test_a_time_that_happens_twice_is_read_as_the_first_summer_time_one_and_says_so():
    reading = read_local(AUTUMN_TWICE, LONDON)
    assert reading.moment.isoformat() == "2026-10-25T01:30:00+01:00"
    assert "happens twice in London" in reading.note
    assert "clocks go back from 02:00 BST to 01:00 GMT on Sunday 25 October 2026" in reading.note
    assert "first 01:30 (BST, 2026-10-25T01:30+01:00)" in reading.note


def test_the_note_tells_how_to_ask_for_the_second_reading_and_that_way_works():
    note = read_local(AUTUMN_TWICE, LONDON).note
    assert "for the second, send 2026-10-25T01:30+00:00" in note
    second = read_local(datetime.fromisoformat("2026-10-25T01:30+00:00"), LONDON)
    assert second.moment.utcoffset() == timedelta(0) and second.note is None


@pytest.mark.parametrize("moment", ["2027-03-28T01:30+00:00", "2027-03-28T00:30Z", "2026-10-25T01:30+01:00"])
def test_a_moment_with_an_offset_is_never_ambiguous_or_refused(moment):
    sent = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    reading = read_local(sent, LONDON)
    assert reading.note is None
    # (compared in UTC: Python never finds a repeated-hour London time equal to another zone's)
    assert reading.moment.astimezone(timezone.utc) == sent.astimezone(timezone.utc)


@pytest.mark.parametrize("moment", [
    datetime(2027, 3, 28, 0, 59, 59), datetime(2027, 3, 28, 2, 0),  # either side of the skipped hour
    datetime(2026, 10, 25, 0, 59, 59), datetime(2026, 10, 25, 2, 0),  # either side of the repeated hour
    datetime(2026, 11, 21, 21, 0),
])
def test_times_either_side_of_a_change_are_ordinary(moment):
    reading = read_local(moment, LONDON)
    assert reading.note is None and reading.moment.replace(tzinfo=None) == moment


def test_another_configured_clock_names_its_own_change():
    with pytest.raises(NonexistentLocalTime, match="does not exist in New York: the clocks go forward from 02:00 EST"):
        read_local(datetime(2026, 3, 8, 2, 30), "America/New_York")
    assert "send 2026-11-01T01:30-05:00" in read_local(datetime(2026, 11, 1, 1, 30), "America/New_York").note


@pytest.fixture
def server_in_new_york(monkeypatch):
    """The server's own clock is not London's (containers often run on UTC)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_now_is_read_on_the_london_clock_whatever_the_servers_zone(server_in_new_york, engine, kb):
    result = engine.assess("Worcs", "Year 9 girl has been bunking off most afternoons all term.")
    london_now = datetime.now(timezone.utc).astimezone(ZoneInfo(LONDON))
    assert abs(datetime.fromisoformat(result.at) - london_now) < timedelta(minutes=2)
    assert kb.today() in {london_now.date(), (london_now - timedelta(minutes=2)).date()}  # (at midnight)
