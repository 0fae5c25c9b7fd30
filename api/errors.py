"""One error shape for every failure: RFC 9457 ``application/problem+json``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.db.session import DatabaseUnavailable
from bot.knowledge.errors import UnknownAreaError
from bot.knowledge.query import KnowledgeNotLoaded
from bot.triage.engine import InvalidAnswers

PROBLEM = "application/problem+json"


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    covered_areas: list[dict[str, str]] | None = None
    errors: list[FieldProblem] | None = None


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, **extra).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _readable(err: dict[str, Any]) -> FieldProblem:
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
    field = ".".join(loc) or "body"
    msg = err.get("msg", "is not valid")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if err.get("type") == "missing":
        msg = "is required"
    return FieldProblem(field=field, message=msg)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_readable(e) for e in exc.errors()]
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
        return problem(422, "The request could not be used", detail, errors=errors)

    @app.exception_handler(UnknownAreaError)
    async def _unknown_area(_: Request, exc: UnknownAreaError) -> JSONResponse:
        covered = [{"id": i, "name": n} for i, n in exc.covered]
        return problem(404, "Area not covered", str(exc), covered_areas=covered)

    @app.exception_handler(InvalidAnswers)
    async def _answers(_: Request, exc: InvalidAnswers) -> JSONResponse:
        return problem(422, "The answers could not be used", str(exc),
                       errors=[FieldProblem(field="answers", message=str(exc))])

    @app.exception_handler(KnowledgeNotLoaded)
    async def _not_loaded(_: Request, exc: KnowledgeNotLoaded) -> JSONResponse:
        return problem(503, "Knowledge not loaded", str(exc))

    @app.exception_handler(DatabaseUnavailable)
    async def _db(_: Request, exc: DatabaseUnavailable) -> JSONResponse:
        return problem(503, "Database unavailable", "The knowledge base cannot be reached. In an emergency call 999.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail))
