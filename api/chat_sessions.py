"""Web chat conversation ids: made by the API, random and signed, never chosen by a client.

A conversation id is 32 random hex characters followed by the first 32 hex characters of
their HMAC-SHA256 under the server's secret. The API answers turns only for ids it made, so
a caller can neither pick another practitioner's conversation nor invent a shared one.

The secret is ``CHAT_SESSION_SECRET`` when set (set the same value on every API host); otherwise
a random one kept in ``var/chat-session.key`` (readable by its owner only), so ids survive a
restart of ``make run``.

Turns of one conversation are also answered one at a time, in the order they arrived
(:class:`TurnOrder`): a client that sends several without waiting gets each answered after
the one before, as Slack and Teams users expect.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.config import PROJECT_ROOT

KEY_FILE = PROJECT_ROOT / "var" / "chat-session.key"
_RANDOM_HEX = 32


def load_secret(configured: str | None, key_file: Path = KEY_FILE) -> bytes:
    """The configured secret, or the one in ``key_file`` (made on first use)."""
    if configured:
        return configured.encode()
    try:
        return bytes.fromhex(key_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        pass
    key_file.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    tmp = key_file.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret.hex())
    try:  # another worker may have made one meanwhile: the first one stays
        os.link(tmp, key_file)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return bytes.fromhex(key_file.read_text().strip())


class ConversationIds:
    """Makes and checks signed conversation ids."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _signature(self, random_part: str) -> str:
        return hmac.new(self._secret, random_part.encode(), hashlib.sha256).hexdigest()[:_RANDOM_HEX]

    def new(self) -> str:
        random_part = secrets.token_hex(_RANDOM_HEX // 2)
        return random_part + self._signature(random_part)

    def is_ours(self, conversation: str) -> bool:
        if len(conversation) != 2 * _RANDOM_HEX:
            return False
        random_part, signature = conversation[:_RANDOM_HEX], conversation[_RANDOM_HEX:]
        return hmac.compare_digest(signature, self._signature(random_part))


class TurnOrder:
    """One turn at a time per conversation, first come first served (asyncio's locks are FIFO)."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    @asynccontextmanager
    async def turn(self, conversation: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(conversation, asyncio.Lock())
        self._waiting[conversation] = self._waiting.get(conversation, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[conversation] -= 1
            if not self._waiting[conversation]:  # nobody queued: forget the conversation
                del self._waiting[conversation], self._locks[conversation]

    def __len__(self) -> int:
        return len(self._locks)
