"""Finding signals in a description: lemma phrase patterns, negation and age cues.

A phrase matches its words in order on lemmas (or exact lower-case words), allowing up
to ``MAX_GAP`` other words between consecutive words inside one sentence. A trailing
``*`` makes a word a prefix. A mention preceded in its clause by a negation cue ("no",
"not", "never", "isn't") or followed by a dismissal ("is fine", "not a concern") is kept
as evidence of what was *not* counted, but does not count.

Run ``python -m bot.triage.signals "text"`` to see what a sentence triggers.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from bot.knowledge.schema import Signal
from bot.triage.ages import ages_in, partner_ages_in
from bot.triage.text import Word, nlp, words

MAX_GAP = 2
PREFIX_KEY = 3
NEGATION_WINDOW = 5
NEGATORS = {"no", "not", "never", "without", "nor", "neither", "deny", "denies", "denied", "non", "nothing", "none"}
# "not only", "no doubt" and similar do not negate what follows.
NOT_NEGATING_NEXT = {"only", "doubt", "sooner"}
DISMISSALS = [
    ("be", "fine"), ("be", "good"), ("be", "ok"), ("be", "okay"), ("be", "great"),
    ("not", "a", "concern"), ("not", "an", "issue"), ("not", "a", "problem"),
    ("no", "concern"), ("no", "issue"), ("no", "problem"), ("be", "not", "a", "concern"),
    ("no", "long", "a", "concern"), ("have", "improve"), ("have", "stop"),
    ("have", "be", "resolve"), ("be", "resolve"), ("fine",),
]


def _is_negator(w: Word) -> bool:
    return w.lemma in NEGATORS or w.lower in NEGATORS or w.lower == "n't"


@dataclass(frozen=True, slots=True)
class _Pattern:
    signal: str
    parts: tuple[tuple[str, bool], ...]  # (lemma or prefix, is_prefix)
    phrase: str
    required: frozenset[str]  # whole words that must all occur somewhere in the text


@dataclass(frozen=True, slots=True)
class Mention:
    """One place a signal's phrase was found."""

    signal: str
    phrase: str
    text: str
    start: int
    end: int
    sentence: int
    negated: bool


@dataclass
class Analysis:
    """What a description contains, as signals with their evidence."""

    text: str
    mentions: list[Mention] = field(default_factory=list)
    ages: list[float] = field(default_factory=list)

    @cached_property
    def present(self) -> set[str]:
        return {m.signal for m in self.mentions if not m.negated}

    @cached_property
    def _sentences(self) -> dict[str, set[int]]:
        out: dict[str, set[int]] = defaultdict(set)
        for m in self.mentions:
            if not m.negated:
                out[m.signal].add(m.sentence)
        return out

    def evidence(self, signal: str) -> list[str]:
        return sorted({m.text for m in self.mentions if m.signal == signal and not m.negated})

    def negated(self) -> list[Mention]:
        return [m for m in self.mentions if m.negated]

    def sentences_of(self, signal: str, concepts: frozenset[str] = frozenset()) -> set[int]:
        """Sentences where ``signal`` counts.

        A qualifier in a sentence that mentions none of ``concepts`` ("It's been like
        this for months.") speaks of the whole description, so it counts everywhere.
        """
        own = self._sentences.get(signal, set())
        if not concepts:
            return own
        with_concepts = set().union(*(v for k, v in self._sentences.items() if k in concepts))
        return own if own & with_concepts else own | with_concepts


def _word_parts(phrase: str) -> tuple[tuple[str, bool], ...]:
    """Each word of a phrase as (lemma, False), or (raw prefix, True) for ``word*``."""
    parts: list[tuple[str, bool]] = []
    raws: list[str] = []
    for tok in nlp()(phrase.lower()):
        if tok.is_space:
            continue
        if tok.text == "*" and parts:
            parts[-1] = (raws[-1], True)  # a prefix of what was written, not of its lemma
            continue
        raw = tok.text
        raws.append(raw.rstrip("*"))
        parts.append((raw.rstrip("*"), True) if raw.endswith("*") else (tok.lemma_.lower() or raw, False))
    return tuple(parts)


