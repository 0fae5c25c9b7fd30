"""`python -m bot.knowledge check|load` as a maintainer runs it."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import KNOWLEDGE_DIR, PROJECT_ROOT


def _run(args, env_extra):
    import os
    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, "-m", "bot.knowledge", *args], check=False, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, env=env, timeout=120)


def test_check_prints_a_coverage_row_per_area():
    out = _run(["check"], {"KNOWLEDGE_DIR": str(KNOWLEDGE_DIR)})
    assert out.returncode == 0, out.stderr
    for area in ("redcar-cleveland", "stockton-on-tees", "worcestershire", "tameside", "cambridgeshire"):
        assert area in out.stdout


def test_load_twice_is_a_no_op(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'kb.db'}"}
    first = _run(["load"], env)
    assert first.returncode == 0, first.stderr
    assert "added" in first.stdout
    second = _run(["load"], env)
    assert second.returncode == 0
    assert set(second.stdout.split()) - {"unchanged"} == {"shared", "cambridgeshire", "redcar-cleveland", "stockton-on-tees", "tameside", "worcestershire"}


def test_a_bad_database_url_fails_fast_with_a_clear_message():
    out = _run(["load"], {"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    assert out.returncode == 2
    assert "Database unavailable" in out.stderr and "DATABASE_URL" in out.stderr
