"""``POST /v1/feedback``: a practitioner's word on an assessment (was it helpful and right?)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AuditDep
from api.errors import ProblemError, problem_responses
from bot.audit.trail import MAX_REASON, Feedback, UnknownAdvice

router = APIRouter(prefix="/v1", tags=["feedback"])


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"assessment_id": "3f2c9d0e8b7a4c1d9e6f5a4b3c2d1e0f", "agrees": False, "level": 4,
         "reason": "He said dad hit him: that is child protection."}]})

    assessment_id: str = Field(min_length=32, max_length=32, pattern=r"^[0-9a-f]{32}$",
                               description="The `id` of the assessment (POST /v1/assess)")
    agrees: bool = Field(description="Was the assessment helpful and right?")
    level: int | None = Field(default=None, ge=1, le=4, description="If not: the level you would give, in the area's numbering")
    reason: str | None = Field(default=None, max_length=1000, description=(
        f"Optional, short: why. Names and addresses are redacted and it is cut to {MAX_REASON} characters "
        "before it is stored; please leave them out"))


class FeedbackRecorded(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"assessment_id": "3f2c9d0e8b7a4c1d9e6f5a4b3c2d1e0f", "recorded": True,
         "message": "Thank you: your feedback is recorded beside the assessment for the leads who review it."}]})

    assessment_id: str
    recorded: bool
    message: str


@router.post(
    "/feedback", response_model=FeedbackRecorded,
    summary="Say whether an assessment was helpful and right, or which level you would give",
    responses=problem_responses(400, 404, 413, 422, described={
        404: "No assessment has that id (or it is past its retention)"}),
)
async def feedback(body: Annotated[FeedbackRequest, Body()], audit: AuditDep) -> FeedbackRecorded:
    given = Feedback(agrees=body.agrees, level=None if body.agrees else body.level, reason=body.reason)
    try:
        await run_in_threadpool(audit.feedback, body.assessment_id, given)
    except UnknownAdvice:
        raise ProblemError(404, "Assessment not found",
                           "No assessment has that id: quote the `id` POST /v1/assess returned.") from None
    return FeedbackRecorded(assessment_id=body.assessment_id, recorded=True, message=(
        "Thank you: your feedback is recorded beside the assessment for the leads who review it. "
        "If a child may be at risk now, act on your own judgement and your safeguarding lead's."))
