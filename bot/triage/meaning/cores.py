"""How many cores other work is keeping busy now: the encoder takes a second BLAS thread only
while one is free.

Why not the load average, as before: it lags by about a minute and counts this process too, so a
process that has just been busy encoding sees its own work as someone else's load and halves its
own speed (on this 2-core machine `make bench` drifted from two threads to one as it ran). Here the
machine's busy time (``/proc/stat``) less this process's own CPU time (every thread of it, BLAS's
included) is taken over the interval since the last look.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

MIN_INTERVAL = 0.2  # seconds between looks: /proc/stat counts in ticks of 10 ms
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


class CoreWatch:
    """``others_busy()``: cores' worth of CPU that other processes used since the last look."""

    def __init__(self, stat: Path = Path("/proc/stat"), clock: Callable[[], float] = time.monotonic,
                 own_cpu: Callable[[], float] = _own_cpu_seconds) -> None:
        self._stat, self._clock, self._own_cpu = stat, clock, own_cpu
        self._lock = threading.Lock()
        self._last: tuple[float, float, float] | None = None  # (wall, machine busy, own CPU), seconds
        self._busy: float | None = None

    def _machine_busy_seconds(self) -> float:
        """All cores' non-idle time since boot: the first line of /proc/stat, less idle and iowait."""
        with self._stat.open() as f:
            fields = [int(v) for v in f.readline().split()[1:9]]
        return (sum(fields) - fields[3] - fields[4]) / TICKS_PER_SECOND

    def others_busy(self) -> float | None:
        """Other processes' CPU over the last interval, in cores (0.8: most of one core); None until
        two looks are at least :data:`MIN_INTERVAL` apart, or where /proc/stat cannot be read."""
        with self._lock:
            now = self._clock()
            if self._last is not None and now - self._last[0] < MIN_INTERVAL:
                return self._busy
            try:
                sample = (now, self._machine_busy_seconds(), self._own_cpu())
            except (OSError, ValueError, IndexError):
                return None
            if self._last is not None:
                wall = sample[0] - self._last[0]
                others = (sample[1] - self._last[1]) - (sample[2] - self._last[2])
                self._busy = max(0.0, others / wall)
            self._last = sample
            return self._busy
