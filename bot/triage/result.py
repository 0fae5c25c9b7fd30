"""What an assessment says: the shape every channel (API, chat, Teams, Slack) renders."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from bot.safety import source_age


class Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class SourceRef(Out):
    document: str = Field(description="Document key within the area")
    title: str
    date_label: str
    year: int | None
    age_years: int | None = Field(description="How old the document is; null when undated")
    section: str
    past_review: bool = Field(default=False, description=(
        "The document is past its review-by date (the date its partnership said it would review it, "
        "else its date + 3 years): check with the front door that it is current"))

    @computed_field(description="How old the source is, in the words every channel shows (bot/safety.py)")
    @property
    def age_text(self) -> str:
        return source_age(self.date_label, self.year, self.age_years, self.past_review)


class AreaRef(Out):
    id: str
    name: str


class LevelResult(Out):
    number: int
    name: str
    meaning: str
    typical_response: str
    tiers: list[str]
    confidence: float = Field(ge=0, le=1)
    confidence_label: str
    basis: str = Field(description="Why this level: indicators, accumulation, answers or immediate risk")
    source: SourceRef


class RiskReason(Out):
    key: str
    reason: str
    matched_words: list[str]


class ImmediateRisk(Out):
    flagged: bool
    reasons: list[RiskReason] = Field(default_factory=list)
    advice: str | None = Field(default=None, description="999, then the area's urgent contact now and why (bot/safety.py)")
    advice_lines: list[str] = Field(default_factory=list, description="The same advice, line by line, 999 first")


class MatchedIndicator(Out):
    key: str | None
    text: str
    level: int
    origin: str = Field(description=(
        "document: the document's own line at this level; derived: placed at this level by us, "
        "on the stated basis; national: the national significant-harm layer, at the area's "
        "child-protection level"))
    basis: str | None = Field(default=None, description="For derived and national indicators: what the level rests on")
    domain: str
    subdomain: str | None
    score: float
    matched_words: list[str]
    signals: list[str]
    source: SourceRef
    matched_by: Literal["phrases", "meaning"] = Field(
        default="phrases",
        description="phrases: the pack's trigger phrases were found; meaning: a clause of the concern is "
                    "close in meaning to this indicator's text (see similarity)")
    similarity: float | None = Field(default=None, description="For a match by meaning: cosine similarity, 0-1")


class NotCounted(Out):
    signal: str
    text: str
    why: str = "negated or dismissed in the description"


class AccumulationNote(Out):
    text: str
    indicators: list[str]
    raised_from: int
    raised_to: int
    source: SourceRef


class QuestionResult(Out):
    key: str
    text: str
    why: str
    source: SourceRef | None = None


class Action(Out):
    stage: str
    title: str
    text: str
    source: SourceRef | None


class ContactResult(Out):
    key: str
    name: str
    role: str
    urgent: bool
    phone: str | None
    phone_note: str | None
    email: str | None
    web: str | None
    hours: str
    available_now: bool | None = Field(description="null when the source gives no times")
    use_now: bool = Field(description="The contact to use for this concern at this moment")
    source: SourceRef | None


class ConsentPoint(Out):
    kind: str
    text: str
    source: SourceRef


class EscalationPoint(Out):
    text: str
    source: SourceRef


class Assessment(Out):
    id: str | None = Field(default=None, description=(
        "The assessment's id in the audit trail (null when not recorded): quote it to POST /v1/feedback"))
    area: AreaRef
    at: str = Field(description="The moment assessed, Europe/London, ISO 8601 with its offset")
    at_note: str | None = Field(
        default=None,
        description="When the local time asked about happens twice (the clocks go back): which reading was used "
                    "(the first, summer time) and how to ask for the other (send the offset)",
    )
    recognised: bool = Field(description="False when no indicator was recognised")
    message: str
    level: LevelResult | None
    immediate_risk: ImmediateRisk
    indicators: list[MatchedIndicator]
    pulled_up_by: list[str] = Field(description="Indicators that set the level when lower ones matched too")
    significant_harm: str | None = Field(
        default=None,
        description="When national guidance sees (possible) significant harm: what, and how it sets or questions the level",
    )
    accumulation: AccumulationNote | None
    not_counted: list[NotCounted]
    questions: list[QuestionResult]
    actions: list[Action]
    contacts: list[ContactResult]
    consent: list[ConsentPoint]
    escalation: list[EscalationPoint]
    judgement: str
    sources: list[SourceRef]
