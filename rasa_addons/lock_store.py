"""Rasa's ticket locks in SQLite, so several Rasa workers on one host can share them.

See :mod:`rasa_addons.coordination` for why; endpoints.yml names it::

    lock_store:
      type: rasa_addons.lock_store.SQLiteLockStore
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore

from rasa_addons.arrival import WAIT_BETWEEN_CHECKS_SECONDS, take_reservation
from rasa_addons.coordination import Database, coordination_path

T = TypeVar("T")


class ArrivalOrderedLocks(LockStore):
    """Serves a turn on the ticket its channel reserved when it arrived (:mod:`rasa_addons.arrival`)."""

    serves_reserved_turns = True

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = WAIT_BETWEEN_CHECKS_SECONDS) -> AsyncIterator[TicketLock]:
        ticket = take_reservation(conversation_id)
        if ticket is None:
            ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            yield await self._acquire_lock(conversation_id, ticket,
                                           min(wait_time_in_seconds, WAIT_BETWEEN_CHECKS_SECONDS))
        finally:
            self.cleanup(conversation_id, ticket)


class SQLiteLockStore(ArrivalOrderedLocks):
    """Ticket locks safe across worker processes: every read-modify-write is one transaction.

    Turns keep the ticket our channels reserved when they arrived (:mod:`rasa_addons.arrival`).
    """

    def __init__(self, endpoint_config: Any = None, path: Path | None = None) -> None:
        self._db = Database(path or coordination_path())
        with self._db.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS rasa_locks (conversation_id TEXT PRIMARY KEY, "
                         "lock TEXT NOT NULL)")
        super().__init__()

    @staticmethod
    def _read(conn: sqlite3.Connection, conversation_id: str) -> TicketLock | None:
        row = conn.execute("SELECT lock FROM rasa_locks WHERE conversation_id = ?", (conversation_id,)).fetchone()
        return TicketLock.from_dict(json.loads(row[0])) if row else None

    @staticmethod
    def _write(conn: sqlite3.Connection, lock: TicketLock) -> None:
        conn.execute("INSERT OR REPLACE INTO rasa_locks (conversation_id, lock) VALUES (?, ?)",
                     (lock.conversation_id, lock.dumps()))

    def _atomically(self, conversation_id: str, change: Callable[[sqlite3.Connection, TicketLock | None], T]) -> T:
        with self._db.transaction() as conn:
            return change(conn, self._read(conn, conversation_id))

    # The storage primitives Rasa's base class builds on.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self._atomically(conversation_id, lambda _conn, lock: lock)

    def save_lock(self, lock: TicketLock) -> None:
        with self._db.transaction() as conn:
            self._write(conn, lock)

    def delete_lock(self, conversation_id: str) -> None:
        with self._db.transaction() as conn:
            deleted = conn.execute("DELETE FROM rasa_locks WHERE conversation_id = ?", (conversation_id,)).rowcount
        self._log_deletion(conversation_id, bool(deleted))

    # Read-modify-write steps, each in one transaction (the base class does them in three).
    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(conn: sqlite3.Connection, lock: TicketLock | None) -> int:
            lock = lock or self.create_lock(conversation_id)
            ticket = lock.issue_ticket(lock_lifetime)
            self._write(conn, lock)
            return ticket

        try:
            return self._atomically(conversation_id, issue)
        except sqlite3.Error as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        def update(conn: sqlite3.Connection, lock: TicketLock | None) -> None:
            if lock:
                lock.remove_expired_tickets()
                self._write(conn, lock)

        self._atomically(conversation_id, update)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(conn: sqlite3.Connection, lock: TicketLock | None) -> None:
            if lock:
                lock.remove_ticket_for(ticket_number)
                self._write(conn, lock)

        self._atomically(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def clean(conn: sqlite3.Connection, lock: TicketLock | None) -> None:
            if not lock:
                return
            lock.remove_ticket_for(ticket_number)
            if lock.is_someone_waiting():
                self._write(conn, lock)
            else:
                conn.execute("DELETE FROM rasa_locks WHERE conversation_id = ?", (conversation_id,))

        self._atomically(conversation_id, clean)
