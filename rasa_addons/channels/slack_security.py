"""Which Slack requests we act on: signed ones, inside the 5-minute window, seen once.

Pure (standard library and ``slack_sdk``), so it is tested without a server.

Slack signs every request with the app's signing secret (``X-Slack-Signature``, over
``v0:<timestamp>:<body>``); a request older or newer than 5 minutes may be a replay. Slack
retries any request not answered within 3 seconds, up to three times, so the same event can
arrive more than once: :class:`SeenRecently` remembers what was already handled.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

from slack_sdk.signature import Clock, SignatureVerifier

WINDOW_SECONDS = 5 * 60
# Slack's last retry comes about 5 minutes after the first attempt; an hour is ample.
DEDUPE_TTL_SECONDS = 60 * 60
DEDUPE_MAX_KEYS = 20_000


class _FixedClock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


class RequestVerifier:
    """``is_authentic(body, headers)``: both headers present, timestamp fresh, signature right."""

    def __init__(self, signing_secret: str, now: Callable[[], float] = time.time) -> None:
        self._verifier = SignatureVerifier(signing_secret, clock=_FixedClock(now))
        self._now = now

    def is_authentic(self, body: bytes, headers: Mapping[str, str]) -> bool:
        lowered = {k.lower(): v for k, v in headers.items()}
        timestamp = lowered.get("x-slack-request-timestamp")
        signature = lowered.get("x-slack-signature")
        if not timestamp or not signature:
            return False
        try:
            if abs(self._now() - int(timestamp)) > WINDOW_SECONDS:
                return False
            return self._verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
        except (ValueError, UnicodeDecodeError):
            return False


class SeenRecently:
    """A bounded, expiring set of request keys: Slack's retries of one event are handled once.

    ``first_time(*keys)`` is True only if none of the keys was seen within the TTL, and then
    records them all (an event id and the message's own channel/ts, so a message delivered
    under two event subscriptions is still answered once). Oldest keys are dropped past
    ``max_keys`` so memory stays bounded whatever Slack sends.
    """

    def __init__(self, ttl: float = DEDUPE_TTL_SECONDS, max_keys: int = DEDUPE_MAX_KEYS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if ttl <= 0 or max_keys <= 0:
            raise ValueError("ttl and max_keys must be positive")
        self._ttl = ttl
        self._max = max_keys
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def first_time(self, *keys: str) -> bool:
        keys = tuple(k for k in keys if k)
        if not keys:
            return True  # nothing to recognise it by: handle it
        now = self._clock()
        with self._lock:
            self._expire(now)
            if any(k in self._seen for k in keys):
                return False
            for k in keys:
                self._seen[k] = now + self._ttl
                self._seen.move_to_end(k)
            while len(self._seen) > self._max:
                self._seen.popitem(last=False)
            return True

    def _expire(self, now: float) -> None:
        while self._seen:
            expires = next(iter(self._seen.values()))
            if expires > now:
                break
            self._seen.popitem(last=False)
