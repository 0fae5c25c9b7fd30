"""``GET /v1/search``: ranked facts from the packs, each with its citation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from api.deps import KnowledgeDep, SearcherDep
from api.errors import problem_responses
from api.schemas import A_NON_SPACE, AreaRef, SourceRef, has_words, source_of

router = APIRouter(prefix="/v1", tags=["search"])


def _has_words(q: str) -> str:
    if not has_words(q):
        raise ValueError("please give some words to search for")
    return q


class Hit(BaseModel):
    area: AreaRef
    kind: str = Field(description="level, indicator, contact, pathway, question, consent, escalation, principle or glossary")
    title: str
    text: str
    general_meaning: bool = Field(description="A glossary meaning that is general knowledge, not the document's words (the text says so)")
    score: float = Field(description="BM25 relevance; higher is better")
    source: SourceRef


class SearchResults(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "area": {"id": "cambridgeshire", "name": "Cambridgeshire"},
        "results": [{
            "area": {"id": "cambridgeshire", "name": "Cambridgeshire"}, "kind": "consent",
            "title": "Consent and information sharing (seek consent)",
            "text": "consent information sharing If the Early Help Assessment shows a need for a multi-agency response, "
                    "it is offered with the consent of the child/young person and family.",
            "general_meaning": False, "score": 5.67,
            "source": {"document": "families-thrive-strategy", "title": "Cambridgeshire Families Thrive Early Help Strategy",
                       "date_label": "undated", "year": None, "age_years": None,
                       "section": "Appendix 1 descriptors, Targeted, Response"},
        }],
    }]})

    area: AreaRef | None = Field(description="The area searched; null = every covered area")
    results: list[Hit]


@router.get("/search", response_model=SearchResults, summary="Search every fact (optionally in one area), with citations",
            responses=problem_responses(404, 422, 503))
def search(
    kb: KnowledgeDep,
    searcher: SearcherDep,
    q: Annotated[str, AfterValidator(_has_words), Query(
        min_length=1, max_length=200, description="Words to look for", examples=["consent"],
        json_schema_extra={"pattern": A_NON_SPACE},  # documented; the validator says it in words
    )],
    area: Annotated[str | None, Query(min_length=1, max_length=100, description="Area id, name or alias", examples=["Cambs"])] = None,
    limit: Annotated[int, Query(ge=1, le=50, description="At most this many results")] = 10,
) -> SearchResults:
    hits = searcher.search(q, area=area, limit=limit)
    ak = kb.area(area) if area else None
    today = kb.today()
    names = dict(kb.covered())
    return SearchResults(
        area=AreaRef(id=ak.id, name=ak.area.name) if ak else None,
        results=[Hit(area=AreaRef(id=h.fact.area_id, name=names[h.fact.area_id]), kind=h.fact.kind, title=h.fact.title,
                     text=h.fact.shown_text, general_meaning=h.fact.general_meaning, score=h.score,
                     source=source_of(h.fact.citation, today)) for h in hits],
    )
