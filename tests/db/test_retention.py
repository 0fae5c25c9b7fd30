"""Retention: a conversation is deleted, whole, once its last turn is older than the limit;
newer conversations, and old ones still being continued, stay. The command says what it did,
and a database it cannot use is a clear message and exit code 1, never a traceback."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    select,
    text,
)

from bot.config import get_settings
from bot.db import retention
from bot.db.retention import conversation_engine, main, purge
from tests.conftest import _fresh_postgres

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=timezone.utc)


def _events(schema: str | None = None) -> Table:
    """The table as Rasa 3.6's SQLTrackerStore makes it."""
    return Table("events", MetaData(schema=schema),
                 Column("id", Integer, primary_key=True), Column("sender_id", String(255), nullable=False, index=True),
                 Column("type_name", String(255), nullable=False), Column("timestamp", Float),
                 Column("intent_name", String(255)), Column("action_name", String(255)), Column("data", Text))


def _turns(engine: Engine, sender: str, *days_ago: float, schema: str | None = None, data: str = "{}",
           now: datetime = NOW) -> None:
    """Events of one conversation, ``days_ago`` before ``now`` (the command's tests use the real now)."""
    rows = [{"sender_id": sender, "type_name": "user", "data": data,
             "timestamp": (now - timedelta(days=d)).timestamp()} for d in days_ago]
    with engine.begin() as conn:
        conn.execute(_events(schema).insert(), rows)


def _senders(engine: Engine, schema: str | None = None) -> dict[str, int]:
    events = _events(schema)
    with engine.connect() as conn:
        rows = conn.execute(select(events.c.sender_id, events.c.id)).all()
    counts: dict[str, int] = {}
    for sender, _ in rows:
        counts[sender] = counts.get(sender, 0) + 1
    return counts


def _sqlite_url(path: Path) -> str:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("PRAGMA journal_mode=WAL"))  # as Rasa's store runs it
    _events().create(engine)
    engine.dispose()
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def conversations(request, tmp_path) -> Iterator[str]:
    """The URL of an empty conversation database (events table only), on each backend."""
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path / "conversations.db")
        return
    for url in _fresh_postgres(request.getfixturevalue("postgres_server")):
        engine = create_engine(url)
        _events().create(engine)
        engine.dispose()
        yield url


@pytest.fixture
def engine(conversations) -> Iterator[Engine]:
    engine = conversation_engine(conversations)
    yield engine
    engine.dispose()


@pytest.fixture
def settings_from_env(monkeypatch) -> Iterator[pytest.MonkeyPatch]:
    """Environment variables the command reads through the (cached) settings."""
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


# --- what goes and what stays ------------------------------------------------------------------
def test_only_conversations_whose_last_turn_is_older_than_the_limit_are_deleted(engine):
    _turns(engine, "old", 500, 450, 401)
    _turns(engine, "recent", 3, 2)
    _turns(engine, "still-continued", 800, 700, 10)  # began long ago, last turn ten days ago
    removed = purge(engine, 400, now=NOW)
    assert (removed.conversations, removed.events) == (1, 3)
    assert _senders(engine) == {"recent": 2, "still-continued": 3}  # kept whole, early turns too


def test_a_conversation_just_inside_the_limit_stays(engine):
    _turns(engine, "day-399", 399.9)
    _turns(engine, "day-401", 400.1)
    purge(engine, 400, now=NOW)
    assert set(_senders(engine)) == {"day-399"}


def test_a_dry_run_counts_what_would_go_and_deletes_nothing(engine):
    _turns(engine, "old", 500, 450)
    _turns(engine, "recent", 1)
    removed = purge(engine, 400, dry_run=True, now=NOW)
    assert (removed.conversations, removed.events) == (1, 2)
    assert _senders(engine) == {"old": 2, "recent": 1}


def test_many_old_conversations_are_deleted_a_batch_at_a_time(engine, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    for n in range(5):
        _turns(engine, f"old-{n}", 500, 499)
    _turns(engine, "recent", 1)
    assert (purge(engine, 400, now=NOW).conversations, _senders(engine)) == (5, {"recent": 1})


def test_nothing_old_enough_is_not_an_error(engine):
    _turns(engine, "recent", 1)
    assert purge(engine, 400, now=NOW).conversations == 0


def test_a_deleted_conversation_does_not_linger_in_the_sqlite_file(tmp_path):
    url = _sqlite_url(tmp_path / "conversations.db")
    writer = create_engine(url)
    _turns(writer, "old", 500, data='{"text": "MARKER-of-an-old-conversation"}')
    _turns(writer, "recent", 1)
    writer.dispose()
    engine = conversation_engine(url)
    purge(engine, 400, now=NOW)
    engine.dispose()
    on_disk = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("conversations.db"))
    assert b"MARKER-of-an-old-conversation" not in on_disk


