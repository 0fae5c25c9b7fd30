"""The Slack channel as Rasa builds it, without a model: off, misconfigured, on.

Each case runs tests/channels/slack_harness.py in Rasa's environment (a few seconds), so the
real SlackChannel class, its webhook and its output path are exercised without the 60-second
Rasa start-up the conversation tests need.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from bot.config import PROJECT_ROOT
from rasa_addons.channels.ids import hashed_sender
from tests.channels.slack_support import (
    BOT_TOKEN,
    SALT,
    SIGNING_SECRET,
    FakeSlackApi,
    SlackSender,
    buttons_of,
    slack_env,
    validate_blocks,
)
from tests.support.rasa_env import RASA_PYTHON
from tests.support.stack import free_port

HARNESS = PROJECT_ROOT / "tests" / "channels" / "slack_harness.py"
SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "CHANNEL_ID_SALT")

pytestmark = pytest.mark.skipif(not RASA_PYTHON.exists(), reason="no Rasa environment (.venv-rasa): run `make setup`")


@contextmanager
def serving(folder: Path, env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    """Serve the channel with exactly ``env`` for the Slack variables; yield (base url, process, log)."""
    port = free_port()
    log = folder / f"harness-{port}.log"
    with open(log, "w") as handle:
        proc = subprocess.Popen([str(RASA_PYTHON), str(HARNESS), "serve", str(port)], cwd=PROJECT_ROOT,
                                env=_env({**env, "COORDINATION_DB": str(folder / "coordination.db")}),
                                stdout=handle, stderr=handle)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while time.time() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{url}/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert proc.poll() is None, log.read_text()[-3000:]
        yield url, proc, log
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _env(slack: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in SLACK_VARIABLES}
    return {**base, "PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", **slack}


@pytest.fixture(scope="module")
def off(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("slack-off"), {}) as server:
        yield server


@pytest.fixture(scope="module")
def api():
    with FakeSlackApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def on(tmp_path_factory, api):
    with serving(tmp_path_factory.mktemp("slack-on"), slack_env(api.url)) as server:
        yield server


def test_without_credentials_the_channel_is_off_says_so_once_and_answers_503(off):
    url, _, log = off
    r = httpx.post(f"{url}/webhooks/slack/webhook", content=b"{}", headers={"Content-Type": "application/json"})
    assert r.status_code == 503 and "SLACK_BOT_TOKEN" in r.text
    assert httpx.get(f"{url}/webhooks/slack/").status_code == 503
    assert log.read_text().count("Slack channel is off") == 1


def test_configuration_comes_from_the_environment_and_half_of_it_is_an_error():
    cases = [
        {},
        {"SLACK_BOT_TOKEN": BOT_TOKEN, "CHANNEL_ID_SALT": SALT},
        {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "CHANNEL_ID_SALT": SALT},
        {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET},
        {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "CHANNEL_ID_SALT": SALT},
        slack_env("http://127.0.0.1:9/fake/api"),
    ]
    done = subprocess.run([str(RASA_PYTHON), str(HARNESS), "configure"], input=json.dumps(cases), cwd=PROJECT_ROOT,
                          env=_env({}), capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    off, no_secret, no_token, no_salt, on, fake = [json.loads(line) for line in done.stdout.splitlines()]
    assert off == {"enabled": False, "api_url": "https://slack.com/api/"}
    assert no_secret["error"] == "InvalidConfigException" and "SLACK_SIGNING_SECRET is not set" in no_secret["message"]
    assert no_token["error"] == "InvalidConfigException" and "SLACK_BOT_TOKEN is not set" in no_token["message"]
    assert no_salt["error"] == "MissingSalt" and "CHANNEL_ID_SALT must be set" in no_salt["message"]
    assert on == {"enabled": True, "api_url": "https://slack.com/api/"}
    assert fake == {"enabled": True, "api_url": "http://127.0.0.1:9/fake/api/"}


def test_an_enabled_channel_posts_one_message_per_reply_keyed_on_a_salted_hash(on, api, monkeypatch):
    url, _, log = on
    slack = SlackSender(f"{url}/webhooks/slack/webhook")
    started = time.perf_counter()
    r = slack.send_event(slack.message_event("hello", user="U0HARNESS", channel="D0HARNESS"))
    assert r.status_code == 200 and time.perf_counter() - started < 1
    (post,) = api.wait_for("D0HARNESS", 1, timeout=20)
    assert api.authorizations[-1] == f"Bearer {BOT_TOKEN}"
    validate_blocks(post["blocks"])
    assert [b["type"] for b in post["blocks"]] == ["section", "actions", "context"]
    assert [b["value"] for b in buttons_of(post)] == ["/ask_contacts"]
    monkeypatch.setenv("CHANNEL_ID_SALT", SALT)
    hashed = hashed_sender("slack", slack.team + "U0HARNESS")
    assert hashed in post["text"] and "U0HARNESS" not in post["text"]
    assert "hello" not in log.read_text(), "message text must never be logged"
    assert api.wait_quiet("D0HARNESS", 1.0) == [post]


def test_an_enabled_channel_refuses_unsigned_requests_with_401(on, api):
    url, _, _ = on
    slack = SlackSender(f"{url}/webhooks/slack/webhook")
    body = slack.message_event("hello", user="U1", channel="D0UNSIGNED")
    assert slack.send_event(body, secret="some-other-secret-entirely").status_code == 401
    assert slack.send_event(body, timestamp=int(time.time()) - 301).status_code == 401
    assert httpx.post(slack.webhook, json=body).status_code == 401
    assert api.wait_quiet("D0UNSIGNED", 1.0) == []


def test_the_url_verification_challenge_is_answered(on):
    url, _, _ = on
    slack = SlackSender(f"{url}/webhooks/slack/webhook")
    r = slack.send_event({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                          "type": "url_verification"})
    assert r.status_code == 200
    assert r.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}
