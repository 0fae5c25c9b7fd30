"""Is a PostgreSQL or Redis server answering? For skip reasons that say why."""

from __future__ import annotations

import socket
from urllib.parse import urlparse


def redis_unreachable(url: str, timeout: float = 2.0) -> str | None:
    """None when Redis at ``url`` answers PING; otherwise why not."""
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=timeout) as s:
            s.sendall(b"PING\r\n")
            reply = s.recv(64)
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None if reply.startswith(b"+PONG") else f"answered {reply[:40]!r}"
