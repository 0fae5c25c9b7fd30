"""Keys, rate limits, body size and CORS: the API is closed by default and says why when it refuses."""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.body_limit import BodySizeLimit
from api.keys import KeyStore
from api.main import create_app
from bot.config import Settings
from bot.db.migrate import upgrade
from bot.db.models import ApiKeyRow
from bot.db.session import make_engine
from tests.api.conftest import production_settings

CONCERN = "Year 9 girl has been bunking off most afternoons all term."


def _problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


# --- keys ---------------------------------------------------------------------------------
def test_production_is_the_default_environment(monkeypatch):
    monkeypatch.delenv("APP_ENV", raising=False)
    assert Settings(_env_file=None).app_env == "production"


def test_without_a_key_v1_is_401_saying_how_to_send_one(anonymous):
    body = _problem(anonymous.get("/v1/areas"), 401)
    assert "Bearer" in body["detail"] and "X-API-Key" in body["detail"]
    assert anonymous.get("/v1/areas").headers["www-authenticate"].startswith("Bearer")


def test_a_wrong_key_is_401_invalid_token(anonymous):
    r = anonymous.get("/v1/areas", headers={"Authorization": "Bearer ehn_00000000_" + "x" * 43})
    _problem(r, 401)
    assert 'error="invalid_token"' in r.headers["www-authenticate"]


def test_a_key_works_as_bearer_or_as_x_api_key(anonymous, api_key):
    assert anonymous.get("/v1/areas", headers={"Authorization": f"Bearer {api_key}"}).status_code == 200
    assert anonymous.get("/v1/areas", headers={"X-API-Key": api_key}).status_code == 200


def test_the_key_is_checked_before_the_body_is_looked_at(anonymous):
    _problem(anonymous.post("/v1/assess", json={"nonsense": True}), 401)


@pytest.mark.parametrize("path", ["/healthz", "/openapi.json", "/docs", "/"])
def test_health_docs_and_the_web_chat_page_need_no_key(anonymous, path):
    assert anonymous.get(path).status_code == 200


def test_readiness_needs_no_key(anonymous):
    assert anonymous.get("/readyz").status_code in (200, 503)


def test_every_v1_operation_requires_a_key_in_the_openapi_document(client):
    spec = client.get("/openapi.json").json()
    assert {"BearerKey", "HeaderKey"} <= set(spec["components"]["securitySchemes"])
    for path, ops in spec["paths"].items():
        for op in ops.values():
            assert bool(op.get("security")) == path.startswith("/v1"), path
            if path.startswith("/v1"):
                assert {"401", "429", "500"} <= set(op["responses"]), path


def test_development_turns_the_key_check_off(kb):
    with TestClient(create_app(kb, Settings(app_env="development"))) as dev:
        assert dev.get("/v1/areas/tameside").status_code == 200


def test_a_revoked_key_stops_working(anonymous, keys):
    info, key = keys.create("to be revoked")
    assert anonymous.get("/v1/areas", headers={"X-API-Key": key}).status_code == 200
    keys.revoke(info.prefix)
    _problem(anonymous.get("/v1/areas", headers={"X-API-Key": key}), 401)


def test_keys_are_hashed_at_rest_and_the_database_never_holds_the_clear_key(tmp_path):
    path = tmp_path / "keys.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    store = KeyStore(engine, cache_seconds=0)
    info, key = store.create("Intranet lookup")
    secret = key.rsplit("_", 1)[1]
    with Session(engine) as session:
        row = session.scalars(select(ApiKeyRow)).one()
        values = [str(getattr(row, c.key)) for c in ApiKeyRow.__table__.columns]
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert all(key not in v and secret not in v for v in values)
    engine.dispose()
    raw = path.read_bytes()
    assert secret.encode() not in raw and key.encode() not in raw
    assert info.prefix.encode() in raw  # the public part is what names it
    assert store.verify(key).prefix == info.prefix


