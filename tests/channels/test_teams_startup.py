"""The Teams channel's off switch and start-up checks, in Rasa's environment, as Rasa
registers the channel. No model needed: only the channel is served.

Rasa itself starting with the project credentials.yml (which names the channel) and no
TEAMS_* variables is what tests/e2e does on every run.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import httpx
import pytest

from bot.config import PROJECT_ROOT
from tests.support.rasa_env import RASA_PYTHON
from tests.support.stack import free_port

MODULE = "tests.channels.teams_support.serve_channel"
pytestmark = pytest.mark.skipif(not RASA_PYTHON.exists(), reason="no Rasa environment (.venv-rasa): run make setup")


def rasa_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMS_") and k != "CHANNEL_ID_SALT"}
    return {**env, "PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", **extra}


ENVIRONMENTS = [
    {"TEAMS_APP_ID": "app"},  # no password
    {"TEAMS_APP_ID": "app", "TEAMS_APP_PASSWORD": "secret"},  # no salt
    {"TEAMS_APP_ID": "app", "TEAMS_APP_PASSWORD": "secret", "CHANNEL_ID_SALT": "x" * 32,
     "TEAMS_OPENID_METADATA_URL": "http://127.0.0.1:9/unreachable"},  # on, and offline is fine
]


@pytest.fixture(scope="module")
def tried():
    """The channel built under each of ENVIRONMENTS (started at once: Rasa imports are slow)."""
    proc = subprocess.Popen([str(RASA_PYTHON), "-m", MODULE, "--try", json.dumps(ENVIRONMENTS)], cwd=PROJECT_ROOT,
                            env=rasa_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def channel_off(tmp_path_factory, tried):
    """The channel served with no TEAMS_* variables at all."""
    port = free_port()
    log = tmp_path_factory.mktemp("teams-off") / "channel.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([str(RASA_PYTHON), "-m", MODULE, str(port)], cwd=PROJECT_ROOT,
                                env=rasa_env(), stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()[-2000:]
            try:
                httpx.get(url, timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        yield url, log
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_without_credentials_the_webhook_answers_503_problem(channel_off):
    url, _ = channel_off
    r = httpx.post(f"{url}/webhooks/teams/webhook", json={"type": "message"}, timeout=10)
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["title"] == "Microsoft Teams channel is off"
    assert "TEAMS_APP_ID" in r.json()["detail"]
    assert httpx.get(f"{url}/webhooks/teams/", timeout=10).status_code == 503


def test_without_credentials_one_line_says_teams_is_off(channel_off):
    _, log = channel_off
    lines = [line for line in log.read_text().splitlines() if "Teams" in line]
    assert len(lines) == 1 and "Microsoft Teams channel is off" in lines[0]


def test_start_up_refuses_a_half_configuration_or_a_missing_salt(tried):
    stdout, stderr = tried.communicate(timeout=300)
    outcomes = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    assert len(outcomes) == len(ENVIRONMENTS), stderr[-2000:]
    half, no_salt, offline = outcomes
    assert half["error"] == "TeamsConfigError" and "TEAMS_APP_PASSWORD is not set" in half["message"]
    assert no_salt["error"] == "MissingSalt" and "CHANNEL_ID_SALT" in no_salt["message"]
    assert offline == {"started": True, "on": True}  # no key fetch at start-up
