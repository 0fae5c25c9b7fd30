"""The one query layer: everything that reads guidance goes through :class:`KnowledgeBase`.

It reads the database, rebuilds each area's validated facts once per content hash, and
answers look-ups in memory, so repeated questions cost one cheap freshness query.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property

from rapidfuzz import fuzz, process
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from bot.config import get_settings
from bot.db.models import AreaRow, SharedRow
from bot.db.session import check_connection, engine_for
from bot.knowledge.errors import UnknownAreaError
from bot.knowledge.hours import available, bank_holiday, local
from bot.knowledge.normalise import normalise, term_from_question
from bot.knowledge.schema import (
    TIER_ORDER,
    Area,
    ConsentRule,
    Contact,
    Document,
    Escalation,
    GlossaryTerm,
    Indicator,
    Level,
    NationalFacts,
    PathwayStep,
    Principle,
    Question,
    ReviewCadence,
    SharedVocabulary,
    Source,
    Tier,
)
from bot.safety import danger_line, source_age

log = logging.getLogger(__name__)

FILLER_WORDS = {"council", "county", "borough", "metropolitan", "the", "of", "area", "city", "local", "authority", "cc", "mbc", "in", "im", "i", "m", "am"}
FUZZY_MIN_SCORE = 85
# Place names that are also everyday words: recognised only when written with a capital.
COMMON_WORD_PLACES = {"reading", "bath", "bury", "harrow", "slough", "barking", "sutton", "hull", "derby", "kent", "poole"}
GENERAL_MEANING_NOTE = "general meaning, not from the document"


class KnowledgeNotLoaded(RuntimeError):
    """The database holds no knowledge yet: run ``python -m bot.knowledge load``."""


@dataclass(frozen=True)
class Citation:
    """Where a fact comes from, how old that source is, and whether it is past its review-by date."""

    document: str
    title: str
    date_label: str
    year: int | None
    section: str
    seed_file: str
    review_by: date | None = None

    def age_years(self, today: date) -> int | None:
        return None if self.year is None else max(0, today.year - self.year)

    def past_review(self, today: date) -> bool:
        """The document is past its review-by date (``Document.review_by``) on ``today``."""
        return self.review_by is not None and today > self.review_by

    def age_text(self, today: date) -> str:
        return source_age(self.date_label, self.year, self.age_years(today), self.past_review(today))


@dataclass(frozen=True)
class ContactNow:
    contact: Contact
    available_now: bool | None
    citation: Citation


@dataclass(frozen=True)
class UseNow:
    """Which contact to use at a moment for one purpose, and why; ``status`` is None when the
    pack names none. ``basis`` is one of ``BASES``."""

    purpose: str
    status: ContactNow | None
    basis: str
    why: str


BASES = {
    "stated_hours": "open now by the hours the source gives",
    "outside_office_hours": "the source gives no office hours, but the moment is outside them on any reading",
    "hours_not_stated": "the source gives no hours, so whether it answers now is not known",
    "none_open": "closed now by the hours the source gives",
    "none_named": "the source names no contact for this",
}


def clearly_outside_office_hours(when: datetime) -> bool:
    """A weekend, an England bank holiday, or a weekday before 07:00 or from 20:00: outside any
    office's hours.

    Used only when a source says "office hours" without times, to point to its out-of-hours
    line; a weekday daytime is never assumed open.
    """
    return when.weekday() >= 5 or when.hour < 7 or when.hour >= 20 or bank_holiday(when.date()) is not None


def _bank_holiday_text(when: datetime) -> str | None:
    """'Friday 25 December is Christmas Day, a bank holiday in England', or None on other days."""
    name = bank_holiday(when.date())
    return None if name is None else f"{when:%A} {when.day} {when:%B} is {name}, a bank holiday in England"


@dataclass(frozen=True)
class GlossaryHit:
    area_id: str
    area_name: str
    term: GlossaryTerm
    citation: Citation
    from_other_area: bool

    @property
    def general_meaning(self) -> bool:
        """The meaning is general knowledge, not the cited document's words: say so with it."""
        return self.term.general_meaning


