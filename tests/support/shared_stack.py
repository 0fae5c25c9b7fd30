"""One running assistant for the whole test run: action server, Rasa (two workers, as `make run`)
and the API, started on first use and stopped when the run ends.

Every module that only talks to the assistant shares it (REST conversations, the security
review, the web chat in a browser, Slack): starting Rasa is the slowest thing the suite does.
Conversations are kept apart by sender, never by restarting servers: each module uses its own
senders (REST ids, API-made web chat ids, Slack users hashed with the salt), so no two tests
share a conversation. A module that must stop a server, or needs settings that cannot be
combined with these, starts its own stack with :func:`tests.support.stack.running_stack` and
says why.

The stack is configured with the union of what its users need:

- the project's own credentials.yml, as `make run`: our guarded REST channel (the API's web
  chat and the REST tests), Slack, turned on by its environment and pointed at a local fake of
  Slack's Web API (:data:`shared_slack_api`) with the test app's secrets, and Teams, left off
  (no TEAMS_* settings; tests/channels/test_teams_channel.py has its own stack);
- ``APP_ENV=development`` so the browser can load the page without an API key (it changes
  nothing else: /v1's key check is the only thing it turns off);
- two Rasa workers, so the ordering tests see what `make run` runs.

Logs: ``<pytest basetemp>/shared-stack0/{actions,rasa,api}.log`` (printed when start-up fails).
Run one module against it as usual, e.g. ``.venv/bin/python -m pytest -q tests/e2e/test_rest_conversation.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.support.stack import MODEL, Stack, running_stack

if TYPE_CHECKING:  # imported when used, so runs without a stack do not load slack_sdk
    from tests.channels.slack_support import FakeSlackApi


@pytest.fixture(scope="session")
def shared_slack_api() -> Iterator[FakeSlackApi]:
    """The fake Slack Web API the shared stack's Slack channel posts to."""
    from tests.channels.slack_support import FakeSlackApi

    with FakeSlackApi() as fake:
        yield fake


@pytest.fixture(scope="session")
def shared_stack(loaded_engine, tmp_path_factory, shared_slack_api) -> Iterator[Stack]:
    """The one running assistant of this test run (started on first use)."""
    from tests.channels.slack_support import slack_env

    if not MODEL.exists():
        pytest.skip("no trained Rasa model: run `make model` (make test does)")
    env = {**slack_env(shared_slack_api.url), "APP_ENV": "development"}
    with running_stack(tmp_path_factory.mktemp("shared-stack"), str(loaded_engine.url),
                       env=env, with_api=True, rasa_workers=2) as stack:
        yield stack
