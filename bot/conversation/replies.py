"""What the assistant says, as plain data every channel can render.

Actions (Rasa), the web chat, Teams and Slack all turn a :class:`Reply` into their own
format. Every fact in a reply comes from the engine or the query layer, with its source
and how old the source is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from bot.conversation.rasa_domain import YES_NO
from bot.knowledge.normalise import term_from_question
from bot.knowledge.query import GENERAL_MEANING_NOTE, AreaKnowledge, Citation, ContactNow, KnowledgeBase
from bot.knowledge.schema import GlossaryTerm
from bot.safety import EmergencyAdvice, cited, danger_line, emergency_advice, source_age, uncovered_area_advice
from bot.triage.engine import TriageEngine
from bot.triage.result import Assessment, ContactResult, MatchedIndicator, SourceRef

MAX_REASONS = 4
MAX_STEPS = 4
PRIVACY = "Please do not type names, addresses or dates of birth."
PRIVACY_NOTED = ("A note on privacy: names, addresses and other personal details are not needed to answer, "
                 "and I remove what I can recognise before anything is stored.")


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """``emergency_lines``: the safety path's advice (bot/safety.py), 999 first, for channels
    that lay an emergency out on its own; the same lines open ``text``."""

    text: str
    buttons: list[Button] = field(default_factory=list)
    sources: list[SourceRef] = field(default_factory=list)
    emergency: bool = False
    emergency_lines: list[str] = field(default_factory=list)


def with_emergency_first(advice: EmergencyAdvice, reply: Reply) -> Reply:
    """``reply`` with the safety path's emergency advice above it."""
    first = emergency_reply(advice)
    return Reply(f"{first.text}\n\n{reply.text}", reply.buttons, reply.sources, True, first.emergency_lines)


def with_standing_emergency(kb: KnowledgeBase, engine: TriageEngine, concern: str | None, area: str | None,
                            reply: Reply) -> Reply:
    """A concern flagged as immediate danger keeps 999 and the urgent number at the top of every
    later answer, until a new concern replaces it."""
    if reply.emergency or not concern or not engine.screen(str(concern)):
        return reply
    return with_emergency_first(emergency_advice(kb, area), reply)


def emergency_reply(advice: EmergencyAdvice) -> Reply:
    """The safety path's advice as a reply of its own."""
    return Reply("EMERGENCY: " + "\n".join(advice.lines()), emergency=True, emergency_lines=advice.lines())


FOLLOW_UPS = [
    Button("Who do I call?", "/ask_contacts"),
    Button("What happens next?", "/ask_pathway"),
    Button("Do I need consent?", "/ask_consent"),
    Button("I disagree with a decision", "/ask_escalation"),
]


def _age(src: SourceRef) -> str:
    return source_age(src.date_label, src.year, src.age_years, src.past_review)


def _cite(src: SourceRef) -> str:
    return cited(src.title, src.section, _age(src))


def _citation_ref(c: Citation, today) -> SourceRef:
    return SourceRef(document=c.document, title=c.title, date_label=c.date_label, year=c.year,
                     age_years=c.age_years(today), section=c.section, past_review=c.past_review(today))


def _contact_line(c: ContactResult) -> str:
    number = c.phone or f"no number given ({c.phone_note})"
    if c.available_now is True:
        when = "open now"
    elif c.available_now is False:
        when = "closed now"
    else:
        when = "hours not stated in the source"
    return f"- {c.name}: {number} ({when}; {c.hours})"


def _reason_line(ind: MatchedIndicator) -> str:
    """One reason, saying where its level comes from when it is not the document's own line."""
    said = f" (you said: {', '.join(ind.matched_words[:3])})" if ind.matched_words else ""
    if ind.matched_by == "meaning":
        said = f" (matched by meaning, similarity {ind.similarity:.2f}, to: {ind.matched_words[0]})"
    if ind.origin == "national":
        return f"- Level {ind.level}, national guidance: {ind.text}{said} [{ind.source.title}; {ind.basis}]"
    where = f"derived: {ind.basis}; " if ind.origin == "derived" else ""
    return f"- Level {ind.level}: {ind.text}{said} [{where}{ind.source.section}]"


def emergency_text(result: Assessment) -> str:
    return "EMERGENCY: " + "\n".join(result.immediate_risk.advice_lines)


def screening_reply(kb: KnowledgeBase, engine: TriageEngine, concern: str, area: str | None) -> Reply | None:
    """999 and the area's urgent contact, before any question, when the words show danger now.

    Without an area yet, 999 and the front door in general: the area is asked next.
    """
    if not engine.screen(concern):
        return None
    return emergency_reply(emergency_advice(kb, area))


