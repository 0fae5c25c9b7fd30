"""Write one row per piece of advice, from any channel, and the feedback on it.

A row holds what was advised and from which knowledge (area, level, indicator and red-flag
keys, contacts offered, the pack's content hash, the code version), never what was said: no
free text, names or addresses, and the conversation only as a hash. Recording never stands in
the way of advice: a failure is logged (without content) and the answer is still given.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.db.models import AdviceRow, FeedbackRow
from bot.knowledge.query import AreaKnowledge
from bot.privacy.redact import redact
from bot.triage.result import Assessment
from bot.version import code_version

log = logging.getLogger("bot.audit")
MAX_REASON = 280
CHANNELS = {"api", "rest", "web", "slack", "teams", "shell", "cmdline", "other"}


def conversation_hash(conversation: str | None) -> str | None:
    """A conversation's id as the trail keeps it: enough to group its rows, not to find it."""
    if not conversation:
        return None
    return hashlib.sha256(f"early-help-navigator:conversation:{conversation}".encode()).hexdigest()[:32]


def channel_name(channel: str | None) -> str:
    name = (channel or "other").lower()
    return name if name in CHANNELS else "other"


@dataclass(frozen=True)
class Advice:
    """One piece of advice, as the trail records it."""

    kind: str  # assessment | contacts
    channel: str
    area_id: str
    pack_hash: str
    level: int | None = None
    emergency: bool = False
    indicator_keys: list[str] = field(default_factory=list)
    red_flag_keys: list[str] = field(default_factory=list)
    contacts_offered: list[str] = field(default_factory=list)
    urgent_contact: str | None = None
    conversation: str | None = None  # hashed before it is stored


def advice_from_assessment(result: Assessment, channel: str, pack_hash: str, conversation: str | None = None) -> Advice:
    urgent = next((c.key for c in result.contacts if c.use_now and c.role != "emergency"), None)
    if urgent is None:
        urgent = next((c.key for c in result.contacts if c.urgent and c.role != "emergency"), None)
    return Advice(
        kind="assessment", channel=channel_name(channel), area_id=result.area.id, pack_hash=pack_hash,
        level=result.level.number if result.level else None, emergency=result.immediate_risk.flagged,
        indicator_keys=sorted({i.key for i in result.indicators if i.key}),
        red_flag_keys=sorted({r.key for r in result.immediate_risk.reasons}),
        contacts_offered=[c.key for c in result.contacts], urgent_contact=urgent, conversation=conversation,
    )


def advice_from_contacts(ak: AreaKnowledge, urgent_contact: str | None, channel: str,
                         conversation: str | None = None) -> Advice:
    """A "who do I call" answer: the area's contacts offered, and the urgent one for now."""
    return Advice(kind="contacts", channel=channel_name(channel), area_id=ak.id, pack_hash=ak.content_hash,
                  contacts_offered=[c.key for c in ak.contacts], urgent_contact=urgent_contact,
                  conversation=conversation)


_DISAGREEING = re.compile(
    r"\b(?:wrong|disagree\w*|not right|incorrect|isn'?t right|too (?:high|low)|unhelpful|not (?:very )?helpful)\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class Feedback:
    agrees: bool
    level: int | None = None  # "no, I'd say level N"
    reason: str | None = None  # redacted and cut to MAX_REASON before it is stored

    @classmethod
    def from_words(cls, said: str) -> Feedback:
        """Typed feedback ("that answer was wrong, ..."): a disagreement when it says so; the words
        are its reason."""
        said = said.strip()
        return cls(agrees=not _DISAGREEING.search(said), reason=said or None)


class UnknownAdvice(LookupError):
    """Feedback quoting an assessment id the trail does not hold (or no longer holds)."""


class AuditTrail:
    """The trail in the knowledge base's database (SQLite or PostgreSQL, Alembic migrations)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, advice: Advice, at: datetime | None = None) -> str | None:
        """Write the row; its id (the assessment id), or None if it could not be written."""
        advice_id = uuid.uuid4().hex
        row = {
            "id": advice_id, "at": at or datetime.now(timezone.utc), "kind": advice.kind, "channel": advice.channel,
            "area_id": advice.area_id, "level": advice.level, "emergency": advice.emergency,
            "indicator_keys": advice.indicator_keys, "red_flag_keys": advice.red_flag_keys,
            "contacts_offered": advice.contacts_offered, "urgent_contact": advice.urgent_contact,
            "pack_hash": advice.pack_hash, "code_version": code_version(),
            "conversation_hash": conversation_hash(advice.conversation),
        }
        try:
            # one plain insert a turn (an ORM session's unit of work cost more than the writing)
            with self.engine.begin() as connection:
                connection.execute(insert(AdviceRow), [row])
        except SQLAlchemyError as exc:
            log.error("audit trail: could not record %s advice (%s)", advice.kind, type(exc).__name__)
            return None
        return advice_id

    def feedback(self, advice_id: str, given: Feedback, at: datetime | None = None) -> None:
        """Store feedback beside its advice; UnknownAdvice when there is no such advice."""
        reason = redact(given.reason.strip())[:MAX_REASON] if given.reason and given.reason.strip() else None
        with Session(self.engine) as session, session.begin():
            if session.get(AdviceRow, advice_id) is None:
                raise UnknownAdvice(advice_id)
            session.add(FeedbackRow(advice_id=advice_id, at=at or datetime.now(timezone.utc),
                                    agrees=given.agrees, level=given.level, reason=reason))

    def latest_assessment_of(self, conversation: str) -> str | None:
        """The id of a conversation's latest assessment (the one its feedback is about)."""
        with Session(self.engine) as session:
            return session.scalar(
                select(AdviceRow.id).where(AdviceRow.conversation_hash == conversation_hash(conversation),
                                           AdviceRow.kind == "assessment").order_by(AdviceRow.at.desc()).limit(1))

    def prune(self, days: int, now: datetime | None = None) -> int:
        """Delete advice (and its feedback) older than ``days``; how many rows of advice went."""
        cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
        with Session(self.engine) as session, session.begin():
            old = select(AdviceRow.id).where(AdviceRow.at < cutoff)
            session.execute(delete(FeedbackRow).where(FeedbackRow.advice_id.in_(old)))
            result = session.execute(delete(AdviceRow).where(AdviceRow.at < cutoff))
            return result.rowcount or 0
