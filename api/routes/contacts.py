"""``GET /v1/areas/{area}/contacts``: every contact with its hours, whether it is open at the
moment asked, and which to use right now for an urgent concern and for early help."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AreaParam, AuditDep, KnowledgeDep
from api.errors import problem_responses
from api.schemas import AreaRef, ContactOut, Emergency, Moment, area_ref, contact_of, emergency_of
from bot.audit.trail import advice_from_contacts
from bot.knowledge.hours import bank_holiday, read_local
from bot.knowledge.query import UseNow

router = APIRouter(prefix="/v1", tags=["contacts"])

Basis = Literal["stated_hours", "outside_office_hours", "hours_not_stated", "none_open", "none_named"]
TAMESIDE_SOURCE = {
    "document": "early-help-framework-2017",
    "title": "Smarter, Stronger, Sooner, Safer: An Integrated Approach to supporting Children, Young People and "
             "their Families through Early Help in Tameside",
    "date_label": "2017/18", "year": 2017, "age_years": 9, "section": "Figure 2: Early Help Process, Step 4",
}
OUT_OF_HOURS = {
    "key": "out-of-hours", "name": "Out of Hours team", "role": "out_of_hours", "urgent": True,
    "phone": "0161 342 2222", "phone_note": None, "email": None, "web": None,
    "hours": "At other times (outside office hours)", "available_now": None, "source": TAMESIDE_SOURCE,
}


AT_HELP = (
    "The moment to check, ISO 8601; without an offset it is London time. Default: now. "
    "A London time that happens twice (the clocks go back, e.g. 2026-10-25T01:30) is read as the first, "
    "summer-time one and `at_note` says so: send the offset (+00:00) for the second. One the clocks skip "
    "(they go forward, e.g. 2027-03-28T01:30) is a 422 saying which times exist."
)
At = Annotated[Moment | None, Query(
    description=AT_HELP,
    examples=["2026-11-21T21:00:00"],
)]


class Recommendation(BaseModel):
    contact: ContactOut | None = Field(description="null when the area's guidance names no contact for this")
    basis: Basis = Field(description=(
        "stated_hours: open now by the source's hours; outside_office_hours: the source gives no office hours "
        "but the moment is a weekend, night or bank holiday, so its out-of-hours line; hours_not_stated: the "
        "source gives no hours; none_open: closed now; none_named: no contact for this in the source"))
    why: str


class UseNowOut(BaseModel):
    urgent: Recommendation = Field(description="For an urgent child protection concern (call 999 first if the child is in danger)")
    early_help: Recommendation = Field(description="To ask for early help, or advice about it")


class Contacts(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "area": {"id": "tameside", "name": "Tameside"},
        "at": "2026-11-21T21:00:00+00:00",
        "emergency": {"number": "999", "text": "If a child is in immediate danger, call 999 (police) now.",
                      "source": "UK national emergency number"},
        "contacts": [OUT_OF_HOURS],
        "use_now": {
            "urgent": {"contact": OUT_OF_HOURS, "basis": "outside_office_hours",
                       "why": "Tameside's source gives no office hours, but Saturday 21:00 is outside office hours "
                              "on any reading, and Out of Hours team answers then (At other times (outside office hours))."},
            "early_help": {"contact": None, "basis": "none_named", "why": "..."},
        },
    }]})

    area: AreaRef
    at: str = Field(description="The moment checked, London time, ISO 8601 with its offset")
    at_note: str | None = Field(default=None, description=(
        "When the London time asked about happens twice (the clocks go back): that the first (summer-time) "
        "reading was used, and how to ask for the other (send the offset)"))
    bank_holiday: str | None = Field(default=None, description=(
        "The name of the England bank holiday on that day in London (e.g. \"Christmas Day\", \"Boxing Day "
        "(substitute day)\"), else null. Office hours do not include bank holidays: a contact with weekly "
        "hours is closed then unless its source says otherwise, and out-of-hours lines answer"))
    emergency: Emergency
    contacts: list[ContactOut]
    use_now: UseNowOut


def _recommendation(use: UseNow, today) -> Recommendation:
    return Recommendation(contact=contact_of(use.status, today) if use.status else None, basis=use.basis, why=use.why)


@router.get(
    "/areas/{area}/contacts", response_model=Contacts,
    summary="Who to contact now: every contact with its hours and whether it is open, and which to use",
    responses=problem_responses(404, 422, 503, described={
        422: "`at` is not a date and time we can use, or a London time the clocks skip (they go forward)"}),
)
def contacts(area: AreaParam, kb: KnowledgeDep, audit: AuditDep, at: At = None) -> Contacts:
    ak = kb.area(area)
    reading = read_local(at or datetime.now(timezone.utc), kb.timezone)  # a skipped time is a 422 (api.errors)
    moment = reading.moment
    today = kb.today()  # sources' ages are counted from today, whatever moment is asked about
    urgent = ak.urgent_now(moment, kb.timezone)
    audit.record(advice_from_contacts(ak, urgent.status.contact.key if urgent.status else None, "api"))
    return Contacts(
        area=area_ref(ak),
        at=moment.isoformat(timespec="minutes"),
        at_note=reading.note,
        bank_holiday=bank_holiday(moment.date()),
        emergency=emergency_of(kb.national()),
        contacts=[contact_of(cs, today) for cs in ak.contacts_at(moment, kb.timezone)],
        use_now=UseNowOut(urgent=_recommendation(urgent, today),
                          early_help=_recommendation(ak.early_help_now(moment, kb.timezone), today)),
    )
