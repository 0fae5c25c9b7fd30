"""One structured log line per request, and a problem (not a stack trace) for unexpected errors.

Logged: method, route template (``/v1/areas/{area}/contacts``, never the raw path or query
string), status, duration, the API key's public prefix and the client's address (the peer,
or a trusted proxy's X-Forwarded-For: ``api.client_address``). Never the body, the query
string or a concern's text. An unexpected error is logged by type and code location only,
because an exception's message can quote what the practitioner typed.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from datetime import datetime, timezone

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.client_address import address_of
from api.errors import server_error

access = logging.getLogger("api.access")
errors = logging.getLogger("api.error")
_HANDLER_MARK = "_ehn_json_lines"


class JsonLines(logging.Formatter):
    """``{"ts": ..., "level": ..., "logger": ..., "event": ..., **fields}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging() -> None:
    """JSON lines on stderr for the ``api`` loggers; uvicorn's own access log (which prints
    raw query strings) is switched off, since this middleware logs every request instead."""
    logger = logging.getLogger("api")
    if not any(getattr(h, _HANDLER_MARK, False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        setattr(handler, _HANDLER_MARK, True)
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True


def _template(scope: Scope) -> str:
    """The matched route's template; plain routes (docs, static files) are matched again here."""
    route = scope.get("route")
    if route is None:
        app = scope.get("app")
        for candidate in getattr(app, "routes", ()):
            if candidate.matches(scope)[0] == Match.FULL:
                route = candidate
                break
    return getattr(route, "path_format", None) or getattr(route, "path", None) or "(no route)"


def _where(exc: BaseException) -> list[str]:
    return [f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in traceback.extract_tb(exc.__traceback__)[-8:]]


class RequestLog:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as exc:
            errors.error("unhandled error", extra={"fields": {
                "method": scope.get("method"), "route": _template(scope),
                "error": type(exc).__name__, "where": _where(exc)}})
            if started:
                raise
            status = 500
            await server_error()(scope, receive, send)
        finally:
            access.info("request", extra={"fields": {
                "method": scope.get("method"),
                "route": _template(scope),
                "status": status,
                "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                "key_id": (scope.get("state") or {}).get("key_id"),
                "client": address_of(scope),
            }})
