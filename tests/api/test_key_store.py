"""The key store on SQLite and PostgreSQL: keys checked by hash, revocation, and the cache."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import keys as keys_module
from api.keys import KeyStore
from bot.db.models import ApiKeyRow


def test_a_key_is_stored_as_its_hash_and_checked_against_it(empty_db):
    store = KeyStore(empty_db, cache_seconds=0)
    _, key = store.create("Intranet lookup")
    with Session(empty_db) as session:
        row = session.scalars(select(ApiKeyRow)).one()
    assert row.key_hash == keys_module.digest(key) and key not in (row.prefix, row.name, row.key_hash)
    assert store.verify(key).name == "Intranet lookup"
    assert store.verify(key[:-1] + ("A" if key[-1] != "A" else "B")) is None  # one character off


def test_a_revoked_key_is_refused_and_listed_as_revoked(empty_db):
    store = KeyStore(empty_db, cache_seconds=0)
    info, key = store.create("Old integration")
    store.revoke(info.prefix)
    assert store.verify(key) is None
    assert [k.revoked_at is not None for k in store.list_keys()] == [True]


def test_a_key_revoked_by_another_process_stops_working_once_the_cache_expires(empty_db, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(keys_module.time, "monotonic", lambda: now[0])
    api_process = KeyStore(empty_db, cache_seconds=30)
    cli = KeyStore(empty_db, cache_seconds=0)
    info, key = cli.create("Intranet lookup")
    assert api_process.verify(key) is not None
    cli.revoke(info.prefix)
    now[0] += 29
    assert api_process.cached(key) is not None  # trusted for up to API_KEY_CACHE_SECONDS
    now[0] += 2
    assert api_process.cached(key) is None and api_process.verify(key) is None


def test_revoking_in_the_api_process_itself_takes_effect_at_once(empty_db):
    store = KeyStore(empty_db, cache_seconds=30)
    info, key = store.create("Intranet lookup")
    assert store.verify(key) is not None
    store.revoke(f"ehn_{info.prefix}")  # the key's public start works as well as the bare prefix
    assert store.verify(key) is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_key_needs_a_sensible_name(empty_db, name):
    with pytest.raises(ValueError):
        KeyStore(empty_db).create(name)
