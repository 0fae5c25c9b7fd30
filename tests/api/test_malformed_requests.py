"""Malformed requests that reach the app are answered with a problem saying what was wrong.

(Requests so malformed that the HTTP server cannot parse them, such as a garbled request line,
a bad header or a Content-Length that is not a number, are answered by uvicorn itself before
the app sees them: see docs/api.md.)
"""

from __future__ import annotations

import asyncio

import pytest

JSON = {"content-type": "application/json"}


def _problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    return r.json()


# --- bodies -------------------------------------------------------------------------------
def test_a_body_that_is_not_valid_json_is_a_400_problem_saying_where_it_breaks(client):
    body = _problem(client.post("/v1/assess", content=b'{"area": "Worcs", ', headers=JSON), 400)
    assert body["errors"] == [{"field": "body", "message": "is not valid JSON "
                                                            "(Expecting property name enclosed in double quotes at offset 18)"}]
    assert "Send JSON, encoded as UTF-8" in body["detail"]


def test_a_body_that_is_not_utf8_is_a_400_problem(client):
    _problem(client.post("/v1/assess", content=b'{"area": "Worcs\xff", "concern": "x"}', headers=JSON), 400)


def test_a_body_nested_too_deeply_to_read_is_a_400_problem(client):
    _problem(client.post("/v1/assess", content=b"[" * 5000 + b"]" * 5000, headers=JSON), 400)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_sent_without_a_json_content_type_is_a_422_saying_to_send_json(client, content_type):
    headers = {"content-type": content_type} if content_type else {}
    body = _problem(client.post("/v1/assess", content=b'{"area": "Worcs", "concern": "x"}', headers=headers), 422)
    assert body["errors"] == [{"field": "body",
                               "message": "should be a JSON object, sent with Content-Type: application/json"}]


def test_json_that_is_not_an_object_is_a_422_saying_so(client):
    body = _problem(client.post("/v1/assess", json=["Worcs", "truanting"]), 422)
    assert body["errors"] == [{"field": "body", "message": "should be a JSON object"}]


def test_the_400_for_an_unreadable_body_is_documented(client):
    assess = client.get("/openapi.json").json()["paths"]["/v1/assess"]["post"]["responses"]
    assert "application/problem+json" in assess["400"]["content"]


# --- percent-encoding ---------------------------------------------------------------------
@pytest.mark.parametrize("area", ["%ZZ", "%FF%FE", "%"])
def test_bad_percent_encoding_in_the_path_is_a_404_problem_listing_our_areas(client, area):
    assert _problem(client.get(f"/v1/areas/{area}"), 404)["covered_areas"]


def test_bad_percent_encoding_in_at_is_a_422_naming_at(client):
    assert _problem(client.get("/v1/areas/Worcs/contacts?at=2026-01-01T10:00%ZZ"), 422)["errors"][0]["field"] == "at"


@pytest.mark.parametrize("query", ["q=%FF", "q=%ZZ", "q=%00"])
def test_bad_percent_encoding_in_a_search_is_read_as_text_not_an_error(client, query):
    r = client.get(f"/v1/search?{query}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"


# --- Content-Length, as the app itself sees it ----------------------------------------------
def _call(app, headers: list[tuple[bytes, bytes]], body: bytes) -> tuple[int, dict[bytes, bytes]]:
    """One POST /v1/assess straight to the ASGI app, with headers an HTTP client would not send."""
    sent: list[dict] = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/v1/assess", "raw_path": b"/v1/assess", "query_string": b"", "root_path": "",
             "headers": headers, "client": ("203.0.113.7", 50000), "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], dict(start["headers"])


@pytest.fixture
def authorised(api_key) -> list[tuple[bytes, bytes]]:
    return [(b"authorization", f"Bearer {api_key}".encode()), (b"content-type", b"application/json")]


@pytest.mark.parametrize("declared", [b"abc", b"-1", b"1e3", b""])
def test_a_content_length_that_is_not_a_number_does_not_stop_the_body_being_read(client, authorised, declared):
    body = b'{"area": "Worcs", "concern": "Year 9 girl has been bunking off most afternoons all term."}'
    status, _ = _call(client.app, [*authorised, (b"content-length", declared)], body)
    assert status == 200


def test_a_content_length_past_the_limit_is_a_413_problem_before_anything_is_read(client, authorised):
    status, headers = _call(client.app, [*authorised, (b"content-length", b"9" * 30)], b"{}")
    assert status == 413 and headers[b"content-type"] == b"application/problem+json"


def test_a_body_longer_than_its_content_length_past_the_limit_is_still_a_413(client, authorised):
    status, _ = _call(client.app, [*authorised, (b"content-length", b"2")], b"{" + b" " * 100_000 + b"}")
    assert status == 413
