"""Per-caller token buckets, in process: ``per_minute`` requests a minute, refilled smoothly.

One process keeps its own counts (run one API process per key, or put a shared limiter in
front, if you scale out). Buckets of idle callers are dropped when there are many.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

MAX_CALLERS = 10_000


class TokenBuckets:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, caller: str) -> int:
        """Spend one token: 0 when allowed, else the whole seconds to wait (Retry-After)."""
        with self._lock:
            now = self.clock()
            tokens, then = self._buckets.get(caller, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            if tokens >= 1.0:
                self._buckets[caller] = (tokens - 1.0, now)
                if len(self._buckets) > MAX_CALLERS:
                    self._forget_idle(now)
                return 0
            self._buckets[caller] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))

    def _forget_idle(self, now: float) -> None:
        full = [k for k, (t, then) in self._buckets.items() if t + (now - then) * self.rate >= self.capacity]
        for k in full:
            del self._buckets[k]
