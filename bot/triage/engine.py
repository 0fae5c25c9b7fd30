"""The level-of-need engine: from a practitioner's words to level, reasons and actions.

Signals found in the description (``bot.triage.signals``) are matched against each
indicator's triggers in the area's pack, and against the national significant-harm layer
(``knowledge/shared/significant_harm.yml``), which is the same in every area. The level is
the highest matched indicator's, raised by the area's accumulation rule, to the area's
child-protection level by a likely significant harm or any red flag, and by answers to
the questions that help. A possible significant harm puts the area's significant-harm
question first. Nothing lowers what the indicators say, so it cannot under-triage silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from bot.knowledge.hours import read_local
from bot.knowledge.query import AreaKnowledge, Citation, ContactNow, KnowledgeBase
from bot.knowledge.schema import (
    HarmCategory,
    Indicator,
    Question,
    SharedVocabulary,
    SignificantHarmLayer,
    Tier,
)
from bot.safety import danger_line, emergency_advice
from bot.triage.meaning.matcher import MeaningMatcher, MeaningReading, shared_matcher
from bot.triage.result import (
    AccumulationNote,
    Action,
    AreaRef,
    Assessment,
    ConsentPoint,
    ContactResult,
    EscalationPoint,
    ImmediateRisk,
    LevelResult,
    MatchedIndicator,
    NotCounted,
    QuestionResult,
    RiskReason,
    SourceRef,
)
from bot.triage.signals import Analysis, SignalMatcher

MAX_CONCERN_CHARS = 4000
MAX_QUESTIONS = 4
JUDGEMENT = (
    "This supports your professional judgement; it does not replace it. "
    "If in doubt, talk to your safeguarding lead or the front door."
)
OPENING_QUESTION = (
    "What have you seen or been told that worries you, and how old is the child?"
)
STATUTORY = {Tier.child_in_need, Tier.child_protection}
SIGNIFICANT_HARM_BASIS = "national guidance: possible significant harm"
SERIOUS_HARM_BASIS = "national guidance: harm to the child in its own right"
MEANING_BASIS = "matched by meaning: no phrase in the pack matched"
NEEDS_MET_BASIS = "matched by meaning: the description only says needs are met"
# Threshold documents tell their levels apart by how serious a need is: a need the description
# calls serious, severe, significant or acute (the shared ``severe`` qualifier, not negated) is at
# least the level just below child protection.
SEVERITY_SIGNAL = "severe"
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


class InvalidAnswers(ValueError):
    """Answers that name a question the area does not ask, or are not yes/no."""


@dataclass(frozen=True)
class _Match:
    indicator: Indicator
    alt: frozenset[str]
    words: list[str]


@dataclass(frozen=True)
class _Harm:
    """A national significant-harm category found in the description."""

    category: HarmCategory
    likely: bool  # False: possible only, the significant-harm question decides
    signals: frozenset[str]
    words: list[str]
    serious: bool = False  # possible, but never below the level just below child protection


@dataclass(frozen=True)
class _Trigger:
    """One trigger alternative, compiled: its signals and which of them are qualifiers."""

    position: int  # index of the indicator in the area's list
    signals: frozenset[str]
    qualifiers: tuple[str, ...]
    concepts: tuple[str, ...]


def _compile(triggers_of: list[list[list[str]]], vocab: SharedVocabulary) -> list[_Trigger]:
    out = []
    for position, triggers in enumerate(triggers_of):
        for alt in triggers:
            out.append(_Trigger(
                position, frozenset(alt),
                tuple(s for s in alt if vocab.signals[s].kind == "qualifier"),
                tuple(s for s in alt if vocab.signals[s].kind == "concept"),
            ))
    return out


def _source(c: Citation, today) -> SourceRef:
    return SourceRef(
        document=c.document, title=c.title, date_label=c.date_label, year=c.year,
        age_years=c.age_years(today), section=c.section, past_review=c.past_review(today),
    )


def _yes_no(key: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise InvalidAnswers(f"answer to '{key}' should be yes or no, not '{value}'")


class TriageEngine:
    """Assess concerns against the loaded knowledge. Thread-safe and cheap to call."""

    def __init__(self, kb: KnowledgeBase, meaning: MeaningMatcher | None = None):
        """``meaning`` defaults to the process's shared sentence encoder; it raises
        :class:`bot.triage.meaning.encoder.EncoderUnavailable` if the model cannot be loaded, so a
        server never runs on phrases alone in silence."""
        self.kb = kb
        self.meaning = meaning or shared_matcher()
        self._state: tuple | None = None
        self._matcher: SignalMatcher | None = None
        self._vocab: SharedVocabulary | None = None
        self._concepts: tuple[SharedVocabulary, frozenset[str]] | None = None
        self._compiled: dict[tuple[str, str], list[_Trigger]] = {}
        self._flags: list = []
        self._harm_rules: list[tuple[HarmCategory, list[_Trigger], list[_Trigger], list[_Trigger]]] = []

    def _prepare(self) -> tuple[SignalMatcher, SharedVocabulary]:
        snap = self.kb.snapshot()
        if self._matcher is None or self._state != snap.state:
            self._matcher, self._vocab, self._state = SignalMatcher(snap.vocabulary.signals), snap.vocabulary, snap.state
            self._compiled = {}
            self._flags = [(f, _compile([f.triggers], snap.vocabulary)) for f in snap.vocabulary.red_flags]
            self._harm_rules = [
                (c, _compile([c.triggers], snap.vocabulary), _compile([c.possible], snap.vocabulary),
                 _compile([c.serious], snap.vocabulary))
                for c in snap.vocabulary.significant_harm.categories
            ]
        return self._matcher, self._vocab  # type: ignore[return-value]

    def _triggers(self, ak: AreaKnowledge, vocab: SharedVocabulary) -> list[_Trigger]:
        key = (ak.id, ak.content_hash)
        if key not in self._compiled:
            self._compiled[key] = _compile([i.triggers for i in ak.indicators], vocab)
        return self._compiled[key]

    def screen(self, concern: str) -> list[RiskReason]:
        """Only the immediate-danger check: needs no area, so it can run before anything else."""
        matcher, vocab = self._prepare()
        return self._red_flags(matcher.analyse(concern), vocab)

    def analyse(self, concern: str) -> Analysis:
        matcher, _ = self._prepare()
        return matcher.analyse(concern)

    # --- matching --------------------------------------------------------------------
    def _holds(self, trig: _Trigger, present: set[str], analysis: Analysis, vocab: SharedVocabulary) -> bool:
        """All of the trigger's signals are present; each qualifier speaks of one of its concepts."""
        if not trig.signals <= present:
            return False
        if not trig.qualifiers or not trig.concepts:
            return True
        concept_sentences = set().union(*(analysis.sentences_of(c) for c in trig.concepts))
        all_concepts = self._concept_ids(vocab)
        return all(analysis.sentences_of(q, all_concepts) & concept_sentences for q in trig.qualifiers)

    def _concept_ids(self, vocab: SharedVocabulary) -> frozenset[str]:
        if self._concepts is None or self._concepts[0] is not vocab:
            self._concepts = (vocab, frozenset(k for k, v in vocab.signals.items() if v.kind == "concept"))
        return self._concepts[1]

    def _matches(self, ak: AreaKnowledge, analysis: Analysis, vocab: SharedVocabulary) -> list[_Match]:
        present = analysis.present
        best: dict[int, _Trigger] = {}
        for trig in self._triggers(ak, vocab):
            longer = trig.position not in best or len(trig.signals) > len(best[trig.position].signals)
            if trig.signals <= present and longer and self._holds(trig, present, analysis, vocab):
                best[trig.position] = trig
        found = [
            _Match(ak.indicators[pos], trig.signals, sorted({w for s in trig.signals for w in analysis.evidence(s)}))
            for pos, trig in sorted(best.items())
        ]
        # A more specific match (a superset of signals) at the same or a higher level
        # stands for the general one: "persistent truanting" over "truanting".
        return [
            m for m in found
            if not any(o is not m and m.alt < o.alt and o.indicator.level >= m.indicator.level for o in found)
        ]

    def _red_flags(self, analysis: Analysis, vocab: SharedVocabulary) -> list[RiskReason]:
        present = analysis.present
        reasons = []
        for flag, triggers in self._flags:
            for trig in triggers:
                if self._holds(trig, present, analysis, vocab):
                    words = sorted({w for s in trig.signals for w in analysis.evidence(s)})
                    reasons.append(RiskReason(key=flag.key, reason=flag.reason, matched_words=words))
                    break
        return reasons

    def _significant_harm(self, analysis: Analysis, vocab: SharedVocabulary) -> list[_Harm]:
        """National significant-harm categories present: likely, or possible only.

        A one-signal trigger is only possible when a ``doubt`` qualifier is present too
        ("a single smack, no mark"); a trigger of two signals is never doubted.
        """
        present = analysis.present
        found: list[_Harm] = []
        for category, likely, possible, serious in self._harm_rules:
            doubted = bool(present & set(category.doubt))
            hits = [t for t in likely if self._holds(t, present, analysis, vocab)]
            sure = [t for t in hits if len(t.signals) > 1 or not doubted]
            grave = [t for t in serious if self._holds(t, present, analysis, vocab)]
            maybe = grave + [t for t in possible if self._holds(t, present, analysis, vocab)] + [t for t in hits if t not in sure]
            chosen = max(sure or maybe, key=lambda t: len(t.signals), default=None)
            if chosen is not None:
                words = sorted({w for s in chosen.signals for w in analysis.evidence(s)})
                found.append(_Harm(category, bool(sure), chosen.signals, words, serious=bool(grave) and not sure))
        return found

    # --- the assessment --------------------------------------------------------------
    def assess(
        self,
        area: str,
        concern: str,
        answers: dict[str, object] | None = None,
        at: datetime | None = None,
    ) -> Assessment:
        ak = self.kb.area(area)
        matcher, vocab = self._prepare()
        # Now is an instant (UTC), not the server's wall clock, which may not be London's.
        reading = read_local(at or datetime.now(timezone.utc), self.kb.timezone)
        moment = reading.moment
        today = moment.date()
        answers = self._checked_answers(ak, answers or {})
        analysis = matcher.analyse(concern)

        matches = self._matches(ak, analysis, vocab)
        risks = self._red_flags(analysis, vocab)
        harms = self._significant_harm(analysis, vocab)
        level_no, basis, accumulation, pulled_up = self._level(ak, matches, answers, risks, harms, today)
        # What the phrases miss, meaning fills: a concern no phrase of the pack matched gets the
        # level its clauses' nearest indicators vote for. It never lowers a level.
        meant = MeaningReading([], None)
        if level_no is None:
            meant = self.meaning.read(ak.indicators, concern, [m.text for m in analysis.negated()])
            if meant.level is not None:
                level_no = ak.level(meant.level).number
                basis = NEEDS_MET_BASIS if meant.needs_met else MEANING_BASIS
        severe = next(iter(analysis.evidence(SEVERITY_SIGNAL)), None)
        if severe and not risks:
            below_cp = ak.level_for_tier(Tier.child_protection).number - 1
            if level_no is None or level_no < below_cp:
                level_no = ak.level(below_cp).number
                basis = f"severity: the description says '{severe}'"
                pulled_up = [*pulled_up, f"'{severe}': the level just below child protection at least"]

        level = None
        if level_no is not None:
            lv = ak.level(level_no)
            confidence = self._confidence(matches, level_no, basis, bool(risks))
            level = LevelResult(
                number=lv.number, name=lv.name, meaning=lv.meaning, typical_response=lv.typical_response,
                tiers=[t.value for t in lv.tiers], confidence=confidence,
                confidence_label="high" if confidence >= 0.8 else "medium" if confidence >= 0.6 else "low",
                basis=basis, source=_source(ak.cite(lv.source), today),
            )
        contacts = self._contacts(ak, level_no, bool(risks), moment, today)
        advice = emergency_advice(self.kb, ak.id, moment) if risks else None
        immediate = ImmediateRisk(flagged=bool(risks), reasons=risks, advice=advice.text if advice else None,
                                  advice_lines=advice.lines() if advice else [])
        layer = vocab.significant_harm
        indicators = [
            *self._harm_indicators(ak, harms, layer, today),
            *(
                MatchedIndicator(
                    key=m.indicator.key, text=m.indicator.text, level=m.indicator.level,
                    origin=m.indicator.origin, basis=m.indicator.basis, domain=m.indicator.domain,
                    subdomain=m.indicator.subdomain, score=round(min(1.0, 0.5 + 0.25 * (len(m.alt) - 1)), 2),
                    matched_words=m.words, signals=sorted(m.alt), source=_source(ak.cite(m.indicator.source), today),
                )
                for m in sorted(matches, key=lambda m: (-m.indicator.level, -len(m.alt)))
            ),
            *(
                MatchedIndicator(
                    key=m.indicator.key, text=m.indicator.text, level=m.indicator.level,
                    origin=m.indicator.origin, basis=m.indicator.basis, domain=m.indicator.domain,
                    subdomain=m.indicator.subdomain, score=m.similarity, matched_words=[m.clause], signals=[],
                    source=_source(ak.cite(m.indicator.source), today), matched_by="meaning", similarity=m.similarity,
                )
                for m in meant.matches
            ),
        ]
        tiers = ak.level(level_no).tiers if level_no is not None else []
        consent = [ConsentPoint(kind=c.kind, text=c.text, source=_source(ak.cite(c.source), today)) for c in ak.consent_for(tiers)] if level_no else []
        escalation = [EscalationPoint(text=e.text, source=_source(ak.cite(e.source), today)) for e in ak.escalation]
        actions = self._actions(ak, level_no, today)
        questions = self._questions(ak, level_no, matches, analysis, answers, vocab, today)
        harm_question = self._harm_question(ak, level_no, harms, answers, today, by_meaning=basis == MEANING_BASIS)
        if harm_question:
            questions = [harm_question, *(q for q in questions if q.key != harm_question.key)][:MAX_QUESTIONS]
        recognised = bool(matches or risks or harms or (level_no is not None))
        harm_note = self._harm_note(ak, level_no, harms, answered=self._harm_answered(ak, answers))
        sources = self._sources([level.source] if level else [], indicators, actions, contacts, consent, escalation)
        return Assessment(
            area=AreaRef(id=ak.id, name=ak.area.name),
            at=moment.isoformat(timespec="minutes"),
            at_note=reading.note,
            recognised=recognised,
            message=self._message(ak, level, risks, recognised, harm_note),
            level=level,
            immediate_risk=immediate,
            indicators=indicators,
            pulled_up_by=pulled_up,
            significant_harm=harm_note,
            accumulation=accumulation,
            not_counted=[NotCounted(signal=m.signal, text=m.text) for m in analysis.negated()],
            questions=questions,
            actions=actions,
            contacts=contacts,
            consent=consent,
            escalation=escalation,
            judgement=JUDGEMENT,
            sources=sources,
        )

    @staticmethod
    def _checked_answers(ak: AreaKnowledge, answers: dict[str, object]) -> dict[str, bool]:
        known = {q.key for q in ak.questions}
        unknown = sorted(set(answers) - known)
        if unknown:
            raise InvalidAnswers(
                f"{ak.area.name} has no question {', '.join(repr(u) for u in unknown)}; "
                f"its questions are: {', '.join(sorted(known)) or 'none'}"
            )
        return {k: _yes_no(k, v) for k, v in answers.items() if v is not None and str(v).strip() != ""}

    @staticmethod
    def _harm_indicators(ak: AreaKnowledge, harms: list[_Harm], layer: SignificantHarmLayer, today) -> list[MatchedIndicator]:
        """Each likely significant harm, as a reason at the area's child-protection level."""
        level = ak.level_for_tier(Tier.child_protection).number
        return [
            MatchedIndicator(
                key=f"national-{h.category.key}", text=h.category.text, level=level, origin="national",
                basis=h.category.basis, domain="Significant harm (national guidance)", subdomain=h.category.category,
                score=round(min(1.0, 0.75 + 0.25 * (len(h.signals) - 1)), 2), matched_words=h.words,
                signals=sorted(h.signals),
                source=SourceRef(
                    document="national-guidance", title=layer.guidance, date_label=layer.published, year=layer.year,
                    age_years=max(0, today.year - layer.year), section=h.category.basis,
                ),
            )
            for h in harms if h.likely
        ]

    @staticmethod
    def _harm_note(ak: AreaKnowledge, level_no: int | None, harms: list[_Harm], answered: bool) -> str | None:
        """Say plainly when, and how, national guidance on significant harm shaped the answer.

        A possible harm whose significant-harm question is already answered needs no note:
        the answer has decided.
        """
        if not harms:
            return None
        cp = ak.level_for_tier(Tier.child_protection)
        likely = [h.category.category.lower() for h in harms if h.likely]
        possible = [h.category.category.lower() for h in harms if not h.likely]
        where = (
            f"{ak.area.name}'s document has no indicator table; its level {cp.number} is '{cp.name}'."
            if not ak.area.indicator_table else f"{ak.area.name}'s level {cp.number} is '{cp.name}'."
        )
        if likely:
            return (f"National guidance treats this as possible significant harm ({', '.join(likely)}), "
                    f"so this is a child protection concern. {where}")
        if answered or (level_no is not None and level_no >= cp.number):
            return None
        return (f"This may be significant harm ({', '.join(possible)}): answer the significant-harm question "
                f"first. If yes, this is a child protection concern. {where}")

    def _general_questions(self, ak: AreaKnowledge) -> list[Question]:
        """The questions asked by level: the significant-harm question is left to the harm
        path when another question already reaches the same level (it would ask twice)."""
        sh = self._significant_harm_question(ak)
        if sh is None:
            return ak.questions
        top = ak.level_for_tier(Tier.child_protection).number

        def reaches(q: Question) -> int:
            return max((ak.level_for_tier(t).number for t in (q.yes_means_at_least, q.no_means_at_least) if t), default=0)

        redundant = any(q is not sh and reaches(q) >= top for q in ak.questions)
        return [q for q in ak.questions if not (redundant and q is sh)]

    def _harm_answered(self, ak: AreaKnowledge, answers: dict[str, bool]) -> bool:
        question = self._significant_harm_question(ak)
        return question is not None and question.key in answers

    @staticmethod
    def _significant_harm_question(ak: AreaKnowledge) -> Question | None:
        return next((q for q in ak.questions if q.yes_means_at_least == Tier.child_protection), None)

    def _harm_question(self, ak: AreaKnowledge, level_no, harms: list[_Harm], answers, today,
                       by_meaning: bool = False) -> QuestionResult | None:
        """The area's significant-harm question, asked first when harm is possible but not plain,
        or when the level was only read by meaning: a level no phrase confirmed is never the last word
        below child protection."""
        question = self._significant_harm_question(ak)
        cp = ak.level_for_tier(Tier.child_protection)
        possible = [h for h in harms if not h.likely]
        if question is None or not (possible or by_meaning) or question.key in answers or (level_no or 0) >= cp.number:
            return None
        if possible:
            what = ", ".join(h.category.category.lower() for h in possible)
            why = f"National guidance treats {what} as possible significant harm."
        else:
            why = "This level was read from the meaning of your words, not from the guidance's own phrases."
        return QuestionResult(
            key=question.key, text=question.text, why=f"{why} If yes, this is level {cp.number} ({cp.name}).",
            source=_source(ak.cite(question.source), today),
        )

    def _level(self, ak: AreaKnowledge, matches: list[_Match], answers: dict[str, bool], risks, harms: list[_Harm], today):
        accumulation = None
        pulled_up: list[str] = []
        level_no: int | None = None
        basis = "nothing recognised"
        if matches:
            level_no = max(m.indicator.level for m in matches)
            basis = "indicators"
            if len({m.indicator.level for m in matches}) > 1:
                pulled_up = [m.indicator.text for m in matches if m.indicator.level == level_no]
            for rule in ak.area.accumulation:
                at_level = [m for m in matches if m.indicator.level == rule.of_level]
                domains = {(m.indicator.domain, m.indicator.subdomain) for m in at_level}
                if level_no == rule.of_level and len(at_level) >= rule.min_indicators and len(domains) >= rule.min_domains:
                    accumulation = AccumulationNote(
                        text=rule.text, indicators=[m.indicator.text for m in at_level],
                        raised_from=level_no, raised_to=rule.raises_to, source=_source(ak.cite(rule.source), today),
                    )
                    level_no, basis = rule.raises_to, "accumulation of needs"
        if any(h.likely for h in harms):
            cp = ak.level_for_tier(Tier.child_protection).number
            if level_no is None or cp > level_no:
                level_no, basis = cp, SIGNIFICANT_HARM_BASIS
        serious = [h.category.category.lower() for h in harms if h.serious]
        if serious:
            below_cp = ak.level_for_tier(Tier.child_protection).number - 1
            if level_no is None or below_cp > level_no:
                level_no, basis = ak.level(below_cp).number, SERIOUS_HARM_BASIS
                pulled_up = [*pulled_up, f"{serious[0]}: the level just below child protection at least"]
        for q in ak.questions:
            if q.key not in answers:
                continue
            tier = q.yes_means_at_least if answers[q.key] else q.no_means_at_least
            if tier is None:
                continue
            floor = ak.level_for_tier(tier).number
            if level_no is None or floor > level_no:
                level_no, basis = floor, f"your answer to: {q.text}"
        if risks:
            top = ak.level_for_tier(Tier.child_protection).number
            if level_no is None or top > level_no:
                level_no = top
            basis = "immediate risk"
        return level_no, basis, accumulation, pulled_up

    @staticmethod
    def _confidence(matches: list[_Match], level_no: int, basis: str, risk: bool) -> float:
        if risk:
            return 0.95
        if basis == "accumulation of needs":
            return 0.6
        if basis == SIGNIFICANT_HARM_BASIS:
            return 0.8
        if basis.startswith("your answer"):
            return 0.7
        if basis in (MEANING_BASIS, NEEDS_MET_BASIS) or basis.startswith("severity"):
            return 0.5
        top = [m for m in matches if m.indicator.level == level_no]
        if not top:
            return 0.5
        strength = max(len(m.alt) for m in top)
        return round(min(0.95, 0.55 + 0.1 * (len(top) - 1) + 0.1 * (strength - 1)), 2)

    def _questions(self, ak, level_no, matches, analysis: Analysis, answers, vocab, today) -> list[QuestionResult]:
        out: list[QuestionResult] = []
        current = level_no or 0
        if level_no is None:
            out.append(QuestionResult(key="describe", text=OPENING_QUESTION, why="No indicator of need was recognised in the description yet."))
        for q in self._general_questions(ak):
            if q.key in answers:
                continue
            effects = [t for t in (q.yes_means_at_least, q.no_means_at_least) if t is not None]
            if not effects:
                continue
            could_reach = max(ak.level_for_tier(t).number for t in effects)
            if could_reach > current:
                out.append(QuestionResult(
                    key=q.key, text=q.text,
                    why=f"The answer could make this level {could_reach} ({ak.level(could_reach).name}).",
                    source=_source(ak.cite(q.source), today),
                ))
        # Signals that would complete a higher-level indicator (an age, "persistent"...).
        asked: set[str] = set()
        present = analysis.present
        for trig in self._triggers(ak, vocab):
            ind = ak.indicators[trig.position]
            if ind.level <= current or len(trig.signals) < 2:
                continue
            missing = list(trig.signals - present)
            if len(missing) == 1 and missing[0] not in asked:
                sig = vocab.signals[missing[0]]
                text = sig.ask or ("How old is the child?" if sig.kind == "age" else None)
                if not text:
                    continue
                asked.add(missing[0])
                out.append(QuestionResult(
                    key=f"signal:{missing[0]}", text=text,
                    why=f"If so, this may match a level {ind.level} indicator: {ind.text}",
                    source=_source(ak.cite(ind.source), today),
                ))
        return out[:MAX_QUESTIONS]

    def _actions(self, ak: AreaKnowledge, level_no: int | None, today) -> list[Action]:
        if level_no is None:
            return []
        # Stepping down is for a case already open to social care, not a new concern.
        steps = [s for s in ak.steps_for(level_no) if s.stage != "step_down"]
        if set(ak.level(level_no).tiers) & STATUTORY:
            first = {"referral": 0, "safeguarding_lead": 1}
            steps = sorted(steps, key=lambda s: first.get(s.stage, 2))
        return [Action(stage=s.stage, title=s.title, text=s.text, source=_source(ak.cite(s.source), today)) for s in steps]

    def _contacts(self, ak: AreaKnowledge, level_no, risk: bool, moment: datetime, today) -> list[ContactResult]:
        statuses = ak.contacts_at(moment, self.kb.timezone)
        tiers = set(ak.level(level_no).tiers) if level_no else set()
        urgent_need = risk or bool(tiers & STATUTORY)
        order = {True: 0, None: 1, False: 2}

        def wanted(cs: ContactNow) -> bool:
            c = cs.contact
            if c.role == "emergency":
                return True
            if urgent_need:
                return c.urgent
            if level_no is None:
                return c.role in ("front_door", "out_of_hours") or c.urgent
            return c.role in ("early_help", "advice") or c.urgent

        chosen = sorted(
            (cs for cs in statuses if wanted(cs)),
            key=lambda cs: (0 if (cs.contact.role == "emergency" and risk) else 1,
                            0 if cs.contact.urgent == urgent_need else 1,
                            order[cs.available_now], cs.contact.role == "emergency"),
        )
        has_emergency = any(cs.contact.role == "emergency" for cs in chosen)
        results: list[ContactResult] = []
        use_now_given = False
        for cs in chosen:
            c = cs.contact
            use_now = False
            if c.role == "emergency":
                use_now = risk
            elif not use_now_given and cs.available_now is not False and (c.urgent == urgent_need):
                use_now = cs.available_now is True
                use_now_given = use_now
            results.append(ContactResult(
                key=c.key, name=c.name, role=c.role, urgent=c.urgent, phone=c.phone, phone_note=c.phone_note,
                email=c.email, web=c.web, hours=c.hours.text, available_now=cs.available_now, use_now=use_now,
                source=_source(cs.citation, today),
            ))
        if not has_emergency:
            nat = self.kb.national()
            emergency = ContactResult(
                key="emergency-999", name="Emergency services (police)", role="emergency", urgent=True,
                phone=nat.emergency_number, phone_note=None, email=None, web=None, hours="Any time",
                available_now=True, use_now=risk, source=None,
            )
            results = [emergency, *results] if risk else [*results, emergency]
        return results

    def _message(self, ak: AreaKnowledge, level: LevelResult | None, risks, recognised: bool, harm_note: str | None) -> str:
        if risks:
            danger = f"Immediate risk. {danger_line(self.kb.national().emergency_number)}"
            return f"{danger} {ak.area.name} level {level.number} ({level.name})." if level else danger
        if level is None and harm_note:
            return harm_note
        if not recognised or level is None:
            return (f"I did not recognise an indicator of need in {ak.area.name}'s guidance in that description, "
                    "so I will not guess a level. Tell me more about what you have seen or been told.")
        return f"{ak.area.name}: level {level.number}, {level.name}."

    @staticmethod
    def _sources(*groups) -> list[SourceRef]:
        seen: dict[tuple[str, str], SourceRef] = {}
        for group in groups:
            for item in group:
                src = item if isinstance(item, SourceRef) else getattr(item, "source", None)
                if src is not None:
                    seen.setdefault((src.document, src.section), src)
        return list(seen.values())