@dataclass(frozen=True)
class AreaKnowledge:
    """One area's validated facts, with the look-ups the engine and adapters need."""

    area: Area
    content_hash: str
    levels: list[Level]
    indicators: list[Indicator]
    contacts: list[Contact]
    steps: list[PathwayStep]
    review_cadence: ReviewCadence | None
    questions: list[Question]
    consent: list[ConsentRule]
    escalation: list[Escalation]
    principles: list[Principle]
    glossary: list[GlossaryTerm]
    _docs: dict[str, Document] = field(default_factory=dict, repr=False)

    @property
    def id(self) -> str:
        return self.area.id

    def cite(self, source: Source) -> Citation:
        doc = self._docs[source.doc]
        return Citation(doc.key, doc.title, doc.date_label, doc.year, source.section, doc.seed_file, doc.review_by)

    def level(self, number: int) -> Level:
        for lv in self.levels:
            if lv.number == number:
                return lv
        raise KeyError(f"{self.area.name} has no level {number}")

    @property
    def top_level(self) -> Level:
        return self.levels[-1]

    def level_for_tier(self, tier: Tier) -> Level:
        """The lowest level of this area that covers ``tier`` (or the nearest above it)."""
        for lv in self.levels:
            if tier in lv.tiers:
                return lv
        rank = TIER_ORDER[tier]
        for lv in self.levels:
            if max(TIER_ORDER[t] for t in lv.tiers) >= rank:
                return lv
        return self.top_level

    def steps_for(self, level: int) -> list[PathwayStep]:
        return [s for s in self.steps if s.levels is None or level in s.levels]

    def consent_for(self, tiers: list[Tier]) -> list[ConsentRule]:
        return [c for c in self.consent if c.tiers is None or set(c.tiers) & set(tiers)]

    @cached_property
    def contacts_by_key(self) -> dict[str, Contact]:
        return {c.key: c for c in self.contacts}

    def contacts_at(self, moment: datetime, tz: str) -> list[ContactNow]:
        when = local(moment, tz)
        return [
            ContactNow(c, available(c, when, self.contacts_by_key), self.cite(c.source))
            for c in self.contacts
        ]

    def urgent_now(self, moment: datetime, tz: str) -> UseNow:
        """The contact for an urgent child protection concern now (999 comes first in danger)."""
        name = self.area.name
        statuses = [s for s in self.contacts_at(moment, tz) if s.contact.urgent and s.contact.role != "emergency"]
        if not statuses:
            return UseNow("urgent", None, "none_named", f"{name}'s guidance names no urgent contact. "
                          f"{danger_line()} Otherwise contact the local children's social care.")
        open_now = sorted((s for s in statuses if s.available_now), key=lambda s: s.contact.phone is None)
        when = local(moment, tz)
        holiday = _bank_holiday_text(when)
        if open_now:
            c = open_now[0].contact
            if holiday and c.hours.outside:
                return UseNow("urgent", open_now[0], "stated_hours", (
                    f"{holiday}: office-hours services are closed, and {c.name} answers then ({c.hours.text})."))
            if holiday:
                return UseNow("urgent", open_now[0], "stated_hours",
                              f"{holiday}, but {c.name} is open now ({c.hours.text}).")
            return UseNow("urgent", open_now[0], "stated_hours", f"{c.name} is open now ({c.hours.text}).")
        unknown = [s for s in statuses if s.available_now is None]
        if unknown and clearly_outside_office_hours(when):
            ooh = [s for s in unknown if s.contact.role == "out_of_hours" and s.contact.hours.outside]
            if ooh:
                c = ooh[0].contact
                if holiday:
                    return UseNow("urgent", ooh[0], "outside_office_hours", (
                        f"{name}'s source gives no office hours, but {holiday}: office-hours services are "
                        f"closed, and {c.name} answers then ({c.hours.text})."))
                return UseNow("urgent", ooh[0], "outside_office_hours", (
                    f"{name}'s source gives no office hours, but {when:%A %H:%M} is outside office hours "
                    f"on any reading, and {c.name} answers then ({c.hours.text})."))
        if unknown:
            best = ([s for s in unknown if s.contact.role != "out_of_hours"] or unknown)[0]
            others = [s.contact.name for s in unknown if s is not best]
            also = f"; if it does not answer, {' or '.join(others)}" if others else ""
            said = f"{holiday}, and the source" if holiday else "The source"
            return UseNow("urgent", best, "hours_not_stated",
                          f"{said} gives no hours for {best.contact.name}{also}.")
        c = statuses[0].contact
        closed = f" ({holiday})" if holiday else ""
        return UseNow("urgent", statuses[0], "none_open", (
            f"No urgent contact of {name} is open now by the hours the source gives{closed}. {danger_line()} "
            f"Otherwise {c.name} ({c.hours.text})."))

    def early_help_now(self, moment: datetime, tz: str) -> UseNow:
        """Where to ask for early help (or advice about it), open ones first."""
        statuses = self.contacts_at(moment, tz)
        candidates = [s for s in statuses if s.contact.role == "early_help"] or [
            s for s in statuses if s.contact.role == "advice" and not s.contact.urgent
        ]
        if not candidates:
            return UseNow("early_help", None, "none_named", (
                f"{self.area.name}'s guidance names no separate early help contact; its pathway "
                "says how to ask for early help."))
        order = {True: 0, None: 1, False: 2}
        best = min(candidates, key=lambda s: order[s.available_now])
        c = best.contact
        basis = {True: "stated_hours", None: "hours_not_stated", False: "none_open"}[best.available_now]
        does = "takes early help requests" if c.role == "early_help" else "gives advice about early help"
        why = {
            "stated_hours": f"{c.name} {does} and is open now ({c.hours.text}).",
            "hours_not_stated": f"{c.name} {does}; the source gives no hours.",
            "none_open": f"{c.name} {does} but is closed now; its hours: {c.hours.text}.",
        }[basis]
        holiday = _bank_holiday_text(local(moment, tz))
        if holiday:
            why = {
                "stated_hours": f"{holiday}, but {c.name} {does} and is open now ({c.hours.text}).",
                "hours_not_stated": f"{holiday}. {c.name} {does}; the source gives no hours.",
                "none_open": f"{holiday}: {c.name} {does} but is closed now; its hours: {c.hours.text}.",
            }[basis]
        return UseNow("early_help", best, basis, why)


