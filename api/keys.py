"""API keys: created, listed and revoked here; checked on every /v1 request.

A key looks like ``ehn_<prefix>_<secret>``. The prefix is public (it names the key in logs
and listings); the secret has 256 bits of entropy, so a plain SHA-256 of the whole key is
enough to store (no slow hash needed: there is nothing to brute-force). The clear key is
printed once, at creation, and never stored.

    python -m api.keys create --name "Intranet lookup"   # prints the key once
    python -m api.keys list
    python -m api.keys revoke <prefix>
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.db.models import ApiKeyRow
from bot.db.session import DatabaseUnavailable

KEY_PATTERN = re.compile(r"^ehn_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
_PREFIX = re.compile(r"^ehn_([0-9a-f]{8})_")
MAX_NAME = 120
_MIGRATE = "the api_keys table is missing or the database is down; `python -m bot.knowledge load` migrates it"


@dataclass(frozen=True)
class KeyInfo:
    """What the API knows about a caller's key: never the key itself."""

    prefix: str
    name: str
    created_at: datetime
    revoked_at: datetime | None = None


def new_key() -> tuple[str, str]:
    """A fresh (prefix, clear key)."""
    prefix = secrets.token_hex(4)
    return prefix, f"ehn_{prefix}_{secrets.token_urlsafe(32)}"


def public_prefix(presented: str | None) -> str | None:
    """The public prefix of something sent as a key, if it has one (even when the rest is
    wrong, truncated or revoked): safe to log, unlike the key."""
    match = _PREFIX.match(presented or "")
    return match.group(1) if match else None


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _info(row: ApiKeyRow) -> KeyInfo:
    return KeyInfo(row.prefix, row.name, row.created_at, row.revoked_at)


class KeyStore:
    """Keys in the database, with a short in-process cache of keys already checked.

    A revoked key stops working within ``cache_seconds`` (0 = checked every time).
    """

    def __init__(self, engine: Engine, cache_seconds: float = 30.0):
        self.engine = engine
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[KeyInfo, float]] = {}
        self._lock = threading.Lock()

    # --- management (CLI and tests) ----------------------------------------------------
    def create(self, name: str) -> tuple[KeyInfo, str]:
        """Store a new key under ``name``; returns its info and the clear key (shown once)."""
        name = (name or "").strip()
        if not name or len(name) > MAX_NAME:
            raise ValueError(f"a key needs a name of 1 to {MAX_NAME} characters, saying who uses it")
        prefix, key = new_key()
        row = ApiKeyRow(prefix=prefix, name=name, key_hash=digest(key), created_at=datetime.now(timezone.utc))
        try:
            with Session(self.engine) as session, session.begin():
                session.add(row)
                session.flush()
                info = _info(row)
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(f"the key could not be stored: {_MIGRATE}") from exc
        return info, key

    def list_keys(self) -> list[KeyInfo]:
        with Session(self.engine) as session:
            return [_info(r) for r in session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id))]

    def revoke(self, prefix: str) -> KeyInfo:
        prefix = prefix.strip().removeprefix("ehn_").split("_")[0]
        with Session(self.engine) as session, session.begin():
            row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix)).first()
            if row is None:
                raise LookupError(f"no key with prefix '{prefix}'; `python -m api.keys list` shows them")
            if row.revoked_at is None:
                row.revoked_at = datetime.now(timezone.utc)
            info = _info(row)
        with self._lock:
            self._cache = {h: v for h, v in self._cache.items() if v[0].prefix != prefix}
        return info

    # --- checking ------------------------------------------------------------------------
    def cached(self, presented: str) -> KeyInfo | None:
        """The key's info if it was found live less than ``cache_seconds`` ago (no database call)."""
        hit = self._cache.get(digest(presented or ""))
        return hit[0] if hit is not None and hit[1] > time.monotonic() else None

    def verify(self, presented: str) -> KeyInfo | None:
        """The key's info when ``presented`` is a live key, else None."""
        match = KEY_PATTERN.match(presented or "")
        if not match:
            return None
        wanted = digest(presented)
        now = time.monotonic()
        cached = self._cache.get(wanted)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            with Session(self.engine) as session:
                row = session.scalars(select(ApiKeyRow).where(ApiKeyRow.prefix == match.group(1))).first()
                info = _info(row) if row is not None else None
                stored = row.key_hash if row is not None else ""
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(f"API keys cannot be checked: {_MIGRATE}") from exc
        if info is None or info.revoked_at is not None or not hmac.compare_digest(stored, wanted):
            return None
        if self.cache_seconds > 0:
            with self._lock:
                self._cache[wanted] = (info, now + self.cache_seconds)
        return info


# --- the CLI -----------------------------------------------------------------------------
def store_from_settings() -> KeyStore:
    """The keys in DATABASE_URL's database, migrated first (as ``python -m bot.knowledge load`` does)."""
    from bot.config import get_settings
    from bot.db.migrate import upgrade
    from bot.db.session import check_connection, make_engine

    engine = make_engine(get_settings().database_url)
    check_connection(engine)
    upgrade(engine)
    return KeyStore(engine, cache_seconds=0)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.keys", description="Manage quick-lookup API keys.")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True, help="who uses it, e.g. 'Intranet lookup'")
    sub.add_parser("list", help="list keys (prefix, name, created, revoked); never the keys")
    revoke = sub.add_parser("revoke", help="revoke a key by its prefix")
    revoke.add_argument("prefix")
    args = parser.parse_args(argv)
    try:
        store = store_from_settings()
        if args.command == "create":
            info, key = store.create(args.name)
            print(f"Created key {info.prefix} for '{info.name}'. It is shown only now; store it safely:")
            print(key)
        elif args.command == "list":
            rows = store.list_keys()
            if not rows:
                print("No API keys yet: python -m api.keys create --name '...'")
            for k in rows:
                state = f"revoked {_when(k.revoked_at)}" if k.revoked_at else "active"
                print(f"{k.prefix}  {_when(k.created_at)}  {state:24}  {k.name}")
        else:
            info = store.revoke(args.prefix)
            print(f"Revoked key {info.prefix} ('{info.name}').")
    except (ValueError, LookupError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except DatabaseUnavailable as exc:
        print(f"Database unavailable: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
