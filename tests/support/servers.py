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


def redis_command(port: int, *args: str | float, host: str = "127.0.0.1", timeout: float = 5.0):
    """One Redis command over its wire protocol (RESP); the reply as int, str, list or None."""
    parts = [str(a).encode() for a in args]
    request = b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(request)
        reader = s.makefile("rb")
        return _reply(reader)


def _reply(reader):
    line = reader.readline().rstrip(b"\r\n")
    kind, rest = line[:1], line[1:]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RuntimeError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        return None if size < 0 else reader.read(size + 2)[:-2].decode()
    if kind == b"*":
        size = int(rest)
        return None if size < 0 else [_reply(reader) for _ in range(size)]
    raise RuntimeError(f"unexpected Redis reply {line!r}")
