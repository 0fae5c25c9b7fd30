"""The scaled topology under faults, against real servers on loopback (tests/scaled/conftest.py).

One stack for the module; the tests run in this order, the replica crash last (it leaves one
Rasa server). Every request has a timeout, so a hang fails the test instead of the run.
"""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid

import httpx
import psycopg
import pytest

from api.rasa_rest import conversation_key
from scripts.scaled import CONVERSATIONS_DATABASE, ScaledStack
from tests.support.servers import redis_command

UNAVAILABLE_WITHIN_SECONDS = 2.0


# --- talking to the stack ------------------------------------------------------------------
def new_conversation(stack: ScaledStack) -> str:
    r = httpx.post(f"{stack.api_url}/chat/sessions", timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["conversation"]


def chat(stack: ScaledStack, conversation: str, message: str, timeout: float = 60) -> httpx.Response:
    """One turn of the web chat, through the API and HAProxy, as the page sends it."""
    return httpx.post(f"{stack.api_url}/chat/messages", json={"sender": conversation, "message": message},
                      timeout=timeout)


def texts(response: httpx.Response) -> str:
    return "\n".join(m.get("text") or "" for m in response.json()["messages"])


def replica_url(stack: ScaledStack, name: str) -> str:
    return stack.servers[name].health.rstrip("/")


def say_to(stack: ScaledStack, replica: str, sender: str, message: str) -> list[dict]:
    """One turn straight to one Rasa replica's REST channel (with the API's token)."""
    r = httpx.post(f"{replica_url(stack, replica)}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                   headers={"Authorization": f"Bearer {stack.rest_token}"}, timeout=60)
    assert r.status_code == 200, (replica, r.status_code, r.text)
    return r.json()


def joined(parts: list[dict]) -> str:
    return "\n".join(p.get("text") or "" for p in parts)


def user_turns(stack: ScaledStack, sender: str) -> list[str]:
    """The user messages of a conversation as stored (redacted) in PostgreSQL, in order."""
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{stack.pg_port}/{CONVERSATIONS_DATABASE}",
                         connect_timeout=5) as conn:
        rows = conn.execute("SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id",
                            (sender,)).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def served_by(stack: ScaledStack, conversation: str) -> str:
    """Which Rasa replica HAProxy sends this web chat conversation to (a probe with its header)."""
    r = httpx.post(f"{stack.lb_rasa_url}/webhooks/rest/webhook",
                   json={"sender": f"probe-{uuid.uuid4().hex[:8]}", "message": "hello"},
                   headers={"Authorization": f"Bearer {stack.rest_token}",
                            "X-Conversation": conversation_key(f"web-{conversation}")}, timeout=60)
    assert r.status_code == 200, r.text
    return r.headers["X-Served-By"]


def assert_unavailable_quickly(stack: ScaledStack, conversation: str) -> None:
    started = time.monotonic()
    r = chat(stack, conversation, "who do I call?", timeout=10)
    took = time.monotonic() - started
    assert r.status_code == 503, (r.status_code, r.text)
    answer = texts(r)
    assert "The assistant is unavailable" in answer and "999" in answer, answer
    assert r.json()["emergency_number"] == "999"
    assert took < UNAVAILABLE_WITHIN_SECONDS, f"the unavailable answer took {took:.1f}s"


def assert_answers_for_tameside(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    answer = texts(response)
    assert "Who to call in Tameside now" in answer, answer


# --- the tests, in order -------------------------------------------------------------------
def test_both_replicas_are_behind_the_balancer_and_a_conversation_sticks_to_one(scaled):
    assert scaled.backend_states() == {"rasa1": "UP", "rasa2": "UP", "actions1": "UP", "actions2": "UP"}
    conversation = new_conversation(scaled)
    assert {served_by(scaled, conversation) for _ in range(4)} in ({"rasa1"}, {"rasa2"})
    # many conversations use both replicas
    assert {served_by(scaled, new_conversation(scaled)) for _ in range(16)} == {"rasa1", "rasa2"}


def test_a_conversation_keeps_its_state_when_turns_land_on_different_replicas(scaled):
    sender = f"scaled-{uuid.uuid4().hex[:12]}"
    assert "Tameside" in joined(say_to(scaled, "rasa1", sender, "I work in Tameside"))
    assert "Who to call in Tameside now" in joined(say_to(scaled, "rasa2", sender, "who do I call?"))
    assert "Tameside" in joined(say_to(scaled, "rasa1", sender, "what is a TAF?"))
    assert len(user_turns(scaled, sender)) == 3


@pytest.mark.parametrize("first_replica", ["rasa1", "rasa2"])
def test_two_turns_sent_at_once_to_both_replicas_are_processed_in_order(scaled, first_replica):
    """Two turns of one conversation in flight at once, one on each replica. A turn already holds
    the conversation (a ticket the test takes in Redis, as a replica would), so both must wait:
    the first to arrive is answered first (it sets the area), then the second (answered for that
    area), and neither is lost."""
    sender = f"scaled-at-once-{uuid.uuid4().hex[:12]}"
    second_replica = ({"rasa1", "rasa2"} - {first_replica}).pop()
    held = redis_command(scaled.redis_port, "INCR", f"navigator:ticket:{sender}")
    redis_command(scaled.redis_port, "HSET", f"navigator:lock:{sender}", held, repr(time.time() + 60))
    replies: dict[str, list[dict]] = {}

    def send(replica: str, message: str) -> None:
        replies[message] = say_to(scaled, replica, sender, message)

    def wait_for_tickets(count: int) -> None:
        deadline = time.monotonic() + 20
        while redis_command(scaled.redis_port, "HLEN", f"navigator:lock:{sender}") < count:
            assert time.monotonic() < deadline, "a turn never took its place in the queue"
            time.sleep(0.01)

    first = threading.Thread(target=send, args=(first_replica, "I work in Tameside"))
    second = threading.Thread(target=send, args=(second_replica, "who do I call?"))
    try:
        first.start()
        wait_for_tickets(2)
        second.start()
        wait_for_tickets(3)
        time.sleep(0.3)
        assert not replies, "a turn was answered while another turn held the conversation"
    finally:
        redis_command(scaled.redis_port, "HDEL", f"navigator:lock:{sender}", held)  # the holder finishes
    first.join(60)
    second.join(60)
    assert set(replies) == {"I work in Tameside", "who do I call?"}, "a turn was lost"
    assert "I'll answer for Tameside" in joined(replies["I work in Tameside"])
    assert "Who to call in Tameside now" in joined(replies["who do I call?"]), joined(replies["who do I call?"])
    stored = user_turns(scaled, sender)
    assert len(stored) == 2 and "Tameside" in stored[0] and "call" in stored[1], stored


def assert_not_ready_naming(scaled, check: str, detail_start: str) -> None:
    """/readyz is 503, and its ``check`` failed, saying which server it could not reach."""
    ready = httpx.get(f"{scaled.api_url}/readyz", timeout=10)
    assert ready.status_code == 503
    failed = next(c for c in ready.json()["checks"] if c["name"] == check)
    assert not failed["ok"] and failed["detail"].startswith(detail_start), failed


def test_postgresql_down_then_back(scaled):
    conversation = new_conversation(scaled)
    assert chat(scaled, conversation, "I work in Tameside").status_code == 200
    scaled.postgres.stop()
    try:
        assert_not_ready_naming(scaled, "database", "PostgreSQL at 127.0.0.1")
        assert_unavailable_quickly(scaled, conversation)
        # the quick-lookup facts still answer, from the packs already read
        contacts = httpx.get(f"{scaled.api_url}/v1/areas/tameside/contacts", timeout=10)
        assert contacts.status_code == 200, contacts.text
        assert contacts.json()["contacts"] and contacts.json()["emergency"]
    finally:
        scaled.postgres.start()
    # no server restarted: the conversation resumes where it was (its area kept)
    assert_answers_for_tameside(chat(scaled, conversation, "who do I call?"))
    assert httpx.get(f"{scaled.api_url}/readyz", timeout=10).status_code == 200


def test_redis_down_then_back(scaled):
    conversation = new_conversation(scaled)
    assert chat(scaled, conversation, "I work in Tameside").status_code == 200
    scaled.redis.stop()
    try:
        assert_not_ready_naming(scaled, "lock store", "Redis at 127.0.0.1")
        assert_unavailable_quickly(scaled, conversation)
    finally:
        scaled.redis.start()
    resumed = chat(scaled, conversation, "who do I call?")
    assert_answers_for_tameside(resumed)
    assert not resumed.json()["messages"][0]["text"].startswith("EMERGENCY"), "no emergency was raised here"
    assert httpx.get(f"{scaled.api_url}/readyz", timeout=10).status_code == 200


def test_a_replica_killed_mid_conversation_the_other_answers_with_nothing_lost(scaled):
    conversation = new_conversation(scaled)
    assert chat(scaled, conversation, "I work in Tameside").status_code == 200
    emergency = chat(scaled, conversation, "a child is in immediate danger")
    assert emergency.status_code == 200 and emergency.json()["messages"][0]["emergency"]
    home = served_by(scaled, conversation)
    other = ({"rasa1", "rasa2"} - {home}).pop()

    scaled.servers[home].kill(signal.SIGKILL)  # a crash, not a clean stop
    started = time.monotonic()
    after = chat(scaled, conversation, "who do I call?")
    assert time.monotonic() - started < 30
    assert_answers_for_tameside(after)  # the area slot survived
    first = after.json()["messages"][0]
    assert first["text"].startswith("EMERGENCY: If a child is in immediate danger, call 999"), first  # so did the emergency
    assert served_by(scaled, conversation) == other
    assert user_turns(scaled, f"web-{conversation}") == [
        "I work in Tameside", "a child is in immediate danger", "who do I call?"]
    scaled.wait_balanced(10, expect={home: "DOWN", other: "UP"})
