"""Loading validated packs into the database: idempotent, hash-keyed, atomic per area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.db.models import (
    AliasRow,
    AreaRow,
    ContactRow,
    GlossaryRow,
    GuidanceRow,
    IndicatorRow,
    LevelRow,
    PathwayStepRow,
    SharedRow,
)
from bot.knowledge.normalise import normalise
from bot.knowledge.packs import KnowledgeSet, LoadedPack

Action = Literal["added", "replaced", "unchanged", "removed"]


@dataclass(frozen=True)
class LoadOutcome:
    name: str
    action: Action


def _dump(model) -> dict:
    return model.model_dump(mode="json", exclude_none=False)


def area_row(loaded: LoadedPack, now: datetime) -> AreaRow:
    """Build the rows of one area from its validated pack."""
    pack = loaded.pack
    area = pack.area
    aliases = {normalise(a) for a in [area.id, area.name, *area.aliases]} - {""}
    row = AreaRow(id=area.id, name=area.name, content_hash=loaded.content_hash, loaded_at=now, data=_dump(area))
    row.aliases = [AliasRow(alias=a) for a in sorted(aliases)]
    row.levels = [LevelRow(number=lv.number, data=_dump(lv)) for lv in pack.levels]
    row.indicators = [
        IndicatorRow(position=i, level=ind.level, domain=ind.domain, data=_dump(ind))
        for i, ind in enumerate(pack.indicators)
    ]
    row.contacts = [
        ContactRow(key=c.key, position=i, role=c.role, urgent=c.urgent, data=_dump(c))
        for i, c in enumerate(pack.contacts)
    ]
    row.steps = [
        PathwayStepRow(key=s.key, position=i, stage=s.stage, data=_dump(s))
        for i, s in enumerate(pack.pathway.steps)
    ]
    g = pack.guidance
    items = [("question", q) for q in g.questions_that_help] + [("consent", c) for c in g.consent]
    items += [("escalation", e) for e in g.escalation] + [("principle", p) for p in g.principles]
    if pack.pathway.review_cadence:
        items.append(("review_cadence", pack.pathway.review_cadence))
    row.guidance = [GuidanceRow(kind=k, position=i, data=_dump(m)) for i, (k, m) in enumerate(items)]
    row.glossary = [
        GlossaryRow(position=i, term=normalise(t.term), data=_dump(t)) for i, t in enumerate(pack.glossary)
    ]
    return row


def _sync_shared(session: Session, name: str, content_hash: str, data: dict, now: datetime) -> Action:
    existing = session.get(SharedRow, name)
    if existing is not None and existing.content_hash == content_hash:
        return "unchanged"
    if existing is None:
        session.add(SharedRow(name=name, content_hash=content_hash, loaded_at=now, data=data))
        return "added"
    existing.content_hash, existing.loaded_at, existing.data = content_hash, now, data
    return "replaced"


def sync(engine: Engine, knowledge: KnowledgeSet) -> list[LoadOutcome]:
    """Make the database hold exactly ``knowledge``.

    Each area is compared by content hash and, when changed, replaced in its own
    transaction, so a reader sees either the old area or the new one, never a mixture.
    Running it twice on identical packs changes nothing.
    """
    now = datetime.now(timezone.utc)
    outcomes: list[LoadOutcome] = []
    shared_data = {
        "vocabulary": knowledge.vocabulary.model_dump(mode="json"),
        "national": knowledge.national.model_dump(mode="json"),
    }
    with Session(engine) as session, session.begin():
        outcomes.append(LoadOutcome("shared", _sync_shared(session, "shared", knowledge.shared_hash, shared_data, now)))
    for area_id, loaded in sorted(knowledge.packs.items()):
        with Session(engine) as session, session.begin():
            existing = session.get(AreaRow, area_id)
            if existing is not None and existing.content_hash == loaded.content_hash:
                outcomes.append(LoadOutcome(area_id, "unchanged"))
                continue
            if existing is not None:
                session.delete(existing)
                session.flush()
            session.add(area_row(loaded, now))
            outcomes.append(LoadOutcome(area_id, "replaced" if existing is not None else "added"))
    with Session(engine) as session, session.begin():
        stale = session.scalars(select(AreaRow).where(AreaRow.id.not_in(list(knowledge.packs)))).all()
        for row in stale:
            session.delete(row)
            outcomes.append(LoadOutcome(row.id, "removed"))
    return outcomes
