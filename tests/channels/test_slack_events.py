"""Which Slack requests are a turn of the conversation, and where the answer goes."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from rasa_addons.channels.slack_events import (
    BadRequest,
    clean_text,
    event_turn,
    interaction_turn,
    parse_form_payload,
    parse_json,
)
from tests.channels.slack_support import BOT_USER, SlackSender

sender = SlackSender("http://unused")


def test_a_direct_message_is_answered_where_it_was_written():
    body = sender.message_event("I work in Worcs", user="U1", channel="D1")
    turn = event_turn(body)
    assert (turn.text, turn.user_id, turn.team_id, turn.channel, turn.thread_ts, turn.kind) == (
        "I work in Worcs", "U1", sender.team, "D1", None, "message")
    assert turn.keys == (f"event:{body['event_id']}", f"message:D1:{body['event']['ts']}")


def test_a_direct_message_inside_a_thread_is_answered_in_that_thread():
    turn = event_turn(sender.message_event("and who do I call?", user="U1", channel="D1", thread_ts="1.5"))
    assert turn.thread_ts == "1.5"


def test_an_app_mention_is_answered_in_a_thread_under_it_without_the_mention():
    body = sender.message_event("I'm in Tameside", user="U2", channel="C1", mention=True)
    turn = event_turn(body)
    assert turn.text == "I'm in Tameside"
    assert turn.thread_ts == body["event"]["ts"] and turn.kind == "app_mention"


def test_an_app_mention_inside_a_thread_stays_in_that_thread():
    turn = event_turn(sender.message_event("more", user="U2", channel="C1", mention=True, thread_ts="9.1"))
    assert turn.thread_ts == "9.1"


@pytest.mark.parametrize("change", [
    {"bot_id": "B1"},                       # our own reply echoed back
    {"subtype": "message_changed"},         # an edit
    {"subtype": "message_deleted"},
    {"channel_type": "channel"},            # a channel message that does not mention us
    {"text": f"<@{BOT_USER}>"},             # a bare mention says nothing
    {"type": "reaction_added"},
])
def test_what_is_not_a_person_writing_to_us_is_ignored(change):
    body = sender.message_event("hello", user="U1", channel="D1")
    body["event"].update(change)
    assert event_turn(body) is None


def test_other_callbacks_are_ignored_and_a_callback_without_event_is_bad():
    assert event_turn({"type": "app_rate_limited"}) is None
    with pytest.raises(BadRequest):
        event_turn({"type": "event_callback"})


def test_slack_markup_is_unwrapped():
    text = f"<@{BOT_USER}> see <https://example.org/x|the policy> &amp; <mailto:a@b.org|a@b.org> &lt;3"
    assert clean_text(text, {BOT_USER}) == "see the policy & a@b.org <3"


def test_a_button_click_says_the_button_value():
    post = {"ts": "1800000001.000100", "channel": "D1", "text": "Is the child safe?", "blocks": []}
    payload = sender.click({"type": "button", "action_id": "navigator_button_1", "value": "/deny",
                            "text": {"type": "plain_text", "text": "No"}}, post, user="U1")
    turn = interaction_turn(payload)
    assert (turn.text, turn.user_id, turn.channel, turn.thread_ts, turn.kind) == ("/deny", "U1", "D1", None, "button")
    assert turn.keys == (f"action:{payload['trigger_id']}",)


def test_a_click_on_a_message_in_a_thread_is_answered_in_that_thread():
    post = {"ts": "1800000002.000100", "thread_ts": "1700000001.000001", "channel": "C1", "text": "", "blocks": []}
    payload = sender.click({"type": "button", "action_id": "a", "value": "/affirm"}, post, user="U2")
    assert interaction_turn(payload).thread_ts == "1700000001.000001"


def test_link_buttons_and_other_interactions_say_nothing():
    post = {"ts": "1", "channel": "D1", "text": "", "blocks": []}
    assert interaction_turn(sender.click({"type": "button", "action_id": "a", "url": "https://x"}, post, user="U1")) is None
    assert interaction_turn({"type": "view_submission"}) is None


def test_bodies_slack_would_never_send_are_bad_requests():
    with pytest.raises(BadRequest):
        parse_json(b"not json")
    with pytest.raises(BadRequest):
        parse_json(b"[1, 2]")
    with pytest.raises(BadRequest):
        parse_form_payload(b"nopayload=1")
    with pytest.raises(BadRequest):
        parse_form_payload(urlencode({"payload": "{broken"}).encode())
    assert parse_form_payload(urlencode({"payload": json.dumps({"type": "x"})}).encode()) == {"type": "x"}