def _area_knowledge(row: AreaRow) -> AreaKnowledge:
    area = Area.model_validate(row.data)
    by_kind: dict[str, list[dict]] = {}
    for g in row.guidance:
        by_kind.setdefault(g.kind, []).append(g.data)
    cadence = by_kind.get("review_cadence", [None])[0]
    return AreaKnowledge(
        area=area,
        content_hash=row.content_hash,
        levels=[Level.model_validate(r.data) for r in row.levels],
        indicators=[Indicator.model_validate(r.data) for r in row.indicators],
        contacts=[Contact.model_validate(r.data) for r in row.contacts],
        steps=[PathwayStep.model_validate(r.data) for r in row.steps],
        review_cadence=ReviewCadence.model_validate(cadence) if cadence else None,
        questions=[Question.model_validate(d) for d in by_kind.get("question", [])],
        consent=[ConsentRule.model_validate(d) for d in by_kind.get("consent", [])],
        escalation=[Escalation.model_validate(d) for d in by_kind.get("escalation", [])],
        principles=[Principle.model_validate(d) for d in by_kind.get("principle", [])],
        glossary=[GlossaryTerm.model_validate(r.data) for r in row.glossary],
        _docs={d.key: d for d in area.documents},
    )


@dataclass(frozen=True)
class _Snapshot:
    state: tuple
    areas: dict[str, AreaKnowledge]
    aliases: dict[str, str]
    vocabulary: SharedVocabulary
    national: NationalFacts


