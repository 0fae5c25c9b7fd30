"""What every benchmark script shares: the percentile they all report."""

from __future__ import annotations


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile by nearest rank (the figure the issues' targets are set in)."""
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]
