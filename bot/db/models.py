"""Tables of the knowledge base.

Each fact is stored as its validated JSON document (``data``) with the columns the
query layer filters on. Rows belong to an area and go with it: replacing an area deletes
its rows and inserts the new ones in one transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class AreaRow(Base):
    __tablename__ = "areas"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict] = mapped_column(JSON)

    aliases: Mapped[list[AliasRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    levels: Mapped[list[LevelRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True, order_by="LevelRow.number")
    indicators: Mapped[list[IndicatorRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True, order_by="IndicatorRow.position")
    contacts: Mapped[list[ContactRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True, order_by="ContactRow.position")
    steps: Mapped[list[PathwayStepRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True, order_by="PathwayStepRow.position")
    guidance: Mapped[list[GuidanceRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True, order_by="GuidanceRow.position")
    glossary: Mapped[list[GlossaryRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True, order_by="GlossaryRow.position")


def _area_fk() -> Mapped[str]:
    return mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)


class AliasRow(Base):
    __tablename__ = "area_aliases"
    __table_args__ = (UniqueConstraint("area_id", "alias"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[str] = _area_fk()
    alias: Mapped[str] = mapped_column(String(120), index=True)


class LevelRow(Base):
    __tablename__ = "levels"
    __table_args__ = (UniqueConstraint("area_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[str] = _area_fk()
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)


class IndicatorRow(Base):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[str] = _area_fk()
    position: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer, index=True)
    domain: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict] = mapped_column(JSON)


class ContactRow(Base):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("area_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[str] = _area_fk()
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    urgent: Mapped[bool] = mapped_column(Boolean)
    data: Mapped[dict] = mapped_column(JSON)


class PathwayStepRow(Base):
    __tablename__ = "pathway_steps"
    __table_args__ = (UniqueConstraint("area_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[str] = _area_fk()
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict] = mapped_column(JSON)


class GuidanceRow(Base):
    """Questions that help, consent rules, escalation, principles and review cadence."""

    __tablename__ = "guidance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[str] = _area_fk()
    kind: Mapped[str] = mapped_column(String(30), index=True)
    position: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)


class GlossaryRow(Base):
    __tablename__ = "glossary"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[str] = _area_fk()
    position: Mapped[int] = mapped_column(Integer)
    term: Mapped[str] = mapped_column(String(120), index=True)
    data: Mapped[dict] = mapped_column(JSON)


class SharedRow(Base):
    """The shared vocabulary (signals, red flags) and national facts, as one document."""

    __tablename__ = "shared_knowledge"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict] = mapped_column(JSON)


class ApiKeyRow(Base):
    """A client of the quick-lookup API. Only a hash of the key is kept; the key is shown once.

    ``prefix`` is the public part of the key (``ehn_<prefix>_<secret>``): it names the key in
    logs and in ``python -m api.keys list`` without revealing it.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AdviceRow(Base):
    """One piece of advice given, from any channel: an assessment or a contact answer.

    What was advised and from which knowledge, never what was said: no free text, no names,
    no addresses; the conversation only as a hash. ``id`` is the assessment id that feedback
    quotes.
    """

    __tablename__ = "advice_given"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # assessment | contacts
    channel: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[str] = mapped_column(String(40), index=True)
    level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    emergency: Mapped[bool] = mapped_column(Boolean)
    indicator_keys: Mapped[list] = mapped_column(JSON)
    red_flag_keys: Mapped[list] = mapped_column(JSON)
    contacts_offered: Mapped[list] = mapped_column(JSON)
    urgent_contact: Mapped[str | None] = mapped_column(String(80), nullable=True)
    pack_hash: Mapped[str] = mapped_column(String(64))
    code_version: Mapped[str] = mapped_column(String(80))
    conversation_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)

    feedback: Mapped[list[FeedbackRow]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class FeedbackRow(Base):
    """A practitioner's word on an assessment: right, or the level they would give, and why
    (redacted, short)."""

    __tablename__ = "advice_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    advice_id: Mapped[str] = mapped_column(ForeignKey("advice_given.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    agrees: Mapped[bool] = mapped_column(Boolean)
    level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