class KnowledgeBase:
    """Read access to the loaded knowledge, safe to share between threads."""

    def __init__(self, engine: Engine, timezone: str = "Europe/London", refresh_seconds: float = 2.0):
        self.engine = engine
        self.timezone = timezone
        self.refresh_seconds = refresh_seconds
        self._snapshot: _Snapshot | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls) -> KnowledgeBase:
        settings = get_settings()
        engine = engine_for(settings.database_url)
        check_connection(engine)
        return cls(engine, settings.timezone)

    # --- freshness -------------------------------------------------------------------
    def _state(self, session: Session) -> tuple:
        areas = tuple(session.execute(select(AreaRow.id, AreaRow.content_hash).order_by(AreaRow.id)).all())
        shared = session.execute(select(SharedRow.content_hash).where(SharedRow.name == "shared")).scalar()
        return (areas, shared)

    def snapshot(self) -> _Snapshot:
        """The loaded knowledge; the database is asked whether it changed at most every
        ``refresh_seconds``, so a reload reaches a running server within that time.

        If the database cannot be reached after the knowledge was read once, the packs' facts
        already read are kept (they change only when packs are reloaded), so contacts and 999
        still answer while the database is down; /readyz reports the database itself."""
        current = self._snapshot
        if current is not None and time.monotonic() - self._checked_at < self.refresh_seconds:
            return current
        try:
            return self._fresh_snapshot()
        except SQLAlchemyError as exc:
            if current is None:
                raise
            log.warning("knowledge base unreachable (%s): answering from the knowledge already loaded",
                        type(exc).__name__)
            self._checked_at = time.monotonic()
            return current

    def _fresh_snapshot(self) -> _Snapshot:
        with Session(self.engine) as session:
            state = self._state(session)
            current = self._snapshot
            if current is not None and current.state == state:
                self._checked_at = time.monotonic()
                return current
            with self._lock:
                if self._snapshot is not None and self._snapshot.state == state:
                    return self._snapshot
                shared = session.get(SharedRow, "shared")
                if shared is None or not state[0]:
                    raise KnowledgeNotLoaded(
                        "No knowledge is loaded. Run `python -m bot.knowledge load` (make run does it)."
                    )
                rows = session.scalars(
                    select(AreaRow).options(
                        selectinload(AreaRow.aliases), selectinload(AreaRow.levels),
                        selectinload(AreaRow.indicators), selectinload(AreaRow.contacts),
                        selectinload(AreaRow.steps), selectinload(AreaRow.guidance),
                        selectinload(AreaRow.glossary),
                    )
                ).all()
                areas = {r.id: _area_knowledge(r) for r in rows}
                aliases = {a.alias: r.id for r in rows for a in r.aliases}
                self._snapshot = _Snapshot(
                    state=state,
                    areas=areas,
                    aliases=aliases,
                    vocabulary=SharedVocabulary.model_validate(shared.data["vocabulary"]),
                    national=NationalFacts.model_validate(shared.data["national"]),
                )
                self._checked_at = time.monotonic()
                return self._snapshot

    # --- areas -----------------------------------------------------------------------
    def covered(self) -> list[tuple[str, str]]:
        return sorted((a.id, a.area.name) for a in self.snapshot().areas.values())

    def area(self, name: str) -> AreaKnowledge:
        """An area by id, name or alias, tolerant of case, punctuation and small typos."""
        snap = self.snapshot()
        area_id = self.resolve_area_id(name)
        return snap.areas[area_id]

    def resolve_area_id(self, name: str) -> str:
        snap = self.snapshot()
        wanted = normalise(name or "")
        candidates = [wanted, " ".join(w for w in wanted.split() if w not in FILLER_WORDS)]
        for c in candidates:
            if c in snap.aliases:
                return snap.aliases[c]
        for c in candidates:
            if len(c) < 5:
                continue
            best = process.extractOne(c, list(snap.aliases), scorer=fuzz.ratio)
            if best and best[1] >= FUZZY_MIN_SCORE and len(best[0]) >= 5:
                return snap.aliases[best[0]]
        raise UnknownAreaError(name, self.covered())

    def vocabulary(self) -> SharedVocabulary:
        return self.snapshot().vocabulary

    def national(self) -> NationalFacts:
        return self.snapshot().national

    def uncovered_place_in(self, text: str) -> str | None:
        """A place the text names that is not an area we cover ("I work in Leeds, who do I
        call?" -> "Leeds"), the longest first; None when it names none or names one we cover."""
        lowered = f" {normalise(text)} "
        for place in sorted(self.national().places, key=len, reverse=True):
            if place.lower() in COMMON_WORD_PLACES and not re.search(rf"\b{re.escape(place)}\b", text):
                continue  # "reading glasses", "a bath": only "Reading", "Bath", as written
            if f" {normalise(place)} " in lowered:
                try:
                    self.resolve_area_id(place)
                except UnknownAreaError:
                    return place
                return None
        return None

    # --- look-ups --------------------------------------------------------------------
    def contacts_at(self, area: str, moment: datetime | None = None) -> list[ContactNow]:
        return self.area(area).contacts_at(moment or datetime.now(timezone.utc), self.timezone)

    def glossary(self, area: str, term: str) -> list[GlossaryHit]:
        """A term's meaning in the area's documents, else in other areas' (marked as such)."""
        home = self.area(area)
        wanted = term_from_question(term)
        if not wanted:
            return []
        hits: list[GlossaryHit] = []
        for ak in [home] + [a for a in self.snapshot().areas.values() if a.id != home.id]:
            for t in ak.glossary:
                names = {normalise(t.term), *(normalise(a) for a in t.aliases)}
                if t.expansion:
                    names.add(normalise(t.expansion))
                if wanted in names:
                    hits.append(GlossaryHit(ak.id, ak.area.name, t, ak.cite(t.source), ak.id != home.id))
            if hits and ak.id == home.id:
                return hits
        return hits

    def today(self) -> date:
        return local(datetime.now(timezone.utc), self.timezone).date()
