"""Personal data is redacted before anything is stored."""

from __future__ import annotations

import json
import sqlite3
import textwrap

import pytest

from bot.privacy.redact import redact
from tests.support.numbers import number_of
from tests.support.rasa_env import rasa_python, run_in_rasa

PLANTED = {
    "name": "Jake Smith",
    "dob": "12/03/2015",
    "address": "14 Acacia Road",
    "postcode": "B61 8QT",
    "mobile": "07700 900123",
    "email": "jsmith@example.com",
    "nhs": "943 476 5919",
}
MESSAGE = (f"{PLANTED['name']} (DOB {PLANTED['dob']}) lives at {PLANTED['address']}, {PLANTED['postcode']}. "
           f"Mum's mobile is {PLANTED['mobile']}, email {PLANTED['email']}, NHS number {PLANTED['nhs']}. "
           "He has been bunking off every week.")


@pytest.mark.parametrize("kind", list(PLANTED))
def test_planted_personal_data_is_redacted(kind):
    assert PLANTED[kind] not in redact(MESSAGE)


def test_the_concern_itself_survives_redaction():
    assert "bunking off every week" in redact(MESSAGE)


@pytest.mark.parametrize("number", [number_of("worcestershire", "family-front-door"), number_of("worcestershire", "out-of-hours"), number_of("tameside", "childrens-hub"), number_of("redcar-cleveland", "redcar-mach"), "999"])
def test_the_service_numbers_we_give_are_kept(number):
    assert number in redact(f"I rang {number} this morning.")


def test_area_and_service_names_are_not_taken_for_names():
    text = "I work in Tameside and spoke to the Family Front Door and the Children's HUB."
    assert redact(text) == text


@pytest.mark.parametrize("text", ["I work in Stockton-on-Tees.", "Tameside's MASH rang back."])
def test_hyphenated_and_possessive_place_names_are_kept(text):
    assert redact(text) == text


def test_the_assistants_own_reply_keeps_the_packs_wording_but_not_an_echoed_name():
    reply = "Level 4 for Jake: Severe and specialist needs (child protection)."
    assert redact(reply, from_packs=True) == "Level 4 for [name]: Severe and specialist needs (child protection)."


def test_a_hyphenated_name_after_a_cue_is_redacted_whole():
    assert redact("Her name is Sarah-Jane Smith.") == "Her name is [name]."


def test_a_name_after_a_cue_is_redacted_even_at_the_start():
    assert "Amelia" not in redact("A girl called Amelia is missing school.")


RASA_SCRIPT = textwrap.dedent("""
    import asyncio, sys
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered, BotUttered, SlotSet, ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa_addons.tracker_store import RedactingSQLTrackerStore
    message = sys.argv[2]
    domain = Domain.from_yaml("slots:\\n  concern:\\n    type: text\\n    mappings:\\n    - type: custom\\n")
    store = RedactingSQLTrackerStore(domain=domain, db_url=sys.argv[1])
    tracker = DialogueStateTracker.from_events("planted", [
        ActionExecuted("action_listen"),
        UserUttered(message, {"name": "describe_concern", "confidence": 1.0}, parse_data={"text": message, "intent": {"name": "describe_concern"}, "entities": []}),
        SlotSet("concern", message),
        BotUttered(f"Thanks. Call {sys.argv[3]} (Family Front Door)."),
    ], slots=domain.slots)
    asyncio.run(store.save(tracker))
    print("saved")
""")


def test_the_stored_conversation_holds_none_of_the_planted_data(tmp_path):
    db = tmp_path / "conversations.db"
    assert "saved" in run_in_rasa(RASA_SCRIPT, f"sqlite:///{db}", MESSAGE, number_of("worcestershire", "family-front-door"))
    stored = "\n".join(row[0] for row in sqlite3.connect(db).execute("select data from events"))
    assert stored, "events were stored"
    for kind, value in PLANTED.items():
        assert value not in stored, f"{kind} leaked into the stored tracker"
    assert "bunking off every week" in stored
    assert number_of("worcestershire", "family-front-door") in stored, "the service number we gave is kept"
    assert json.loads(stored.splitlines()[0])


def test_a_bad_conversation_database_url_fails_fast_with_a_clear_message():
    script = ("from rasa_addons.tracker_store import RedactingSQLTrackerStore\n"
              "RedactingSQLTrackerStore(db_url='postgresql://nobody@127.0.0.1:1/none')")
    out = rasa_python(script, timeout=120)
    assert out.returncode != 0
    assert "TrackerStoreUnavailable" in out.stderr and "TRACKER_DATABASE_URL" in out.stderr


@pytest.mark.parametrize("text, name", [
    ("Jake has been bunking off all term.", "Jake"),
    ("Olivia's mum rang the school.", "Olivia"),
    ("I saw Tyler at pick-up with a bruise.", "Tyler"),
])
def test_a_common_first_name_is_redacted_even_at_the_start_of_a_sentence(text, name):
    assert name not in redact(text)
