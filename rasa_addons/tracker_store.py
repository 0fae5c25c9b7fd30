"""Rasa's SQLTrackerStore, redacting personal data before anything is written, and
failing fast with a clear message when the database cannot be reached (Rasa's own
store retries a bad URL forever).

endpoints.yml::

    tracker_store:
      type: rasa_addons.tracker_store.RedactingSQLTrackerStore

The database is ``TRACKER_DATABASE_URL`` (default: ``sqlite:///var/conversations.db``).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine.url import make_url

from bot.privacy.redact import redact

logger = logging.getLogger(__name__)
# How many of a tracker's events are in the database, as far as this process knows.
_STORED = "_navigator_stored_events"
# The columns a stored event fills (Rasa's ``SQLEvent``; ``id`` is the database's).
_EVENT_COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")
# A turn writes a few events; statements for up to this many are made once and kept. A statement
# writes at most _ROWS_A_STATEMENT (well under SQLite's and PostgreSQL's limits on parameters).
_CACHED_INSERTS, _ROWS_A_STATEMENT = 64, 500
DEFAULT_URL = f"sqlite:///{Path(__file__).resolve().parent.parent / 'var' / 'conversations.db'}"


class TrackerStoreUnavailable(RuntimeError):
    """The conversation database cannot be used; the message says what to check."""


def redact_event(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a serialised event with every free-text field redacted."""
    out = json.loads(json.dumps(data))
    if isinstance(out.get("text"), str):
        out["text"] = redact(out["text"], from_packs=out.get("event") == "bot")
    parse = out.get("parse_data") or {}
    if isinstance(parse.get("text"), str):
        parse["text"] = redact(parse["text"])
    for entity in parse.get("entities") or []:
        if isinstance(entity.get("value"), str) and entity.get("entity") not in ("area",):
            entity["value"] = redact(entity["value"])
    if out.get("event") == "slot" and isinstance(out.get("value"), str):
        out["value"] = redact(out["value"])
    if isinstance(out.get("metadata"), dict):
        out["metadata"] = {}
    return out


