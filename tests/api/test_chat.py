"""The web chat's API: the page, and POST /chat/messages forwarding turns to Rasa.

Rasa is stood in for by an httpx mock transport (or by a port where nothing listens), so
these tests need no model. The real conversation in a browser is in tests/browser/.
"""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi.testclient import TestClient

from api.chat_sessions import ConversationIds
from api.deps import get_kb
from api.main import create_app
from api.rasa_rest import RasaRest, fold
from api.routes import chat
from bot.config import Settings
from bot.db.session import DatabaseUnavailable
from tests.support.numbers import number_of
from tests.support.stack import free_port

SECRET = "a test secret for conversation ids"
SENDER = ConversationIds(SECRET.encode()).new()
SOURCE = {"document": "threshold-2020", "title": "Threshold document", "date_label": "2020", "year": 2020,
          "age_years": 6, "section": "Level 4"}


class FakeRasa:
    """Answers like Rasa's REST channel and remembers what it was sent."""

    def __init__(self, answer: list[dict] | None = None, status: int = 200):
        self.answer = answer or []
        self.status = status
        self.received: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/webhooks/rest/webhook"
        self.received.append(json.loads(request.content))
        return httpx.Response(self.status, json=self.answer)


@pytest.fixture
def app(kb):
    return create_app(kb, settings=Settings(app_env="production", chat_session_secret=SECRET))


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def use_rasa(app, rasa: RasaRest) -> None:
    app.dependency_overrides[chat.get_rasa] = lambda: rasa


def with_fake(app, fake: FakeRasa) -> FakeRasa:
    use_rasa(app, RasaRest("http://rasa.test", transport=httpx.MockTransport(fake)))
    return fake


def turn(client, message: str, area: str | None = None, sender: str = SENDER) -> httpx.Response:
    return client.post("/chat/messages", json={"sender": sender, "message": message, "area": area})


