"""Is a contact answering at a given moment? Yes, no, or the source does not say."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.knowledge.schema import WEEKDAYS, Contact


def local(moment: datetime, tz: str) -> datetime:
    """``moment`` in the area's clock; a naive moment is taken as already local."""
    zone = ZoneInfo(tz)
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


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


def available(contact: Contact, moment: datetime, by_key: dict[str, Contact], _depth: int = 0) -> bool | None:
    """True or False when the pack states the hours; None when the source gives no times."""
    hours = contact.hours
    if hours.always:
        return True
    if hours.weekly is not None:
        return _in_weekly(hours.weekly, moment)
    if hours.outside is not None and _depth < 3:
        if hours.weekends and moment.weekday() >= 5:
            return True
        other = by_key.get(hours.outside)
        if other is None:
            return None
        inner = available(other, moment, by_key, _depth + 1)
        return None if inner is None else not inner
    return None
