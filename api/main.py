"""The FastAPI app: quick lookup for practitioners and intranet integration."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors
from api.routes import assess, chat, health
from bot.knowledge.query import KnowledgeBase
from bot.triage.engine import TriageEngine


def create_app(kb: KnowledgeBase | None = None) -> FastAPI:
    """Build the app; ``kb`` defaults to the database named by DATABASE_URL."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        knowledge = kb or KnowledgeBase.from_settings()
        app.state.kb = knowledge
        app.state.engine = TriageEngine(knowledge)
        yield

    app = FastAPI(
        title="Early Help Navigator",
        version="0.1.0",
        summary="Level-of-need guidance for people who work with children, for their own area.",
        description=(
            "Every level, contact and step comes from the area's threshold guidance, with its "
            "source and how old that source is. In an emergency call 999. "
            "Please do not send names or addresses."
        ),
        lifespan=lifespan,
    )
    errors.install(app)
    app.include_router(health.router)
    app.include_router(assess.router)
    app.include_router(chat.router)
    return app


app = create_app()
