"""Match a concern's clauses to an area's indicators by meaning, with each similarity shown.

Every indicator of an area is embedded once (its own text, as the pack gives it) and the
vectors are cached on disk, keyed by a hash of the model and the texts, so a restart does
not embed them again. A concern is cut into its sentences and, where a sentence is long,
its clauses; a clause with a negation ("no marks seen", "isn't missing any more") is left
out, since sentence vectors read "no bruises" much like "bruises". Each remaining clause is compared
with every indicator (:class:`MeaningMatcher`).
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.config import PROJECT_ROOT
from bot.knowledge.schema import Indicator
from bot.triage.meaning.encoder import SentenceEncoder
from bot.triage.signals import NEGATORS

CACHE_DIR = PROJECT_ROOT / "var" / "meaning-cache"
MODEL_ID = "all-MiniLM-L6-v2"
MATCH_AT = 0.35  # a clause this similar to its nearest indicator counts (cosine; calibrated on the dev set)
NEIGHBOURS = 3  # each clause's nearest indicators that vote for its level
WEIGHT_POWER = 4  # votes weighted by similarity to this power: the nearest count most
MAX_UNITS = 6  # clauses embedded per concern: the engine's latency budget
_SENTENCE = re.compile(r"(?<=[.!?;\n])\s+")
_CLAUSE = re.compile(r",\s+|\s+(?:but|although|though|whereas|however)\s+", re.IGNORECASE)
_LONG_SENTENCE_WORDS = 18
# Sentence vectors read "he isn't missing any more" much like "missing": a clause with a negation
# is left to the phrase lexicon, which knows what each negation reaches.
# Sentence vectors read topic, not polarity: "health appointments kept" sits next to "missed
# health appointments". A clause that only says a need is met (a word of wellbeing and no word of
# concern) does not vote; a concern whose every clause says so reads as level 1, needs met.
_NEEDS_MET = re.compile(
    r"\b(?:well|good|appropriate(?:ly)?|up to date|kept|able to|meets?|met|suitable|safe|safely|healthy|"
    r"positive|settled|happy|above \d+ ?%|prioriti[sz]es|provides?|consistent|stable|regular(?:ly)?|"
    r"achiev\w*|thriv\w*|attends?|age[- ]appropriate|secure|warm|loving|supportive|adequate|enjoys?|engag\w*|"
    r"effective(?:ly)?|best interests?|resilien\w*|confident(?:ly)?|caring|nurtur\w*|encourag\w*)\b",
    re.IGNORECASE)
_CONCERN = re.compile(
    r"\b(?:poor|risk\w*|concern\w*|worr\w*|lack\w*|unable|fail\w*|miss\w*|absen\w*|abus\w*|neglect\w*|harm\w*|"
    r"violen\w*|disrupt\w*|difficult\w*|problem\w*|struggl\w*|inappropriate\w*|unsafe|low|limited|inconsistent|"
    r"isolat\w*|refus\w*|exclu\w*|substance|alcohol|drug\w*|mental|depress\w*|anxi\w*|bull\w*|offend\w*|"
    r"crim\w*|homeless\w*|debt|poverty|unmet|delay\w*|chaotic|conflict|breakdown|serious|severe|significant|"
    r"chronic|acute|injur\w*|bruis\w*|hurt\w*|scared|afraid|frighten\w*|stranger|police|hit\w*|hungry|dirty|"
    r"smell\w*|alone|late|tired|exploit\w*|groom\w*|sex\w*|pregnan\w*|self[- ]harm\w*|suicid\w*|drink\w*|"
    r"drunk|shout\w*|scream\w*|cry\w*|upset|angry|but|although|though|however|except|apart from|"
    r"told|tells?|telling|said|says|disclos\w*|alleg\w*|touch\w*|kiss\w*|naked|secrets?|bed|marks?)\b",
    re.IGNORECASE)
# The phrase matcher's negators (but "non-", which negates only its own word: "non-attendance"),
# and a few more that end a need.
_NEGATION = re.compile(
    r"\b(?:" + "|".join(sorted((NEGATORS - {"non"}) | {"nobody", "nowhere", "cannot", "any more", "anymore"}))
    + r")\b|n[’']t\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class MeaningMatch:
    """An indicator a clause of the concern means, and how close they are (cosine, 0-1)."""

    indicator: Indicator
    position: int  # the indicator's place in the area's list
    similarity: float
    clause: str


def units(concern: str, negated: list[str] = (), drop_negated: bool = True) -> list[str]:  # type: ignore[assignment]
    """The concern's sentences, long ones cut into clauses, without clauses that hold a negation
    (unless ``drop_negated`` is False)."""
    out: list[str] = []
    for sentence in _SENTENCE.split(concern.strip()):
        sentence = sentence.strip(" .;!?\n")
        if not sentence:
            continue
        parts = _CLAUSE.split(sentence) if len(sentence.split()) > _LONG_SENTENCE_WORDS else [sentence]
        out += [p.strip() for p in parts if len(p.split()) >= 2]
    negated_lower = [n.lower() for n in negated]
    kept = [u for u in out if not drop_negated
            or (not _NEGATION.search(u) and not any(n in u.lower() for n in negated_lower))]
    if len(kept) > MAX_UNITS:  # keep the longest, in their order
        longest = sorted(range(len(kept)), key=lambda i: -len(kept[i]))[:MAX_UNITS]
        kept = [kept[i] for i in sorted(longest)]
    return kept


class IndicatorVectors:
    """Each area's indicator vectors, embedded once and cached on disk by content hash."""

    def __init__(self, encoder: SentenceEncoder, cache_dir: Path = CACHE_DIR) -> None:
        self.encoder = encoder
        self.cache_dir = cache_dir
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def of(self, texts: list[str]) -> np.ndarray:
        key = hashlib.sha256("\n".join([MODEL_ID, *texts]).encode()).hexdigest()[:24]
        with self._lock:
            if key not in self._vectors:
                self._vectors[key] = self._load_or_embed(key, texts)
            return self._vectors[key]

    def _load_or_embed(self, key: str, texts: list[str]) -> np.ndarray:
        path = self.cache_dir / f"{key}.npy"
        try:
            vectors = np.load(path)
            if vectors.shape == (len(texts), self.encoder.dimensions):
                return vectors
        except (OSError, ValueError):
            pass
        vectors = self.encoder.encode(texts)
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(path)
        except OSError:  # a read-only disk only costs the embedding again next start
            pass
        return vectors


