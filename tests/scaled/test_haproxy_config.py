"""HAProxy accepts both configurations: the one scripts/scaled.py generates and deploy/haproxy.cfg."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from bot.config import PROJECT_ROOT
from scripts.scaled import haproxy_config

pytestmark = pytest.mark.skipif(not shutil.which("haproxy"),
                                reason="haproxy not installed: run scripts/ensure_scaled.sh (make test does)")


def check(path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["haproxy", "-c", "-f", str(path)], capture_output=True, text=True, timeout=30, check=False)


def test_the_generated_configuration_is_valid_and_hashes_the_conversation(tmp_path):
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config([5101, 5102], [5201, 5202], 5100, 5200, tmp_path / "stats.sock"))
    out = check(config)
    assert out.returncode == 0, out.stdout + out.stderr
    text = config.read_text()
    assert "balance hdr(X-Conversation)" in text and "hash-type consistent" in text and "option redispatch" in text
    assert "bind 127.0.0.1:5100" in text and "server rasa2 127.0.0.1:5102 check" in text


def test_the_multi_host_configuration_is_valid():
    out = check(PROJECT_ROOT / "deploy" / "haproxy.cfg")
    assert out.returncode == 0, out.stdout + out.stderr
