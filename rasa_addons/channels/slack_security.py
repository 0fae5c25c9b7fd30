"""Which Slack requests we act on: signed ones, inside the 5-minute window, seen once.

Pure (standard library and ``slack_sdk``), so it is tested without a server.

Slack signs every request with the app's signing secret (``X-Slack-Signature``, over
``v0:<timestamp>:<body>``); a request older or newer than 5 minutes may be a replay. Slack
retries any request not answered within 3 seconds, up to three times, so the same event can
arrive more than once: :class:`rasa_addons.coordination.SharedSeen` remembers what was already
handled, across every Rasa worker process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from slack_sdk.signature import Clock, SignatureVerifier

WINDOW_SECONDS = 5 * 60
# Slack's last retry comes about 5 minutes after the first attempt; an hour is ample.
DEDUPE_TTL_SECONDS = 60 * 60


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