@dataclass(frozen=True)
class MeaningReading:
    """What the concern means, level by level: the nearest indicators of each clause, and the
    level their similarity-weighted vote gives (``level``), if any clause is near enough."""

    matches: list[MeaningMatch]
    level: int | None  # the vote of the nearest indicators, for the clause that votes highest
    needs_met: bool = False  # every clause only said a need is met: the area's first level


_PARTS = re.compile(r"[,;:()]|\s(?:and|with|who|which|while|whilst|when|as|since|because)\s", re.IGNORECASE)


# "Able to recognise unsafe situations" is a strength: what a child can recognise or keep away
# from is not a concern about them.
_CAPABILITY = re.compile(
    r"\bable to (?:recognise|recognize|identify|discriminate|distinguish|tell|avoid)(?: between)?\W+"
    r"(?:safe|unsafe|danger|dangerous|risky|risk)\b(?:\W+and\W+(?:safe|unsafe)\b)?",
    re.IGNORECASE)
# A part that says nothing of wellbeing may be a list item ("immunisations") but not a person or
# what a person does with the child: "happy, with older friends" is not a need met.
_PEOPLE = re.compile(
    r"\b(?:older|boy ?friends?|girl ?friends?|partners?|m[ae]n|adults?|males?|friends?|mates?|uncle|aunt|"
    r"cousin|neighbou?rs?|strangers?|someone|somebody|he|she|they|him|her|them|mum|dad|mother|father|step\w*|"
    r"parties|party|nights?|cars?|money|gifts?|phones?|online|internet|drinks?|smok\w*|vap\w*)\b",
    re.IGNORECASE)
