"""Run a small script inside Rasa's own environment (.venv-rasa), where Rasa runs our add-ons."""

from __future__ import annotations

import subprocess

from bot.config import PROJECT_ROOT


def run_in_rasa(script: str, *args: str) -> str:
    """The script's output; fails the test, with the end of its errors, if the script fails."""
    out = subprocess.run([str(PROJECT_ROOT / ".venv-rasa" / "bin" / "python"), "-c", script, *args],
                         check=False, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip()
