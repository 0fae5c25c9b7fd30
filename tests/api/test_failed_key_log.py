"""A refused API key is logged as a warning with where it came from and why, and the key's
public prefix when it has one: never the key itself."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.api.conftest import production_settings

SECRET = "S3cretPart" + "x" * 33  # 43 characters, the shape of a key's secret
PEER = "203.0.113.7"


@pytest.fixture(scope="module")
def stranger(kb) -> Iterator[TestClient]:
    with TestClient(create_app(kb, production_settings()), client=(PEER, 50000)) as c:
        yield c


def _refusal(api_caplog) -> dict:
    found = [r for r in api_caplog.records if r.name == "api.security"]
    assert len(found) == 1 and found[0].levelno == logging.WARNING
    return found[0].fields


def test_a_request_without_a_key_is_logged_as_missing_with_the_client_address(stranger, api_caplog):
    assert stranger.get("/v1/areas").status_code == 401
    fields = _refusal(api_caplog)
    assert fields["client"] == PEER and fields["reason"] == "missing" and fields["key_prefix"] is None
    assert fields["route"] == "/v1/areas" and fields["method"] == "GET"


def test_a_wrong_key_is_logged_as_invalid_with_its_public_prefix_and_never_the_key(stranger, api_caplog):
    assert stranger.get("/v1/areas", headers={"X-API-Key": f"ehn_0badc0de_{SECRET}"}).status_code == 401
    fields = _refusal(api_caplog)
    assert fields["client"] == PEER and fields["reason"] == "invalid" and fields["key_prefix"] == "0badc0de"
    assert not any("S3cret" in str(r.__dict__) for r in api_caplog.records)


def test_a_revoked_key_is_logged_as_invalid_with_its_prefix(stranger, keys, api_caplog):
    info, key = keys.create("revoked for the log test")
    keys.revoke(info.prefix)
    assert stranger.get("/v1/areas", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    assert _refusal(api_caplog)["key_prefix"] == info.prefix


def test_something_not_shaped_like_a_key_is_logged_without_a_prefix(stranger, api_caplog):
    assert stranger.get("/v1/areas", headers={"X-API-Key": "xoxb-a-slack-token-pasted-by-mistake"}).status_code == 401
    fields = _refusal(api_caplog)
    assert fields["reason"] == "invalid" and fields["key_prefix"] is None
    assert not any("slack-token" in str(r.__dict__) for r in api_caplog.records)


def test_a_good_key_is_not_logged_as_refused(client, api_caplog):
    assert client.get("/v1/areas").status_code == 200
    assert not [r for r in api_caplog.records if r.name == "api.security"]