def assessment_reply(result: Assessment) -> Reply:
    """The answer to a concern: emergency first, then level, why, next steps, contacts, sources."""
    lines: list[str] = []
    flagged = result.immediate_risk.flagged
    advice_lines = result.immediate_risk.advice_lines if flagged else []
    if flagged:
        lines.append(emergency_text(result))
        lines += [f"- {r.reason}" for r in result.immediate_risk.reasons]
        lines.append("")
    if result.level is None:
        lines.append(result.message)
        lines += [f"- {q.text}" for q in result.questions]
        return Reply("\n".join(lines), emergency=flagged, emergency_lines=advice_lines)
    lv = result.level
    lines.append(f"{result.area.name}: level {lv.number}, {lv.name} (confidence {lv.confidence_label}).")
    if result.significant_harm:
        lines.append(result.significant_harm)
    lines.append(lv.typical_response)
    if result.indicators:
        lines.append("")
        lines.append("Why:")
        for ind in result.indicators[:MAX_REASONS]:
            lines.append(_reason_line(ind))
    if result.accumulation:
        lines.append(f"- Together these needs add up: {result.accumulation.text} [{result.accumulation.source.section}]")
    if result.actions:
        lines.append("")
        lines.append("Next steps:")
        lines += [f"- {a.title}: {a.text}" for a in result.actions[:MAX_STEPS]]
    contacts = [c for c in result.contacts if c.role != "emergency" or result.immediate_risk.flagged]
    if contacts:
        lines.append("")
        lines.append("Who to contact now:")
        lines += [_contact_line(c) for c in contacts[:4]]
    lines.append("")
    number = next((c.phone for c in result.contacts if c.role == "emergency" and c.phone), None)
    lines.append(f"{danger_line(number) if number else danger_line()} {result.judgement}")
    lines.append("")
    lines.append("Sources: " + "; ".join(sorted({f"{s.title} ({_age(s)})" for s in result.sources})))
    return Reply("\n".join(lines), buttons=FOLLOW_UPS, sources=result.sources, emergency=flagged,
                 emergency_lines=advice_lines)


def _contact_status_line(cs: ContactNow, why: str | None = None) -> str:
    c = cs.contact
    number = c.phone or f"no number given ({c.phone_note})"
    extra = f", {c.web}" if c.web else ""
    if why:
        return f"- {c.name}: {number}{extra}. {why}"
    when = {True: "open now", False: "closed now", None: "hours not stated in the source"}[cs.available_now]
    return f"- {c.name}: {number}{extra} ({when}; {c.hours.text})"


FEEDBACK_QUESTION = "Was this helpful and right?"


def feedback_question(kb: KnowledgeBase, area: str) -> Reply:
    """Asked after each assessment: yes, or the level the practitioner would give instead."""
    ak = kb.area(area)
    buttons = [Button("Yes", '/feedback{"feedback_level":"agree"}')] + [
        Button(f"No, I'd say level {lv.number}", f'/feedback{{"feedback_level":"{lv.number}"}}') for lv in ak.levels]
    return Reply(f"{FEEDBACK_QUESTION} (Or tell me why in a few words, without names.)", buttons=buttons)


def contacts_reply(kb: KnowledgeBase, area: str, moment: datetime | None = None, everything: bool = False) -> Reply:
    """Who to call now: the urgent contact for this hour and why, the early-help contact, and
    999 (the safety path decides which); the full list, district teams and all, when asked."""
    ak = kb.area(area)
    now = moment or datetime.now(timezone.utc)
    statuses = kb.contacts_at(area, now)
    today = kb.today()
    if everything:
        lines = [f"All contacts in {ak.area.name}'s guidance:", *(_contact_status_line(cs) for cs in statuses)]
        shown = statuses
    else:
        advice = emergency_advice(kb, area, now)
        early = ak.early_help_now(now, kb.timezone)
        urgent = next((cs for cs in statuses if advice.urgent and cs.contact.key == advice.urgent.key), None)
        lines = [f"Who to call in {ak.area.name} now:", "If a child may be at risk of significant harm:"]
        if urgent and advice.urgent:
            lines.append(_contact_status_line(urgent, advice.urgent.why))
        lines += [line for line in advice.instead if line.startswith("- ") and advice.number not in line]
        lines += [f"- If it does not answer: {o.name}: {o.phone} ({o.hours})" for o in advice.also]
        shown = [urgent] if urgent else []
        shown += [cs for cs in statuses if any(cs.contact.key == o.key for o in advice.also)]
        if early.status is not None:
            lines += ["For early help or advice:", _contact_status_line(early.status, early.why)]
            shown.append(early.status)
        more = len([cs for cs in statuses if cs not in shown and cs.contact.role != "emergency"])
        if more:
            lines.append(f"The guidance lists {more} more contact{'s' if more != 1 else ''}: ask for "
                         "\"all contacts\" to see them.")
    lines.append(danger_line(kb.national().emergency_number))
    sources = [_citation_ref(cs.citation, today) for cs in shown]
    lines.append(f"Source: {_source_summary(sources)}")
    return Reply("\n".join(lines), sources=_unique(sources))