# --- the page ----------------------------------------------------------------------------------
def test_the_page_is_served_at_the_root_with_emergency_and_privacy_lines(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "In an emergency call" in r.text and "999" in r.text
    assert "please do not type names, addresses" in r.text
    assert 'name="viewport"' in r.text and 'lang="en-GB"' in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"], "no inline script can run"


def test_without_javascript_nothing_can_be_sent_and_every_areas_numbers_are_shown(client, kb):
    """With no script the form is hidden and its message box has no name (a submitted form would
    carry no concern into the address bar or a log); the page shows 999, each area's urgent
    numbers from its pack, and what to do elsewhere."""
    import re

    page = client.get("/").text
    form = re.search(r"<form[^>]*>", page).group(0)
    assert " hidden" in form and 'action="about:blank"' in form
    assert 'name="message"' not in page and "<textarea" in page and "name=" not in re.search(r"<textarea[^>]*>", page).group(0)
    noscript = page.split("<noscript>", 1)[1].split("</noscript>", 1)[0]
    assert "If a child is in immediate danger, call 999 now." in noscript
    for area_id, name in kb.covered():
        assert name in noscript
        for contact in kb.area(area_id).contacts:
            if contact.urgent and contact.role != "emergency" and contact.phone:
                assert contact.phone in noscript, (area_id, contact.key)
    assert "101" in noscript and "NOSCRIPT_CONTACTS" not in page


def test_the_page_assets_are_served_and_nothing_else(client):
    assert client.get("/chat/static/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/chat/static/style.css").headers["content-type"].startswith("text/css")
    missing = client.get("/chat/static/..%2Fmain.py")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_the_covered_areas_are_listed_for_the_greeting(client):
    ids = [a["id"] for a in client.get("/chat/areas").json()]
    assert ids == sorted(["cambridgeshire", "redcar-cleveland", "stockton-on-tees", "tameside", "worcestershire"])


# --- a turn ------------------------------------------------------------------------------------
def test_a_turn_is_forwarded_and_the_sources_are_merged_into_the_message(app, client):
    fake = with_fake(app, FakeRasa([
        {"recipient_id": "x", "text": "Tameside: level 4.", "buttons": [{"title": "Who do I call?", "payload": "/ask_contacts"}]},
        {"recipient_id": "x", "custom": {"sources": [SOURCE], "emergency": False, "area": "tameside"}},
    ]))
    r = turn(client, "  Dad hits him with a belt.  ")
    assert r.status_code == 200, r.text
    assert fake.received == [{"sender": f"web-{SENDER}", "message": "Dad hits him with a belt."}]
    body = r.json()
    assert len(body["messages"]) == 1, "the custom part is folded into the text before it"
    message = body["messages"][0]
    assert message["buttons"] == [{"title": "Who do I call?", "payload": "/ask_contacts"}]
    assert message["sources"][0]["title"] == "Threshold document"
    assert body["emergency_number"] == "999"


def test_once_the_area_is_known_its_urgent_numbers_come_from_the_pack_with_source_and_age(app, client, kb):
    with_fake(app, FakeRasa([{"text": "Thanks: I'll answer for Tameside."},
                             {"custom": {"emergency": False, "area": "tameside"}}]))
    area = turn(client, "I work in Tameside").json()["area"]
    assert area["id"] == "tameside" and area["name"]
    pack_numbers = {c.phone for c in kb.area("tameside").contacts if c.urgent and c.role != "emergency"}
    shown = {c["phone"] for c in area["urgent"]}
    assert shown == pack_numbers and number_of("tameside", "childrens-hub") in shown
    for c in area["urgent"]:
        assert c["available_now"] in (True, False, None)
        assert c["source"]["title"] and ("old" in c["source_age"] or "current" in c["source_age"])


def test_an_area_whose_guidance_gives_no_number_shows_what_the_pack_says(app, client):
    with_fake(app, FakeRasa([{"text": "Thanks."}, {"custom": {"emergency": False, "area": "stockton-on-tees"}}]))
    urgent = turn(client, "I work in Stockton").json()["area"]["urgent"]
    assert urgent and all(c["phone"] is None for c in urgent)
    assert all("gives no phone number" in c["phone_note"] for c in urgent)


def test_the_area_the_page_remembers_is_used_when_rasa_does_not_report_one(app, client):
    with_fake(app, FakeRasa([{"text": "Could you tell me more?"}]))
    assert turn(client, "hmm", area="worcestershire").json()["area"]["id"] == "worcestershire"
    assert turn(client, "hmm").json()["area"] is None


# --- Rasa down: the emergency advice still comes back -------------------------------------------
def test_rasa_unreachable_still_gives_999_and_the_areas_urgent_number(app, client):
    use_rasa(app, RasaRest(f"http://127.0.0.1:{free_port()}"))
    r = turn(client, "He said dad punched him this morning", area="tameside")
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["title"] == "The assistant is unavailable"
    assert "call 999 now" in body["detail"] and number_of("tameside", "childrens-hub") in body["detail"]
    message = body["messages"][0]
    assert message["emergency"] is True
    assert "unavailable" in message["text"] and "999" in message["text"] and number_of("tameside", "childrens-hub") in message["text"]
    assert message["sources"], "the urgent number's source is cited"
    assert body["area"]["id"] == "tameside"


def test_too_many_turns_from_one_address_get_429_that_still_gives_999_and_the_urgent_number(app, client):
    from api.ratelimit import TokenBuckets

    with_fake(app, FakeRasa([{"recipient_id": "x", "text": "ok"}]))
    app.state.chat_limiter = TokenBuckets(per_minute=2)
    assert turn(client, "first").status_code == 200
    assert turn(client, "second").status_code == 200
    r = turn(client, "He said dad punched him this morning", area="tameside")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert "999" in body["detail"] and number_of("tameside", "childrens-hub") in body["detail"]
    assert body["messages"][0]["emergency"] is True


def test_rasa_unreachable_before_the_area_is_known_still_gives_999(app, client):
    use_rasa(app, RasaRest(f"http://127.0.0.1:{free_port()}"))
    body = turn(client, "hello").json()
    assert "call 999 now" in body["detail"] and "children's social care front door" in body["detail"]
    assert body["area"] is None and body["messages"][0]["emergency"] is True


def test_with_rasa_and_the_knowledge_base_both_down_999_is_still_said(app, client):
    class BrokenKnowledge:
        def __getattr__(self, name):
            raise DatabaseUnavailable("database down")

    use_rasa(app, RasaRest(f"http://127.0.0.1:{free_port()}"))
    app.dependency_overrides[get_kb] = BrokenKnowledge
    r = client.post("/chat/messages", json={"sender": SENDER, "message": "hello"})
    assert r.status_code == 503 and "call 999 now" in r.json()["detail"]


def test_a_failing_rasa_is_treated_as_unavailable(app, client):
    with_fake(app, FakeRasa(status=500))
    r = turn(client, "hello", area="redcar-cleveland")
    assert r.status_code == 503 and number_of("redcar-cleveland", "redcar-mach") in r.json()["detail"]


# --- bad input gets a clear error --------------------------------------------------------------
@pytest.mark.parametrize("payload, field", [
    ({"sender": SENDER, "message": "x" * 2001}, "message"),
    ({"sender": SENDER, "message": "   "}, "message"),
    ({"sender": "Jane Smith", "message": "hello"}, "sender"),
    ({"sender": "short", "message": "hello"}, "sender"),
    ({"message": "hello"}, "sender"),
    ({"sender": SENDER, "message": "hello", "area": "<script>"}, "area"),
    ({"sender": SENDER, "message": "hello", "area": "leeds"}, "area"),
    ({"sender": SENDER, "message": "hello", "name": "Jane"}, "name"),
])
def test_bad_input_is_refused_with_a_problem_naming_the_field(app, client, payload, field):
    fake = with_fake(app, FakeRasa([{"text": "never"}]))
    r = client.post("/chat/messages", json=payload)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in r.json()["errors"]]
    assert fake.received == [], "nothing reaches Rasa"