_SHORT_PART_WORDS = 3  # "developmental checks and immunisations up to date": a list's items share its word of wellbeing


def says_needs_met(clause: str) -> bool:
    """The clause has a word of wellbeing, none of concern and no negation ("health appointments
    kept"). Each part is checked: a part with no word of wellbeing must be a short list item that
    shares its neighbour's ("immunisations and developmental checks up to date"). So "happy and
    well, her 30 year old boyfriend collects her" is not a need met: one part says nothing of
    wellbeing and is more than a list item."""
    if _NEGATION.search(clause):  # "she is not safe at home" says a need is unmet
        return False
    parts = [p for p in _PARTS.split(_CAPABILITY.sub("able to", clause)) if p.strip()]
    if not parts or any(_CONCERN.search(p) for p in parts):
        return False
    return any(_NEEDS_MET.search(p) for p in parts) and all(
        _NEEDS_MET.search(p) or (len(p.split()) <= _SHORT_PART_WORDS and not _PEOPLE.search(p)) for p in parts)


class MeaningMatcher:
    """The indicators each clause of a concern means, and the level they vote for.

    Each clause's :data:`NEIGHBOURS` nearest indicators vote for a level, weighted by their
    similarity to the power :data:`WEIGHT_POWER`; a clause votes only if its nearest indicator
    is at least :data:`MATCH_AT` similar. The concern's meaning level is the highest clause vote.
    """

    def __init__(self, encoder: SentenceEncoder | None = None, cache_dir: Path = CACHE_DIR) -> None:
        self.encoder = encoder or SentenceEncoder()
        self.vectors = IndicatorVectors(self.encoder, cache_dir)

    def warm(self, indicators: list[Indicator]) -> None:
        self.vectors.of([i.text for i in indicators])

    def read(self, indicators: list[Indicator], concern: str, negated: list[str] = ()) -> MeaningReading:  # type: ignore[assignment]
        clauses = units(concern, negated) if indicators else []
        if not clauses:
            return MeaningReading([], None)
        table = self.vectors.of([i.text for i in indicators])
        levels = np.array([i.level for i in indicators], dtype=np.float32)
        similarity = self.encoder.encode(clauses) @ table.T  # (clauses, indicators)
        k = min(NEIGHBOURS, len(indicators))
        nearest = np.argsort(-similarity, axis=1)[:, :k]
        best: dict[int, MeaningMatch] = {}
        vote: float | None = None  # the highest clause's similarity-weighted mean level
        met = [says_needs_met(clause) for clause in clauses]
        for row, clause in enumerate(clauses):
            if met[row]:
                continue
            near = nearest[row]
            scores = similarity[row, near]
            if scores[0] < MATCH_AT:
                continue
            weights = np.maximum(scores, 0) ** WEIGHT_POWER
            mean = float((levels[near] * weights).sum() / max(weights.sum(), 1e-9))
            vote = mean if vote is None else max(vote, mean)
            position = int(near[0])
            if position not in best or scores[0] > best[position].similarity:
                best[position] = MeaningMatch(indicators[position], position, round(float(scores[0]), 3), clause)
        matches = sorted(best.values(), key=lambda m: -m.similarity)
        if vote is None and all(met) and all(map(says_needs_met, units(concern, drop_negated=False))):
            # every clause, negated ones included ("we don't know the man at the gate"), says a need is met
            return MeaningReading([], min(i.level for i in indicators), needs_met=True)
        return MeaningReading(matches, None if vote is None else int(np.floor(vote + 0.5)))


@lru_cache(maxsize=1)
def shared_matcher() -> MeaningMatcher:
    """One encoder per process (90 MB of weights), shared by every engine."""
    return MeaningMatcher()
