"""`at` on the two days a year London's clock is not one moment: a time the clocks skip is a
422 saying which times exist; a time that happens twice is answered for the first (BST)
reading, and the answer says so and how to ask for the other."""

from __future__ import annotations

import pytest

SKIPPED = "2027-03-28T01:30:00"  # the clocks go forward at 01:00 GMT
TWICE = "2026-10-25T01:30:00"  # the clocks go back at 02:00 BST
CONCERN = "Year 9 girl has been bunking off most afternoons all term."


def _refused_naming_at(r) -> str:
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
    body = r.json()
    assert [e["field"] for e in body["errors"]] == ["at"]
    return body["errors"][0]["message"]


def test_contacts_at_a_time_the_clocks_skip_is_a_422_saying_they_go_forward_and_which_times_exist(client):
    message = _refused_naming_at(client.get("/v1/areas/Worcs/contacts", params={"at": SKIPPED}))
    assert "does not exist in London" in message and "clocks go forward from 01:00 GMT to 02:00 BST" in message
    assert "before 01:00 or from 02:00" in message


def test_assess_at_a_time_the_clocks_skip_is_a_422_naming_at(client):
    message = _refused_naming_at(client.post("/v1/assess", json={"area": "Worcs", "concern": CONCERN, "at": SKIPPED}))
    assert "clocks go forward" in message


def test_a_time_that_happens_twice_in_london_says_which_reading_was_used(client):
    body = client.get("/v1/areas/Worcs/contacts", params={"at": TWICE}).json()
    assert body["at"] == "2026-10-25T01:30+01:00"
    assert "happens twice in London" in body["at_note"] and "first 01:30 (BST" in body["at_note"]
    assert "for the second, send 2026-10-25T01:30+00:00" in body["at_note"]


def test_an_assessment_at_a_time_that_happens_twice_says_which_reading_was_used(client):
    body = client.post("/v1/assess", json={"area": "Worcs", "concern": CONCERN, "at": TWICE}).json()
    assert body["at"] == "2026-10-25T01:30+01:00" and "first 01:30 (BST" in body["at_note"]


@pytest.mark.parametrize("at", ["2026-10-25T01:30:00+00:00", "2027-03-28T01:30:00Z"])
def test_a_moment_sent_with_its_offset_is_never_ambiguous(client, at):
    body = client.get("/v1/areas/Worcs/contacts", params={"at": at}).json()
    assert body["at_note"] is None
    assert body["at"] in ("2026-10-25T01:30+00:00", "2027-03-28T02:30+01:00")


def test_an_ordinary_time_has_no_note(client):
    assert client.get("/v1/areas/Worcs/contacts", params={"at": "2026-11-21T21:00:00"}).json()["at_note"] is None


def test_the_openapi_document_says_how_clock_changes_are_read(client):
    spec = client.get("/openapi.json").json()
    contacts = spec["paths"]["/v1/areas/{area}/contacts"]["get"]
    at = next(p for p in contacts["parameters"] if p["name"] == "at")
    assert "happens twice" in at["description"] and "+00:00" in at["description"]
    assert "skip" in contacts["responses"]["422"]["description"]
    assess_at = spec["components"]["schemas"]["AssessRequest"]["properties"]["at"]
    assert "happens twice" in assess_at["description"]
    assert "at_note" in spec["components"]["schemas"]["Contacts"]["properties"]
    assert "at_note" in spec["components"]["schemas"]["Assessment"]["properties"]
