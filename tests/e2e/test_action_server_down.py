"""Emergency advice never waits for a backend: with the action server stopped, the real Rasa
server still answers an emergency with 999 and the area's urgent contact (a domain response
with a variation per area, generated from the packs).

Needs the trained model, as the other end-to-end tests.
"""

from __future__ import annotations

import httpx
import pytest

from tests.support.numbers import number_of
from tests.support.stack import needs_model, running_stack

pytestmark = needs_model


@pytest.fixture(scope="module")
def rasa_without_actions(loaded_engine, tmp_path_factory):
    # Its own stack, not the run's shared one: it stops the action server.
    with running_stack(tmp_path_factory.mktemp("actions-down"), str(loaded_engine.url)) as stack:
        stack.stop("actions")
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{stack.actions_url}/health", timeout=2)
        yield stack


def test_an_emergency_gets_999_and_the_areas_urgent_number_with_the_action_server_down(rasa_without_actions):
    sender = "e2e-actions-down"
    rasa_without_actions.say(sender, "I'm in Tameside")  # the area slot is filled from the entity
    replies = rasa_without_actions.say(sender, "a child is in danger right now")
    assert replies, "Rasa answered"
    assert replies[0]["text"].startswith("If a child is in immediate danger, call 999 now.")
    assert number_of("tameside", "childrens-hub") in replies[0]["text"] and number_of("tameside", "out-of-hours") in replies[0]["text"]
    assert {"emergency": True, "area": "tameside"} in [r.get("custom") for r in replies]


def test_an_emergency_before_any_area_still_gets_999(rasa_without_actions):
    replies = rasa_without_actions.say("e2e-actions-down-no-area", "a child is in danger right now")
    assert "call 999 now" in replies[0]["text"] and "Which area are you in?" in replies[0]["text"]


def test_a_turn_whose_action_fails_gets_an_apology_and_999_not_an_empty_reply(rasa_without_actions):
    sender = "e2e-actions-down-contacts"
    rasa_without_actions.say(sender, "I'm in Tameside")
    replies = rasa_without_actions.say(sender, "who do I call?")
    text = "\n".join(r.get("text") or "" for r in replies)
    assert "Sorry, something went wrong on my side" in text
    assert "call 999 now" in text and number_of("tameside", "childrens-hub") in text
    assert text.count("Sorry, something went wrong") == 1, "one apology a turn, however many actions failed"
