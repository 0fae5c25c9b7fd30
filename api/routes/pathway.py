"""``GET /v1/areas/{area}/pathway``: the area's steps, how to step up and down, how often to review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AreaParam, KnowledgeDep
from api.errors import ProblemError, problem_responses
from api.schemas import AreaRef, SourceRef, area_ref, source_of
from bot.knowledge.query import AreaKnowledge

router = APIRouter(prefix="/v1", tags=["pathway"])

STEP_UP = {"step_up", "plan_not_working"}
STEP_DOWN = {"step_down"}
SOURCE = {"document": "levels-of-need-2019",
          "title": "Multi Agency Levels of Need: Guidance to help support children, young people and families in Worcestershire",
          "date_label": "May 2019 (updated)", "year": 2019, "age_years": 7,
          "section": "Appendix 3 Early Help Pathway, Review progress"}


class StepOut(BaseModel):
    key: str
    stage: str = Field(description="identification, safeguarding_lead, assessment, plan, team_around_family, "
                                   "delivery, review, closure, referral, step_up, step_down or plan_not_working")
    title: str
    text: str
    levels: list[int] | None = Field(description="The levels it applies to; null = all")
    source: SourceRef


class ReviewOut(BaseModel):
    text: str
    weeks_min: int | None
    weeks_max: int | None
    source: SourceRef


class Pathway(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "area": {"id": "worcestershire", "name": "Worcestershire"},
        "level": None,
        "steps": [{"key": "talk-to-manager-or-lead", "stage": "safeguarding_lead",
                   "title": "Talk to your line manager, safeguarding lead or SENCO",
                   "text": "Discuss the way forward with your line manager, safeguarding lead or SENCO as applicable. ...",
                   "levels": None, "source": {**SOURCE, "section": "Appendix 3 Early Help Pathway, Identification and decision"}}],
        "step_up": [], "step_down": [],
        "review_cadence": {"text": "Multi-agency meeting (or telephone call) every 6-12 weeks, led by the lead professional; "
                                   "can be brought forward if the plan is not progressing or needs escalate",
                           "weeks_min": 6, "weeks_max": 12, "source": SOURCE},
    }]})

    area: AreaRef
    level: int | None = Field(description="The level asked about; null = every level")
    steps: list[StepOut] = Field(description="The pathway in order, without stepping up or down")
    step_up: list[StepOut] = Field(description="When the plan is not working or needs escalate")
    step_down: list[StepOut] = Field(description="From children's social care back to early help")
    review_cadence: ReviewOut | None = Field(description="How often the plan is reviewed; null when the source does not say")


def _steps(ak: AreaKnowledge, level: int | None, today) -> list[StepOut]:
    steps = ak.steps_for(level) if level is not None else ak.steps
    return [StepOut(key=s.key, stage=s.stage, title=s.title, text=s.text, levels=s.levels,
                    source=source_of(ak.cite(s.source), today)) for s in steps]


@router.get(
    "/areas/{area}/pathway", response_model=Pathway,
    summary="The area's pathway: steps, stepping up and down, and how often to review",
    responses=problem_responses(404, 422, 503, described={
        404: "The area is not covered (the covered areas are listed), or it has no such level"}),
)
def pathway(area: AreaParam, kb: KnowledgeDep,
            level: Annotated[int | None, Query(ge=1, le=9, description="Only the steps for this level")] = None) -> Pathway:
    ak = kb.area(area)
    if level is not None and level not in {lv.number for lv in ak.levels}:
        numbers = ", ".join(str(lv.number) for lv in ak.levels)
        raise ProblemError(404, "Level not found", f"{ak.area.name} has no level {level}; its levels are {numbers}.")
    today = kb.today()
    steps = _steps(ak, level, today)
    cadence = ak.review_cadence
    return Pathway(
        area=area_ref(ak), level=level,
        steps=[s for s in steps if s.stage not in STEP_UP | STEP_DOWN],
        step_up=[s for s in steps if s.stage in STEP_UP],
        step_down=[s for s in steps if s.stage in STEP_DOWN],
        review_cadence=ReviewOut(text=cadence.text, weeks_min=cadence.weeks_min, weeks_max=cadence.weeks_max,
                                 source=source_of(ak.cite(cadence.source), today)) if cadence else None,
    )
