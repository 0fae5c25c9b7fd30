"""``python -m api.keys``: a key is printed once, listed by its prefix only, and can be revoked."""

from __future__ import annotations

import pytest

from api import keys
from bot.config import get_settings


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'keys.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_create_prints_the_key_once_and_list_shows_only_its_prefix(database, capsys):
    assert keys.main(["create", "--name", "Intranet lookup"]) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]
    prefix = key.split("_")[1]
    assert keys.KEY_PATTERN.match(key)
    assert keys.main(["list"]) == 0
    listing = capsys.readouterr().out
    assert prefix in listing and "Intranet lookup" in listing and "active" in listing
    assert key not in listing and key.rsplit("_", 1)[1] not in listing


def test_revoke_marks_the_key_revoked(database, capsys):
    keys.main(["create", "--name", "Old integration"])
    prefix = capsys.readouterr().out.strip().splitlines()[-1].split("_")[1]
    assert keys.main(["revoke", prefix]) == 0
    assert "Revoked" in capsys.readouterr().out
    keys.main(["list"])
    assert "revoked" in capsys.readouterr().out


def test_revoking_a_key_that_does_not_exist_says_so(database, capsys):
    assert keys.main(["revoke", "deadbeef"]) == 1
    assert "no key with prefix 'deadbeef'" in capsys.readouterr().err


def test_a_key_needs_a_name(database, capsys):
    assert keys.main(["create", "--name", "  "]) == 1
    assert "needs a name" in capsys.readouterr().err


def test_an_unreachable_database_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    get_settings.cache_clear()
    try:
        assert keys.main(["list"]) == 2
    finally:
        get_settings.cache_clear()
    assert "Database unavailable" in capsys.readouterr().err
