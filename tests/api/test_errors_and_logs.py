"""One error shape everywhere, logs that never hold what a practitioner typed, and readiness."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.request_log import JsonLines
from bot.db.migrate import upgrade
from bot.db.session import make_engine
from bot.knowledge.query import KnowledgeBase
from tests.api.conftest import production_settings
from tests.support.stack import free_port

CONCERN = "Dad hits Kayleigh with a belt, she has marks on her legs."


class Lines(logging.Handler):
    """The API's log lines, as the JSON a log collector would receive."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonLines())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def logs() -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("api")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


# --- one error shape ----------------------------------------------------------------------
def test_an_unknown_address_is_a_404_problem(client):
    r = client.get("/v2/nothing")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["title"] == "Not Found"


def test_a_wrong_method_is_a_405_problem_with_the_allowed_methods(client):
    r = client.delete("/v1/areas")
    assert r.status_code == 405 and r.headers["content-type"] == "application/problem+json"
    assert r.headers["allow"] == "GET"


def test_an_unexpected_error_is_a_500_problem_saying_999_and_logged_without_what_was_sent(kb, api_key, logs):
    app = create_app(kb, production_settings())

    @app.post("/v1/explode")
    async def explode(body: dict) -> dict:
        raise RuntimeError(f"could not handle {body['concern']}")

    with TestClient(app, raise_server_exceptions=False, headers={"X-API-Key": api_key}) as c:
        r = c.post("/v1/explode?area=Kayleigh", json={"concern": CONCERN})
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert "999" in r.json()["detail"] and "Kayleigh" not in r.text
    everything = "\n".join(logs.lines)
    assert "Kayleigh" not in everything and "belt" not in everything
    error = next(rec for rec in logs.records() if rec["event"] == "unhandled error")
    assert error["error"] == "RuntimeError" and error["route"] == "/v1/explode" and error["where"]


# --- request log --------------------------------------------------------------------------
def test_each_request_is_one_json_line_with_the_route_template_and_key_prefix_never_the_query(client, api_key, logs):
    assert client.get("/v1/search", params={"q": "bruises on a baby", "area": "Tameside"}).status_code == 200
    line = logs.records()[-1]
    assert line["route"] == "/v1/search" and line["method"] == "GET" and line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["key_id"] == api_key.split("_")[1]
    assert "bruises" not in logs.lines[-1] and "Tameside" not in logs.lines[-1]


def test_a_concern_sent_for_assessment_never_reaches_the_log(client, logs):
    assert client.post("/v1/assess", json={"area": "Worcs", "concern": CONCERN}).status_code == 200
    assert logs.records()[-1]["route"] == "/v1/assess"
    assert not any("belt" in line or "Kayleigh" in line for line in logs.lines)


def test_a_path_parameter_is_logged_as_its_template(client, logs):
    client.get("/v1/areas/redcar/glossary/what does MACH stand for")
    assert logs.records()[-1]["route"] == "/v1/areas/{area}/glossary/{term}"
    assert "MACH" not in logs.lines[-1]


# --- readiness ----------------------------------------------------------------------------
def test_ready_when_the_database_answers_the_knowledge_is_loaded_and_rasa_is_reachable(kb, fake_rasa):
    with TestClient(create_app(kb, production_settings(rasa_url=fake_rasa))) as c:
        r = c.get("/readyz")
    assert r.status_code == 200
    assert {ch["name"]: ch["ok"] for ch in r.json()["checks"]} == {"database": True, "knowledge": True, "rasa": True,
                                                                  "meaning": True}
    meaning = next(ch for ch in r.json()["checks"] if ch["name"] == "meaning")
    assert "all-MiniLM-L6-v2" in meaning["detail"], "readiness names the sentence encoder"


def test_not_ready_when_rasa_is_down_says_which_check_failed(kb):
    with TestClient(create_app(kb, production_settings(rasa_url=f"http://127.0.0.1:{free_port()}"))) as c:
        r = c.get("/readyz")
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
    checks = {ch["name"]: ch["ok"] for ch in r.json()["checks"]}
    assert checks == {"database": True, "knowledge": True, "rasa": False, "meaning": True}
    assert "rasa" in r.json()["detail"]


def test_not_ready_when_no_knowledge_is_loaded(tmp_path, fake_rasa):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    upgrade(engine)
    with TestClient(create_app(KnowledgeBase(engine), production_settings(rasa_url=fake_rasa))) as c:
        r = c.get("/readyz")
        assert c.get("/healthz").status_code == 200  # alive, just not ready
    assert r.status_code == 503
    failed = [ch for ch in r.json()["checks"] if not ch["ok"]]
    assert [ch["name"] for ch in failed] == ["knowledge"] and "bot.knowledge load" in failed[0]["detail"]
