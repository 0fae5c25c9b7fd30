"""``GET /v1/areas/{area}/glossary/{term}``: what a term or acronym means in the area's documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz, process

from api.deps import AreaParam, KnowledgeDep
from api.errors import ProblemError, problem_responses
from api.schemas import AreaRef, SourceRef, area_ref, source_of
from bot.knowledge.normalise import normalise, term_from_question
from bot.knowledge.query import GENERAL_MEANING_NOTE, AreaKnowledge, KnowledgeBase

router = APIRouter(prefix="/v1", tags=["glossary"])
MAX_SUGGESTIONS = 5
SUGGEST_MIN_SCORE = 70

TermParam = Annotated[str, Path(
    min_length=1, max_length=200,
    description="A term, an acronym or a question about one: 'MACH', 'taf', 'what does MACH stand for'",
    examples=["MACH"],
)]


class Entry(BaseModel):
    term: str
    expansion: str | None = Field(description="What the acronym stands for, when it is one")
    meaning: str
    aliases: list[str]
    defined_by: AreaRef = Field(description="The area whose document defines it")
    from_other_area: bool = Field(description="True when the asked area's documents do not define it and another area's do")
    general_meaning: bool = Field(description=f"True when the expansion or meaning is general knowledge, not the document's "
                                              f"words: show it with the meaning, e.g. '({GENERAL_MEANING_NOTE})'")
    source: SourceRef = Field(description="Where the document uses the term (when general_meaning is true it does not define it)")


class Definition(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "area": {"id": "redcar-cleveland", "name": "Redcar and Cleveland"},
        "asked": "what does MACH stand for",
        "term": "mach",
        "matches": [{
            "term": "MACH", "expansion": "Multi-Agency Children's Hub",
            "meaning": "Redcar and Cleveland's contact point when a practitioner feels a child is suffering significant harm ...",
            "aliases": ["Redcar MACH"], "defined_by": {"id": "redcar-cleveland", "name": "Redcar and Cleveland"},
            "from_other_area": False, "general_meaning": False,
            "source": {"document": "early-help-strategy-2024", "title": "Redcar & Cleveland Multi-agency Early Help Strategy 2024-2029",
                       "date_label": "2024-2029", "year": 2024, "age_years": 2,
                       "section": "Appendix 2, A2.1 The Continuum of Need, Level 4"},
        }],
        "note": None,
    }]})

    area: AreaRef
    asked: str
    term: str = Field(description="The term looked up, once the question around it is removed")
    matches: list[Entry]
    note: str | None = Field(description="Said when the definition comes from another area's document, "
                                         "or when a meaning is general knowledge rather than the document's words")


def _names(ak: AreaKnowledge) -> list[str]:
    out: list[str] = []
    for t in ak.glossary:
        out += [t.term, *t.aliases] + ([t.expansion] if t.expansion else [])
    return out


def _suggestions(kb: KnowledgeBase, home: AreaKnowledge, wanted: str) -> list[str]:
    names = {normalise(n): n for n in _names(home)}
    for ak in kb.snapshot().areas.values():
        for n in _names(ak):
            names.setdefault(normalise(n), n)
    found = process.extract(wanted, list(names), scorer=fuzz.WRatio, limit=MAX_SUGGESTIONS, score_cutoff=SUGGEST_MIN_SCORE)
    return [names[n] for n, _, _ in found]


@router.get(
    "/areas/{area}/glossary/{term}", response_model=Definition,
    summary="What a term or acronym means, from the area's documents (or another area's, said so)",
    responses=problem_responses(404, 422, 503, described={
        404: "The area is not covered, or no covered document defines the term (close terms are suggested)"}),
)
def glossary(area: AreaParam, term: TermParam, kb: KnowledgeDep) -> Definition:
    home = kb.area(area)
    hits = kb.glossary(area, term)
    wanted = term_from_question(term)
    if not hits:
        suggestions = _suggestions(kb, home, wanted) if wanted else []
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        raise ProblemError(404, "Term not found",
                           f"No covered area's document defines '{wanted or term}'.{hint}", suggestions=suggestions)
    today = kb.today()
    notes: list[str] = []
    if hits[0].from_other_area:
        notes.append(f"{home.area.name}'s documents do not define this term; this is how "
                     f"{', '.join(sorted({h.area_name for h in hits}))} define it.")
    if general := sorted({h.term.term for h in hits if h.general_meaning}):
        notes.append(f"{', '.join(general)}: {GENERAL_MEANING_NOTE}.")
    return Definition(
        area=area_ref(home), asked=term, term=wanted,
        matches=[Entry(term=h.term.term, expansion=h.term.expansion, meaning=h.term.meaning, aliases=h.term.aliases,
                       defined_by=AreaRef(id=h.area_id, name=h.area_name), from_other_area=h.from_other_area,
                       general_meaning=h.general_meaning, source=source_of(h.citation, today)) for h in hits],
        note=" ".join(notes) or None,
    )
