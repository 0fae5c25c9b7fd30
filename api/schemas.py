"""Response pieces shared by the look-up routes: every fact carries its source and its age."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from bot.knowledge.query import AreaKnowledge, Citation, ContactNow
from bot.knowledge.schema import Document, NationalFacts
from bot.triage.result import AreaRef, SourceRef

__all__ = ["AreaRef", "SourceRef", "DocumentOut", "Emergency", "ContactOut", "source_of", "document_of",
           "contact_of", "emergency_of", "area_ref"]


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


def source_of(c: Citation, today: date) -> SourceRef:
    return SourceRef(document=c.document, title=c.title, date_label=c.date_label, year=c.year,
                     age_years=c.age_years(today), section=c.section)


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
