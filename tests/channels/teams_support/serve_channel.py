"""Serve only the Teams channel, as Rasa registers it, on a port: a quick start-up check.

Run in Rasa's environment (``PYTHONPATH=. .venv-rasa/bin/python -m
tests.channels.teams_support.serve_channel PORT``). With ``--try ENV_JSON`` instead it only
builds the channel under each environment in the JSON list and prints one JSON line per
outcome (the start-up errors), without serving. It builds the channel the way
``rasa run`` does for credentials.yml (``from_credentials`` with no values), registers its
blueprint under /webhooks/ with Rasa's own ``register``, and serves it. Messages that get
through are answered by nobody (no model): this is for the off switch and start-up errors,
which need no model and would otherwise cost a full Rasa start each.
"""

from __future__ import annotations

import json
import logging
import os
import sys

from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic, response

from rasa_addons.channels.teams import TeamsInput


async def nobody(message: UserMessage) -> None:
    logging.getLogger(__name__).info("a message reached the (absent) agent")


def main(port: int) -> None:
    logging.basicConfig(level=logging.INFO)
    channel = TeamsInput.from_credentials(None)
    app = Sanic("teams_channel_only")

    @app.get("/")
    async def root(request):
        return response.text("ok")

    register([channel], app, route="/webhooks/")
    app.run(host="127.0.0.1", port=port, access_log=False, motd=False)


def try_environments(environments: list[dict[str, str]]) -> None:
    """Build the channel under each environment; print what happened, one JSON line each."""
    for extra in environments:
        saved = dict(os.environ)
        os.environ.update(extra)
        try:
            channel = TeamsInput.from_credentials(None)
            outcome = {"started": True, "on": channel.config is not None}
        except Exception as exc:  # noqa: BLE001 - the test reads the error
            outcome = {"started": False, "error": type(exc).__name__, "message": str(exc)}
        finally:
            os.environ.clear()
            os.environ.update(saved)
        print(json.dumps(outcome), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "--try":
        try_environments(json.loads(sys.argv[2]))
    else:
        main(int(sys.argv[1]))
