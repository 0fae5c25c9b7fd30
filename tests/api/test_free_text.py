"""Free text (a search, a concern, a chat message) needs a word: the pattern the OpenAPI document
gives and what the API accepts agree, character by character.

JSON Schema patterns are ECMA-262 regular expressions, whose \\s is not Python's: a client, or the
contract test, that checks the document must get the same verdict as the API.
"""

from __future__ import annotations

import re

import pytest

ECMA_SPACE = "\t\n\v\f\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
TEXTS = ["\x1d", "\x1f", "\x85", " \t\x1c", "\ufeff", "\u3000", "a", "\x1dconsent", "\ufeffbunking off"]


def as_ecma(pattern: str) -> str:
    """A JSON Schema pattern as Python's ``re`` must read it to match as ECMA-262 does."""
    return pattern.replace("\\S", f"[^{ECMA_SPACE}]").replace("\\s", ECMA_SPACE)


def documented_as_valid(pattern: str, text: str) -> bool:
    return bool(re.search(as_ecma(pattern), text))


@pytest.fixture(scope="module")
def spec(client) -> dict:
    return client.get("/openapi.json").json()


def body_pattern(spec: dict, path: str, field: str) -> str:
    ref = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return spec["components"]["schemas"][ref.split("/")[-1]]["properties"][field]["pattern"]


@pytest.mark.parametrize("text", TEXTS)
def test_a_search(client, spec, text):
    pattern = spec["paths"]["/v1/search"]["get"]["parameters"][0]["schema"]["pattern"]
    accepted = client.get("/v1/search", params={"q": text}).status_code != 422
    assert accepted == documented_as_valid(pattern, text)


@pytest.mark.parametrize("text", TEXTS)
def test_a_concern(client, spec, text):
    accepted = client.post("/v1/assess", json={"area": "worcestershire", "concern": text}).status_code != 422
    assert accepted == documented_as_valid(body_pattern(spec, "/v1/assess", "concern"), text)


@pytest.mark.parametrize("text", TEXTS)
def test_a_chat_message(client, spec, text):
    turn = {"sender": client.post("/chat/sessions").json()["conversation"], "message": text}
    accepted = client.post("/chat/messages", json=turn).status_code != 422  # 503 without Rasa: not refused
    assert accepted == documented_as_valid(body_pattern(spec, "/chat/messages", "message"), text)


def test_the_ecma_reading_of_a_pattern_is_not_pythons():
    """The check above can fail: Python's \\S and ECMA's disagree on these characters."""
    assert re.search(r"\S", "\ufeff") and not documented_as_valid(r"\S", "\ufeff")
    assert not re.search(r"\S", "\x1f") and documented_as_valid(r"\S", "\x1f")
