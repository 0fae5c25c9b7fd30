"""The pages beside the web chat (accessibility statement, privacy notice) and the banner's refresh.

The privacy notice must say what this deployment really keeps and for how long: its retention
periods come from the settings (CONVERSATION_RETENTION_DAYS, AUDIT_RETENTION_DAYS).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from bot.config import Settings
from tests.support.numbers import number_of

SECRET = "a test secret for conversation ids"


@pytest.fixture
def client(kb):
    app = create_app(kb, settings=Settings(app_env="production", chat_session_secret=SECRET,
                                           conversation_retention_days=30, audit_retention_days=400))
    with TestClient(app) as c:
        yield c


def test_the_privacy_notice_says_what_is_kept_for_how_long_and_whom_to_contact(client):
    r = client.get("/privacy")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    text = r.text
    assert "deleted <strong>30 days</strong> after its last message" in text, "the conversation retention setting"
    assert "after <strong>400 days</strong>" in text, "the audit retention setting"
    assert "RETENTION_DAYS" not in text
    assert "data protection officer" in text and "999" in text
    assert "no cookies" in text


def test_the_privacy_notice_follows_the_settings(kb):
    app = create_app(kb, settings=Settings(app_env="production", chat_session_secret=SECRET,
                                           conversation_retention_days=90, audit_retention_days=1000))
    with TestClient(app) as c:
        text = c.get("/privacy").text
    assert "<strong>90 days</strong>" in text and "<strong>1,000 days</strong>" in text


def test_the_accessibility_statement_is_a_page_with_how_to_report_a_problem(client):
    r = client.get("/accessibility")
    assert r.status_code == 200 and "Accessibility statement" in r.text
    assert "WCAG" in r.text and "Reporting a problem" in r.text and "999" in r.text
    assert r.headers["content-security-policy"].startswith("default-src 'self'")


def test_the_chat_page_links_both_and_shows_the_phase(client):
    html = client.get("/").text
    assert 'href="/accessibility"' in html and 'href="/privacy"' in html
    assert "Beta" in html


def test_the_banner_can_be_refreshed_between_turns(client):
    r = client.get("/chat/areas/tameside/urgent")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["id"] == "tameside"
    assert {number_of("tameside", "childrens-hub"), number_of("tameside", "out-of-hours")} <= {c["phone"] for c in body["urgent"]}
    assert all(isinstance(c["available_now"], bool) or c["available_now"] is None for c in body["urgent"])
    assert client.get("/chat/areas/Tameside/urgent").status_code == 422, "ids only, lower case"
    missing = client.get("/chat/areas/atlantis/urgent")
    assert missing.status_code == 404 and "999" in missing.json()["detail"]