@pytest.mark.postgres
def test_on_postgresql_the_table_is_found_in_postgresql_schema_as_rasa_does(postgres_server, monkeypatch):
    for url in _fresh_postgres(postgres_server):
        setup = create_engine(url)
        with setup.begin() as conn:
            conn.execute(text("CREATE SCHEMA conversations"))
        _events("conversations").create(setup)
        _turns(setup, "old", 500, schema="conversations")
        _turns(setup, "recent", 1, schema="conversations")
        monkeypatch.setenv("POSTGRESQL_SCHEMA", "conversations")
        engine = conversation_engine(url)
        assert purge(engine, 400, now=NOW).conversations == 1
        engine.dispose()
        assert set(_senders(setup, "conversations")) == {"recent"}
        setup.dispose()


# --- the command ---------------------------------------------------------------------------
def test_the_command_deletes_and_says_how_many_conversations_and_events_went(conversations, capsys):
    engine = create_engine(conversations)
    _turns(engine, "old", 600, 500, now=datetime.now(timezone.utc))
    _turns(engine, "recent", 1, now=datetime.now(timezone.utc))
    assert main(["--url", conversations, "--days", "400"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Removed 1 conversation(s) (2 event(s)) whose last turn is before ")
    assert "(400 days ago)" in out
    assert set(_senders(engine)) == {"recent"}
    engine.dispose()


def test_the_command_with_dry_run_says_what_would_go_and_keeps_it(tmp_path, capsys):
    url = _sqlite_url(tmp_path / "conversations.db")
    engine = create_engine(url)
    _turns(engine, "ancient", 5000, now=datetime.now(timezone.utc))
    assert main(["--url", url, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Would remove 1 conversation(s) (1 event(s))") and "Nothing deleted (--dry-run)" in out
    assert _senders(engine) == {"ancient": 1}
    engine.dispose()


def test_the_command_reads_its_defaults_from_the_environment(tmp_path, settings_from_env, capsys):
    url = _sqlite_url(tmp_path / "conversations.db")
    engine = create_engine(url)
    _turns(engine, "two-months", 60, now=datetime.now(timezone.utc))
    _turns(engine, "one-week", 7, now=datetime.now(timezone.utc))
    settings_from_env.setenv("TRACKER_DATABASE_URL", url)
    settings_from_env.setenv("CONVERSATION_RETENTION_DAYS", "30")
    assert main([]) == 0
    assert "(30 days ago)" in capsys.readouterr().out
    assert set(_senders(engine)) == {"one-week"}
    engine.dispose()


def test_the_default_limit_is_400_days(settings_from_env):
    settings_from_env.delenv("CONVERSATION_RETENTION_DAYS", raising=False)
    assert get_settings().conversation_retention_days == 400


def test_a_missing_database_file_is_exit_1_with_a_clear_message_and_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "var" / "conversations.db"
    assert main(["--url", f"sqlite:///{missing}"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Retention not run: no conversation database at ") and "Traceback" not in err
    assert not missing.exists() and not missing.parent.exists()


def test_a_database_without_an_events_table_is_exit_1_with_a_clear_message(tmp_path, capsys):
    empty = tmp_path / "empty.db"
    empty.touch()  # an existing SQLite file with no tables
    assert main(["--url", f"sqlite:///{empty}"]) == 1
    assert "no 'events' table in " in capsys.readouterr().err


def test_an_unreachable_postgresql_is_exit_1_with_a_clear_message(capsys):
    assert main(["--url", f"postgresql://nobody@127.0.0.1:1/{uuid.uuid4().hex}"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Retention not run: cannot read postgresql+psycopg://nobody@127.0.0.1:1/")


def test_something_that_is_not_a_database_url_is_exit_1(capsys):
    assert main(["--url", "not a url"]) == 1
    assert "is not a database URL" in capsys.readouterr().err


@pytest.mark.parametrize("days", ["0", "-5", "soon"])
def test_a_limit_that_is_not_a_positive_number_of_days_is_exit_2(days, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--days", days])
    assert exited.value.code == 2 and "--days" in capsys.readouterr().err


def test_a_retention_setting_that_is_not_a_number_is_exit_2_naming_it(settings_from_env, capsys):
    settings_from_env.setenv("CONVERSATION_RETENTION_DAYS", "soon")
    assert main([]) == 2
    assert "CONVERSATION_RETENTION_DAYS" in capsys.readouterr().err
