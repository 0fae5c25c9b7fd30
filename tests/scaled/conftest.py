"""The scaled topology, started once for the module (scripts/scaled.py): its own PostgreSQL and
Redis (so the tests can stop them without touching the machine's), two Rasa servers, two action
servers, the API and HAProxy, all on loopback.

Skipped, saying why, only when a program it needs is not installed (scripts/ensure_scaled.sh,
run by `make test`, installs them with apt-get where it can) or there is no trained model.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.scaled import MODEL, ScaledStack


def _missing() -> list[str]:
    missing = [name for name in ("haproxy", "redis-server") if not shutil.which(name)]
    if not (list(Path("/usr/lib/postgresql").glob("*/bin/initdb")) or shutil.which("initdb")):
        missing.append("PostgreSQL's initdb (postgresql)")
    return missing


def skip_reason() -> str | None:
    if not MODEL.exists():
        return "no trained Rasa model: run `make model` (make test does)"
    if missing := _missing():
        return f"{', '.join(missing)} not installed: run scripts/ensure_scaled.sh (make test does) or apt-get install them"
    return None


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledStack]:
    if reason := skip_reason():
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("scaled")
    stack = ScaledStack(folder, own_servers=True, rasa_workers=1, say=print)
    try:
        stack.start()
    except Exception:
        for name, server in stack.servers.items():
            print(f"--- {name} log ---\n{server.log.read_text(errors='replace')[-3000:] if server.log.exists() else ''}")
        raise
    try:
        yield stack
    finally:
        stack.stop()