# --- folding Rasa's REST answer -----------------------------------------------------------------
def test_fold_keeps_the_area_even_without_a_text_before_it_and_ignores_junk():
    turn_ = fold([{"custom": {"area": "tameside"}}, "junk", {"text": "Hello", "buttons": [{"title": "x"}]},
                  {"custom": {"sources": [SOURCE, "bad"], "emergency": True}}])
    assert turn_.area == "tameside"
    assert len(turn_.messages) == 1
    assert turn_.messages[0].buttons == [] and turn_.messages[0].sources == [SOURCE]
    assert turn_.messages[0].emergency is True


def test_a_turn_too_large_or_not_json_gets_a_documented_problem(client, app):
    fake = with_fake(app, FakeRasa([{"text": "Hello"}]))
    too_large = client.post("/chat/messages", content=b'{"sender": "' + b"x" * 2_000_000 + b'"}',
                            headers={"content-type": "application/json"})
    not_json = client.post("/chat/messages", content=b"\xff{not json", headers={"content-type": "application/json"})
    documented = client.get("/openapi.json").json()["paths"]["/chat/messages"]["post"]["responses"]
    for response in (too_large, not_json):
        assert response.headers["content-type"].startswith("application/problem+json")
        assert str(response.status_code) in documented, f"{response.status_code} is not in the OpenAPI document"
    assert (too_large.status_code, not_json.status_code) == (413, 400)
    assert fake.received == [], "neither reached the assistant"


# --- conversations: started by the service, never chosen by a client -----------------------------
def test_a_conversation_is_started_by_the_service_with_an_id_nobody_else_gets(client):
    first, second = (client.post("/chat/sessions") for _ in range(2))
    assert first.status_code == 201 and first.headers["cache-control"] == "no-store"
    ids = first.json()["conversation"], second.json()["conversation"]
    assert ids[0] != ids[1] and all(len(i) == 64 for i in ids)


def test_a_turn_for_a_conversation_the_service_did_not_start_is_refused(app, client):
    fake = with_fake(app, FakeRasa([{"text": "never"}]))
    made_up = "0123456789abcdef" * 4
    r = turn(client, "/ask_handover", sender=made_up)
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["sender"]
    assert "POST /chat/sessions" in r.json()["detail"]
    assert fake.received == [], "nothing reaches Rasa"


def test_a_conversation_the_service_started_is_answered(app, client):
    fake = with_fake(app, FakeRasa([{"text": "Which area do you work in?"}]))
    conversation = client.post("/chat/sessions").json()["conversation"]
    assert turn(client, "hello", sender=conversation).status_code == 200
    assert fake.received == [{"sender": f"web-{conversation}", "message": "hello"}]


def test_ids_are_signed_with_the_services_secret():
    ours, theirs = ConversationIds(b"ours"), ConversationIds(b"theirs")
    conversation = ours.new()
    assert ours.is_ours(conversation) and not theirs.is_ours(conversation)
    assert not ours.is_ours(conversation[:32] + "0" * 32) and not ours.is_ours("")


def test_the_api_sends_rasa_its_token(app, client):
    seen: list[str | None] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(200, json=[{"text": "Hello"}])

    use_rasa(app, RasaRest("http://rasa.test", transport=httpx.MockTransport(rasa), token="s3cret"))
    assert turn(client, "hello").status_code == 200
    assert seen == ["Bearer s3cret"]


@pytest.mark.parametrize("status", [400, 413, 422])
def test_a_turn_rasa_refuses_gets_its_reason_and_999_not_unavailable(app, client, status):
    reason = "Messages starting with '/' are commands the assistant's buttons send; describe the concern in words instead."
    with_fake(app, FakeRasa({"error": reason}, status=status))  # type: ignore[arg-type]
    r = turn(client, '/ask_level_meaning{"level_number":"2"}')
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"
    assert reason in r.json()["detail"] and "call 999" in r.json()["detail"]
