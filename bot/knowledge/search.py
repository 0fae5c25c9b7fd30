"""Ranked search over every fact in the packs, each hit with its citation (BM25)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from bot.knowledge.query import GENERAL_MEANING_NOTE, AreaKnowledge, Citation, KnowledgeBase
from bot.triage.text import words

STOPWORDS = set(
    "a an the and or of to in on for with by at from is be are was were it its this that as "  # noqa: SIM905 - a word list reads best as text
    "their they them he she his her who what which when where how do does can may will not "
    "if than then there these those into about".split()
)
K1, B = 1.4, 0.75


@dataclass(frozen=True)
class Fact:
    area_id: str
    kind: str
    title: str
    text: str
    citation: Citation
    general_meaning: bool = False  # a glossary meaning that is general knowledge, not the document's words

    @property
    def shown_text(self) -> str:
        """The text to show: a general meaning says so (the note is not indexed, so it does not rank)."""
        return f"{self.text} ({GENERAL_MEANING_NOTE})" if self.general_meaning else self.text


@dataclass(frozen=True)
class SearchHit:
    fact: Fact
    score: float


def terms(text: str) -> list[str]:
    return [w.lemma for w in words(text) if w.lemma.isalnum() and w.lemma not in STOPWORDS]


def facts_of(ak: AreaKnowledge) -> list[Fact]:
    """Every citable fact of an area as searchable text."""
    out: list[Fact] = []
    add = lambda kind, title, text, source, general=False: out.append(Fact(ak.id, kind, title, text, ak.cite(source), general))
    for lv in ak.levels:
        add("level", f"Level {lv.number}: {lv.name}", f"{lv.meaning} {lv.typical_response} {' '.join(lv.services)}", lv.source)
    for ind in ak.indicators:
        add("indicator", f"Level {ind.level} indicator ({ind.domain})", ind.text, ind.source)
    for c in ak.contacts:
        phone = c.phone or (c.phone_note or "")
        add("contact", c.name, f"{c.name} {c.role.replace('_', ' ')} {phone} {c.hours.text} {c.web or ''} {c.email or ''}", c.source)
    for s in ak.steps:
        add("pathway", s.title, f"{s.title} {s.text} {s.stage.replace('_', ' ')}", s.source)
    if ak.review_cadence:
        add("pathway", "Review cadence", f"review {ak.review_cadence.text}", ak.review_cadence.source)
    for q in ak.questions:
        add("question", "A question that helps", q.text, q.source)
    for r in ak.consent:
        add("consent", f"Consent and information sharing ({r.kind.replace('_', ' ')})", f"consent information sharing {r.text}", r.source)
    for e in ak.escalation:
        add("escalation", "Escalation of professional disagreements", f"escalation disagreement {e.text}", e.source)
    for p in ak.principles:
        add("principle", p.name, f"{p.name} {p.text}", p.source)
    for t in ak.glossary:
        add("glossary", t.term, f"{t.term} {t.expansion or ''} {' '.join(t.aliases)} {t.meaning}", t.source, t.general_meaning)
    return out


class FactIndex:
    """BM25 over facts; rebuilt when the loaded knowledge changes."""

    def __init__(self, facts: list[Fact]):
        self.facts = facts
        self.docs = [Counter(terms(f"{f.title} {f.text}")) for f in facts]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(facts)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}

    def search(self, query: str, area_id: str | None = None, limit: int = 10) -> list[SearchHit]:
        q = set(terms(query))
        hits: list[SearchHit] = []
        for fact, doc, length in zip(self.facts, self.docs, self.lengths):
            if area_id and fact.area_id != area_id:
                continue
            score = 0.0
            for t in q:
                tf = doc.get(t)
                if tf:
                    score += self.idf[t] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self.avg))
            if score > 0:
                hits.append(SearchHit(fact, round(score, 4)))
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]


class Searcher:
    """Search the knowledge base, keeping one index per loaded state."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self._state: tuple | None = None
        self._index: FactIndex | None = None

    def search(self, query: str, area: str | None = None, limit: int = 10) -> list[SearchHit]:
        snap = self.kb.snapshot()
        if self._index is None or self._state != snap.state:
            facts = [f for ak in snap.areas.values() for f in facts_of(ak)]
            self._index, self._state = FactIndex(facts), snap.state
        area_id = self.kb.resolve_area_id(area) if area else None
        return self._index.search(query, area_id, limit)
