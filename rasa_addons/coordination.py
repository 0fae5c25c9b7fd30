"""What several Rasa worker processes on one host must share, kept in one small SQLite file.

Rasa serves turns in one process unless the lock store can be shared: with ``RASA_WORKERS=2``
(Sanic workers) both cores answer turns, which is what brings the chat's p95 under 300 ms at
concurrency 8 on a 2-core machine (docs/performance.md). Redis is the scale-out answer across
hosts; on one host this file does the same job with nothing to install:

- :class:`rasa_addons.lock_store.SQLiteLockStore` orders the turns of one conversation across workers (Rasa's ticket
  locks), with each read-modify-write in one ``BEGIN IMMEDIATE`` transaction, so two workers can
  never issue the same ticket;
- :class:`SharedSeen` remembers which Slack requests were handled, so a retry that lands on the
  other worker is still answered once.

``COORDINATION_DB`` names the file (default ``var/coordination.db``). It holds conversation ids
(hashed for Teams and Slack), ticket numbers and request ids, never message text.
Standard library only: the Slack channel's tests import it outside Rasa's environment.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "var" / "coordination.db"


def coordination_path() -> Path:
    return Path(os.environ.get("COORDINATION_DB") or DEFAULT_PATH)


class Database:
    """One connection per process, serialised by a thread lock; transactions are explicit."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._guard = threading.Lock()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._guard:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")


class SharedSeen:
    """An expiring set of request keys shared by every worker: ``first_time`` is True once.

    Same contract as the Slack channel's in-memory ``SeenRecently``: True only if none of the
    keys was seen within ``ttl`` seconds, and then all of them are recorded.
    """

    def __init__(self, ttl: float, path: Path | None = None, clock: Callable[[], float] = time.time) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self._ttl = ttl
        self._clock = clock
        self._db = Database(path or coordination_path())
        with self._db.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS seen_requests (key TEXT PRIMARY KEY, expires REAL NOT NULL)")

    def first_time(self, *keys: str) -> bool:
        keys = tuple(k for k in keys if k)
        if not keys:
            return True
        now = self._clock()
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM seen_requests WHERE expires <= ?", (now,))
            marks = ",".join("?" * len(keys))
            if conn.execute(f"SELECT 1 FROM seen_requests WHERE key IN ({marks}) LIMIT 1", keys).fetchone():
                return False
            conn.executemany("INSERT INTO seen_requests (key, expires) VALUES (?, ?)",
                             [(k, now + self._ttl) for k in keys])
            return True
