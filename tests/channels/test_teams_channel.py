"""Teams end to end: the real Rasa server and action server behind our Teams channel, with
Microsoft's side played by local fakes (OpenID metadata + keys, token service, Bot Connector).

Activities are built with Microsoft's schema (botbuilder-schema) and signed with a local RSA
key that the fake metadata publishes. The bot's replies are captured by the fake connector
and read back with the same schema. One stack for the whole module (Rasa takes a minute to
start). Needs the trained model; skipped without it.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from botbuilder.schema import Activity, HeroCard

from tests.channels.teams_support.activities import TeamsUser
from tests.channels.teams_support.fake_microsoft import FakeMicrosoft, Signer, new_rsa_key
from tests.support.numbers import number_of, urgent_numbers
from tests.support.stack import Stack, needs_model, running_stack

pytestmark = needs_model

APP_ID = "9a7e4c3b-5d2f-4e1a-8b6c-0f1e2d3c4b5a"
TENANT = "3c1d2e4f-1111-4222-8333-444455556666"
SALT = "teams-test-salt-" + "0" * 16
CREDENTIALS = "rest:\nrasa_addons.channels.teams.TeamsInput:\n"
BELT = "Dad hits him with a belt and he has marks on his legs."
PUNCHED = "He came in with a fresh bruise on his cheek and said dad punched him this morning."


@dataclass
class Teams:
    stack: Stack
    fake: FakeMicrosoft
    requests_at_start: dict[str, int]

    @property
    def webhook(self) -> str:
        return f"{self.stack.rasa_url}/webhooks/teams/webhook"

    def user(self) -> TeamsUser:
        """A new practitioner in a new personal chat."""
        n = uuid.uuid4().hex[:8]
        return TeamsUser(self.fake.service_url, user_id=f"29:user-{n}", aad_object_id=f"aad-{n}",
                         conversation_id=f"a:chat-{n}")

    def post(self, activity: dict[str, Any], token: str | None = "valid") -> httpx.Response:
        headers = {}
        if token == "valid":
            token = self.fake.signer.token(activity["serviceUrl"])
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.post(self.webhook, json=activity, headers=headers, timeout=30)

    def turn(self, activity: dict[str, Any]) -> list[dict[str, Any]]:
        """Send one signed activity; the replies the connector received for it."""
        r = self.post(activity)
        assert r.status_code in (200, 202), r.text
        return [c.activity for c in self.fake.wait_for_replies(activity["id"], timeout=60)]

    def say(self, user: TeamsUser, text: str) -> list[dict[str, Any]]:
        return self.turn(user.message(text))


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def buttons_of(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for a in reply.get("attachments", []) for b in a["content"].get("buttons", [])]


@pytest.fixture(scope="module")
def teams(loaded_engine, tmp_path_factory):
    # Its own stack, not the run's shared one (tests/support/shared_stack.py): these tests count
    # what one Rasa process fetched from Microsoft (nothing at start-up, the keys and the token
    # once, then cached; the shared stack runs two workers, each with its own cache), use their
    # own CHANNEL_ID_SALT, and read a tracker store that holds only Teams senders.
    fake = FakeMicrosoft(app_id=APP_ID, app_password="local-test-password").start()
    try:
        with running_stack(tmp_path_factory.mktemp("teams"), str(loaded_engine.url), credentials=CREDENTIALS,
                           env=fake.env(TENANT, SALT)) as stack:
            yield Teams(stack, fake, dict(fake.requests))
    finally:
        fake.stop()


def answer_for(teams: Teams, user: TeamsUser, area: str, concern: str) -> list[dict[str, Any]]:
    """Name the area, describe the concern, answer "no" to questions that help: all replies."""
    replies = teams.say(user, f"I work in {area}")
    replies += teams.say(user, concern)
    for _ in range(4):
        if "Who to contact now" in text_of(replies):
            break
        replies += teams.say(user, "no")
    return replies


def test_the_channel_started_without_fetching_anything_from_microsoft(teams):
    assert teams.requests_at_start == {}


def test_added_to_a_chat_the_bot_welcomes_with_the_privacy_line(teams):
    replies = teams.turn(teams.user().bot_added())
    assert len(replies) == 1
    assert "Please do not type names, addresses or dates of birth" in replies[0]["text"]
    assert "999" in replies[0]["text"]


def test_a_concern_after_naming_the_area_gets_the_level_and_the_areas_numbers(teams):
    user = teams.user()
    first = teams.say(user, "I work in Tameside")
    assert "answer for" in text_of(first)
    replies = answer_for(teams, user, "Tameside", BELT)
    text = text_of(replies)
    assert "level 4" in text
    assert number_of("tameside", "childrens-hub") in text and number_of("tameside", "out-of-hours") in text


def test_the_answer_is_one_activity_with_sources_and_working_buttons(teams):
    replies = answer_for(teams, teams.user(), "Worcestershire", BELT)
    answer = next(r for r in replies if "Who to contact now" in r.get("text", ""))
    parsed = Activity.deserialize(answer)
    assert parsed.type == "message" and parsed.reply_to_id and parsed.from_property.id == "28:navigator-bot"
    assert "**Sources**" in parsed.text and "years old" in parsed.text.split("**Sources**")[1]
    card = HeroCard.deserialize(parsed.attachments[0].content)
    assert card.buttons and all(b.type in ("imBack", "messageBack") and b.value for b in card.buttons)
    # text, buttons and sources arrived together: no separate activity carries the json
    assert not any(r.get("text", "").lstrip().startswith("{") for r in replies)


def test_an_emergency_reply_puts_999_and_the_urgent_number_first(teams):
    user = teams.user()
    teams.say(user, "I'm in Tameside")
    replies = teams.say(user, PUNCHED)
    first_paragraph = replies[0]["text"].split("\n\n")[0]
    assert first_paragraph.startswith("**") and first_paragraph.endswith("**")  # bold, at the top
    assert "999" in first_paragraph and any(n in first_paragraph for n in urgent_numbers("tameside"))
    assert replies[0]["importance"] == "high"


def test_a_button_click_round_trips_into_the_conversation(teams):
    user = teams.user()
    replies = answer_for(teams, user, "Tameside", BELT)
    answer = next(r for r in replies if "Who to contact now" in r.get("text", ""))
    who = next(b for b in buttons_of(answer) if b["title"] == "Who do I call?")
    follow_up = text_of(teams.turn(user.click(who)))
    assert "Who to call in Tameside" in follow_up and number_of("tameside", "childrens-hub") in follow_up


def test_an_area_button_click_answers_the_pending_concern_for_that_area(teams):
    user = teams.user()
    asked = teams.say(user, "She has been bunking off school for months.")
    stockton = [b for r in asked for b in buttons_of(r) if b["title"] == "Stockton-on-Tees"]
    assert stockton and stockton[0]["value"].startswith("/inform_area"), text_of(asked)
    replies = teams.turn(user.click(stockton[0]))
    for _ in range(4):  # Stockton's questions that help, if any, then the answer
        if "Who to contact now" in text_of(replies):
            break
        replies += teams.say(user, "no")
    assert "Stockton-on-Tees: level" in text_of(replies)


def test_a_bare_question_gets_a_reply(teams):
    """Every accepted message gets an answer, whatever the language model makes of it (when the
    dialogue says nothing, the channel sends its own short line ending with 999)."""
    replies = teams.say(teams.user(), "Which area?")
    assert replies and text_of(replies).strip()


def test_refused_requests_get_401_and_no_reply(teams):
    user, signer = teams.user(), teams.fake.signer
    service = teams.fake.service_url
    now = int(time.time())
    forged = Signer(new_rsa_key(), signer.kid, APP_ID)
    tokens = {
        "no token": None,
        "unsigned": "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJhdWQiOiJ4In0.",
        "wrong key": forged.token(service),
        "wrong audience": signer.token(service, aud="another-bot"),
        "wrong serviceUrl": signer.token("https://attacker.example/"),
        "expired": signer.token(service, exp=now - 3600, nbf=now - 7200, iat=now - 7200),
    }
    sent = {name: user.message("I work in Tameside") for name in tokens}
    statuses = {name: teams.post(sent[name], token=tok).status_code for name, tok in tokens.items()}
    assert statuses == {name: 401 for name in tokens}
    time.sleep(2)
    assert all(not teams.fake.replies_to(a["id"]) for a in sent.values())


def test_an_unsupported_activity_gets_a_short_reply(teams):
    replies = teams.turn(teams.user().reaction())
    assert len(replies) == 1 and "typed messages" in replies[0]["text"] and "999" in replies[0]["text"]


def test_the_http_answer_comes_at_once_and_the_reply_follows(teams):
    user = teams.user()
    activity = user.message("I work in Cambridgeshire")
    started = time.perf_counter()
    r = teams.post(activity)
    acked = time.perf_counter() - started
    assert r.status_code == 202 and acked < 1.0
    assert teams.fake.first_reply_at(activity["id"], timeout=30) is not None


def test_keys_were_fetched_once_and_the_token_from_our_tenant_once(teams):
    teams.say(teams.user(), "hello")
    assert teams.fake.requests.get("metadata") == 1 and teams.fake.requests.get("keys") == 1
    assert teams.fake.token_tenants == [TENANT]  # cached across every reply since


def test_health_says_the_channel_is_live(teams):
    health = httpx.get(f"{teams.stack.rasa_url}/webhooks/teams/", timeout=10).json()
    assert health["status"] == "ok" and health["tenant"] == "single"


def test_the_tracker_holds_hashed_senders_and_no_teams_addresses(teams):
    user = teams.user()
    teams.say(user, "I work in Tameside")
    db = teams.stack.folder / "conversations.db"
    with sqlite3.connect(db) as conn:
        senders = {row[0] for row in conn.execute("SELECT DISTINCT sender_id FROM events")}
        dump = "\n".join(str(row) for row in conn.execute("SELECT * FROM events"))
    assert senders and all(s.startswith("teams-") and len(s) == len("teams-") + 32 for s in senders)
    for secret in (user.user_id, user.aad_object_id, user.conversation_id, teams.fake.url.split("//")[1]):
        assert secret not in dump
