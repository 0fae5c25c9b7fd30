"""The shape of a knowledge pack, validated strictly.

A pack is one folder per area under ``knowledge/areas/<area-id>/`` with one YAML file
per section (``area.yml``, ``levels.yml``, ``indicators.yml``, ``contacts.yml``,
``pathway.yml``, ``guidance.yml``, ``glossary.yml``). Every fact names its source: a
document of the area and the section it came from. Unknown keys are errors, so a typo
fails loudly instead of silently dropping a fact.
"""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

AREA_IDS = ("redcar-cleveland", "stockton-on-tees", "worcestershire", "tameside", "cambridgeshire")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME_WINDOW = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Tier(str, Enum):
    """What a level means in national terms, so rules can be shared across areas.

    Each area numbers its levels differently; a level lists the tiers it covers.
    """

    universal = "universal"
    early_help_single = "early_help_single"  # needs met by one agency / own setting
    early_help_multi = "early_help_multi"  # coordinated multi-agency early help (EHA/CAF, TAF)
    child_in_need = "child_in_need"  # statutory: Children Act 1989 s17
    child_protection = "child_protection"  # statutory: s47, significant harm


TIER_ORDER = {t: i for i, t in enumerate(Tier)}


class Source(Strict):
    doc: str = Field(description="Key of one of the area's documents")
    section: str = Field(min_length=1, description="Section, appendix or table in that document")


class Document(Strict):
    """One source document of an area.

    ``review_by``: the date by which the partnership said it would review the document, or,
    where the document gives none, three years after its date (31 December of ``year`` + 3);
    a comment in the pack says which. Null for an undated document, which always needs
    checking. Past it, answers from the document say to check with the front door that it
    is current, and ``make check`` and ``/readyz`` warn.
    """

    key: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    date_label: str = Field(description="The date as the document gives it, or 'undated'")
    year: int | None = Field(default=None, description="Year of the document, null when undated")
    review_by: date | None = Field(
        default=None,
        description="When the partnership said it would review the document, else its date + 3 years; "
        "null when undated",
    )
    seed_file: str
    note: str | None = None

    def past_review(self, today: date) -> bool:
        """True after the review-by date (an undated document has none: see ``freshness_warning``)."""
        return self.review_by is not None and today > self.review_by

    def freshness_warning(self, today: date) -> str | None:
        """Why the document needs checking today (past its review-by date, or undated), else None."""
        if self.past_review(today):
            return f"'{self.title}' was due for review by {self.review_by.isoformat()}: check it is current"
        if self.review_by is None and self.year is None:
            return f"'{self.title}' is undated: check it is current"
        return None


class AccumulationRule(Strict):
    """Several lower-level needs adding up (e.g. Worcestershire section 6)."""

    of_level: int
    min_indicators: int = Field(ge=2)
    min_domains: int = Field(default=1, ge=1)
    raises_to: int
    text: str
    source: Source


class Area(Strict):
    id: str
    name: str
    aliases: list[str] = Field(min_length=1)
    partnership: str
    model_of_need: str
    documents: list[Document] = Field(min_length=1)
    indicator_table: bool = Field(
        default=False,
        description="The document has a table of indicators by level (else only level descriptions)",
    )
    accumulation: list[AccumulationRule] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _known_id(cls, v: str) -> str:
        if v not in AREA_IDS:
            raise ValueError(f"area id must be one of {', '.join(AREA_IDS)}")
        return v


class Level(Strict):
    number: int = Field(ge=1, le=9)
    name: str
    meaning: str
    typical_response: str
    services: list[str] = Field(default_factory=list)
    tiers: list[Tier] = Field(min_length=1)
    source: Source


IndicatorOrigin = Literal["document", "derived"]


class Indicator(Strict):
    """One descriptor of need at one level, and where that level comes from.

    ``origin: document``: the document itself puts this line at this level (a row of its
    indicator table, or a sentence of its level description). ``origin: derived``: we put
    it at this level, and ``basis`` says on what (the document's level description, quoted,
    or national guidance with its section). Answers show derived indicators as such.
    """

    key: str | None = Field(default=None, pattern=r"^[a-z0-9-]+$")
    text: str = Field(min_length=3, description="The descriptor, in our own words")
    level: int
    origin: IndicatorOrigin = Field(description="document: the document's own line; derived: see basis")
    basis: str | None = Field(default=None, description="For a derived indicator: what its level rests on")
    domain: str
    subdomain: str | None = None
    triggers: list[list[str]] = Field(
        default_factory=list,
        description="Alternatives; each is a list of signal ids that must all be present",
    )
    source: Source

    @field_validator("triggers")
    @classmethod
    def _non_empty_alternatives(cls, v: list[list[str]]) -> list[list[str]]:
        if any(len(alt) == 0 for alt in v):
            raise ValueError("a trigger alternative must name at least one signal")
        return v

    @model_validator(mode="after")
    def _basis_when_derived(self) -> Indicator:
        if self.origin == "derived" and not self.basis:
            raise ValueError("a derived indicator needs a basis: the level description or national guidance it rests on")
        if self.origin == "document" and self.basis:
            raise ValueError("basis is for derived indicators; a document line's basis is its source")
        return self


