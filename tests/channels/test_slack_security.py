"""Only signed, fresh Slack requests are acted on, and each one only once."""

from __future__ import annotations

import time

import pytest
from slack_sdk.signature import SignatureVerifier

from rasa_addons.channels.slack_security import RequestVerifier
from rasa_addons.coordination import SharedSeen

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BODY = b'{"type":"event_callback","event_id":"Ev1"}'


def headers(body=BODY, ts=None, secret=SECRET):
    ts = str(int(time.time()) if ts is None else ts)
    return {"X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)}


def test_a_request_signed_by_slack_is_authentic():
    assert RequestVerifier(SECRET).is_authentic(BODY, headers())


def test_header_names_are_case_insensitive():
    h = {k.lower(): v for k, v in headers().items()}
    assert RequestVerifier(SECRET).is_authentic(BODY, h)


# Built when the test runs, not when it is collected: a whole suite can take longer than the
# 5-minute window, and a timestamp taken at collection would drift into it.
REFUSED = {
    "another secret": lambda: (BODY, headers(secret="not-the-secret-at-all")),
    "body changed after signing": lambda: (BODY + b" ", headers()),
    "six minutes old": lambda: (BODY, headers(ts=int(time.time()) - 360)),
    "six minutes ahead": lambda: (BODY, headers(ts=int(time.time()) + 360)),
    "no signature": lambda: (BODY, {"X-Slack-Request-Timestamp": str(int(time.time()))}),
    "no timestamp": lambda: (BODY, {"X-Slack-Signature": headers()["X-Slack-Signature"]}),
    "timestamp not a number": lambda: (BODY, {**headers(), "X-Slack-Request-Timestamp": "yesterday"}),
    "not utf-8": lambda: (b"\xff\xfe", {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"}),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_anything_else_is_refused(case):
    body, h = REFUSED[case]()
    assert not RequestVerifier(SECRET).is_authentic(body, h), case


def test_four_minutes_old_is_still_inside_the_window():
    assert RequestVerifier(SECRET).is_authentic(BODY, headers(ts=int(time.time()) - 240))


@pytest.fixture
def seen(tmp_path):
    return SharedSeen(ttl=3600, path=tmp_path / "coordination.db")


def test_a_retry_is_recognised_by_its_event_id(seen):
    assert seen.first_time("event:Ev1", "message:D1:1.1")
    assert not seen.first_time("event:Ev1", "message:D1:1.1")


def test_the_same_message_under_another_event_id_is_still_a_duplicate(seen):
    assert seen.first_time("event:Ev1", "message:D1:1.1")
    assert not seen.first_time("event:Ev2", "message:D1:1.1")
    assert seen.first_time("event:Ev3", "message:D1:2.2")


def test_a_retry_landing_on_another_worker_is_still_a_duplicate(tmp_path):
    first_worker = SharedSeen(ttl=3600, path=tmp_path / "coordination.db")
    second_worker = SharedSeen(ttl=3600, path=tmp_path / "coordination.db")
    assert first_worker.first_time("event:Ev1")
    assert not second_worker.first_time("event:Ev1")


def test_keys_expire_after_the_ttl(tmp_path):
    now = [1000.0]
    seen = SharedSeen(ttl=60, path=tmp_path / "coordination.db", clock=lambda: now[0])
    assert seen.first_time("event:Ev1")
    now[0] += 59
    assert not seen.first_time("event:Ev1")
    now[0] += 2
    assert seen.first_time("event:Ev1")


def test_a_request_with_nothing_to_recognise_it_by_is_handled(seen):
    assert seen.first_time("", "")


def test_nonsense_limits_are_refused(tmp_path):
    with pytest.raises(ValueError):
        SharedSeen(ttl=0, path=tmp_path / "coordination.db")
