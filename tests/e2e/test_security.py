"""The security review's findings, tried again against a running stack on loopback.

The stack is started as `make run` starts it (action server, Rasa with two workers, the API,
each with its token) and every finding is reproduced from outside, as a tester would:

- nobody joins another's conversation: no sender, an empty one, or an id the API did not make;
- every server listens on loopback only;
- the action server and Rasa's REST channel refuse callers without their token, and the
  action server's errors repeat nothing they were sent;
- no personal data reaches any log after a scripted run of hostile inputs;
- a burst of turns keeps each conversation's order.

Needs the trained model, as the other end-to-end tests.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.stack import Stack, fresh_sender, needs_model

pytestmark = needs_model

# Personal data a practitioner might type, planted in hostile inputs and then looked for in every log.
PLANTED = {
    "name": "Kayleigh Brennan",
    "address": "14 Acacia Avenue",
    "postcode": "WR5 3DA",
    "phone": "07700 900461",
    "email": "kayleigh.brennan@example.com",
    "date of birth": "14/03/2016",
}
PERSONAL = ("I am worried about Kayleigh Brennan, born 14/03/2016, of 14 Acacia Avenue, WR5 3DA, "
            "phone 07700 900461, kayleigh.brennan@example.com")


@pytest.fixture(scope="module")
def stack(shared_stack):
    """The run's shared stack, started as `make run` starts it (two Rasa workers, the API, tokens)."""
    assert shared_stack.api_url and shared_stack.rasa_workers == 2
    return shared_stack


def rest(stack: Stack, body: object, headers: dict[str, str] | None = None, raw: bytes | None = None) -> httpx.Response:
    """A request to Rasa's REST channel with the stack's token (unless ``headers`` say otherwise)."""
    sent = stack.rest_headers if headers is None else headers
    if raw is not None:
        return httpx.post(stack.rest_webhook, content=raw, headers={**sent, "Content-Type": "application/json"},
                          timeout=60)
    return httpx.post(stack.rest_webhook, json=body, headers=sent, timeout=60)


def chat(stack: Stack, conversation: str, message: str) -> httpx.Response:
    return httpx.post(f"{stack.api_url}/chat/messages", json={"sender": conversation, "message": message}, timeout=60)


def new_conversation(stack: Stack) -> str:
    r = httpx.post(f"{stack.api_url}/chat/sessions", timeout=10)
    assert r.status_code == 201
    return r.json()["conversation"]


def text_of(replies: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in replies)


# --- 1. nobody reads another practitioner's conversation -------------------------------------------
@pytest.mark.parametrize("sender", [None, "", "   "], ids=["null", "empty", "blank"])
def test_a_turn_without_a_sender_is_refused_so_no_conversation_is_shared(stack, sender):
    body = {"message": "Year 9 girl skipping school, I'm in Worcestershire"}
    if sender is not None:
        body["sender"] = sender
    first = rest(stack, body)
    assert first.status_code == 400 and "sender" in first.json()["error"]
    handover = rest(stack, {k: v for k, v in {**body, "message": "/ask_handover"}.items()})
    assert handover.status_code == 400, "a second caller cannot ask for the first one's summary"


def test_a_turn_with_a_conversation_id_the_api_did_not_make_is_refused(stack):
    r = chat(stack, "0123456789abcdef" * 4, "/ask_handover")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "sender"


