"""Liveness (``/healthz``: the process answers) and readiness (``/readyz``: it can do its job)."""

from __future__ import annotations

import asyncio
import os
import socket
from urllib.parse import urlparse

import httpx
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.deps import KnowledgeDep, SettingsDep
from api.errors import EMERGENCY, Check, ProblemError, problem_responses
from bot.db.session import check_connection
from bot.knowledge.query import KnowledgeBase
from bot.triage.meaning.matcher import MODEL_ID

router = APIRouter(tags=["health"])
RASA_TIMEOUT_SECONDS = 1.5


class Alive(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: str = "ok"


class Ready(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ready", "checks": [
        {"name": "database", "ok": True, "detail": "PostgreSQL at 127.0.0.1:5432 reachable"},
        {"name": "knowledge", "ok": True, "detail": "5 areas loaded"},
        {"name": "rasa", "ok": True, "detail": "http://127.0.0.1:5005/ answered 200"},
        {"name": "meaning", "ok": True, "detail": "sentence encoder all-MiniLM-L6-v2 loaded (384 dimensions)"},
    ], "warnings": [
        ("worcestershire: 'Multi Agency Levels of Need: Guidance to help support children, young people and "
         "families in Worcestershire' was due for review by 2022-12-31: check it is current"),
    ]}]})

    status: str = "ready"
    checks: list[Check]
    warnings: list[str] = Field(default_factory=list, description=(
        "Source documents past their review-by date, or undated, one line each: answers still come "
        "from them (saying to check with the front door that they are current), so these do not make "
        "the service unready"))


@router.get("/healthz", response_model=Alive, summary="The process is alive")
async def healthz() -> Alive:
    return Alive()


def _database_name(kb: KnowledgeBase) -> str:
    """Which database, without credentials: "PostgreSQL at 127.0.0.1:5432", "SQLite"."""
    url = kb.engine.url
    kind = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(url.get_backend_name(), url.get_backend_name())
    return f"{kind} at {url.host}:{url.port or 5432}" if url.host else kind


def _database(kb: KnowledgeBase) -> Check:
    try:
        check_connection(kb.engine)
        return Check(name="database", ok=True, detail=f"{_database_name(kb)} reachable")
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; say which kind
        return Check(name="database", ok=False, detail=f"{_database_name(kb)} not reachable ({type(exc).__name__})")


def _knowledge(kb: KnowledgeBase) -> Check:
    try:
        covered = kb.covered()
    except Exception as exc:  # noqa: BLE001
        return Check(name="knowledge", ok=False, detail=f"not loaded ({type(exc).__name__}): run python -m bot.knowledge load")
    if not covered:
        return Check(name="knowledge", ok=False, detail="no areas loaded: run python -m bot.knowledge load")
    return Check(name="knowledge", ok=True, detail=f"{len(covered)} areas loaded")


async def _rasa(url: str) -> Check:
    target = url.rstrip("/") + "/"
    try:
        async with httpx.AsyncClient(timeout=RASA_TIMEOUT_SECONDS) as client:
            r = await client.get(target)
        ok = r.status_code == 200
        return Check(name="rasa", ok=ok, detail=f"{target} answered {r.status_code}")
    except httpx.HTTPError as exc:
        return Check(name="rasa", ok=False, detail=f"{target} not reachable ({type(exc).__name__})")


def _lock_store() -> Check | None:
    """Rasa's Redis lock store, when one is configured (``LOCK_STORE_URL``, the scaled topology):
    without it no turn can be answered. None when Rasa's locks are local (``make run``)."""
    url = os.environ.get("LOCK_STORE_URL", "").strip()
    if not url:
        return None
    parsed = urlparse(url)
    where = f"Redis at {parsed.hostname}:{parsed.port or 6379}"
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379),
                                      timeout=RASA_TIMEOUT_SECONDS) as conn:
            if parsed.password:
                user = f"{parsed.username} " if parsed.username else ""
                conn.sendall(f"AUTH {user}{parsed.password}\r\n".encode())
                conn.recv(64)
            conn.sendall(b"PING\r\n")
            answered = conn.recv(64).startswith(b"+PONG")
    except OSError as exc:
        return Check(name="lock store", ok=False, detail=f"{where} not reachable ({type(exc).__name__})")
    return Check(name="lock store", ok=answered, detail=f"{where} {'reachable' if answered else 'did not answer PING'}")


def _meaning(request: Request) -> Check:
    """The engine's sentence encoder: the app does not start without it, so this names it."""
    engine = getattr(request.app.state, "engine", None)
    matcher = getattr(engine, "meaning", None)
    if matcher is None:
        return Check(name="meaning", ok=False, detail="no sentence encoder: run make setup")
    return Check(name="meaning", ok=True,
                 detail=f"sentence encoder {MODEL_ID} loaded ({matcher.encoder.dimensions} dimensions)")


def _review_warnings(kb: KnowledgeBase) -> list[str]:
    """Each loaded area's documents past their review-by date, or undated (``Document.freshness_warning``)."""
    today = kb.today()
    return [f"{area_id}: {warning}" for area_id, _ in kb.covered()
            for doc in kb.area(area_id).area.documents if (warning := doc.freshness_warning(today))]


@router.get("/readyz", response_model=Ready,
            summary="Ready: database reachable, knowledge loaded, Rasa reachable, sentence encoder loaded",
            description=(
                "200 with `status: ready` when every check passes; 503 naming the failed checks otherwise.\n\n"
                "`warnings` lists the source documents past their review-by date (the date the partnership "
                "said it would review the document, else its date + 3 years) or undated, one line each, e.g. "
                "\"worcestershire: '...' was due for review by 2022-12-31: check it is current\". They are "
                "warnings only: the service stays ready (200), and answers from those documents say to check "
                "with the front door that they are current."),
            responses=problem_responses(503, described={503: "Not ready; the failed checks are listed"}))
async def readyz(kb: KnowledgeDep, settings: SettingsDep, request: Request) -> Ready:
    database, knowledge, rasa, lock_store = await asyncio.gather(
        run_in_threadpool(_database, kb), run_in_threadpool(_knowledge, kb), _rasa(settings.rasa_url),
        run_in_threadpool(_lock_store))
    checks = [database, knowledge, rasa, _meaning(request)] + ([lock_store] if lock_store else [])
    failed = [c for c in checks if not c.ok]
    if failed:
        raise ProblemError(503, "Not ready", f"Failed: {', '.join(c.name for c in failed)}. {EMERGENCY}", checks=checks)
    return Ready(checks=checks, warnings=await run_in_threadpool(_review_warnings, kb))
