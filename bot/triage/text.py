"""Turning a practitioner's words into lemmas, sentences and clauses.

spaCy's blank English pipeline with the lookup lemmatizer (from ``spacy-lookups-data``):
no trained model, nothing downloaded, about 0.05 ms for a short sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language

SENTENCE_END = {".", "!", "?", ";", "\n"}
# A negation reaches only to the end of its clause: "no coat and a bruise" keeps the bruise.
CLAUSE_BREAK = SENTENCE_END | {
    ",", ":", "(", ")", "-", "–", "—", "but", "although", "though", "however", "whereas",
    "and", "because", "cos", "so", "while", "whilst", "since", "yet",
}


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    lower: str
    lemma: str
    start: int  # character offset in the original text
    end: int
    sentence: int
    clause: int
    joined: bool = False  # the second half of a hyphenated word ("harm" in "self-harm")


@lru_cache(maxsize=1)
def nlp() -> Language:
    pipeline = spacy.blank("en")
    pipeline.add_pipe("lemmatizer", config={"mode": "lookup"})
    pipeline.initialize()
    return pipeline


def words(text: str) -> list[Word]:
    """Tokenise ``text`` into words with sentence and clause numbers."""
    out: list[Word] = []
    sentence = clause = 0
    doc = nlp()(text)
    for tok in doc:
        raw = tok.text
        if raw == "-" and 0 < tok.i < len(doc) - 1 and not doc[tok.i - 1].whitespace_ and not tok.whitespace_:
            continue  # "self-harm" reads as "self harm"; the hyphen is not a word
        joined = tok.i >= 2 and doc[tok.i - 1].text == "-" and not doc[tok.i - 1].whitespace_ and not doc[tok.i - 2].whitespace_
        if raw.isspace():
            if "\n" in raw:
                sentence += 1
                clause += 1
            continue
        lower = raw.lower()
        lemma = tok.lemma_.lower() or lower
        out.append(Word(raw, lower, lemma, tok.idx, tok.idx + len(raw), sentence, clause, joined))
        if lower in SENTENCE_END:
            sentence += 1
            clause += 1
        elif lower in CLAUSE_BREAK:
            clause += 1
    return out
