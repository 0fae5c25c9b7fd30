"""Start the real servers for end-to-end tests: action server, Rasa, and optionally the API.

Every end-to-end suite (REST, browser, Teams, Slack) starts its servers the same way, on free
ports, with logs under the test's temporary folder (printed when startup fails).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml

from bot.config import PROJECT_ROOT
from scripts.rasa_runtime import rasa_runtime_env

MODEL = PROJECT_ROOT / "models" / "current.tar.gz"
needs_model = pytest.mark.skipif(
    not MODEL.exists(), reason="no trained Rasa model: run `make model` (make test does)"
)


# Every stack this test process started (its folder's name), for the end-of-run summary.
STARTED: list[str] = []


def fresh_sender(prefix: str) -> str:
    """A sender id no other test uses: conversations on a shared stack are kept apart by sender."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, seconds: int, procs: list[subprocess.Popen]) -> None:
    """Poll ``url`` until it answers 200; fail early if a process dies."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"{p.args[:3]} exited with {p.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} not healthy after {seconds}s")


@dataclass
class Stack:
    """Where the started servers listen."""

    folder: Path
    rasa_url: str
    actions_url: str
    api_url: str | None = None
    rest_token: str = ""
    rasa_workers: int = 1
    logs: dict[str, Path] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rest_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    @property
    def rest_headers(self) -> dict[str, str]:
        """What the API sends Rasa's REST channel: its token."""
        return {"Authorization": f"Bearer {self.rest_token}"}

    def say(self, sender: str, message: str, timeout: float = 60) -> list[dict]:
        """One turn over Rasa's REST channel, as the API sends it."""
        return say(self.rest_webhook, sender, message, timeout, headers=self.rest_headers)

    def stop(self, name: str) -> None:
        """Stop one server ("actions", "rasa" or "api"), to test what the others do without it."""
        process = self.processes[name]
        process.terminate()
        process.wait(timeout=30)

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.logs.get(name)
        return path.read_text(errors="replace")[-chars:] if path and path.exists() else ""


@contextmanager
def running_stack(
    folder: Path,
    database_url: str,
    credentials: str | None = None,
    env: Mapping[str, str] | None = None,
    with_api: bool = False,
    rasa_workers: int = 1,
) -> Iterator[Stack]:
    """Start actions + Rasa (+ API) and stop them all afterwards.

    One Rasa worker keeps start-up light; ``rasa_workers=2`` runs it as `make run` does.

    ``credentials`` is the text of a Rasa credentials.yml (default: the project's own).
    ``env`` adds environment variables for every process (channel secrets, fake endpoints).
    """
    STARTED.append(folder.name)
    actions_port, rasa_port = free_port(), free_port()
    endpoints = folder / "endpoints.yml"
    config = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
    config["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    endpoints.write_text(yaml.safe_dump(config))
    creds = PROJECT_ROOT / "credentials.yml"
    if credentials is not None:
        creds = folder / "credentials.yml"
        creds.write_text(credentials)
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    rest_token = secrets.token_urlsafe(24)
    full_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(PROJECT_ROOT),
        "TRACKER_DATABASE_URL": f"sqlite:///{folder / 'conversations.db'}",
        "COORDINATION_DB": str(folder / "coordination.db"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "RASA_URL": rasa_url,
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
        "RASA_REST_TOKEN": rest_token,
        **(env or {}),
    }
    commands = {
        "actions": [str(PROJECT_ROOT / ".venv/bin/python"), "-m", "actions.server", "--host", "127.0.0.1",
                    "--port", str(actions_port)],
        "rasa": [str(PROJECT_ROOT / ".venv-rasa/bin/rasa"), "run", "--model", str(MODEL), "--interface", "127.0.0.1",
                 "--port", str(rasa_port), "--endpoints", str(endpoints), "--credentials", str(creds)],
    }
    api_url = None
    if with_api:
        api_port = free_port()
        api_url = f"http://127.0.0.1:{api_port}"
        commands["api"] = [str(PROJECT_ROOT / ".venv/bin/uvicorn"), "api.main:app", "--host", "127.0.0.1",
                           "--port", str(api_port), "--no-proxy-headers"]
    stack = Stack(folder, rasa_url, f"http://127.0.0.1:{actions_port}", api_url,
                  rest_token=full_env["RASA_REST_TOKEN"], rasa_workers=rasa_workers)
    procs: list[subprocess.Popen] = []
    handles = []
    try:
        for name, cmd in commands.items():
            stack.logs[name] = folder / f"{name}.log"
            handle = open(stack.logs[name], "w")  # noqa: SIM115 - closed with the processes, below
            handles.append(handle)
            # as scripts/run.sh, the runtime settings are Rasa's: the action server keeps its defaults
            env_of = {**full_env, **rasa_runtime_env(rasa_workers)} if name == "rasa" else full_env
            procs.append(subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env_of, stdout=handle, stderr=handle))
            stack.processes[name] = procs[-1]
        try:
            wait_healthy(f"{stack.actions_url}/health", 60, procs)
            if api_url:
                wait_healthy(f"{api_url}/healthz", 60, procs)
            wait_healthy(f"{rasa_url}/", 480, procs)
        except Exception:
            for h in handles:
                h.flush()
            for name in stack.logs:
                print(f"--- {name} log ---\n{stack.log_tail(name)}")
            raise
        yield stack
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        for h in handles:
            h.close()


def say(webhook: str, sender: str, message: str, timeout: float = 60,
        headers: dict[str, str] | None = None) -> list[dict]:
    """One turn over Rasa's REST channel (``headers``: the stack's token, :attr:`Stack.rest_headers`)."""
    r = httpx.post(webhook, json={"sender": sender, "message": message}, timeout=timeout, headers=headers)
    r.raise_for_status()
    return r.json()
