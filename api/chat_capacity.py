"""How many web chat turns may be with Rasa at once, and how long a turn may wait for a place.

Beyond what Rasa's workers can serve, a turn is refused at once (the route answers 503 with
``Retry-After`` and the emergency advice) instead of queueing for many seconds: without a bound,
200 conversations on a machine whose CPU was shared waited up to 16 s a turn (issue 22).

- ``in_flight`` turns are sent to Rasa at once (``CHAT_MAX_IN_FLIGHT``);
- at most ``queued`` more wait for a place, first come first served (``CHAT_MAX_QUEUED``); a turn
  arriving when the queue is full is refused at once;
- a turn is also refused at once when, at the recent pace of Rasa's answers, it would not be
  answered within ``wait_seconds`` (``CHAT_QUEUE_SECONDS``): the queue ahead of it to clear, then
  its own time with Rasa (``in_flight`` answers' time, as the turns with Rasa share its CPU). When
  the CPU is taken by other work each turn takes longer, so fewer are let in. The pace is the time between
  answers: a turn's time with Rasa divided by the fewest turns that were with Rasa at its start or
  end (taken at its lowest, so the estimate errs towards refusing, not towards a long wait);
- a turn that has waited ``wait_seconds`` anyway is refused then, never later.

One instance per API process: with several API processes (or hosts) each has its own bound.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

PACE_WEIGHT = 0.2  # how much the latest turn moves the recent pace (an exponential moving average)


class Busy(Exception):
    """No place for this turn now: ``why`` is "queue full", "expected wait" or "waited"."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class TurnSlots:
    def __init__(self, in_flight: int, queued: int, wait_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if in_flight < 1 or queued < 0 or wait_seconds <= 0:
            raise ValueError("in_flight >= 1, queued >= 0 and wait_seconds > 0")
        self.in_flight, self.queued, self.wait_seconds = in_flight, queued, wait_seconds
        self._clock = clock
        self._busy = 0  # turns with Rasa now
        self._waiting: deque[asyncio.Future[None]] = deque()
        self.pace: float | None = None  # recent seconds between Rasa's answers; None until one is answered
        self.refused = 0  # turns refused since start
        self._reported = (clock(), 0)  # when refusals were last logged, and the count then

    @property
    def busy(self) -> int:
        return self._busy

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def note_refusal(self, every: float = 1.0) -> tuple[int, float] | None:
        """Count a refusal; at most once every ``every`` seconds, how many there were since the last
        report and over how long (one log line a second under overload, not one a refusal)."""
        self.refused += 1
        now = self._clock()
        since, count = self._reported
        if self.refused > 1 and now - since < every:
            return None
        self._reported = (now, self.refused)
        return self.refused - count, now - since

    def expected_wait(self) -> float:
        """Seconds until a turn arriving now would be answered, at the recent pace: the queue ahead
        of it, a place coming free, then its own time with Rasa."""
        if self._busy < self.in_flight and not self._waiting:
            return 0.0
        return (len(self._waiting) + 1 + self.in_flight) * (self.pace or 0.0)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """A place with Rasa for one turn, or :class:`Busy` (at once, or after ``wait_seconds``)."""
        await self._take()
        started, alongside = self._clock(), self._busy
        try:
            yield
        finally:
            between = (self._clock() - started) / min(alongside, self._busy)
            self.pace = between if self.pace is None else (1 - PACE_WEIGHT) * self.pace + PACE_WEIGHT * between
            self._give_back()

    async def _take(self) -> None:
        if self._busy < self.in_flight and not self._waiting:
            self._busy += 1
            return
        if len(self._waiting) >= self.queued:
            raise Busy("queue full")
        if self.expected_wait() > self.wait_seconds:
            raise Busy("expected wait")
        place: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(place)
        try:
            await asyncio.wait_for(asyncio.shield(place), self.wait_seconds)
        except asyncio.TimeoutError:
            if place.done() and not place.cancelled():  # given a place just as the time ran out
                self._give_back()
            else:
                self._waiting.remove(place)
            raise Busy("waited") from None
        except BaseException:  # cancelled (the client went away): hand on a place given meanwhile
            if place.done() and not place.cancelled():
                self._give_back()
            elif place in self._waiting:
                self._waiting.remove(place)
            raise

    def _give_back(self) -> None:
        """A place is free: hand it to the first turn still waiting, or keep it free."""
        while self._waiting:
            place = self._waiting.popleft()
            if not place.done():
                place.set_result(None)  # _busy stays: the place passes straight on
                return
        self._busy -= 1
