"""When the lock store (Redis, for several replicas) is down, Teams and Slack still answer.

A turn's place is reserved on arrival; if that cannot be done the turn goes on, Rasa's own lock
then fails, and the practitioner gets the apology with 999 instead of silence (Slack) or an
HTTP 500 that Teams shows as nothing. The scaled fault tests (tests/scaled) show the web chat's
answer; these show the channels' own, without servers.
"""

from __future__ import annotations

import json
import logging

from bot.safety import unanswered_line
from rasa_addons.arrival import reserve
from tests.support.rasa_env import run_in_rasa


class _LockStoreDown:
    serves_reserved_turns = True

    def issue_ticket(self, conversation_id: str) -> int:
        raise ConnectionError("Redis is not answering")


def test_a_turn_is_not_refused_when_its_place_cannot_be_reserved(caplog):
    with caplog.at_level(logging.WARNING):
        assert reserve(_LockStoreDown(), "conversation-1") is None
    assert "ConnectionError" in caplog.text
    assert "conversation-1" not in caplog.text


def test_the_apology_gives_999_and_the_front_door():
    line = unanswered_line()
    assert "call 999 now" in line
    assert "children's social care front door" in line


SLACK_TURN_FAILS = r"""
import asyncio, json
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa_addons.channels.slack import SlackChannel

async def lock_store_down(message):
    raise LockError("Redis is not answering")

async def main():
    out = CollectingOutputChannel()
    await SlackChannel._handle(UserMessage("who do I call?", out, "slack-sender"), lock_store_down)
    print(json.dumps([m.get("text") for m in out.messages]))

asyncio.run(main())
"""


def test_slack_says_so_with_999_when_a_turn_fails():
    said = json.loads(run_in_rasa(SLACK_TURN_FAILS).splitlines()[-1])
    assert said == [unanswered_line()]
