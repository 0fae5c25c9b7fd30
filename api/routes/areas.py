"""``GET /v1/areas`` and ``GET /v1/areas/{area}``: what we cover, from which documents, how old."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AreaParam, KnowledgeDep
from api.errors import problem_responses
from api.schemas import (
    AreaRef,
    DocumentOut,
    Emergency,
    SourceRef,
    area_ref,
    document_of,
    emergency_of,
    source_of,
)

router = APIRouter(prefix="/v1", tags=["areas"])

WORCS_DOC = {
    "key": "levels-of-need-2019",
    "title": "Multi Agency Levels of Need: Guidance to help support children, young people and families in Worcestershire",
    "date_label": "May 2019 (updated)", "year": 2019, "age_years": 7, "age_text": "May 2019 (updated), about 7 years old",
    "note": None,
}
EMERGENCY = {"number": "999", "text": "If a child is in immediate danger, call 999 (police) now.",
             "source": "UK national emergency number"}


class AreaSummary(BaseModel):
    id: str
    name: str
    aliases: list[str] = Field(description="Other names it is found by (towns, abbreviations)")
    partnership: str
    levels: int = Field(description="How many levels of need its guidance has")
    documents: list[DocumentOut]


class AreaList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "areas": [{"id": "worcestershire", "name": "Worcestershire", "aliases": ["Worcs", "Redditch"],
                   "partnership": "Worcestershire Safeguarding Children Partnership (WSCP)", "levels": 4,
                   "documents": [WORCS_DOC]}],
        "emergency": EMERGENCY,
        "elsewhere": "We only hold guidance for the areas listed. For anywhere else, contact that area's "
                     "children's social care front door (the local council's children's services), and talk "
                     "to your safeguarding lead.",
    }]})

    areas: list[AreaSummary]
    emergency: Emergency
    elsewhere: str = Field(description="What to do for an area we do not cover")


class LevelOut(BaseModel):
    number: int
    name: str
    meaning: str
    typical_response: str
    services: list[str]
    tiers: list[str] = Field(description="What the level means in national terms (early help, child in need...)")
    source: SourceRef


class AccumulationOut(BaseModel):
    """Several needs at one level adding up to the next (e.g. Worcestershire section 6)."""

    of_level: int
    min_indicators: int
    min_domains: int
    raises_to: int
    text: str
    source: SourceRef


class AreaDetail(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "area": {"id": "worcestershire", "name": "Worcestershire"},
        "partnership": "Worcestershire Safeguarding Children Partnership (WSCP)",
        "model_of_need": "Four levels of need ...",
        "documents": [WORCS_DOC],
        "levels": [{
            "number": 4, "name": "Statutory Social Work Intervention",
            "meaning": "Children needing statutory and/or specialist intervention: children in need (s17), ...",
            "typical_response": "Refer to children's social care without delay through the Family Front Door ...",
            "services": ["Children's social care (Family Front Door)"], "tiers": ["child_in_need", "child_protection"],
            "source": {"document": "levels-of-need-2019", "title": WORCS_DOC["title"], "date_label": "May 2019 (updated)",
                       "year": 2019, "age_years": 7, "section": "Section 6 Levels of Need; Appendix 1, Level Four; Appendix 2"},
        }],
        "accumulation": [],
        "emergency": EMERGENCY,
    }]})

    area: AreaRef
    partnership: str
    model_of_need: str
    documents: list[DocumentOut]
    levels: list[LevelOut]
    accumulation: list[AccumulationOut]
    emergency: Emergency


@router.get("/areas", response_model=AreaList, summary="The areas we cover, with their source documents and their age",
            responses=problem_responses(503))
def list_areas(kb: KnowledgeDep) -> AreaList:
    today = kb.today()
    areas = [kb.area(area_id) for area_id, _ in kb.covered()]
    return AreaList(
        areas=[AreaSummary(id=ak.id, name=ak.area.name, aliases=ak.area.aliases, partnership=ak.area.partnership,
                           levels=len(ak.levels), documents=[document_of(d, today) for d in ak.area.documents])
               for ak in areas],
        emergency=emergency_of(kb.national()),
        elsewhere=kb.national().uncovered_area_advice,
    )


@router.get("/areas/{area}", response_model=AreaDetail, summary="An area's levels of need, with what each means and the usual response",
            responses=problem_responses(404, 422, 503))
def area_detail(area: AreaParam, kb: KnowledgeDep) -> AreaDetail:
    ak = kb.area(area)
    today = kb.today()
    return AreaDetail(
        area=area_ref(ak), partnership=ak.area.partnership, model_of_need=ak.area.model_of_need,
        documents=[document_of(d, today) for d in ak.area.documents],
        levels=[LevelOut(number=lv.number, name=lv.name, meaning=lv.meaning, typical_response=lv.typical_response,
                         services=lv.services, tiers=[t.value for t in lv.tiers], source=source_of(ak.cite(lv.source), today))
                for lv in ak.levels],
        accumulation=[AccumulationOut(of_level=r.of_level, min_indicators=r.min_indicators, min_domains=r.min_domains,
                                      raises_to=r.raises_to, text=r.text, source=source_of(ak.cite(r.source), today))
                      for r in ak.area.accumulation],
        emergency=emergency_of(kb.national()),
    )
