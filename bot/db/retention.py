"""Delete conversations nobody has continued for N days: ``make retention``, daily from cron.

Rasa's tracker store keeps every turn forever. Even redacted, a conversation about a child is
personal data, so it is kept only as long as it may still be continued or looked back on
(400 days after its last turn by default, as the planned audit trail). A conversation goes as a
whole, every event of its sender, once its LAST event is older than that: one still in use keeps
its early turns.

    python -m bot.db.retention                  # CONVERSATION_RETENTION_DAYS, default 400
    python -m bot.db.retention --days 30 --dry-run

The database is ``TRACKER_DATABASE_URL`` (SQLite or PostgreSQL), table ``events`` as Rasa's
SQLTrackerStore makes it (``sender_id``, ``timestamp`` in epoch seconds); on PostgreSQL in
``POSTGRESQL_SCHEMA`` when set, as Rasa does. Rasa is not imported (bot/ never does): the table
is read by reflection. On SQLite deleted rows are overwritten (``secure_delete``), not left in
free pages; PostgreSQL reclaims them at its next (auto)vacuum.

Exit codes: 0 done (also when nothing was old enough); 1 the database cannot be used (no file,
no events table, unreachable, not a URL); 2 bad arguments or settings.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import (
    Engine,
    MetaData,
    Table,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchTableError, SQLAlchemyError

from bot.config import DEFAULT_TRACKER_URL, get_settings
from bot.db.session import with_installed_driver

EVENTS = "events"
BATCH = 500  # senders per DELETE: well under every backend's limit on bound parameters


class RetentionError(RuntimeError):
    """The conversation database cannot be used; the message says what to check."""


@dataclass(frozen=True)
class Removed:
    """What a run removed (or, in a dry run, would remove)."""

    conversations: int
    events: int
    before: datetime  # conversations whose last event is older than this


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def conversation_engine(url: str) -> Engine:
    """An engine on the conversation database, which must already exist: a mistyped SQLite path
    would otherwise create an empty file and report, wrongly, that nothing was old enough."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise RetentionError(f"TRACKER_DATABASE_URL is not a database URL ({exc})") from None
    backend = parsed.get_backend_name()
    connect_args: dict = {}
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:" or not Path(parsed.database).is_file():
            raise RetentionError(
                f"no conversation database at {_shown(parsed)}: Rasa has not stored a conversation there "
                "yet, or TRACKER_DATABASE_URL names another database.")
        connect_args = {"timeout": 30}  # wait for Rasa's write, not fail on a busy file
    elif backend == "postgresql":
        parsed = with_installed_driver(parsed)
        connect_args = {"connect_timeout": 5}
        if os.environ.get("POSTGRESQL_SCHEMA"):
            connect_args["options"] = f"-csearch_path={os.environ['POSTGRESQL_SCHEMA']}"
    try:
        engine = create_engine(parsed, connect_args=connect_args)
    except Exception as exc:  # noqa: BLE001 - a missing driver or a bad option: say which
        raise RetentionError(f"cannot use {_shown(parsed)}: {exc}") from None
    if backend == "sqlite":

        @event.listens_for(engine, "connect")
        def _overwrite_deleted(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

    return engine


def _events_table(engine: Engine) -> Table:
    try:
        table = Table(EVENTS, MetaData(), autoload_with=engine)
    except NoSuchTableError:
        raise RetentionError(
            f"no '{EVENTS}' table in {_shown(engine.url)}: Rasa has not stored a conversation there yet, "
            "or TRACKER_DATABASE_URL names another database.") from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise RetentionError(f"cannot read {_shown(engine.url)}: {reason}") from None
    missing = {"sender_id", "timestamp"} - set(table.c.keys())
    if missing:
        raise RetentionError(f"the '{EVENTS}' table in {_shown(engine.url)} has no {', '.join(sorted(missing))} "
                             "column: it is not Rasa's tracker store.")
    return table


def _batches(items: Sequence[str], size: int = BATCH) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def purge(engine: Engine, days: int, *, dry_run: bool = False, now: datetime | None = None) -> Removed:
    """Delete every conversation whose last event is older than ``days`` days, in one transaction.

    An event written meanwhile (the conversation continued) is newer than the cut-off and stays,
    whatever was selected.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    before = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    cutoff = before.timestamp()
    events = _events_table(engine)
    old = (select(events.c.sender_id, func.count())
           .group_by(events.c.sender_id)
           .having(func.max(events.c.timestamp) < cutoff))
    try:
        with engine.begin() as conn:
            found = conn.execute(old).all()
            senders = [sender for sender, _ in found]
            if dry_run:
                return Removed(len(senders), sum(n for _, n in found), before)
            removed = 0
            for batch in _batches(senders):
                removed += conn.execute(delete(events).where(
                    events.c.sender_id.in_(batch),
                    or_(events.c.timestamp < cutoff, events.c.timestamp.is_(None)),
                )).rowcount
        if engine.dialect.name == "sqlite" and removed:
            with engine.connect() as conn:  # fold the write-ahead log in, so old pages leave it too
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise RetentionError(f"cannot delete from {_shown(engine.url)}: {reason}") from None
    return Removed(len(senders), removed, before)


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days") from None
    if days < 1:
        raise argparse.ArgumentTypeError("must be at least 1 (0 would delete every conversation)")
    return days


def main(argv: list[str] | None = None) -> int:
    try:
        settings = get_settings()
    except ValidationError as exc:  # e.g. CONVERSATION_RETENTION_DAYS=soon: say so, no traceback
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        print(f"Retention not run: the settings are not valid ({problems})", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(
        prog="python -m bot.db.retention",
        description="Delete conversations whose last turn is older than N days from the conversation database.")
    parser.add_argument("--days", type=_days, default=settings.conversation_retention_days,
                        help="keep conversations with a turn in the last N days "
                             f"(default CONVERSATION_RETENTION_DAYS, now {settings.conversation_retention_days})")
    parser.add_argument("--dry-run", action="store_true", help="count what would go; delete nothing")
    parser.add_argument("--url", default=None,
                        help="conversation database URL (default TRACKER_DATABASE_URL, else var/conversations.db)")
    args = parser.parse_args(argv)
    url = args.url or settings.tracker_database_url or DEFAULT_TRACKER_URL  # empty means default, as in Rasa
    try:
        engine = conversation_engine(url)
        try:
            result = purge(engine, args.days, dry_run=args.dry_run)
        finally:
            engine.dispose()
    except RetentionError as exc:
        print(f"Retention not run: {exc}", file=sys.stderr)
        return 1
    where = _shown(engine.url)
    what = f"{result.conversations} conversation(s) ({result.events} event(s))"
    older = f"whose last turn is before {result.before:%Y-%m-%d %H:%M} UTC ({args.days} days ago)"
    if args.dry_run:
        print(f"Would remove {what} {older} from {where}. Nothing deleted (--dry-run).")
    else:
        print(f"Removed {what} {older} from {where}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