class SignalMatcher:
    """Compiled phrase patterns for a signal vocabulary."""

    def __init__(self, signals: dict[str, Signal]):
        self.signals = signals
        self._by_first: dict[str, list[_Pattern]] = defaultdict(list)
        self._by_prefix: dict[str, list[_Pattern]] = defaultdict(list)  # keyed on the prefix's first 3 letters
        self._age_signals = {sid: s.below_age for sid, s in signals.items() if s.kind == "age"}
        self._partner_signals = {sid: s.partner_aged_at_least for sid, s in signals.items() if s.partner_aged_at_least}
        for sid, sig in signals.items():
            for phrase in sig.phrases:
                parts = _word_parts(phrase)
                if not parts:
                    continue
                pat = _Pattern(sid, parts, phrase, frozenset(w for w, is_prefix in parts[1:] if not is_prefix))
                first, is_prefix = parts[0]
                if is_prefix:
                    self._by_prefix[first[:PREFIX_KEY]].append(pat)
                else:
                    self._by_first[first].append(pat)
                    raw_first = phrase.lower().split()[0]
                    if raw_first != first and not raw_first.endswith("*"):
                        self._by_first[raw_first].append(pat)

    @staticmethod
    def _part_matches(part: tuple[str, bool], w: Word) -> bool:
        text, is_prefix = part
        if is_prefix:
            return w.lower.startswith(text) or w.lemma.startswith(text)
        return w.lemma == text or w.lower == text

    def _match_from(self, ws: list[Word], i: int, pat: _Pattern) -> int | None:
        """Index of the last word of a match of ``pat`` starting at ``i``, or None.

        Gaps never swallow a negation, and a negation in a phrase ("no food") must be
        followed at once by its next word, so "no concerns about food" is not "no food".
        """
        pos = i
        for k, part in enumerate(pat.parts[1:]):
            found = None
            gap = 0 if pat.parts[k][0] in NEGATORS | {"not"} else MAX_GAP
            for j in range(pos + 1, min(pos + 2 + gap, len(ws))):
                if ws[j].sentence != ws[i].sentence:
                    break
                if self._part_matches(part, ws[j]) and not (j > pos + 1 and ws[j].joined):
                    found = j  # after a gap, never the second half of "self-harm"
                    break
                if _is_negator(ws[j]):
                    break
            if found is None:
                return None
            pos = found
        return pos

    @staticmethod
    def _is_negated(ws: list[Word], start: int, end: int) -> bool:
        clause = ws[start].clause
        for k in range(start - 1, max(-1, start - 1 - NEGATION_WINDOW), -1):
            w = ws[k]
            if w.clause != clause:
                break
            if _is_negator(w):
                if w.lower == "non" and k + 1 < len(ws) and ws[k + 1].joined and start > k + 1:
                    continue  # "non-accidental injury": the prefix negates its own word only
                nxt = ws[k + 1].lemma if k + 1 < len(ws) else ""
                if nxt not in NOT_NEGATING_NEXT:
                    return True
        after = [w.lemma for w in ws[end + 1 : end + 6] if w.clause == ws[end].clause]
        for cue in DISMISSALS:
            n = len(cue)
            for k in range(max(0, len(after) - n + 1)):
                if tuple(after[k : k + n]) == cue and k <= 2:
                    return True
        return False

    def _unmasked(self, mentions: list[Mention]) -> list[Mention]:
        """Drop each mention that shares words with a mention of a signal that masks it: "is well
        groomed" reads "being groomed" across a gap, but its words are hygiene's."""
        masking = [m for m in mentions if self.signals[m.signal].masks]
        if not masking:
            return mentions
        return [
            m for m in mentions
            if not any(m.signal in self.signals[o.signal].masks and o.start < m.end and m.start < o.end
                       for o in masking)
        ]

    def analyse(self, text: str) -> Analysis:
        ws = words(text)
        vocabulary = {w.lemma for w in ws} | {w.lower for w in ws}
        mentions: list[Mention] = []
        seen: set[tuple[str, int]] = set()
        for i, w in enumerate(ws):
            candidates = self._by_first.get(w.lemma, []) + (
                self._by_first.get(w.lower, []) if w.lower != w.lemma else []
            )
            for key in {w.lower[:PREFIX_KEY], w.lemma[:PREFIX_KEY]}:
                candidates += [p for p in self._by_prefix.get(key, ()) if self._part_matches(p.parts[0], w)]
            for pat in candidates:
                if (pat.signal, i) in seen or not pat.required <= vocabulary:
                    continue
                end = self._match_from(ws, i, pat)
                if end is None:
                    continue
                seen.add((pat.signal, i))
                mentions.append(
                    Mention(
                        signal=pat.signal,
                        phrase=pat.phrase,
                        text=text[w.start : ws[end].end],
                        start=w.start,
                        end=ws[end].end,
                        sentence=w.sentence,
                        negated=self._is_negated(ws, i, end),
                    )
                )
        mentions = self._unmasked(mentions)
        ages = ages_in(text)
        if ages:
            youngest = min(ages)
            for sid, below in self._age_signals.items():
                if below is not None and youngest < below:
                    mentions.append(Mention(sid, "age", f"age {youngest:g}", 0, 0, -1, False))
        partners = partner_ages_in(text)
        for sid, at_least in self._partner_signals.items():
            adult = max((age for age in partners if age >= at_least), default=None)
            if adult is not None and sid not in {m.signal for m in mentions if not m.negated}:
                mentions.append(Mention(sid, "partner's age", f"partner aged {adult}", 0, 0, -1, False))
        return Analysis(text=text, mentions=mentions, ages=ages)


def main(argv: list[str]) -> int:
    from bot.config import get_settings
    from bot.knowledge.packs import load_shared

    vocabulary, _, _ = load_shared(get_settings().knowledge_dir)
    matcher = SignalMatcher(vocabulary.signals)
    for text in argv or [sys.stdin.read()]:
        analysis = matcher.analyse(text)
        print(f"> {text}")
        print(f"  ages: {analysis.ages}")
        for m in analysis.mentions:
            flag = "NOT COUNTED (negated)" if m.negated else ""
            print(f"  {m.signal:32} '{m.text}'  [{m.phrase}] {flag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