def _check_reachable(url: str) -> None:
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise TrackerStoreUnavailable(f"TRACKER_DATABASE_URL is not a database URL: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return
    engine = sa.create_engine(parsed, connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            pass
    except Exception as exc:
        safe = repr(parsed).replace(parsed.password or "\0", "***") if parsed.password else repr(parsed)
        raise TrackerStoreUnavailable(
            f"Cannot connect to the conversation database {safe}: {str(exc).splitlines()[0]}. "
            "Check TRACKER_DATABASE_URL, or unset it to use the default SQLite file."
        ) from exc
    finally:
        engine.dispose()


def _tune_sqlite(engine: sa.engine.Engine) -> None:
    """Write-ahead logging, fsync at checkpoints: every turn commits, and a full fsync per
    commit is the largest cost of saving a tracker on SQLite. A power cut can lose the last
    turns, never corrupt the file; PostgreSQL keeps its own durability settings."""

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


@contextmanager
def _one_worker_at_a_time(url: sa.engine.URL) -> Iterator[None]:
    """Rasa's workers start together and each creates the tables; on one SQLite file the
    second would fail noisily ("table events already exists"), so they take turns."""
    if url.get_backend_name() != "sqlite" or not url.database:
        yield
        return
    with open(f"{url.database}.init-lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class RedactingSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        db_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        url = db_url or os.environ.get("TRACKER_DATABASE_URL") or DEFAULT_URL
        _check_reachable(url)
        parsed = make_url(url)
        with _one_worker_at_a_time(parsed):
            super().__init__(
                domain=domain,
                dialect=parsed.drivername,
                host=parsed.host,
                port=parsed.port,
                db=parsed.database or "rasa.db",
                username=parsed.username,
                password=parsed.password,
                query=dict(parsed.query) or None,
                event_broker=event_broker,
                **kwargs,
            )
        self._use_autocommit_pool()
        self._events_sql_for = {every: self._events_sql(every) for every in (False, True)}
        self._insert_sql_for: dict[int, sa.TextClause] = {}
        self._count_sql = sa.text(f"SELECT count(*) FROM ({self._events_sql_for[False].text}) AS latest_session")

    def _use_autocommit_pool(self) -> None:
        """Pooled connections in autocommit: a turn reads its conversation in one statement and
        writes it in one, with no BEGIN, COMMIT or ROLLBACK round trips and no ping before each.

        SQLAlchemy 1.4 opens and closes a SQLite file's connection per session, and closing the
        last connection to a write-ahead log checkpoints it (the largest cost of a turn after the
        models), so SQLite's connections are kept open too. A connection PostgreSQL dropped (it was
        restarted) fails its statement, which is tried once more on a new one (:meth:`_run`):
        conversations resume on the first turn after the database is back, without the ping that
        cost two round trips a turn, and a database that is down fails a turn within seconds.
        """
        url = self.engine.url
        self.engine.dispose()
        if url.get_backend_name() == "sqlite":
            self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=2,
                                           isolation_level="AUTOCOMMIT", connect_args={"check_same_thread": False})
            _tune_sqlite(self.engine)
        else:
            kwargs = create_engine_kwargs(url)  # Rasa's pool size and PostgreSQL schema settings
            kwargs.setdefault("connect_args", {})["connect_timeout"] = 2
            self.engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", **kwargs)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _run(self, statement: sa.sql.Executable, parameters: dict[str, Any] | None = None) -> list[Any]:
        """One statement on a pooled connection, and its rows. On a connection the database had
        closed (a restart) the statement never ran, and it is run once more on a new connection.
        (Were the database to crash in the middle of a turn's write, that write too is tried
        again: an event stored twice is the lesser harm than a turn lost.)"""
        for attempt in (1, 2):
            try:
                with self.engine.connect() as connection:
                    result = connection.execute(statement, parameters or {})
                    return result.all() if result.returns_rows else []
            except sa.exc.DBAPIError as exc:
                if attempt == 2 or not exc.connection_invalidated:
                    raise
                logger.info("The conversation database had closed a connection (restarted?); trying a new one.")
        raise AssertionError("unreachable")

    def _events_sql(self, all_sessions: bool) -> sa.TextClause:
        """What Rasa's ``_event_query`` asks, as plain SQL: the data of the conversation's events
        in order, from its latest session unless all are wanted. Building Rasa's ORM query and
        its objects took more time on every turn than the database did."""
        quote = self.engine.dialect.identifier_preparer.quote
        events, data, sender, stamp, kind, id_ = (quote(name) for name in (
            self.SQLEvent.__tablename__, "data", "sender_id", "timestamp", "type_name", "id"))
        if all_sessions:
            return sa.text(f"SELECT {data} FROM {events} WHERE {sender} = :sender_id ORDER BY {id_}")
        session_start = (f"(SELECT max({stamp}) FROM {events} WHERE {sender} = :sender_id"
                         f" AND {kind} = '{SessionStarted.type_name}')")
        return sa.text(f"SELECT {data} FROM {events} WHERE {sender} = :sender_id"
                       f" AND ({stamp} >= {session_start} OR {session_start} IS NULL) ORDER BY {id_}")

    def _insert_sql(self, rows: int) -> sa.TextClause:
        """One INSERT of ``rows`` events (an atomic statement in autocommit), as plain SQL made once
        per number of rows: SQLAlchemy compiles a many-row ``insert().values()`` anew every time."""
        if rows in self._insert_sql_for:
            return self._insert_sql_for[rows]
        quote = self.engine.dialect.identifier_preparer.quote
        table = quote(self.SQLEvent.__tablename__)
        names = ", ".join(quote(column) for column in _EVENT_COLUMNS)
        values = ", ".join("(" + ", ".join(f":{column}{n}" for column in _EVENT_COLUMNS) + ")" for n in range(rows))
        statement = sa.text(f"INSERT INTO {table} ({names}) VALUES {values}")
        if rows <= _CACHED_INSERTS:
            self._insert_sql_for[rows] = statement
        return statement

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        """As SQLTrackerStore._retrieve, and the tracker remembers how many of its events are
        stored, so that saving it need not count them again (a query per turn)."""
        rows = self._run(self._events_sql_for[fetch_events_from_all_sessions], {"sender_id": sender_id})
        events = [json.loads(data) for (data,) in rows]
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions:
            setattr(tracker, _STORED, len(rows))
        return tracker

    def _unstored_events(self, tracker: DialogueStateTracker) -> list[Event]:
        """The events not yet written. A turn's tracker is saved only by the worker that holds
        the conversation's lock, so what this process read or wrote is still what is stored; a
        tracker built elsewhere has its stored events counted."""
        stored = getattr(tracker, _STORED, None)
        if stored is None:
            [(stored,)] = self._run(self._count_sql, {"sender_id": tracker.sender_id})
        return list(tracker.events)[stored:]

    async def save(self, tracker: DialogueStateTracker) -> None:
        """As SQLTrackerStore.save, but every event is redacted before it is written, and a turn's
        events are written in one statement (the ORM's unit of work cost more than the writing).
        Only a tracker built elsewhere has more than ``_ROWS_A_STATEMENT`` new events; its
        statements are counted as stored one by one, so a failure part way writes nothing twice."""
        unstored = self._unstored_events(tracker)
        stored = len(tracker.events) - len(unstored)
        rows = []
        for event in unstored:
            data = redact_event(event.as_dict())
            rows.append({
                "sender_id": tracker.sender_id,
                "type_name": event.type_name,
                "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"),
                "data": json.dumps(data),
            })
        for start in range(0, len(rows), _ROWS_A_STATEMENT):
            some = rows[start:start + _ROWS_A_STATEMENT]
            self._run(self._insert_sql(len(some)), {f"{column}{n}": value for n, row in enumerate(some)
                                                    for column, value in row.items()})
            setattr(tracker, _STORED, stored + start + len(some))
        setattr(tracker, _STORED, len(tracker.events))
