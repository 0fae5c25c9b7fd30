"""Serve the Slack channel alone, in Rasa's environment, with no model: for start-up tests.

    PYTHONPATH=. .venv-rasa/bin/python tests/channels/slack_harness.py serve <port>
    PYTHONPATH=. .venv-rasa/bin/python tests/channels/slack_harness.py configure < cases.json

``serve``: the channel is built exactly as Rasa builds it (``from_credentials`` with no
values, the environment decides), and its blueprint is mounted where Rasa mounts it
(``/webhooks/slack/``). Instead of the assistant, every user message gets one canned reply
in the shape ``actions/_services.send`` produces (text, buttons, our custom json), whose
text names the conversation id, so tests see what the real output path posts.

``configure``: for each environment in a JSON list on stdin, what ``from_credentials`` does
(on, off, or the error it raises), one JSON line each. Importing Rasa costs seconds, so the
configuration cases share one process.
"""

from __future__ import annotations

import json
import logging
import os
import sys

from rasa.core.channels.channel import UserMessage
from sanic import Sanic, response

from rasa_addons.channels.slack import SlackChannel

CANNED_SOURCES = [{"document": "guide", "title": "Threshold Guide", "section": "Level 2",
                   "date_label": "2019", "year": 2019, "age_years": 7}]


async def canned_reply(message: UserMessage) -> None:
    await message.output_channel.send_response(message.sender_id, {
        "text": f"Heard you, {message.sender_id}.\nSources: Threshold Guide (2019)",
        "buttons": [{"title": "Who do I call?", "payload": "/ask_contacts"}],
        "custom": {"sources": CANNED_SOURCES, "emergency": False, "area": "tameside"},
    })


def main(port: int) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    channel = SlackChannel.from_credentials(None)
    app = Sanic("slack_harness", configure_logging=False)
    app.blueprint(channel.blueprint(canned_reply), url_prefix="/webhooks/slack")

    @app.get("/")
    async def health(_):
        return response.text("ok")

    app.run(host="127.0.0.1", port=port, access_log=False, motd=False)


def configure(cases: list[dict[str, str]]) -> None:
    names = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "CHANNEL_ID_SALT")
    for env in cases:
        for name in names:
            os.environ.pop(name, None)
        os.environ.update(env)
        try:
            channel = SlackChannel.from_credentials(None)
            result = {"enabled": channel.enabled, "api_url": channel.api_url}
        except Exception as exc:  # noqa: BLE001 - reported to the test, which judges it
            result = {"error": type(exc).__name__, "message": str(exc)}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        main(int(sys.argv[2]))
    elif sys.argv[1] == "configure":
        configure(json.load(sys.stdin))
    else:
        sys.exit(f"unknown mode {sys.argv[1]!r}: serve <port> | configure")
