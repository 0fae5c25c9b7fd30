"""Turn one assistant message (text, buttons, our custom json) into ONE Slack message.

Pure functions, no Rasa import, so they are tested without a server and checked against
``slack_sdk.models``. The custom json comes from ``actions/_services.send``:
``{"sources": [SourceRef as dict, ...], "emergency": bool, "area": area id when known}``
(the area id is not shown: the text already names the area).

Layout, top to bottom: the emergency line (when there is one), the text, the buttons
(at most 5 per actions block), then the sources with their age in a context block.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.safety import source_age as worded_age

MAX_BUTTONS_PER_BLOCK = 5
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_SECTION_TEXT = 3000
MAX_CONTEXT_ELEMENTS = 10
MAX_BLOCKS = 50
MAX_FALLBACK_TEXT = 3000
EMERGENCY_PREFIX = "EMERGENCY"
SOURCE_LINE_PREFIXES = ("Sources: ", "Source: ")
ELLIPSIS = "…"


def is_our_custom(custom: Any) -> bool:
    """True for the json ``actions/_services.send`` attaches (sources, emergency flag)."""
    return isinstance(custom, Mapping) and ("sources" in custom or "emergency" in custom)


def escape(text: str) -> str:
    """Slack's three control characters; anything else in mrkdwn is shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def source_age(src: Mapping[str, Any]) -> str:
    """The same wording as the other channels (bot/safety.py): date and how old, or 'undated'."""
    return worded_age(str(src.get("date_label") or src.get("year") or ""), src.get("year"), src.get("age_years"),
                      bool(src.get("past_review")))


def source_lines(sources: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line per document, in order of first mention: title, date and age, then its sections."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for src in sources:
        key = (str(src.get("title") or src.get("document") or "Source"), source_age(src))
        section = str(src.get("section") or "section not stated")
        if section not in grouped.setdefault(key, []):
            grouped[key].append(section)
    return [f"*{escape(title)}* ({escape(age)}): {escape('; '.join(sections))}"
            for (title, age), sections in grouped.items()]


def _split_emergency(lines: list[str], flagged: bool) -> tuple[list[str], list[str]]:
    """The emergency paragraph (its line and the reasons under it) out of the body, to go first."""
    urgent: list[str] = []
    rest: list[str] = []
    taking = False
    for ln in lines:
        if ln.strip().startswith(EMERGENCY_PREFIX):
            taking = True
        elif not ln.strip():
            taking = False
        (urgent if taking else rest).append(ln)
    if flagged and not urgent:
        # Flagged but worded otherwise: the first paragraph carries the urgent advice.
        while rest and not rest[0].strip():
            rest.pop(0)
        first_blank = next((i for i, ln in enumerate(rest) if not ln.strip()), len(rest))
        urgent, rest = rest[:first_blank], rest[first_blank:]
    return urgent, rest


def _emergency_block(urgent: list[str]) -> dict[str, Any]:
    """The urgent line in bold behind a siren, the reasons under it as written."""
    head, *more = [escape(ln.strip()) for ln in urgent if ln.strip()]
    text = "\n".join([f":rotating_light: *{head}*", *more])
    return _section(shorten(text, MAX_SECTION_TEXT))


def _paragraphs(lines: Iterable[str]) -> list[str]:
    paragraphs, current = [], []
    for ln in lines:
        if ln.strip():
            current.append(ln.rstrip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def _pack(paragraphs: list[str], limit: int) -> list[str]:
    """Greedy packing of escaped paragraphs into section texts of at most ``limit`` characters."""
    chunks: list[str] = []
    for para in paragraphs:
        pieces = [para[i : i + limit] for i in range(0, len(para), limit)] or [""]
        for piece in pieces:
            if chunks and len(chunks[-1]) + 2 + len(piece) <= limit:
                chunks[-1] += "\n\n" + piece
            else:
                chunks.append(piece)
    return chunks


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button_blocks(buttons: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Actions blocks of at most 5 buttons; a button's value is what a click says to the bot."""
    elements = []
    for i, b in enumerate(buttons):
        value = str(b.get("payload") or b.get("value") or "")
        title = str(b.get("title") or value)
        if not value or len(value) > MAX_BUTTON_VALUE or not title.strip():
            continue  # a button Slack would refuse; the rest of the message still goes
        elements.append({
            "type": "button",
            "action_id": f"navigator_button_{i}",
            "text": {"type": "plain_text", "text": shorten(title, MAX_BUTTON_TEXT), "emoji": False},
            "value": value,
        })
    return [
        {"type": "actions", "elements": elements[i : i + MAX_BUTTONS_PER_BLOCK]}
        for i in range(0, len(elements), MAX_BUTTONS_PER_BLOCK)
    ]


def sources_block(sources: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """One context block: each document with its date, age and the sections used (10 at most)."""
    lines = source_lines(sources)
    if len(lines) > MAX_CONTEXT_ELEMENTS:
        lines = lines[: MAX_CONTEXT_ELEMENTS - 1] + [f"and {len(lines) - MAX_CONTEXT_ELEMENTS + 1} more documents"]
    if not lines:
        return None
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": shorten(line, MAX_SECTION_TEXT)} for line in lines],
    }


def render(text: str | None, buttons: Sequence[Mapping[str, Any]] | None = None,
           custom: Mapping[str, Any] | None = None, emergency: bool = False) -> dict[str, Any]:
    """``{"text": fallback, "blocks": [...]}`` for chat.postMessage: one message per reply.

    ``emergency`` marks a reply as urgent when no custom json says so (Rasa's own
    ``utter_emergency`` response, which works even when the action server is down).
    """
    custom = custom if is_our_custom(custom) else {}
    sources = [s for s in custom.get("sources") or [] if isinstance(s, Mapping)]
    flagged = emergency or bool(custom.get("emergency"))
    lines = (text or "").splitlines()
    if sources:
        # The sources go in the context block below, with their age; no need to say them twice.
        lines = [ln for ln in lines if not ln.startswith(SOURCE_LINE_PREFIXES)]
    urgent, rest = _split_emergency(lines, flagged)

    blocks: list[dict[str, Any]] = []
    if urgent:
        blocks.append(_emergency_block(urgent))
    actions = button_blocks(buttons or [])
    context = sources_block(sources)
    room = max(1, MAX_BLOCKS - len(blocks) - len(actions) - (1 if context else 0))
    sections = _pack([escape(p) for p in _paragraphs(rest)], MAX_SECTION_TEXT)
    if len(sections) > room:
        sections = sections[: room - 1] + [sections[room - 1][: MAX_SECTION_TEXT - 40] + "\n(message shortened)"]
    blocks += [_section(s) for s in sections]
    blocks += actions
    if context:
        blocks.append(context)

    plain = [ln.strip() for ln in urgent if ln.strip()] + [ln for ln in rest]
    fallback = shorten(escape("\n".join(plain).strip()), MAX_FALLBACK_TEXT) or "(no text)"
    return {"text": fallback, "blocks": blocks}
