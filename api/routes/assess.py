"""``POST /v1/assess``: a concern in the practitioner's words, assessed for their area."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field, field_validator

from fastapi.concurrency import run_in_threadpool

from api.deps import AuditDep, EngineDep, KnowledgeDep
from api.errors import problem_responses
from api.schemas import A_NON_SPACE, Moment, has_words
from bot.audit.trail import advice_from_assessment
from bot.triage.engine import MAX_CONCERN_CHARS
from bot.triage.result import Assessment

router = APIRouter(prefix="/v1", tags=["assess"])

EXAMPLE = {
    "area": "Worcs",
    "concern": "Year 9 girl has been bunking off most afternoons all term and mum says she can't get her to go in.",
    "answers": {"needs_several_agencies": "yes"},
    "at": "2026-11-21T21:00:00",
}

# A real answer for EXAMPLE (lists cut to one item), made by the engine from the packs.
ANSWER_EXAMPLE = json.loads((Path(__file__).resolve().parent.parent / "examples" / "assess_200.json").read_text())

OPENAPI_EXAMPLES = {
    "persistent_truanting": {"summary": "Early help: persistent truanting (Worcestershire)", "value": EXAMPLE},
    "emergency": {
        "summary": "Immediate danger: 999 first (Tameside, Saturday night)",
        "value": {"area": "Tameside", "concern": "He came in with a fresh bruise on his cheek and said dad punched him this morning.", "at": "2026-11-21T21:00:00"},
    },
    "three_levels": {
        "summary": "Cambridgeshire has three levels",
        "value": {"area": "Cambs", "concern": "A 12-year-old is having sex with a boy in year 10."},
    },
    "with_answers": {
        "summary": "Answers to the questions that help",
        "value": {"area": "tameside", "concern": "Mum needs some advice on parenting.", "answers": {"own_agency_can_meet": "no"}},
    },
}


class AssessRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    area: str = Field(min_length=1, max_length=100, description="Area id, name or alias, e.g. 'Worcs'")
    concern: str = Field(
        max_length=MAX_CONCERN_CHARS,
        description="The worry in your own words. Please leave out names and addresses.",
        # Documented, not enforced here: the validator below says it in words a person understands.
        json_schema_extra={"minLength": 1, "pattern": A_NON_SPACE},
    )
    answers: dict[str, bool | str] = Field(
        default_factory=dict,
        description="Answers to the area's questions that help, by key: yes or no",
    )
    at: Moment | None = Field(default=None, description=(
        "Moment of asking (Europe/London if no offset); default now. A London time that happens twice "
        "(the clocks go back) is read as the first, summer-time one and `at_note` says so: send the offset "
        "(+00:00) for the second. One the clocks skip (they go forward) is a 422 saying which times exist."))

    @field_validator("concern")
    @classmethod
    def _has_words(cls, v: str) -> str:
        if not has_words(v):
            raise ValueError("please describe the concern; it was empty")
        return v


@router.post(
    "/assess",
    response_model=Assessment,
    summary="Assess a concern: level of need, reasons, next steps and who to contact now",
    responses={
        200: {"content": {"application/json": {"example": ANSWER_EXAMPLE}}},
        **problem_responses(400, 404, 413, 422, 503, described={
            404: "The area is not one we cover; the covered areas are listed",
            422: "Empty or oversized concern, answers the area does not ask, or an `at` the London clock skips",
        }),
    },
)
async def assess(body: Annotated[AssessRequest, Body(openapi_examples=OPENAPI_EXAMPLES)], engine: EngineDep,
                 kb: KnowledgeDep, audit: AuditDep) -> Assessment:
    result = engine.assess(body.area, body.concern, body.answers, body.at)
    # The audit trail: what was advised and from which pack, never the concern's words.
    advice = advice_from_assessment(result, "api", kb.area(result.area.id).content_hash)
    advice_id = await run_in_threadpool(audit.record, advice)
    return result.model_copy(update={"id": advice_id})
