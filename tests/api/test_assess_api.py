"""POST /v1/assess as an intranet integration calls it."""

from __future__ import annotations

from tests.support.numbers import number_of

CONCERN = "Year 9 girl has been bunking off most afternoons all term and mum can't get her to go in."


def test_assess_returns_level_indicators_actions_contacts_questions_and_sources(client):
    r = client.post("/v1/assess", json={"area": "Worcs", "concern": CONCERN, "at": "2026-11-21T21:00:00"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["level"]["number"] == 3 and body["level"]["name"]
    assert body["immediate_risk"]["flagged"] is False
    assert all({"level", "text", "source"} <= set(i) for i in body["indicators"])
    assert body["actions"] and body["sources"]
    assert all({"name", "phone", "available_now"} <= set(c) for c in body["contacts"])
    assert isinstance(body["questions"], list)


def test_assess_on_saturday_night_marks_the_out_of_hours_line_available(client):
    r = client.post("/v1/assess", json={"area": "worcestershire", "concern": "Dad hits her with a belt, she has marks on her legs.", "at": "2026-11-21T21:00:00"})
    contacts = {c["phone"]: c["available_now"] for c in r.json()["contacts"] if c["phone"]}
    assert contacts[number_of("worcestershire", "out-of-hours")] is True and contacts[number_of("worcestershire", "family-front-door")] is False


def test_unknown_area_is_404_listing_the_covered_areas(client):
    r = client.post("/v1/assess", json={"area": "Wiltshire", "concern": CONCERN})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert {a["id"] for a in body["covered_areas"]} == {"redcar-cleveland", "stockton-on-tees", "worcestershire", "tameside", "cambridgeshire"}
    assert "999" in body["detail"]


def test_empty_concern_is_422_with_a_message_a_person_understands(client):
    r = client.post("/v1/assess", json={"area": "Worcs", "concern": "   "})
    assert r.status_code == 422
    body = r.json()
    assert body["errors"][0]["field"] == "concern"
    assert "describe the concern" in body["errors"][0]["message"]


def test_oversized_concern_is_422_saying_the_limit(client):
    r = client.post("/v1/assess", json={"area": "Worcs", "concern": "x" * 5000})
    assert r.status_code == 422
    assert "4000" in r.json()["detail"]


def test_missing_area_is_422_naming_the_field(client):
    r = client.post("/v1/assess", json={"concern": CONCERN})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "area"


def test_unknown_answer_key_is_422(client):
    r = client.post("/v1/assess", json={"area": "Worcs", "concern": CONCERN, "answers": {"nope": "yes"}})
    assert r.status_code == 422 and "nope" in r.json()["detail"]


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_openapi_documents_assess_with_an_example_and_its_errors(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/v1/assess"]["post"]
    assert {"200", "404", "422"} <= set(op["responses"])
    schema_ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert spec["components"]["schemas"][schema_ref].get("examples")
