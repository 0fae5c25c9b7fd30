"""What every benchmark script shares: the six-turn conversation they send, the percentile they
report, and a process's CPU time read from /proc."""

from __future__ import annotations

import os
from pathlib import Path

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


def process_stat(pid: int) -> tuple[str, int, float] | None:
    """A process's name, parent and CPU seconds so far (user and system, all its threads), from
    /proc; None once it has gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name, fields = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
    return name, int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
