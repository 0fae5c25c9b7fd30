"""While the knowledge base's database is down, the facts already read still answer (the packs
do not change without a reload); a server that never read them still says the database is down."""

from __future__ import annotations

import logging
import socket

import pytest
from sqlalchemy.exc import OperationalError

from bot.db.session import make_engine
from bot.knowledge.query import KnowledgeBase


def _nothing_listening() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/gone"


def test_facts_already_read_still_answer_while_the_database_is_down(loaded_engine, caplog):
    kb = KnowledgeBase(loaded_engine, refresh_seconds=0)
    urgent_before = [c.contact.name for c in kb.contacts_at("tameside")]
    kb.engine = make_engine(_nothing_listening())  # the database stops
    with caplog.at_level(logging.WARNING, logger="bot.knowledge.query"):
        assert [c.contact.name for c in kb.contacts_at("tameside")] == urgent_before
        assert kb.national().emergency_number == "999"
    assert "knowledge base unreachable (OperationalError)" in caplog.text
    kb.engine = loaded_engine  # and is back: read from it again
    assert kb.resolve_area_id("Tameside") == "tameside"


def test_a_server_that_never_read_the_knowledge_says_the_database_is_down():
    kb = KnowledgeBase(make_engine(_nothing_listening()))
    with pytest.raises(OperationalError):
        kb.covered()
