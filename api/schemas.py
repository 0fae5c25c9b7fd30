"""Response pieces shared by the look-up routes: every fact carries its source and its age."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from bot.knowledge.query import AreaKnowledge, Citation, ContactNow
from bot.knowledge.schema import Document, NationalFacts
from bot.triage.result import AreaRef, SourceRef

__all__ = [
    "A_NON_SPACE",
    "AreaRef",
    "ContactOut",
    "DocumentOut",
    "Emergency",
    "Moment",
    "SourceRef",
    "area_ref",
    "contact_of",
    "document_of",
    "emergency_of",
    "has_words",
    "source_of",
]

# Free text needs one character that is a space neither to Python nor to JSON Schema, whose
# patterns are ECMA-262's: \x1c-\x1f and \x85 are spaces only to Python, \ufeff only to ECMA.
# The OpenAPI document gives this pattern and the validators check with it (the contract test
# found a query, then a concern, of one \x1d or \x1f valid to a pattern of \S and refused here).
A_NON_SPACE = r"[^\s\x1c-\x1f\x85\ufeff]"


def has_words(text: str) -> bool:
    """Whether ``text`` has a character that is not a space (to Python and to the documented pattern)."""
    return re.search(A_NON_SPACE, text) is not None


class Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class DocumentOut(Out):
    key: str
    title: str
    date_label: str = Field(description="The date as the document gives it, or 'undated'")
    year: int | None
    age_years: int | None = Field(description="How old the document is; null when undated")
    age_text: str = Field(description="The date and age in words, to show beside an answer")
    note: str | None = None


class Emergency(Out):
    """999 comes first, in every area and every answer."""

    number: str
    text: str
    source: str


class ContactOut(Out):
    key: str
    name: str
    role: str = Field(description="emergency, front_door, out_of_hours, early_help or advice")
    urgent: bool = Field(description="Takes urgent child protection concerns")
    phone: str | None
    phone_note: str | None = Field(description="When there is no number: what the source does (not) say")
    email: str | None
    web: str | None
    hours: str = Field(description="The hours as the source states them")
    available_now: bool | None = Field(description="Open at the moment asked; null when the source gives no times")
    source: SourceRef


_DATE_AND_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
MOMENT_HELP = "should be an ISO 8601 date and time between the years 1900 and 2999, e.g. 2026-11-21T21:00:00"


def _date_and_time_text(value: object) -> object:
    """Only ISO 8601 text with a date and a time: no bare dates, no Unix timestamps."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE_AND_TIME.match(value.strip()):
        raise ValueError(MOMENT_HELP)
    return value.strip()


def _plausible(moment: datetime) -> datetime:
    """A moment the London clock can represent; far-off years are a typing slip, not a question.

    A local time the clocks skip or repeat is settled later, on the area's clock, by
    ``bot.knowledge.hours.read_local`` (a 422 naming ``at``, or an ``at_note``): the
    clock is a setting this type does not know.
    """
    if not 1900 <= moment.year <= 2999:
        raise ValueError(MOMENT_HELP)
    return moment


Moment = Annotated[
    datetime,
    BeforeValidator(_date_and_time_text),
    AfterValidator(_plausible),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": "^(19|2[0-9])[0-9]{2}-"}),
]


def source_of(c: Citation, today: date) -> SourceRef:
    return SourceRef(document=c.document, title=c.title, date_label=c.date_label, year=c.year,
                     age_years=c.age_years(today), section=c.section, past_review=c.past_review(today))


def document_of(d: Document, today: date) -> DocumentOut:
    cite = Citation(d.key, d.title, d.date_label, d.year, "", d.seed_file)
    return DocumentOut(key=d.key, title=d.title, date_label=d.date_label, year=d.year,
                       age_years=cite.age_years(today), age_text=cite.age_text(today), note=d.note)


def contact_of(cs: ContactNow, today: date) -> ContactOut:
    c = cs.contact
    return ContactOut(key=c.key, name=c.name, role=c.role, urgent=c.urgent, phone=c.phone,
                      phone_note=c.phone_note, email=c.email, web=c.web, hours=c.hours.text,
                      available_now=cs.available_now, source=source_of(cs.citation, today))


def emergency_of(n: NationalFacts) -> Emergency:
    return Emergency(number=n.emergency_number, text=n.emergency_text, source=n.source)


def area_ref(ak: AreaKnowledge) -> AreaRef:
    return AreaRef(id=ak.id, name=ak.area.name)
