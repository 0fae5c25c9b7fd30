"""One error shape for every failure: RFC 9457 ``application/problem+json``.

Every error the API can give (400, 401, 404, 405, 413, 422, 429, 500, 503) has this shape, and the
OpenAPI document says so (``problem_responses`` and ``document_problems``).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.db.session import DatabaseUnavailable
from bot.knowledge.errors import UnknownAreaError
from bot.knowledge.hours import NonexistentLocalTime
from bot.knowledge.query import KnowledgeNotLoaded
from bot.safety import danger_line
from bot.triage.engine import InvalidAnswers

PROBLEM = "application/problem+json"
EMERGENCY = danger_line()  # said even when the knowledge base is down
log = logging.getLogger("api.error")


class FieldProblem(BaseModel):
    field: str
    message: str


class CoveredArea(BaseModel):
    id: str
    name: str


class Check(BaseModel):
    """One readiness check: what was checked, whether it passed, and what was found."""

    name: str
    ok: bool
    detail: str


class Problem(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "type": "about:blank", "title": "Area not covered", "status": 404,
        "detail": "'Wiltshire' is not an area we cover. ... in an emergency call 999.",
        "covered_areas": [{"id": "tameside", "name": "Tameside"}],
    }]})

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    covered_areas: list[CoveredArea] | None = Field(default=None, description="For an area we do not cover")
    errors: list[FieldProblem] | None = Field(default=None, description="For a request that could not be used")
    suggestions: list[str] | None = Field(default=None, description="Close matches for an unknown term")
    checks: list[Check] | None = Field(default=None, description="Readiness checks, when not ready")


class ProblemError(Exception):
    """Raise to answer with a problem; ``headers`` go on the response (Retry-After...)."""

    def __init__(self, status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail)
        self.status, self.title, self.detail, self.headers, self.extra = status, title, detail, headers, extra


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, **extra).model_dump(mode="json", exclude_none=True)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def server_error() -> JSONResponse:
    return problem(500, "Internal error", f"Something went wrong on our side and it has been logged. {EMERGENCY}")


NOT_AN_OBJECT = {"model_attributes_type", "model_type", "dict_type"}


def _readable(err: dict[str, Any]) -> FieldProblem:
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
    field = ".".join(loc) or "body"
    msg = err.get("msg", "is not valid")
    msg = msg.removeprefix("Value error, ")
    if err.get("type") == "missing":
        msg = "is required"
    elif field == "body" and err.get("type") in NOT_AN_OBJECT:
        # Bytes here mean the body was not read as JSON: its Content-Type did not say JSON.
        msg = "should be a JSON object" + (
            ", sent with Content-Type: application/json" if isinstance(err.get("input"), bytes) else "")
    return FieldProblem(field=field, message=msg)


def _not_json(errors: list[dict[str, Any]]) -> FieldProblem | None:
    """A body that does not parse as JSON (FastAPI reports it as a validation error whose
    location is the offset, which would read as a field named "18")."""
    for err in errors:
        if err.get("type") == "json_invalid":
            loc = err.get("loc", ())
            where = f" at offset {loc[1]}" if len(loc) > 1 and isinstance(loc[1], int) else ""
            reason = (err.get("ctx") or {}).get("error") or "it does not parse"
            return FieldProblem(field="body", message=f"is not valid JSON ({reason}{where})")
    return None


def _http_title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        not_json = _not_json(list(exc.errors()))
        if not_json is not None:  # 400 as documented: "The body is not JSON we can read"
            return problem(400, "Bad Request", f"The body could not be read: it {not_json.message}. "
                           "Send JSON, encoded as UTF-8.", errors=[not_json])
        errors = [_readable(e) for e in exc.errors()]
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
        return problem(422, "The request could not be used", detail, errors=errors)

    @app.exception_handler(UnknownAreaError)
    async def _unknown_area(_: Request, exc: UnknownAreaError) -> JSONResponse:
        covered = [CoveredArea(id=i, name=n) for i, n in exc.covered]
        return problem(404, "Area not covered", str(exc), covered_areas=covered)

    @app.exception_handler(InvalidAnswers)
    async def _answers(_: Request, exc: InvalidAnswers) -> JSONResponse:
        return problem(422, "The answers could not be used", str(exc),
                       errors=[FieldProblem(field="answers", message=str(exc))])

    @app.exception_handler(NonexistentLocalTime)
    async def _skipped_time(_: Request, exc: NonexistentLocalTime) -> JSONResponse:
        # Only `at` (contacts' query, assess's body) carries a local time, so it is the field to name.
        message = str(exc)
        return problem(422, "The request could not be used", f"at: {message}",
                       errors=[FieldProblem(field="at", message=message)])

    @app.exception_handler(KnowledgeNotLoaded)
    async def _not_loaded(_: Request, exc: KnowledgeNotLoaded) -> JSONResponse:
        return problem(503, "Knowledge not loaded", f"{exc} {EMERGENCY}")

    @app.exception_handler(DatabaseUnavailable)
    async def _db(_: Request, exc: DatabaseUnavailable) -> JSONResponse:
        return problem(503, "Database unavailable", f"The knowledge base cannot be reached. {EMERGENCY}")

    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail, headers=exc.headers, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = _http_title(exc.status_code)
        detail = {
            400: "The body could not be read: send JSON, encoded as UTF-8.",
            404: "There is nothing at this address. The API is described at /docs.",
            405: "This address does not accept that method; the Allow header lists those it does.",
        }.get(exc.status_code, title)
        if exc.detail and str(exc.detail) not in (title, "There was an error parsing the body"):
            detail = str(exc.detail)
        return problem(exc.status_code, title, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Last line of defence (the request-log middleware catches route errors first).
        log.error("unhandled error", extra={"fields": {"error": type(exc).__name__, "method": request.method}})
        return server_error()


# --- OpenAPI ----------------------------------------------------------------------------
DESCRIPTIONS = {
    400: "The body is not JSON we can read",
    401: "No API key, or not a live one (send `Authorization: Bearer <key>` or `X-API-Key`)",
    404: "The area is not one we cover (the covered areas are listed), or nothing is at this address",
    413: "The request body is larger than the limit",
    422: "A parameter or the body could not be used; each problem is named",
    429: "Too many requests for this key; wait for Retry-After seconds",
    500: "An unexpected error, logged without the request's content. In an emergency call 999",
    503: "The knowledge base is not loaded or not reachable",
}
HEADERS = {
    401: {"WWW-Authenticate": {"description": "How to authenticate: Bearer", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}},
}


def problem_responses(*codes: int, described: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error codes, each a Problem; ``described`` overrides the text."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        entry: dict[str, Any] = {"model": Problem, "description": (described or {}).get(code, DESCRIPTIONS[code])}
        if code in HEADERS:
            entry["headers"] = HEADERS[code]
        out[code] = entry
    return out


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Say ``application/problem+json`` (not application/json) for every error response."""
    for path in schema.get("paths", {}).values():
        for op in path.values():
            for code, response in op.get("responses", {}).items():
                content = response.get("content", {})
                if code[:1] in "45" and "application/json" in content:
                    content[PROBLEM] = content.pop("application/json")
    components = schema.get("components", {}).get("schemas", {})
    text = str(schema.get("paths", {}))
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in components and f"/{unused}'" not in text:
            del components[unused]
    return schema