class Hours(Strict):
    """When a contact answers. Exactly one of the ways below.

    - ``always``: any time (999).
    - ``weekly``: windows per weekday, Europe/London time, e.g. ``mon: ["09:00-17:00"]``;
      a day left out is closed.
    - ``outside``: the key of another contact of the area; answers when that one is closed.
      ``weekends: true`` when the source says so explicitly.
    - none of those: the source gives no times; ``text`` says what it does say.

    England's bank holidays (from the ``holidays`` package): ``weekly`` hours are closed on them,
    because office hours do not include bank holidays. ``bank_holidays`` only when the source
    says so: ``true``, it answers on bank holidays (``weekly``: its usual windows that weekday;
    ``outside``: all day, as ``weekends: true`` on weekends); ``false``, it is closed on them.
    """

    text: str = Field(description="The hours as the source states them")
    always: bool = False
    weekly: dict[str, list[str]] | None = None
    outside: str | None = None
    weekends: bool = False
    bank_holidays: bool | None = None

    @field_validator("weekly")
    @classmethod
    def _valid_windows(cls, v: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        if v is None:
            return v
        for day, windows in v.items():
            if day not in WEEKDAYS:
                raise ValueError(f"'{day}' is not a weekday; use {', '.join(WEEKDAYS)}")
            for w in windows:
                if not _TIME_WINDOW.match(w):
                    raise ValueError(f"'{w}' on {day} is not a window like 09:00-17:00")
        return v

    @model_validator(mode="after")
    def _one_way(self) -> Hours:
        ways = sum([self.always, self.weekly is not None, self.outside is not None])
        if ways > 1:
            raise ValueError("give only one of always, weekly, outside")
        if self.bank_holidays is not None and self.weekly is None and self.outside is None:
            raise ValueError("bank_holidays goes with weekly or outside hours")
        return self


ContactRole = Literal["emergency", "front_door", "out_of_hours", "early_help", "advice"]


class Contact(Strict):
    key: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    role: ContactRole
    urgent: bool = Field(description="Takes urgent child protection concerns")
    phone: str | None = None
    phone_note: str | None = Field(
        default=None, description="Required when phone is null: what the source does (not) say"
    )
    email: str | None = None
    web: str | None = None
    hours: Hours
    source: Source

    @model_validator(mode="after")
    def _phone_or_note(self) -> Contact:
        if self.phone is None and not self.phone_note:
            raise ValueError("a contact without a phone number needs phone_note saying so")
        if self.phone is not None and not re.fullmatch(r"[0-9 ]{3,15}", self.phone):
            raise ValueError(f"phone '{self.phone}' should be digits and spaces only")
        return self


Stage = Literal[
    "identification",
    "safeguarding_lead",
    "assessment",
    "plan",
    "team_around_family",
    "delivery",
    "review",
    "closure",
    "referral",
    "step_up",
    "step_down",
    "plan_not_working",
]


class PathwayStep(Strict):
    key: str = Field(pattern=r"^[a-z0-9-]+$")
    stage: Stage
    title: str
    text: str
    levels: list[int] | None = Field(default=None, description="Levels it applies to; null = all")
    source: Source


class ReviewCadence(Strict):
    text: str
    weeks_min: int | None = None
    weeks_max: int | None = None
    source: Source


class Pathway(Strict):
    steps: list[PathwayStep] = Field(min_length=1)
    review_cadence: ReviewCadence | None = None


class Question(Strict):
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    text: str
    yes_means_at_least: Tier | None = Field(
        default=None, description="A 'yes' answer means the need is at least this tier"
    )
    no_means_at_least: Tier | None = Field(
        default=None, description="A 'no' answer means the need is at least this tier"
    )
    source: Source


ConsentKind = Literal[
    "seek_consent", "share_without_consent", "no_anonymous_referral", "refusal", "inform_family"
]


class ConsentRule(Strict):
    key: str = Field(pattern=r"^[a-z0-9-]+$")
    kind: ConsentKind
    text: str
    tiers: list[Tier] | None = Field(default=None, description="Tiers it applies to; null = all")
    source: Source


class Escalation(Strict):
    text: str
    source: Source


class Principle(Strict):
    name: str
    text: str
    source: Source


class Guidance(Strict):
    questions_that_help: list[Question] = Field(default_factory=list)
    consent: list[ConsentRule] = Field(default_factory=list)
    escalation: list[Escalation] = Field(default_factory=list)
    principles: list[Principle] = Field(default_factory=list)


class GlossaryTerm(Strict):
    term: str
    expansion: str | None = None
    meaning: str
    aliases: list[str] = Field(default_factory=list)
    general_meaning: bool = Field(
        default=False,
        description="The meaning is general knowledge, not the document's words; every answer says so",
    )
    source: Source


class Pack(Strict):
    """One area's knowledge, checked for internal consistency as a whole."""

    area: Area
    levels: list[Level] = Field(min_length=2)
    indicators: list[Indicator] = Field(min_length=1)
    contacts: list[Contact] = Field(min_length=1)
    pathway: Pathway
    guidance: Guidance
    glossary: list[GlossaryTerm] = Field(min_length=1)


# --- The shared phrase layer (knowledge/shared/) -------------------------------------

SignalKind = Literal["concept", "qualifier", "age"]


class Signal(Strict):
    """Something a practitioner may say, in many words, that indicators are built from.

    ``phrases`` are matched on lemmas, in order, allowing up to two other words between
    consecutive words; a trailing ``*`` on a word matches any word it begins. Negated
    mentions ("no concerns about attendance") are discarded by the engine, so phrases
    are written positively. An ``age`` signal has no phrases: it is present when the
    child's stated age is below ``below_age`` years.
    """

    kind: SignalKind = "concept"
    description: str
    phrases: list[str] = Field(default_factory=list)
    below_age: float | None = None
    ask: str | None = Field(
        default=None,
        description="A question to put when knowing this signal would change the level",
    )
    partner_aged_at_least: float | None = Field(
        default=None,
        description="Also present when the description gives a boyfriend's, girlfriend's or partner's "
        "age of at least this many years ('her 30 year old boyfriend', 'boyfriend is 24')",
    )
    masks: list[str] = Field(
        default_factory=list,
        description="Signals whose phrases, found on this signal's own words, are part of it and do not "
        "count: 'well groomed' is hygiene, not grooming",
    )

    @model_validator(mode="after")
    def _shape_by_kind(self) -> Signal:
        if self.kind == "age":
            if self.below_age is None or self.phrases:
                raise ValueError("an age signal has below_age and no phrases")
        elif not self.phrases:
            raise ValueError(f"a {self.kind} signal needs at least one phrase")
        return self


class RedFlag(Strict):
    """A sign of immediate danger: 999 and the area's urgent contact, before anything else."""

    key: str = Field(pattern=r"^[a-z0-9-]+$")
    reason: str
    triggers: list[list[str]] = Field(min_length=1)


class HarmCategory(Strict):
    """One category of significant harm in national guidance, the same in every area.

    ``triggers`` mean the child is likely to be suffering or at risk of significant harm:
    the area's child-protection level. ``possible`` alternatives leave the level to the
    area's own indicators, but put the significant-harm question first. A ``likely``
    alternative of one signal counts only as ``possible`` when the description also has
    one of ``doubt`` ("a single smack, no mark"). A ``serious`` alternative is possible
    significant harm that is never a low level: at least the level just below child
    protection, with the significant-harm question first.
    """

    key: str = Field(pattern=r"^[a-z0-9-]+$")
    category: str
    text: str = Field(description="What national guidance treats as possible significant harm")
    basis: str = Field(description="The national guidance and section it rests on")
    triggers: list[list[str]] = Field(min_length=1)
    possible: list[list[str]] = Field(default_factory=list)
    serious: list[list[str]] = Field(
        default_factory=list,
        description="Possible harm that the guidance names as harm to the child in its own right: "
        "at least the level just below child protection",
    )
    doubt: list[str] = Field(default_factory=list)


class SignificantHarmLayer(Strict):
    guidance: str = Field(description="The national guidance, e.g. Working Together to Safeguard Children 2023")
    published: str
    year: int
    categories: list[HarmCategory] = Field(min_length=1)


class SharedVocabulary(Strict):
    signals: dict[str, Signal]
    red_flags: list[RedFlag] = Field(min_length=1)
    significant_harm: SignificantHarmLayer

    @field_validator("signals")
    @classmethod
    def _ids(cls, v: dict[str, Signal]) -> dict[str, Signal]:
        for sid in v:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", sid):
                raise ValueError(f"signal id '{sid}' should be lower_snake_case")
        return v


class NationalFacts(Strict):
    """Facts that hold in every area, including areas we do not cover (999)."""

    emergency_number: str = Field(pattern=r"^[0-9]{3}$")
    police_non_emergency: str = Field(pattern=r"^[0-9]{3}$", description="The police when it is not an emergency (101)")
    emergency_text: str
    source: str
    uncovered_area_advice: str
    places: list[str] = Field(default_factory=list, description="Places a practitioner may name, to recognise an area we do not cover")
