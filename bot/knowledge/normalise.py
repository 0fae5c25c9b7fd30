"""One way to normalise names and terms for look-up, used on both sides of a match."""

from __future__ import annotations

import re

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower-case, '&' as 'and', punctuation and extra spaces removed."""
    text = text.lower().replace("&", " and ").replace("’", "'")
    return _NON_WORD.sub(" ", text).strip()
