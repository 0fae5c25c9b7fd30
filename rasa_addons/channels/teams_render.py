"""Our replies as Bot Framework activities that read well in Teams, and user text back out.

One Rasa message (text + buttons + the custom ``{"sources", "emergency", "area"}`` json from
``actions._services.send``) becomes ONE activity: markdown text with the emergency line
first and in bold, the body, the sources as a list (title, section, date and age), and a
hero card whose buttons are ``messageBack`` actions carrying the payload, so a click sends
the payload back (Rasa's own channel sends buttons with no type or value: clicks arrive
empty). Plain dicts only: no Rasa or SDK import, so the unit tests run in the app
environment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.safety import inline, source_age

HERO_CARD = "application/vnd.microsoft.card.hero"
MAX_BUTTONS_PER_CARD = 6  # Teams shows at most six buttons on a hero card
MAX_SECTIONS = 6
EMERGENCY_MARKERS = ("EMERGENCY", "If a child is in immediate danger")
MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
SOURCE_SUMMARY = re.compile(r"^\s*-?\s*Sources?:\s")


def button_action(button: Mapping[str, Any]) -> dict[str, Any]:
    """A hero-card button whose click brings its payload back as the message text.

    ``messageBack`` shows the title in the chat (not ``/ask_contacts``) and sends the
    payload as ``text`` and ``value``.
    """
    title = str(button.get("title") or button.get("payload") or "")
    payload = str(button.get("payload") or title)
    return {"type": "messageBack", "title": title, "text": payload, "displayText": title, "value": payload}


def hero_cards(buttons: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    actions = [button_action(b) for b in buttons]
    return [
        {"contentType": HERO_CARD, "content": {"buttons": actions[i:i + MAX_BUTTONS_PER_CARD]}}
        for i in range(0, len(actions), MAX_BUTTONS_PER_CARD)
    ]


def is_emergency(text: str, custom: Mapping[str, Any]) -> bool:
    if custom.get("emergency") is True:
        return True
    return text.lstrip().startswith(EMERGENCY_MARKERS)


def _emergency_first(lines: list[str]) -> list[str]:
    """Move the emergency advice to the top (it normally is already) as one bold paragraph: its
    first line and the lines under it (the area's urgent contact for now), up to a blank line."""
    index = next((i for i, line in enumerate(lines) if line.lstrip().startswith(EMERGENCY_MARKERS)), None)
    if index is None:
        index = next((i for i, line in enumerate(lines) if "999" in line), None)
    if index is None:
        return lines
    end = next((i for i in range(index + 1, len(lines)) if not lines[i].strip()), len(lines))
    advice = inline([line.strip() for line in lines[index:end]])
    rest = lines[:index] + lines[end:]
    return [f"**{advice}**", "", *rest]


def to_markdown(lines: list[str]) -> str:
    """Paragraphs and ``- `` lists as Teams markdown: a blank line between paragraphs, list
    items on consecutive lines (a single newline is not a line break in Teams)."""
    out = ""
    previous_item = False
    for raw in lines:
        line = raw.rstrip()
        if not line.strip():
            previous_item = False
            continue
        item = line.lstrip().startswith("- ")
        if out:
            out += "\n" if item and previous_item else "\n\n"
        out += line.lstrip() if item else line
        previous_item = item
    return out


def _age(source: Mapping[str, Any]) -> str:
    return source_age(str(source.get("date_label") or ""), source.get("year"), source.get("age_years"),
                      bool(source.get("past_review")))


def sources_markdown(sources: Iterable[Mapping[str, Any]]) -> str:
    """The sources as a readable list: one line per document, with how old it is and the
    sections the answer used."""
    documents: dict[str, tuple[str, list[str]]] = {}
    for s in sources:
        if not isinstance(s, Mapping):
            continue
        title = str(s.get("title") or s.get("document") or "Source not named")
        age, sections = documents.setdefault(title, (_age(s), []))
        for section in str(s.get("section") or "").split(";"):  # "A; B" cites two sections
            if section.strip() and section.strip() not in sections:
                sections.append(section.strip())
    if not documents:
        return ""
    lines = []
    for title, (age, sections) in documents.items():
        shown = "; ".join(sections[:MAX_SECTIONS])
        if len(sections) > MAX_SECTIONS:
            shown += f"; and {len(sections) - MAX_SECTIONS} more"
        lines.append(f"- {title} ({age})" + (f": {shown}" if shown else ""))
    return "**Sources**\n\n" + "\n".join(lines)


def render_activity(message: Mapping[str, Any]) -> dict[str, Any]:
    """One Rasa bot message as one Bot Framework ``message`` activity (no addressing yet)."""
    text = str(message.get("text") or "")
    custom = message.get("custom") if isinstance(message.get("custom"), Mapping) else {}
    sources = custom.get("sources") if isinstance(custom.get("sources"), list) else []
    lines = text.splitlines()
    if sources:  # the list below replaces the one-line summary that ends the text
        lines = [line for line in lines if not SOURCE_SUMMARY.match(line)]
    emergency = is_emergency(text, custom)
    if emergency:
        lines = _emergency_first(lines)
    parts = [to_markdown(lines), sources_markdown(sources)]
    activity: dict[str, Any] = {
        "type": "message",
        "textFormat": "markdown",
        "text": "\n\n".join(p for p in parts if p),
    }
    buttons = message.get("buttons") or message.get("quick_replies") or []
    attachments = hero_cards(buttons)
    if message.get("image"):
        attachments.append({"contentType": HERO_CARD, "content": {"images": [{"url": str(message["image"])}]}})
    if attachments:
        activity["attachments"] = attachments
        activity["attachmentLayout"] = "list"
    if emergency:
        activity["importance"] = "high"
        activity["channelData"] = {"notification": {"alert": True}}
    return activity


def incoming_text(activity: Mapping[str, Any]) -> str:
    """What the user said or clicked: the text without @mentions, else a button's value."""
    text = activity.get("text")
    if isinstance(text, str) and MENTION.sub("", text).strip():
        return MENTION.sub("", text).strip()
    value = activity.get("value")
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping) and isinstance(value.get("payload"), str):
        return value["payload"].strip()
    return ""
