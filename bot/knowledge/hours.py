"""Is a contact answering at a given moment? Yes, no, or the source does not say.

Also how a wall-clock time is read on the area's clock. Twice a year a local time is not one
moment: in spring the clocks skip an hour (01:30 on the last Sunday of March never happens in
London) and in autumn they repeat one (01:30 on the last Sunday of October happens twice).
Reading such a time silently would answer for a moment the practitioner did not mean, so a
skipped time is refused and a repeated one is read as the first and says so.

England's bank holidays come from the maintained ``holidays`` package (its England calendar,
substitute days included), not a hand-kept list: office hours do not include them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from bot.knowledge.schema import WEEKDAYS, Contact


class NonexistentLocalTime(ValueError):
    """A local time the clocks skip; the message says when they go forward and which times exist."""


@dataclass(frozen=True)
class LocalReading:
    """A moment on the area's clock (always with its offset), and, when the local time given
    happened twice, a note saying which of the two was used and how to ask for the other."""

    moment: datetime
    note: str | None = None


def _place(tz: str) -> str:
    """'Europe/London' -> 'London': how a person names the clock."""
    return tz.rsplit("/", 1)[-1].replace("_", " ")


def _shown(moment: datetime) -> str:
    spec = "minutes" if not (moment.second or moment.microsecond) else "auto"
    return moment.isoformat(timespec=spec)


def _clock(moment: datetime) -> str:
    return f"{moment:%H:%M}" if not moment.second else f"{moment:%H:%M:%S}"


def _day(moment: datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def _change(before_utc: datetime, after_utc: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant the clock's offset changes, between two instants with different offsets
    (to the second, by halving: zoneinfo has no public list of transitions)."""
    offset = before_utc.astimezone(zone).utcoffset()
    while after_utc - before_utc > timedelta(seconds=1):
        middle = before_utc + (after_utc - before_utc) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(zone).utcoffset() == offset:
            before_utc = middle
        else:
            after_utc = middle
    return after_utc


def read_local(moment: datetime, tz: str) -> LocalReading:
    """``moment`` on the clock ``tz``. A moment with an offset is one instant, never ambiguous.
    A naive one is a local time: if it happened twice the first reading (summer time, in
    London) is used and the note says so; if the clocks skipped it, ``NonexistentLocalTime``."""
    zone = ZoneInfo(tz)
    if moment.tzinfo is not None:
        return LocalReading(moment.astimezone(zone))
    first, second = moment.replace(tzinfo=zone, fold=0), moment.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return LocalReading(first)
    place = _place(tz)
    round_trip = first.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None)
    if round_trip != moment:  # skipped: fold=0 carries the offset before the change, fold=1 after
        change = _change(second.astimezone(timezone.utc), first.astimezone(timezone.utc), zone)
        before = (change - timedelta(seconds=1)).astimezone(zone)
        gap_from = change.replace(tzinfo=None) + first.utcoffset()
        gap_to = change.astimezone(zone)
        raise NonexistentLocalTime(
            f"{_shown(moment)} does not exist in {place}: the clocks go forward from {_clock(gap_from)} "
            f"{before.tzname()} to {_clock(gap_to)} {gap_to.tzname()} on {_day(gap_to)}, so times from "
            f"{_clock(gap_from)} until {_clock(gap_to)} do not happen that day. Send a time before "
            f"{_clock(gap_from)} or from {_clock(gap_to)}, or a time with its offset."
        )
    change = _change(first.astimezone(timezone.utc), second.astimezone(timezone.utc), zone)
    back_from = change.replace(tzinfo=None) + first.utcoffset()
    back_to = change.astimezone(zone)
    note = (
        f"{_shown(moment)} happens twice in {place}: the clocks go back from {_clock(back_from)} "
        f"{first.tzname()} to {_clock(back_to)} {second.tzname()} on {_day(back_to)}. This answer is for "
        f"the first {_clock(moment)} ({first.tzname()}, {_shown(first)}); for the second, send "
        f"{_shown(second)}."
    )
    return LocalReading(first, note)


def local(moment: datetime, tz: str) -> datetime:
    """``moment`` on the area's clock; a naive moment is a local time (see ``read_local``)."""
    return read_local(moment, tz).moment


def _in_weekly(weekly: dict[str, list[str]], moment: datetime) -> bool:
    day = WEEKDAYS[moment.weekday()]
    now = moment.time()
    for window in weekly.get(day, []):
        start_s, end_s = window.split("-")
        start = time.fromisoformat(start_s)
        end = time(23, 59, 59, 999999) if end_s == "24:00" else time.fromisoformat(end_s)
        if start <= now < end:
            return True
    return False


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> dict[date, str]:
    """England's bank holidays in ``year``, by day. A substitute day is named as GOV.UK names it,
    "Boxing Day (substitute day)", where the package says "(observed)"."""
    days = holidays.country_holidays("GB", subdiv="ENG", years=year, language="en_GB")
    return {day: name.replace("(observed)", "(substitute day)") for day, name in days.items()}


def bank_holiday(day: date) -> str | None:
    """The name of the England bank holiday on ``day`` (e.g. "Christmas Day"), or None."""
    if isinstance(day, datetime):
        day = day.date()
    return _bank_holidays(day.year).get(day)


def available(contact: Contact, moment: datetime, by_key: dict[str, Contact], _depth: int = 0) -> bool | None:
    """True or False when the pack states the hours; None when the source gives no times.

    ``moment`` is on the area's clock. On an England bank holiday, weekly (office) hours are
    closed unless the pack says the contact answers on bank holidays (``bank_holidays: true``:
    then its usual windows for that weekday apply). An ``outside`` contact answers when the
    other is closed, and all day on a bank holiday when the pack says so, as ``weekends: true``
    does on weekends; ``bank_holidays: false`` (the source says it is closed then) is closed.
    """
    hours = contact.hours
    if hours.always:
        return True
    holiday = bank_holiday(moment.date()) is not None
    if hours.weekly is not None:
        if holiday and hours.bank_holidays is not True:
            return False
        return _in_weekly(hours.weekly, moment)
    if hours.outside is not None and _depth < 3:
        if holiday and hours.bank_holidays is not None:
            return hours.bank_holidays
        if hours.weekends and moment.weekday() >= 5:
            return True
        other = by_key.get(hours.outside)
        if other is None:
            return None
        inner = available(other, moment, by_key, _depth + 1)
        return None if inner is None else not inner
    return None
