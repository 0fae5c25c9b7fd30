"""Run a small script inside Rasa's own environment (.venv-rasa), where Rasa runs our add-ons."""

from __future__ import annotations

import subprocess

from bot.config import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"


def rasa_python(script: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``script`` with Rasa's Python, the project importable; the finished process, whatever it did."""
    return subprocess.run([str(RASA_PYTHON), "-c", script, *args],
                          check=False, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout,
                          env={"PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})


def run_in_rasa(script: str, *args: str) -> str:
    """The script's output; fails the test, with the end of its errors, if the script fails."""
    out = rasa_python(script, *args)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip()
