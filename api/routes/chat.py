"""The intranet web chat: the page at ``/`` and ``POST /chat/messages``, which forwards a turn to Rasa.

The page talks only to this API (same origin, so no CORS). It starts a conversation with
``POST /chat/sessions``, which gives it a random, signed id (api/chat_sessions.py): turns with
an id the API did not make are refused, so nobody can join another's conversation. Turns of
one conversation are answered one at a time, in the order they arrived. Each answer carries the area's
urgent contacts from the knowledge base, so the page keeps 999 and the area's number on
screen. If Rasa cannot be reached, or has more turns than it can serve (api/chat_capacity.py),
the answer is still the emergency advice (503), because emergency advice must never wait for a backend.
"""

from __future__ import annotations

import logging
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from api.chat_capacity import Busy
from api.client_address import client_address
from api.deps import KnowledgeDep
from api.errors import EMERGENCY, PROBLEM, FieldProblem, Problem, problem, problem_responses
from api.rasa_rest import BotTurn, RasaBusy, RasaRefused, RasaRest, RasaUnavailable
from api.schemas import A_NON_SPACE, has_words, source_of
from bot.config import get_settings
from bot.knowledge.errors import UnknownAreaError
from bot.knowledge.query import KnowledgeBase
from bot.safety import FALLBACK_EMERGENCY_NUMBER, cited, emergency_advice, standing_advice, uncovered_area_advice
from bot.triage.result import SourceRef

log = logging.getLogger("api.chat")
router = APIRouter(tags=["web chat"])

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
ASSETS = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}
MAX_MESSAGE_CHARS = 2000
SENDER_PATTERN = r"^[0-9a-f]{64}$"
AREA_ID_PATTERN = r"^[a-z0-9-]{2,40}$"
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class ChatTurn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"sender": "3f9c0a7e51b24d6c8e0f1a2b3c4d5e6f" + "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d",
                      "message": "I work in Tameside", "area": None}],
    })

    sender: str = Field(pattern=SENDER_PATTERN,
                        description="The conversation id POST /chat/sessions gave (64 hex characters); never a name")
    message: str = Field(max_length=MAX_MESSAGE_CHARS, json_schema_extra={"pattern": A_NON_SPACE},
                         description="What the practitioner typed, or a button's payload. Please leave out names and addresses.")
    area: str | None = Field(default=None, pattern=AREA_ID_PATTERN,
                             description="The area id the assistant last reported, so the emergency advice names it even if Rasa is down")

    @field_validator("message")
    @classmethod
    def _has_words(cls, v: str) -> str:
        if not has_words(v):
            raise ValueError("is empty: type a message")
        return v.strip()


class ChatButton(BaseModel):
    title: str
    payload: str


class ChatMessage(BaseModel):
    text: str | None
    buttons: list[ChatButton] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    emergency: bool = False


class UrgentContact(BaseModel):
    name: str
    phone: str | None
    phone_note: str | None = Field(description="What the source says when it gives no number")
    hours: str
    available_now: bool | None = Field(description="null when the source gives no times")
    source: SourceRef
    source_age: str = Field(description="The source's date and how old it is")


class AreaBanner(BaseModel):
    id: str
    name: str
    urgent: list[UrgentContact] = Field(description="The area's urgent contacts, open ones first")


class ChatReply(BaseModel):
    messages: list[ChatMessage]
    area: AreaBanner | None = None
    emergency_number: str


class Conversation(BaseModel):
    conversation: str = Field(description="Send it as `sender` with each turn of this conversation; keep it private")


class AreaChoice(BaseModel):
    id: str
    name: str


async def get_rasa() -> RasaRest:  # async: no thread hop, so turns reach the queue in arrival order
    settings = get_settings()
    return RasaRest(settings.rasa_url, token=settings.rasa_rest_token)


RasaDep = Annotated[RasaRest, Depends(get_rasa)]


# --- the page ------------------------------------------------------------------------------
NOSCRIPT_MARK = "<!-- NOSCRIPT_CONTACTS: each area's urgent numbers, from the knowledge packs (api/routes/chat.py) -->"


def noscript_contacts(kb: KnowledgeBase | None) -> str:
    """What the page shows without JavaScript: 999, then each area's urgent contacts as its pack
    gives them (the safety path's standing advice), and what to do elsewhere. Never a made-up
    number; 999 alone when the knowledge base cannot be read."""
    try:
        nat = kb.national() if kb else None
        areas = [kb.area(area_id) for area_id, _ in kb.covered()] if kb and nat else []
    except Exception:  # the page must still say 999
        nat, areas = None, []
    items = []
    for ak in areas:
        doc = ak.area.documents[0]
        age = ak.cite(ak.contacts[0].source).age_text(kb.today()) if ak.contacts else doc.date_label
        items.append(f"<li>{escape(standing_advice(nat, ak.area.name, ak.contacts, cited(doc.title, None, age)))}</li>")
    elsewhere = escape(uncovered_area_advice(nat, [ak.area.name for ak in areas]) if areas else
                       "Otherwise contact your council's children's social care front door.")
    return (f"<p><strong>{escape(emergency_advice(kb).lines()[0])}</strong></p>"
            f"<ul>{''.join(items)}</ul><p>{elsewhere}</p>")


