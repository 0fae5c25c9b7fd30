"""Engines and sessions, with a clear error for a database we cannot reach."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker


class DatabaseUnavailable(RuntimeError):
    """The configured database cannot be used. The message says why and what to set."""


def _redacted(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def with_installed_driver(url: URL) -> URL:
    """A PostgreSQL URL on psycopg 3, the driver this environment has (``postgresql://`` means psycopg2)."""
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("psycopg2", "postgresql", ""):
        return url.set(drivername="postgresql+psycopg")
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and foreign keys on."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailable(
            f"DATABASE_URL is not a database URL ({exc}). Example: sqlite:///var/navigator.db"
        ) from exc
    kwargs: dict = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs = {"connect_args": {"check_same_thread": False}}
    elif parsed.get_backend_name() == "postgresql":
        parsed = with_installed_driver(parsed)
        kwargs["connect_args"] = {"connect_timeout": 5}
    try:
        engine = create_engine(parsed, **kwargs)
    except Exception as exc:  # missing driver, bad options
        raise DatabaseUnavailable(f"cannot use DATABASE_URL {_redacted(url)}: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine


def check_connection(engine: Engine) -> None:
    """Fail fast, with a message a person can act on, if the database is unreachable."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnavailable(
            f"cannot connect to {_redacted(str(engine.url))}: {reason}. "
            "Check DATABASE_URL, or unset it to use the default SQLite file."
        ) from exc


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
