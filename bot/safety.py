"""The one safety path: what every reply says about immediate danger, which contact to use now
and why, and how a source and its age are worded.

Every channel (web chat, Teams, Slack, the API and ``make shell``) renders these fields and
writes none of its own. Numbers come from the knowledge packs; the only number written here is
England's 999, for the moment when the packs themselves cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the query layer imports this module for its source wording
    from bot.knowledge.query import AreaKnowledge, KnowledgeBase
    from bot.knowledge.schema import Contact, NationalFacts

FALLBACK_EMERGENCY_NUMBER = "999"  # England-wide; said even when the knowledge packs are down
FALLBACK_POLICE_NON_EMERGENCY = "101"


# --- sources and their age ------------------------------------------------------------------
def source_age(date_label: str, year: int | None, age_years: int | None, past_review: bool = False) -> str:
    """How old a source is, in the words every answer uses: "May 2019, about 7 years old"; with
    ``past_review`` (the document is past its review-by date), "...; past its review date: check
    with the front door that this is current"."""
    if year is None or age_years is None:
        age = "undated" if not date_label or "undated" in date_label.lower() else f"{date_label}, undated"
    elif not age_years:
        age = f"{date_label}, current"
    else:
        age = f"{date_label}, about {age_years} year{'s' if age_years != 1 else ''} old"
    return f"{age}; past its review date: check with the front door that this is current" if past_review else age


def cited(title: str, section: str | None, age: str) -> str:
    """A source as answers show it: title, section, and how old it is."""
    return f"{title}, {section} ({age})" if section else f"{title} ({age})"


# --- immediate danger -------------------------------------------------------------------------
def danger_line(number: str = FALLBACK_EMERGENCY_NUMBER) -> str:
    """The first words of every emergency reply, and the line every channel keeps in view."""
    return f"If a child is in immediate danger, call {number} now."


def unanswered_line(number: str = FALLBACK_EMERGENCY_NUMBER) -> str:
    """What Teams and Slack say when a turn failed (a database, the lock store or Rasa down)."""
    return (f"Sorry, something went wrong and I could not answer. {danger_line(number)} Otherwise contact "
            "your area's children's social care front door.")


@dataclass(frozen=True)
class UrgentContact:
    """The area's contact for an urgent child-protection concern at this moment, and why."""

    key: str
    name: str
    phone: str | None
    phone_note: str | None
    web: str | None
    hours: str
    available_now: bool | None
    why: str  # why this one now: open by the stated hours, out of hours, or hours not stated
    source: str  # cited, with the source's age


@dataclass(frozen=True)
class EmergencyAdvice:
    """What to do now about immediate danger: 999, then the area's urgent contact.

    ``area_name`` None: the area is not known yet (or not covered) and the advice is national.
    When the area's document gives no number, ``urgent`` is still named, and ``instead`` says
    what works now: the police's non-emergency number, the safeguarding lead, the council.
    """

    number: str
    area_name: str | None = None
    urgent: UrgentContact | None = None
    instead: list[str] = field(default_factory=list)
    also: list[UrgentContact] = field(default_factory=list)  # when hours are not stated: if it does not answer

    @property
    def has_number(self) -> bool:
        return bool(self.urgent and self.urgent.phone)

    def lines(self) -> list[str]:
        """The advice as lines, 999 first; every channel shows them in this order."""
        out = [danger_line(self.number)]
        if self.area_name is None:
            out.append("Then contact the children's social care front door of the council where the child lives.")
            return out
        c = self.urgent
        if c and c.phone:
            out.append(f"Then call {c.name} on {c.phone}. {c.why}")
            out += [f"If it does not answer: {other.name} on {other.phone} ({other.hours})." for other in self.also]
            out.append(f"Source: {c.source}; check the number is current.")
            return out
        if c:
            out.append(f"{self.area_name}'s document names {c.name} but gives no phone number for it.")
        else:
            out.append(f"{self.area_name}'s guidance names no urgent contact.")
        out += self.instead
        if c:
            out.append(f"Source: {c.source}.")
        return out

    @property
    def text(self) -> str:
        """The lines as one paragraph, for channels that show plain text."""
        return inline(self.lines())

def inline(lines: list[str]) -> str:
    """Lines as one paragraph: list items ("- 101 for the police ...;") run on after their header."""
    return " ".join(line[2:] if line.startswith("- ") else line for line in lines)


