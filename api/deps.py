"""Shared dependencies: the knowledge base, engine, searcher and settings live on the app's state.

They are async, so a request never waits for a thread to read them (and chat turns reach their
conversation's queue in the order they arrived)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from bot.audit.trail import AuditTrail
from bot.config import Settings
from bot.knowledge.query import KnowledgeBase
from bot.knowledge.search import Searcher
from bot.triage.engine import TriageEngine


async def get_kb(request: Request) -> KnowledgeBase:
    return request.app.state.kb


async def get_engine(request: Request) -> TriageEngine:
    return request.app.state.engine


async def get_searcher(request: Request) -> Searcher:
    return request.app.state.searcher


async def get_audit(request: Request) -> AuditTrail:
    return request.app.state.audit


async def get_settings_of_app(request: Request) -> Settings:
    return request.app.state.settings


KnowledgeDep = Annotated[KnowledgeBase, Depends(get_kb)]
EngineDep = Annotated[TriageEngine, Depends(get_engine)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
SettingsDep = Annotated[Settings, Depends(get_settings_of_app)]
AuditDep = Annotated[AuditTrail, Depends(get_audit)]
AreaParam = Annotated[str, Path(
    min_length=1, max_length=100, description="Area id, name or alias, e.g. 'Worcs', 'Tameside', 'R&C'",
    examples=["Worcs"],
)]
