"""One way to normalise names and terms for look-up, used on both sides of a match."""

from __future__ import annotations

import re

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower-case, '&' as 'and', punctuation and extra spaces removed."""
    text = text.lower().replace("&", " and ").replace("’", "'")
    return _NON_WORD.sub(" ", text).strip()


_QUESTION = re.compile(
    r"^(?:(?:please\s+)?(?:what|whats|what s|who|which)\s+(?:is|are|does|do|s)?\s*(?:an?|the)?\s*"
    r"|(?:define|explain|meaning of|definition of)\s+(?:an?|the)?\s*)"
)
_QUESTION_TAIL = re.compile(r"\s+(?:stand for|stands for|mean|means|short for)$")


def term_from_question(text: str) -> str:
    """'What does MACH stand for?' -> 'mach'; 'what's a TAF' -> 'taf'."""
    norm = normalise(text)
    norm = _QUESTION.sub("", norm)
    return _QUESTION_TAIL.sub("", norm).strip()
