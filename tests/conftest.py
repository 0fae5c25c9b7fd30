"""Fixtures: a knowledge base loaded from the real packs, on SQLite and on PostgreSQL.

PostgreSQL tests use TEST_POSTGRES_URL (default: the local server on 127.0.0.1:5432,
database ``test``). Each run gets its own throwaway database. When the server is not
reachable they are skipped, and the skip reason says so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bot.config import PROJECT_ROOT
from bot.db.migrate import upgrade
from bot.db.session import make_engine
from bot.knowledge.packs import KnowledgeSet, load_knowledge
from bot.knowledge.query import KnowledgeBase
from bot.knowledge.store import sync
from bot.triage.engine import TriageEngine
from tests.support.shared_stack import shared_slack_api, shared_stack  # noqa: F401 - session fixtures
from tests.support.stack import STARTED

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeSet:
    return load_knowledge(KNOWLEDGE_DIR)


def _postgres_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_PG)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """URL of the PostgreSQL server for tests, or skip saying why."""
    url = _postgres_admin_url()
    try:
        eng = create_engine(url, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not available here"
        pytest.skip(f"PostgreSQL not reachable at {make_url(url).render_as_string(hide_password=True)} "
                    f"(set TEST_POSTGRES_URL): {type(exc).__name__}")
    return url


def _fresh_postgres(server_url: str) -> Iterator[str]:
    name = f"navigator_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db(request, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty knowledge database on each backend."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'kb.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    server = request.getfixturevalue("postgres_server")
    for url in _fresh_postgres(server):
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


@pytest.fixture(scope="session")
def loaded_engine(knowledge, tmp_path_factory) -> Engine:
    """One SQLite knowledge base, loaded once for the read-only tests."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('kb') / 'kb.db'}")
    upgrade(engine)
    sync(engine, knowledge)
    return engine


@pytest.fixture(scope="session")
def kb(loaded_engine) -> KnowledgeBase:
    return KnowledgeBase(loaded_engine)


WEDNESDAY_1100 = datetime(2026, 11, 18, 11, 0)
SATURDAY_2100 = datetime(2026, 11, 21, 21, 0)


@pytest.fixture(scope="session")
def engine(kb) -> TriageEngine:
    return TriageEngine(kb)


@pytest.fixture
def assess(engine):
    """Assess as a practitioner would, on a Wednesday morning unless told otherwise."""

    def _assess(area: str, concern: str, answers=None, at=WEDNESDAY_1100):
        return engine.assess(area, concern, answers, at)

    return _assess


def pytest_terminal_summary(terminalreporter) -> None:
    """Say how many assistants (actions + Rasa) this run started: one shared, plus the fault tests' own."""
    if STARTED:
        terminalreporter.write_line(f"stacks started: {len(STARTED)} ({', '.join(STARTED)})")
