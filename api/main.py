"""The FastAPI app: quick lookup for practitioners and intranet integration, and the web chat.

/v1 needs an API key in production (the default) and is rate limited; /healthz, /readyz,
/docs, /openapi.json and the web chat are open. Every error is application/problem+json.
"""

from __future__ import annotations

import logging
import weakref
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware

from api import errors
from api.body_limit import BodySizeLimit
from api.chat_capacity import TurnSlots
from api.chat_sessions import ConversationIds, TurnOrder, load_secret
from api.keys import KeyStore
from api.ratelimit import TokenBuckets
from api.request_log import RequestLog, configure_logging
from api.routes import areas, assess, chat, chat_pages, contacts, feedback, glossary, health, pathway, search
from api.security import caller
from bot.audit.trail import AuditTrail
from bot.config import Settings, get_settings
from bot.db.session import DatabaseUnavailable
from bot.knowledge.query import KnowledgeBase, KnowledgeNotLoaded
from bot.knowledge.search import Searcher
from bot.privacy import log_redaction
from bot.triage.engine import TriageEngine

V1_ROUTERS = (areas.router, contacts.router, pathway.router, glossary.router, search.router, assess.router,
              feedback.router)
_searchers: weakref.WeakKeyDictionary[KnowledgeBase, Searcher] = weakref.WeakKeyDictionary()


def searcher_for(kb: KnowledgeBase) -> Searcher:
    """One search index per knowledge base, however many apps share it (tests build several)."""
    if kb not in _searchers:
        _searchers[kb] = Searcher(kb)
    return _searchers[kb]


def create_app(kb: KnowledgeBase | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the app; ``kb`` defaults to the database named by DATABASE_URL, ``settings`` to the environment."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        log_redaction.install()  # every record of the process, uvicorn's included
        configure_logging()
        knowledge = kb or KnowledgeBase.from_settings()
        app.state.kb = knowledge
        app.state.engine = TriageEngine(knowledge)
        app.state.searcher = searcher_for(knowledge)
        app.state.keys = KeyStore(knowledge.engine, settings.api_key_cache_seconds)
        app.state.audit = AuditTrail(knowledge.engine)
        # Build the search index now (~2 s, once per knowledge base), not in the first search.
        try:
            await run_in_threadpool(app.state.searcher.search, "warm up")
            await run_in_threadpool(chat.warm_emergency_advice, knowledge)  # so a busy 503 goes at once
        except (KnowledgeNotLoaded, DatabaseUnavailable) as exc:  # /readyz will say so
            logging.getLogger("api.error").warning("search index not built", extra={"fields": {"reason": str(exc)}})
        yield

    app = FastAPI(
        title="Early Help Navigator",
        version="0.2.0",
        summary="Level-of-need guidance for people who work with children, for their own area.",
        description=(
            "Every level, contact and step comes from the area's threshold guidance, with its "
            "source and how old that source is. In an emergency call 999. "
            "Please do not send names or addresses.\n\n"
            "The /v1 endpoints need an API key (`Authorization: Bearer <key>` or `X-API-Key`), "
            "made with `python -m api.keys create --name ...`. Errors are `application/problem+json`."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.limiter = TokenBuckets(settings.rate_limit_per_minute)
    app.state.chat_limiter = TokenBuckets(settings.chat_rate_limit_per_minute)
    app.state.chat_ids = ConversationIds(load_secret(settings.chat_session_secret))
    app.state.turn_order = TurnOrder()
    app.state.chat_slots = TurnSlots(settings.chat_max_in_flight, settings.chat_max_queued, settings.chat_queue_seconds)
    errors.install(app)
    app.include_router(health.router)
    v1_errors = errors.problem_responses(401, 429, 500)
    for router in V1_ROUTERS:
        app.include_router(router, dependencies=[Depends(caller)], responses=v1_errors)
    app.include_router(chat.router)
    app.include_router(chat_pages.router)

    # Outermost last: the log sees everything; CORS headers go on 413s too.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "X-API-Key", "Content-Type"], expose_headers=["Retry-After"])
    app.add_middleware(RequestLog)

    def openapi() -> dict:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            app.openapi_schema = errors.document_problems(get_openapi(
                title=app.title, version=app.version, summary=app.summary, description=app.description,
                routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


app = create_app()