def _numbers(nat: NationalFacts | None) -> tuple[str, str]:
    """999 and 101 from the national pack, or England's own when the packs cannot be read."""
    if nat is None:
        return FALLBACK_EMERGENCY_NUMBER, FALLBACK_POLICE_NON_EMERGENCY
    return nat.emergency_number, nat.police_non_emergency


def urgent_only(contacts: list[Contact]) -> list[Contact]:
    """The area's contacts for an urgent child-protection concern (999 is said on its own)."""
    return [c for c in contacts if c.urgent and c.role != "emergency"]


def _instead(nat: NationalFacts | None, area_name: str) -> list[str]:
    number, police = _numbers(nat)
    return [
        "What works now:",
        f"- {number} if the child is in danger;",
        f"- {police} for the police when it is not an emergency;",
        "- your safeguarding lead;",
        f"- {area_name} council's own website, for its children's services front door.",
    ]


def _urgent(status: Any, why: str, today: date) -> UrgentContact:
    c, cit = status.contact, status.citation
    return UrgentContact(
        key=c.key, name=c.name, phone=c.phone, phone_note=c.phone_note, web=c.web, hours=c.hours.text,
        available_now=status.available_now, why=why, source=cited(cit.title, cit.section, cit.age_text(today)),
    )


def urgent_contacts(ak: AreaKnowledge, moment: datetime, tz: str, today: date) -> tuple[UrgentContact | None, list[UrgentContact]]:
    """The area's urgent contact to use now and why (the pack's hours decide); and, when the
    source's hours do not settle it, the other urgent numbers to try if that one does not answer."""
    choice = ak.urgent_now(moment, tz)
    if choice.status is None:
        return None, []
    also: list[UrgentContact] = []
    if choice.basis != "stated_hours":
        others = {c.key for c in urgent_only(ak.contacts) if c.phone and c.key != choice.status.contact.key}
        also = [_urgent(s, "", today) for s in ak.contacts_at(moment, tz)
                if s.contact.key in others and s.available_now is not False]
    return _urgent(choice.status, choice.why, today), also


def emergency_advice(kb: KnowledgeBase | None, area_id: str | None = None,
                     moment: datetime | None = None) -> EmergencyAdvice:
    """999, then the area's urgent contact for this moment; national advice when the area is
    not known or the knowledge base cannot be read. Never raises: 999 must always be said."""
    try:
        nat = kb.national() if kb else None
    except Exception:  # the knowledge base may be down: 999 still
        nat = None
    number, _ = _numbers(nat)
    if kb is None or nat is None or not area_id:
        return EmergencyAdvice(number)
    try:
        ak = kb.area(area_id)
        urgent, also = urgent_contacts(ak, moment or datetime.now(timezone.utc), kb.timezone, kb.today())
    except Exception:  # an unknown area or a failing store: the national advice
        return EmergencyAdvice(number)
    name = ak.area.name
    if urgent and urgent.phone:
        return EmergencyAdvice(number, name, urgent, also=also)
    return EmergencyAdvice(number, name, urgent, instead=_instead(nat, name))


def standing_advice(nat: NationalFacts, area_name: str, contacts: list[Contact], source: str) -> str:
    """The advice with no clock: every urgent contact with its hours. Rasa's own emergency response
    says it when the action server is down, and the page without JavaScript, so neither can
    choose by the hour."""
    urgent = urgent_only(contacts)
    with_number = [c for c in urgent if c.phone]
    if not with_number:
        named = f"{area_name}'s document names {' and '.join(c.name for c in urgent)} but gives no phone number." \
            if urgent else f"{area_name}'s guidance names no urgent contact."
        return inline([danger_line(nat.emergency_number), named, *_instead(nat, area_name), f"Source: {source}."])
    listed = "; ".join(f"{c.name}: {c.phone} ({c.hours.text})" for c in with_number)
    return (f"{danger_line(nat.emergency_number)} Then call {area_name} children's social care: {listed}. "
            f"Source: {source}; check the number is current.")


def uncovered_area_advice(nat: NationalFacts | None, covered: list[str], name: str | None = None) -> str:
    """An area we do not cover: say so plainly, then what works anywhere. No local number is
    guessed."""
    number, police = _numbers(nat)
    listed = ", ".join(covered)
    opening = (f"{name} is not an area I cover: I hold guidance for {listed} only." if name else
               f"I don't hold guidance for that area, as far as I can tell: I cover {listed}. "
               "If yours is one of these, tell me its name.")
    return (f"{opening} {danger_line(number)} Otherwise contact your own council's children's social care "
            f"front door (the council's website gives its number), call {police} for the police when it is "
            "not an emergency, and talk to your safeguarding lead.")
