"""Each event of a conversation is stored once, whichever way the tracker reached the store.

Runs inside Rasa's own environment (.venv-rasa), as Rasa does.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import _fresh_postgres
from tests.support.rasa_env import run_in_rasa

SCRIPT = r"""
import asyncio, sys
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_addons.tracker_store import RedactingSQLTrackerStore

domain = Domain.from_yaml("slots:\n  concern:\n    type: text\n    mappings:\n    - type: custom\n")
store = RedactingSQLTrackerStore(domain=domain, db_url=sys.argv[1])


def said(text):
    return UserUttered(text, {"name": "describe_concern", "confidence": 1.0},
                       parse_data={"text": text, "intent": {"name": "describe_concern"}, "entities": []})


async def main():
    first_turn = [ActionExecuted("action_listen"), said("he is often hungry"), SlotSet("concern", "hungry"),
                  BotUttered("Thanks."), ActionExecuted("action_listen")]
    # a tracker built elsewhere: what is stored is counted
    await store.save(DialogueStateTracker.from_events("c", first_turn, slots=domain.slots))
    # a turn on a tracker read from the store: only its new events are written, once
    tracker = await store.retrieve("c")
    assert len(tracker.events) == 5
    tracker.update(said("and tired"))
    tracker.update(BotUttered("Noted."))
    await store.save(tracker)
    await store.save(tracker)  # saved again with nothing new
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    # the same conversation rebuilt from scratch, one event longer: only that event is new
    again = DialogueStateTracker.from_events("c", list((await store.retrieve("c")).events) + [said("thanks")],
                                             slots=domain.slots)
    await store.save(again)
    stored = await store.retrieve("c")
    print([e.type_name for e in stored.events])

asyncio.run(main())
"""


def test_each_event_is_stored_once(tmp_path):
    db = tmp_path / "conversations.db"
    out = run_in_rasa(SCRIPT, f"sqlite:///{db}")
    expected = ["action", "user", "slot", "bot", "action", "user", "bot", "action", "user"]
    assert out.splitlines()[-1] == str(expected)
    rows = [row[0] for row in sqlite3.connect(db).execute("select type_name from events order by id")]
    assert rows == expected


SESSIONS_SCRIPT = r"""
import asyncio, sys
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_addons.tracker_store import RedactingSQLTrackerStore

store = RedactingSQLTrackerStore(domain=Domain.empty(), db_url=sys.argv[1])


def session(start, text):
    return [SessionStarted(timestamp=start), ActionExecuted("action_listen", timestamp=start + 1),
            UserUttered(text, {"name": "describe_concern"}, timestamp=start + 2)]


async def main():
    await store.save(DialogueStateTracker.from_events("two sessions", session(100, "first") + session(200, "second")))
    await store.save(DialogueStateTracker.from_events("no session", session(300, "only")[1:]))
    for sender in ("two sessions", "no session"):
        latest, everything = await store.retrieve(sender), await store.retrieve_full_tracker(sender)
        print(sender, [int(e.timestamp) for e in latest.events], [int(e.timestamp) for e in everything.events])
    print(await store.retrieve("nobody"))

asyncio.run(main())
"""


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_conversation_is_read_back_from_its_latest_session(backend, tmp_path, request):
    """As Rasa's own store: a turn sees the events since the latest session started (all of
    them when none did), and the full history is still there when asked for."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'conversations.db'}"
        out = run_in_rasa(SESSIONS_SCRIPT, url)
    else:
        for url in _fresh_postgres(request.getfixturevalue("postgres_server")):
            out = run_in_rasa(SESSIONS_SCRIPT, make_url(url).set(drivername="postgresql").render_as_string(False))
    assert out.splitlines()[-3:] == [
        "two sessions [200, 201, 202] [100, 101, 102, 200, 201, 202]",
        "no session [301, 302] [301, 302]",
        "None",
    ]


DROPPED_SCRIPT = r"""
import asyncio, sys
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_addons.tracker_store import RedactingSQLTrackerStore

store = RedactingSQLTrackerStore(domain=Domain.empty(), db_url=sys.argv[1])
admin = sa.create_engine(sys.argv[1], isolation_level="AUTOCOMMIT")


def drop_the_stores_connections():
    # what a restart of PostgreSQL does to every connection in the store's pool
    with admin.connect() as conn:
        return conn.execute(sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()


async def main():
    await store.save(DialogueStateTracker.from_events("c", [ActionExecuted("action_listen"), UserUttered("hello")]))
    print("dropped before reading", drop_the_stores_connections())
    tracker = await store.retrieve("c")
    tracker.update(BotUttered("Hello."))
    print("dropped before writing", drop_the_stores_connections())
    await store.save(tracker)
    print([e.type_name for e in (await store.retrieve("c")).events])

asyncio.run(main())
"""


@pytest.mark.postgres
def test_a_turn_goes_on_after_the_database_dropped_its_connections(request):
    """After PostgreSQL restarts, every pooled connection is dead: the next read and the next
    write each get a new connection, and the turn's events are stored once."""
    for url in _fresh_postgres(request.getfixturevalue("postgres_server")):
        out = run_in_rasa(DROPPED_SCRIPT, make_url(url).set(drivername="postgresql").render_as_string(False))
    lines = out.splitlines()[-3:]
    assert lines[0] == "dropped before reading 1" and lines[1] == "dropped before writing 1"
    assert lines[2] == str(["action", "user", "bot"])


LONG_SCRIPT = r"""
import asyncio, sys
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_addons.tracker_store import RedactingSQLTrackerStore

store = RedactingSQLTrackerStore(domain=Domain.empty(), db_url=sys.argv[1])


async def main():
    tracker = DialogueStateTracker.from_events("long", [BotUttered(f"line {n}") for n in range(1203)])
    await store.save(tracker)
    await store.save(tracker)
    print([e.text for e in (await store.retrieve("long")).events] == [f"line {n}" for n in range(1203)])

asyncio.run(main())
"""


def test_a_long_conversation_imported_whole_is_stored_once_in_order(tmp_path):
    """A tracker built elsewhere (an imported conversation) can hold more events than one
    statement writes: they are written in several, each event once, in order."""
    db = tmp_path / "conversations.db"
    assert run_in_rasa(LONG_SCRIPT, f"sqlite:///{db}").splitlines()[-1] == "True"
    assert sqlite3.connect(db).execute("select count(*) from events").fetchone() == (1203,)
