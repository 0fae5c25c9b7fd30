"""The pages beside the web chat, and its banner's refresh.

- ``GET /accessibility``: the accessibility statement; ``GET /privacy``: the privacy notice, with
  the retention periods this deployment really uses (CONVERSATION_RETENTION_DAYS, AUDIT_RETENTION_DAYS).
- ``GET /chat/areas/{area}/urgent``: the area's urgent contacts for now, as each chat turn carries
  them, so the page can say "open now" or "closed now" as of a recent time without a turn.
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse

from api.deps import KnowledgeDep
from api.errors import problem, problem_responses
from api.routes.chat import AREA_ID_PATTERN, PAGE_HEADERS, WEB_DIR, AreaBanner, area_banner
from bot.knowledge.errors import UnknownAreaError

router = APIRouter()


def _page(name: str, values: dict[str, str] | None = None) -> HTMLResponse:
    html = (WEB_DIR / name).read_text(encoding="utf-8")
    for mark, value in (values or {}).items():
        html = html.replace(mark, value)
    return HTMLResponse(html, headers=PAGE_HEADERS)


@router.get("/accessibility", include_in_schema=False)
async def accessibility() -> HTMLResponse:
    return _page("accessibility.html")


@router.get("/privacy", include_in_schema=False)
async def privacy(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    return _page("privacy.html", {
        "CONVERSATION_RETENTION_DAYS": f"{settings.conversation_retention_days:,}",
        "AUDIT_RETENTION_DAYS": f"{settings.audit_retention_days:,}",
    })


@router.get("/chat/areas/{area}/urgent", response_model=AreaBanner, tags=["web chat"],
            responses=problem_responses(404, 422),
            summary="The area's urgent contacts now: the web chat's banner, refreshed between turns")
async def urgent_now(kb: KnowledgeDep, area: str = Path(pattern=AREA_ID_PATTERN)) -> JSONResponse:
    try:
        area_id = kb.resolve_area_id(area)
    except UnknownAreaError:
        return problem(404, "Not found", f"'{area}' is not an area the assistant covers. In an emergency call 999.")
    banner = area_banner(kb, area_id)
    return JSONResponse(banner.model_dump(mode="json"), headers={"Cache-Control": "no-store"})