def pathway_reply(kb: KnowledgeBase, area: str, level: int | None = None, stages: set[str] | None = None) -> Reply:
    ak = kb.area(area)
    steps = ak.steps_for(level) if level else ak.steps
    if stages:
        steps = [s for s in steps if s.stage in stages] or steps
    today = kb.today()
    lines = [f"The early help pathway in {ak.area.name}:"]
    lines += [f"- {s.title}: {s.text}" for s in steps[:8]]
    if ak.review_cadence and not stages:
        lines.append(f"- Reviews: {ak.review_cadence.text}")
    sources = [_citation_ref(ak.cite(s.source), today) for s in steps[:8]]
    lines.append(f"Source: {_source_summary(sources)}")
    return Reply("\n".join(lines), sources=_unique(sources))


def _listed_reply(kb: KnowledgeBase, ak: AreaKnowledge, header: str, items: list, silent: str,
                  line: Callable[[Any], str] = lambda item: item.text) -> Reply:
    """A header, one line per sourced fact, and the source; ``silent`` when there are none."""
    if not items:
        return Reply(silent)
    today = kb.today()
    sources = [_citation_ref(ak.cite(i.source), today) for i in items]
    lines = [header, *(f"- {line(i)}" for i in items), f"Source: {_source_summary(sources)}"]
    return Reply("\n".join(lines), sources=_unique(sources))


def consent_reply(kb: KnowledgeBase, area: str) -> Reply:
    ak = kb.area(area)
    return _listed_reply(
        kb, ak, f"Consent and information sharing in {ak.area.name}:", ak.consent,
        f"{ak.area.name}'s guidance says nothing specific about consent or information sharing. "
        "Talk to your safeguarding lead. If a child may be at risk of significant harm, share "
        "your concern with the front door without delay.",
    )


def escalation_reply(kb: KnowledgeBase, area: str) -> Reply:
    ak = kb.area(area)
    return _listed_reply(
        kb, ak, f"If you disagree with a decision in {ak.area.name}:", ak.escalation,
        f"{ak.area.name}'s guidance does not describe how to escalate a professional "
        "disagreement. Raise it with your safeguarding lead or line manager, and ask the "
        "local safeguarding partnership for its escalation policy.",
    )


_NOT_INITIALLED = {"the", "of", "and", "for", "a", "an", "to", "in", "on"}


def expansion_of(asked: str, term: GlossaryTerm) -> str | None:
    """What an acronym stands for: the pack's expansion, else the term or an alias of the pack's
    whose initials spell it ("TAF": the alias "team around the family"). Never a guess."""
    if term.expansion:
        return term.expansion
    letters = re.sub(r"[^a-z]", "", asked.lower())
    if not 2 <= len(letters) <= 6:
        return None
    for name in (term.term, *term.aliases):
        words = [w for w in re.findall(r"[a-z]+", name.lower()) if w not in _NOT_INITIALLED]
        if len(words) > 1 and "".join(w[0] for w in words) == letters:
            return name[0].upper() + name[1:]
    return None


def definition_reply(kb: KnowledgeBase, area: str, term: str) -> Reply:
    """The expansion first, then the area's own term and its meaning, with the source."""
    hits = kb.glossary(area, term)
    if not hits:
        return Reply(f"I don't have '{term}' in any of the guidance documents I hold.")
    today = kb.today()
    h = hits[0]
    asked = term_from_question(term)
    expansion = expansion_of(asked, h.term)
    general = f" ({GENERAL_MEANING_NOTE})" if h.general_meaning else ""
    where = f" (from {h.area_name}'s guidance, not your area's)" if h.from_other_area else ""
    src = _citation_ref(h.citation, today)
    if expansion and asked.lower() != expansion.lower():
        first = f"{asked.upper()} stands for {expansion}."
        own = h.term.term.lower()
        local = "" if own in (expansion.lower(), asked.lower()) else f" {h.area_name}'s guidance calls it \"{h.term.term}\"."
        return Reply(f"{first}{local} {h.term.meaning}{general}{where}\nSource: {_cite(src)}", sources=[src])
    return Reply(f"{h.term.term}: {h.term.meaning}{general}{where}\nSource: {_cite(src)}", sources=[src])


