"""Shared dependencies: the knowledge base, engine, searcher and settings live on the app's state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from bot.config import Settings
from bot.knowledge.query import KnowledgeBase
from bot.knowledge.search import Searcher
from bot.triage.engine import TriageEngine


def get_kb(request: Request) -> KnowledgeBase:
    return request.app.state.kb


def get_engine(request: Request) -> TriageEngine:
    return request.app.state.engine


def get_searcher(request: Request) -> Searcher:
    return request.app.state.searcher


def get_settings_of_app(request: Request) -> Settings:
    return request.app.state.settings


KnowledgeDep = Annotated[KnowledgeBase, Depends(get_kb)]
EngineDep = Annotated[TriageEngine, Depends(get_engine)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
SettingsDep = Annotated[Settings, Depends(get_settings_of_app)]
AreaParam = Annotated[str, Path(
    min_length=1, max_length=100, description="Area id, name or alias, e.g. 'Worcs', 'Tameside', 'R&C'",
    examples=["Worcs"],
)]