@router.get("/", include_in_schema=False)
async def page(kb: KnowledgeDep) -> HTMLResponse:
    html = (WEB_DIR / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(html.replace(NOSCRIPT_MARK, noscript_contacts(kb)), headers=PAGE_HEADERS)


@router.get("/chat/static/{name}", include_in_schema=False)
async def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(404, "Not found")
    return FileResponse(WEB_DIR / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache", **PAGE_HEADERS})


@router.post("/chat/sessions", response_model=Conversation, status_code=201, responses=problem_responses(429),
             summary="Start a conversation: a random id, made by the service, for the turns that follow")
async def start_conversation(request: Request) -> JSONResponse:
    wait = request.app.state.chat_limiter.take(client_address(request))
    if wait:
        return problem(429, "Too many requests", f"Try again in {wait} s. {EMERGENCY}",
                       headers={"Retry-After": str(wait)})
    conversation = Conversation(conversation=request.app.state.chat_ids.new())
    return JSONResponse(conversation.model_dump(), status_code=201, headers={"Cache-Control": "no-store"})


@router.get("/chat/areas", response_model=list[AreaChoice], summary="The areas the assistant covers")
async def areas(kb: KnowledgeDep) -> list[AreaChoice]:
    return [AreaChoice(id=i, name=n) for i, n in kb.covered()]


# --- the area's urgent contacts ------------------------------------------------------------
def area_banner(kb: KnowledgeBase, area_id: str, moment: datetime | None = None) -> AreaBanner:
    """The area's urgent contacts as its pack gives them (never a made-up number): the one the
    safety path chooses for now first (bot/safety.py), then the others, open ones first."""
    ak = kb.area(area_id)
    today = kb.today()
    chosen = emergency_advice(kb, area_id, moment).urgent
    order = {True: 0, None: 1, False: 2}
    statuses = [cs for cs in kb.contacts_at(area_id, moment) if cs.contact.urgent and cs.contact.role != "emergency"]
    statuses.sort(key=lambda cs: (not (chosen and cs.contact.key == chosen.key), order[cs.available_now]))
    urgent = []
    for cs in statuses:
        c, cit = cs.contact, cs.citation
        urgent.append(UrgentContact(
            name=c.name, phone=c.phone, phone_note=c.phone_note, hours=c.hours.text, available_now=cs.available_now,
            source=source_of(cit, today),
            source_age=cit.age_text(today),
        ))
    return AreaBanner(id=ak.id, name=ak.area.name, urgent=urgent)


def warm_emergency_advice(kb: KnowledgeBase) -> None:
    """Read every area's urgent contacts once (about a second, cold), at start-up: a turn refused
    as busy must get its emergency advice at once, not after the first read of the packs."""
    for area_id, _ in kb.covered():
        area_banner(kb, area_id)


def _known_area(kb: KnowledgeBase, area_id: str | None) -> str | None:
    if not area_id:
        return None
    try:
        return kb.resolve_area_id(area_id)
    except UnknownAreaError:
        return None


# Why a turn was not answered: (title, status, detail, text); ``{wait}`` is Retry-After's seconds.
NOT_ANSWERED = {
    "unavailable": ("The assistant is unavailable", 503,
                    "The assistant is unavailable right now, so your message was not answered.",
                    "The assistant is unavailable right now. Please try again in a few minutes."),
    "busy": ("The assistant is busy", 503,
             "The assistant is busy, so your message was not answered. Try again in a few seconds.",
             "The assistant is busy. Try again in a few seconds."),
    "rate_limited": ("Too many messages", 429,
                     "Too many messages from this address; your message was not answered. Try again in {wait} s.",
                     "Too many messages at once: please wait {wait} seconds and send it again."),
}
BUSY_RETRY_SECONDS = 5


def _unavailable(kb: KnowledgeBase, area_id: str | None, why: str | None, reason: str = "unavailable",
                 retry_after: int = 30) -> JSONResponse:
    """Problem+json (503 when Rasa is down or busy, 429 when a client sends too fast) that still
    carries the emergency advice, named for the area when known: nobody is turned away without
    999. ``reason`` (a key of NOT_ANSWERED) is in the body for the page."""
    title, status, detail_line, text_line = NOT_ANSWERED[reason]
    try:
        number = kb.national().emergency_number
        known = _known_area(kb, area_id)
        banner = area_banner(kb, known) if known else None
    except Exception:  # the knowledge base may be down too: 999 must still be said
        log.exception("knowledge base unavailable while Rasa is down")
        number, known, banner = FALLBACK_EMERGENCY_NUMBER, None, None
    advice = emergency_advice(kb, known).text
    detail = f"{detail_line.format(wait=retry_after)} {advice}"
    text = f"{text_line.format(wait=retry_after)}\n{advice}"
    sources = list({c.source.title + c.source.section: c.source for c in banner.urgent}.values()) if banner else []
    reply = ChatReply(
        messages=[ChatMessage(text=text, sources=sources, emergency=True)],
        area=banner,
        emergency_number=number,
    )
    body: dict[str, Any] = Problem(title=title, status=status, detail=detail).model_dump()
    body.update(reply.model_dump(mode="json"), reason=reason)
    if why:  # None: the caller logs (busy turns are counted, not logged one by one)
        log.warning("web chat: %s (%s); emergency advice sent", title, why)
    return JSONResponse(body, status_code=status, media_type=PROBLEM,
                        headers={"Retry-After": str(retry_after), "Cache-Control": "no-store"})


def _messages(turn: BotTurn) -> list[ChatMessage]:
    out = []
    for m in turn.messages:
        sources = []
        for s in m.sources:
            try:
                sources.append(SourceRef.model_validate(s))
            except ValidationError:
                log.warning("web chat: dropped a malformed source from Rasa")
        out.append(ChatMessage(text=m.text, buttons=[ChatButton(**b) for b in m.buttons],
                               sources=sources, emergency=m.emergency))
    return out


# --- a turn --------------------------------------------------------------------------------
@router.post(
    "/chat/messages",
    response_model=ChatReply,
    summary="One chat turn: forwarded to the assistant; the area's urgent contacts come back with it",
    responses={
        **problem_responses(400, 413),
        422: {"model": Problem, "content": {PROBLEM: {}},
              "description": "The message could not be used, or `sender` is not a conversation POST /chat/sessions started"},
        429: {"content": {PROBLEM: {}},
              "description": "Too many turns from this address (CHAT_RATE_LIMIT_PER_MINUTE): the body still carries the emergency advice"},
        503: {"content": {PROBLEM: {}},
              "description": ("The assistant is unavailable (`reason` \"unavailable\") or busy (\"busy\": more turns than "
                              "Rasa can serve, CHAT_MAX_IN_FLIGHT and CHAT_MAX_QUEUED; Retry-After: 5): the body still "
                              "carries the emergency advice (999 and the area's urgent contact)")},
    },
)
async def chat_turn(turn: ChatTurn, kb: KnowledgeDep, rasa: RasaDep, request: Request) -> Any:
    wait = request.app.state.chat_limiter.take(client_address(request))
    if wait:
        return _unavailable(kb, turn.area, "rate limit", reason="rate_limited", retry_after=wait)
    if not request.app.state.chat_ids.is_ours(turn.sender):
        message = "is not a conversation this service started: start one with POST /chat/sessions"
        return problem(422, "The request could not be used", f"sender: {message}",
                       errors=[FieldProblem(field="sender", message=message)])
    if turn.area is not None and _known_area(kb, turn.area) != turn.area:
        message = f"'{turn.area}' is not the id of an area the assistant covers"
        return problem(422, "The request could not be used", f"area: {message}",
                       errors=[FieldProblem(field="area", message=message)])
    try:
        # The conversation's place first, then a place with Rasa (never the other way round: a turn
        # holding a place with Rasa while it waits for its own conversation would block others).
        # A refused turn leaves both, so the conversation's next turn goes ahead.
        async with request.app.state.turn_order.turn(turn.sender), request.app.state.chat_slots.slot():
            answer = await rasa.turn(f"web-{turn.sender}", turn.message)
    except (Busy, RasaBusy) as busy:  # this process's bound, or the load balancer's (scaled topology)
        slots = request.app.state.chat_slots
        report = slots.note_refusal()
        if report:
            log.warning("web chat: busy, %d turns refused in %.1f s (the last: %s; %d with Rasa, %d waiting); "
                        "emergency advice sent", report[0], report[1], busy.why, slots.busy, slots.waiting)
        return _unavailable(kb, turn.area, None, reason="busy", retry_after=BUSY_RETRY_SECONDS)
    except RasaRefused as refused:
        return problem(refused.status, "The message could not be used",
                       f"{refused.reason} In an emergency call {kb.national().emergency_number}.",
                       errors=[FieldProblem(field="message", message=refused.reason)])
    except RasaUnavailable as exc:
        return _unavailable(kb, turn.area, str(exc))
    area_id = _known_area(kb, answer.area) or turn.area
    reply = ChatReply(
        messages=_messages(answer),
        area=area_banner(kb, area_id) if area_id else None,
        emergency_number=kb.national().emergency_number,
    )
    return JSONResponse(reply.model_dump(mode="json"), headers={"Cache-Control": "no-store"})