def level_meaning_reply(kb: KnowledgeBase, area: str, number: int | None) -> Reply:
    ak = kb.area(area)
    return _listed_reply(
        kb, ak, f"Levels of need in {ak.area.name} ({len(ak.levels)} levels):",
        [lv for lv in ak.levels if number is None or lv.number == number],
        f"{ak.area.name} has levels {', '.join(str(lv.number) for lv in ak.levels)} only.",
        line=lambda lv: f"Level {lv.number}, {lv.name}: {lv.meaning} Response: {lv.typical_response}",
    )


def services_reply(kb: KnowledgeBase, area: str, level: int | None = None) -> Reply:
    ak = kb.area(area)
    return _listed_reply(
        kb, ak, f"Services named in {ak.area.name}'s guidance:",
        [lv for lv in ak.levels if lv.services and (level is None or lv.number == level)],
        f"{ak.area.name}'s guidance does not list services by level. Ask your safeguarding lead or the early help team.",
        line=lambda lv: f"Level {lv.number}: {', '.join(lv.services)}",
    )


def concern_help_reply(kb: KnowledgeBase, area: str | None) -> Reply:
    """Help while the concern is asked for: what to describe, and what comes back."""
    where = f" for {kb.area(area).area.name}" if area else ""
    return Reply("Describe what you have seen or been told that worries you about the child, in your own "
                 f"words, and their age if you know it: I'll give the level of need{where} and why, what to do "
                 "next and who to contact. Leave out names and addresses. You can also ask \"who do I call?\".")


def question_help_reply(kb: KnowledgeBase, area: str, key: str) -> Reply | None:
    """Why the question waiting for an answer is asked, and what each answer leads to."""
    ak = kb.area(area)
    question = next((q for q in ak.questions if q.key == key), None)
    if question is None:
        return None

    def leads_to(tier) -> str:
        if tier is None:
            return "leaves the level to what you have described"
        lv = ak.level_for_tier(tier)
        return f"means at least {ak.area.name} level {lv.number}, {lv.name}"

    src = _citation_ref(ak.cite(question.source), kb.today())
    lines = [
        f"I'm asking: {question.text}",
        f"It comes from {ak.area.name}'s guidance, and your answer can change the level: yes "
        f"{leads_to(question.yes_means_at_least)}; no {leads_to(question.no_means_at_least)}.",
        "Answer yes or no, or \"don't know\" to leave it: the answer is then given without it. "
        "If you are unsure, talk to your safeguarding lead.",
        f"Source: {_cite(src)}",
    ]
    return Reply("\n".join(lines), buttons=[Button(b["title"], b["payload"]) for b in YES_NO], sources=[src])


def uncovered_area_reply(kb: KnowledgeBase, name: str | None = None) -> Reply:
    """An area we do not cover, or (``name`` None) a place we could not recognise: say so,
    and what works anywhere (bot/safety.py), without guessing which place they meant."""
    return Reply(uncovered_area_advice(kb.national(), [n for _, n in kb.covered()], name))


def handover_reply(result: Assessment) -> Reply:
    """A summary to paste into notes: no personal data, only what the guidance says."""
    lines = [f"Handover summary ({result.area.name}, {result.at}):"]
    if result.immediate_risk.flagged:
        lines.append(f"- Immediate risk: {', '.join(r.reason for r in result.immediate_risk.reasons)}")
    if result.level:
        lines.append(f"- Level of need: {result.level.number}, {result.level.name} ({result.level.basis})")
    origin = {"derived": " (derived)", "national": " (national guidance)"}
    lines += [f"- Indicator: level {i.level}{origin.get(i.origin, '')}, {i.text} [{i.source.section}]" for i in result.indicators[:6]]
    lines += [f"- Action: {a.title}" for a in result.actions[:6]]
    lines += [f"- Contact: {c.name} {c.phone or '(no number given)'}" for c in result.contacts if c.urgent or c.use_now][:4]
    lines.append("- Sources: " + "; ".join(sorted({f"{s.title} ({_age(s)})" for s in result.sources})))
    lines.append("- Professional judgement decides; this summary supports it.")
    return Reply("\n".join(lines), sources=result.sources)


def _unique(sources: list[SourceRef]) -> list[SourceRef]:
    seen: dict[tuple[str, str], SourceRef] = {}
    for s in sources:
        seen.setdefault((s.document, s.section), s)
    return list(seen.values())


def _source_summary(sources: list[SourceRef]) -> str:
    if not sources:
        return "not stated"
    first = sources[0]
    sections = sorted({s.section for s in sources})
    return f"{first.title}, {'; '.join(sections[:4])} ({_age(first)})"
