"""Shared dependencies: the knowledge base and engine live on the app's state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.knowledge.query import KnowledgeBase
from bot.triage.engine import TriageEngine


def get_kb(request: Request) -> KnowledgeBase:
    return request.app.state.kb


def get_engine(request: Request) -> TriageEngine:
    return request.app.state.engine


KnowledgeDep = Annotated[KnowledgeBase, Depends(get_kb)]
EngineDep = Annotated[TriageEngine, Depends(get_engine)]