def test_the_rest_channel_answers_only_the_api(stack):
    assert rest(stack, {"sender": "stranger", "message": "hello"}, headers={}).status_code == 401
    wrong = rest(stack, {"sender": "stranger", "message": "hello"}, headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401


def test_rasas_socketio_channel_is_not_served(stack):
    assert httpx.get(f"{stack.rasa_url}/socket.io/?EIO=4&transport=polling", timeout=10).status_code == 404


def _listening(port: int) -> set[str]:
    """The local addresses a TCP socket listens on at ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_every_server_listens_on_loopback_only(stack):
    loopback_v4 = "0100007F"  # 127.0.0.1, as /proc/net/tcp writes it
    for url in (stack.api_url, stack.rasa_url, stack.actions_url):
        port = int(url.rsplit(":", 1)[1])
        assert _listening(port) == {loopback_v4}, f"{url} listens on {_listening(port)}"


def test_the_action_server_refuses_strangers_and_repeats_nothing_it_was_sent(stack):
    call = {"next_action": "action_contacts", "version": "3.6.2", "tracker": {"sender_id": PERSONAL}}
    stranger = httpx.post(f"{stack.actions_url}/webhook", json=call, timeout=10)
    assert stranger.status_code == 401
    listing = httpx.get(f"{stack.actions_url}/actions", timeout=10)
    assert listing.status_code == 401
    assert "Kayleigh" not in stranger.text


# --- 2. what Rasa is sent is checked before it sees it --------------------------------------------
@pytest.mark.parametrize("raw", [b"[1, 2]", b'"a string"', b"not json at all", b"null"])
def test_json_that_is_not_an_object_gets_400_not_500(stack, raw):
    r = rest(stack, None, raw=raw)
    assert r.status_code == 400 and "error" in r.json()


def test_metadata_that_is_not_an_object_is_refused(stack):
    r = rest(stack, {"sender": fresh_sender("sec-metadata"), "message": PERSONAL, "metadata": ["not", "an", "object"]})
    assert r.status_code == 400 and "metadata" in r.json()["error"]


def test_a_message_over_8_kb_is_refused_and_a_1_mb_body_never_read(stack):
    long = rest(stack, {"sender": fresh_sender("sec-long"), "message": PERSONAL + " x" * 5000})
    assert long.status_code == 413
    huge = rest(stack, {"sender": fresh_sender("sec-huge"), "message": PERSONAL * 8000})
    assert huge.status_code == 413


def test_a_typed_intent_payload_cannot_set_slots(stack):
    r = rest(stack, {"sender": fresh_sender("sec-payload"), "message": '/ask_level_meaning{"level_number":"²","note":"' + PERSONAL + '"}'})
    assert r.status_code == 422 and "describe the concern in words" in r.json()["error"]
    via_api = chat(stack, new_conversation(stack), '/inform_area{"area":"tameside"}')
    assert via_api.status_code == 422 and "call 999" in via_api.json()["detail"]


def test_a_button_the_assistant_offered_still_works(stack):
    sender, offered = fresh_sender("sec-button"), []
    for message in ("I work in Tameside", "who do I call?", "no", "thanks"):
        offered = [b["payload"] for m in stack.say(sender, message) for b in m.get("buttons") or []]
        if offered:
            break
    assert offered, "the assistant offered buttons"
    clicked = rest(stack, {"sender": sender, "message": offered[0]})
    assert clicked.status_code == 200 and clicked.json(), offered[0]


# --- 3. no personal data in any log -----------------------------------------------------------------
def test_no_personal_data_reaches_any_log_after_hostile_inputs(stack):
    sender = fresh_sender("sec-logs")
    logged_before = {path.name: len(path.read_text(errors="replace")) for path in stack.folder.glob("*.log")}
    hostile = [
        {"sender": sender, "message": f'/ask_level_meaning{{"level_number":"²","note":"{PERSONAL}"}}'},
        {"sender": sender, "message": PERSONAL, "metadata": "not an object"},
        {"sender": sender, "message": PERSONAL * 3000},
        {"sender": "", "message": PERSONAL},
        {"sender": sender, "message": PERSONAL},  # an ordinary turn, answered
    ]
    for body in hostile:
        rest(stack, body)
    rest(stack, None, raw=b'{"sender": sender, "message": "' + PERSONAL.encode() + b'"')  # cut short
    conversation = new_conversation(stack)
    chat(stack, conversation, "I work in Worcestershire")
    chat(stack, conversation, PERSONAL + " has a black eye and said dad did it")
    httpx.post(f"{stack.actions_url}/webhook", json={"tracker": {"latest_message": {"text": PERSONAL}}}, timeout=10)
    time.sleep(1)  # let every process write its log
    logs = {path.name: path.read_text(errors="replace") for path in stack.folder.glob("*.log")}
    assert set(logs) >= {"actions.log", "rasa.log", "api.log"}
    leaks = {(name, kind) for name, text in logs.items() for kind, value in PLANTED.items() if value in text}
    assert not leaks, f"personal data in the logs: {sorted(leaks)}"
    # the stack is shared with the other modules: what these hostile inputs added to the logs
    written = sum(len(text) - logged_before.get(name, 0) for name, text in logs.items())
    assert written < 500_000, "a huge message must not flood the log"


# --- 4. a burst keeps its order -----------------------------------------------------------------------
BURST = ["I work in Tameside", "who do I call?", "what happens next?", "do I need consent?"]


def _stored_user_turns(stack: Stack, sender: str) -> list[str]:
    with sqlite3.connect(stack.folder / "conversations.db") as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                          (sender,)).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


async def _post_without_waiting(url: str, body: dict) -> asyncio.Task:
    """Write one POST on its own connection now; a task reads the answer later."""
    target = urlsplit(url)
    reader, writer = await asyncio.open_connection(target.hostname, target.port)
    payload = json.dumps(body).encode()
    writer.write(f"POST {target.path} HTTP/1.1\r\nHost: {target.netloc}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload)
    await writer.drain()  # the request has left before the next one is written

    async def answer() -> tuple[int, dict]:
        raw = await reader.read()
        writer.close()
        head, _, content = raw.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), json.loads(content)

    return asyncio.create_task(answer())


def test_a_burst_of_turns_keeps_each_conversations_order(stack):
    """10 conversations each send 4 turns 0-30 ms apart, without waiting for the answers."""
    conversations = [new_conversation(stack) for _ in range(10)]
    url = f"{stack.api_url}/chat/messages"

    async def burst() -> dict[tuple[int, int], tuple[int, dict]]:
        pending = {}
        for t in range(len(BURST)):
            for c, conversation in enumerate(conversations):
                pending[(c, t)] = await _post_without_waiting(url, {"sender": conversation, "message": BURST[t]})
            await asyncio.sleep((t * 10) / 1000)  # 0, 10, 20, 30 ms between a conversation's turns
        return {key: await task for key, task in pending.items()}

    answers = asyncio.run(burst())
    assert all(status == 200 for status, _ in answers.values()), {k: status for k, (status, _) in answers.items()}
    for c, conversation in enumerate(conversations):
        assert _stored_user_turns(stack, f"web-{conversation}") == BURST, f"conversation {c} stored out of order"
        for t in range(1, len(BURST)):
            reply = text_of(answers[(c, t)][1]["messages"])
            assert "Which area" not in reply, f"conversation {c}, turn {t} ({BURST[t]!r}) was answered as if first"


def test_asking_the_area_logs_no_false_errors(stack):
    """Every area question used to log 5 ERROR records: Rasa read each area button's payload as a template."""
    conversation = new_conversation(stack)
    chat(stack, conversation, "hello")
    asked = chat(stack, conversation, "I am worried about a year 9 girl who keeps skipping school")
    payloads = [b["payload"] for m in asked.json()["messages"] for b in m["buttons"]]
    assert '/inform_area{"area":"tameside"}' in payloads, "the area question offers each area as a button"
    time.sleep(0.5)
    assert "interpolator" not in (stack.folder / "rasa.log").read_text(errors="replace")
