"""`make run`'s script: a server that never becomes healthy fails the start, by name, with its log."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from bot.config import PROJECT_ROOT
from tests.support.stack import free_port


def test_a_server_that_cannot_start_stops_everything_names_itself_and_shows_its_log(tmp_path: Path):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()  # the action server's port is already in use, so it exits at once
    try:
        env = {**os.environ, "ACTIONS_PORT": str(taken.getsockname()[1]), "API_PORT": str(free_port()),
               "RASA_PORT": str(free_port()), "LOG_DIR": str(tmp_path)}
        run = subprocess.run(["bash", "scripts/run.sh"], cwd=PROJECT_ROOT, env=env, capture_output=True,
                             text=True, timeout=120)
    finally:
        taken.close()
    assert run.returncode != 0
    assert "action server exited before it became healthy" in run.stderr
    assert f"The last lines of {tmp_path}/actions.log" in run.stderr
    assert (tmp_path / "actions.log").read_text().strip(), "the log it points to has the reason"