def test_a_key_that_is_not_even_shaped_like_one_never_reaches_the_database(keys):
    assert keys.verify("") is None and keys.verify("letmein") is None


# --- rate limit ---------------------------------------------------------------------------
def test_a_key_over_its_rate_is_429_with_retry_after_and_other_keys_are_not_affected(kb, keys):
    _, first = keys.create("busy client")
    _, second = keys.create("quiet client")
    with TestClient(create_app(kb, production_settings(rate_limit_per_minute=3))) as c:
        for _ in range(3):
            assert c.get("/v1/areas", headers={"X-API-Key": first}).status_code == 200
        r = c.get("/v1/areas", headers={"X-API-Key": first})
        body = _problem(r, 429)
        assert int(r.headers["retry-after"]) >= 1 and "999" in body["detail"]
        assert c.get("/v1/areas", headers={"X-API-Key": second}).status_code == 200


def test_unkeyed_development_requests_are_limited_per_address(kb):
    with TestClient(create_app(kb, Settings(app_env="development", rate_limit_per_minute=2))) as dev:
        assert [dev.get("/v1/areas").status_code for _ in range(3)] == [200, 200, 429]
        assert dev.get("/healthz").status_code == 200  # health is never limited


def test_repeated_wrong_keys_from_one_address_are_slowed_down(kb):
    with TestClient(create_app(kb, production_settings(rate_limit_per_minute=2))) as c:
        codes = [c.get("/v1/areas", headers={"X-API-Key": "guess"}).status_code for _ in range(3)]
    assert codes == [401, 401, 429]


# --- body size ----------------------------------------------------------------------------
def test_a_body_over_the_limit_is_413_before_it_is_parsed(client):
    r = client.post("/v1/assess", json={"area": "Worcs", "concern": "x" * 20_000})
    body = _problem(r, 413)
    assert str(16 * 1024) in body["detail"]


def test_a_chunked_body_over_the_limit_is_413_too(client):
    chunks = (b'{"area": "Worcs", "concern": "' + b"x" * 4096 if i == 0 else b"x" * 4096 for i in range(10))
    r = client.post("/v1/assess", content=chunks, headers={"Content-Type": "application/json"})
    _problem(r, 413)


def test_a_chunked_upload_stops_being_read_once_it_passes_the_limit():
    pulled = 0

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 1024, "more_body": pulled < 1000}

    async def reads_everything(scope, receive, send):
        while (await receive()).get("more_body"):
            pass
        raise AssertionError("the whole body was read")

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/assess", "headers": [(b"transfer-encoding", b"chunked")]}
    asyncio.run(BodySizeLimit(reads_everything, max_bytes=16 * 1024)(scope, receive, send))
    assert pulled == 17  # 16 KiB allowed, the 17th KiB refused
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["status"] == 413


def test_a_body_under_the_limit_is_served(client):
    assert client.post("/v1/assess", json={"area": "Worcs", "concern": CONCERN}).status_code == 200


# --- CORS ---------------------------------------------------------------------------------
def test_no_origin_is_allowed_by_default(client):
    r = client.get("/v1/areas", headers={"Origin": "https://intranet.example"})
    assert "access-control-allow-origin" not in r.headers


def test_configured_origins_are_allowed_and_others_are_not(kb, api_key):
    settings = production_settings(cors_origins=["https://intranet.example"])
    with TestClient(create_app(kb, settings), headers={"X-API-Key": api_key}) as c:
        ok = c.get("/v1/areas", headers={"Origin": "https://intranet.example"})
        assert ok.headers["access-control-allow-origin"] == "https://intranet.example"
        preflight = c.options("/v1/areas", headers={
            "Origin": "https://intranet.example", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "X-API-Key"})
        assert preflight.status_code == 200 and "x-api-key" in preflight.headers["access-control-allow-headers"].lower()
        other = c.get("/v1/areas", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers


def test_cors_origins_are_read_comma_separated_from_the_environment(monkeypatch):
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    assert Settings(_env_file=None).cors_origins == ["https://a.example", "https://b.example"]
