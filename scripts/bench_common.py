"""What every benchmark script shares: the six-turn conversation they send and the percentile they report."""

from __future__ import annotations

# A practitioner's six turns: the area, a concern, two answers to the questions that help,
# "who do I call?" and a glossary question.
TURNS = [
    "I work in Worcestershire",
    "She has been bunking off every week for months and mum can't get her up.",
    "no",
    "no",
    "who do I call?",
    "what's a TAF?",
]


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile by nearest rank (the figure the issues' targets are set in)."""
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]
