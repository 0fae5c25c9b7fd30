"""The quick-lookup endpoints, read like the guidance they serve.

Every fact comes back with its source: the document's title, the section, its date and age.
"""

from __future__ import annotations

import pytest

from tests.support.numbers import number_of

SATURDAY_NIGHT = "2026-11-21T21:00:00"
WEDNESDAY_MORNING = "2026-11-18T11:00:00"
COVERED = {"redcar-cleveland", "stockton-on-tees", "worcestershire", "tameside", "cambridgeshire"}


def _cited(source: dict) -> bool:
    return bool(source["title"] and source["section"] and source["date_label"]) and "age_years" in source


# --- areas --------------------------------------------------------------------------------
def test_the_covered_areas_are_listed_with_their_documents_dates_and_ages(client):
    body = client.get("/v1/areas").json()
    assert {a["id"] for a in body["areas"]} == COVERED
    tameside = next(a for a in body["areas"] if a["id"] == "tameside")
    doc = tameside["documents"][0]
    assert doc["year"] == 2017 and doc["age_years"] >= 9 and "years old" in doc["age_text"]
    cambs = next(a for a in body["areas"] if a["id"] == "cambridgeshire")
    assert cambs["documents"][0]["age_years"] is None and cambs["documents"][0]["age_text"] == "undated"


def test_the_area_list_says_999_and_what_to_do_for_an_area_we_do_not_cover(client):
    body = client.get("/v1/areas").json()
    assert body["emergency"]["number"] == "999"
    assert "children's social care" in body["elsewhere"]


def test_worcestershire_level_4_is_statutory_social_work_through_the_family_front_door(client):
    body = client.get("/v1/areas/worcestershire").json()
    level4 = next(lv for lv in body["levels"] if lv["number"] == 4)
    assert level4["name"] == "Statutory Social Work Intervention"
    assert "Family Front Door" in level4["typical_response"]
    assert level4["tiers"] == ["child_in_need", "child_protection"]
    assert _cited(level4["source"]) and "Level Four" in level4["source"]["section"]


def test_worcestershire_says_how_several_level_needs_add_up(client):
    rules = client.get("/v1/areas/worcestershire").json()["accumulation"]
    assert rules and all(_cited(r["source"]) for r in rules)


@pytest.mark.parametrize("typed", ["Worcs", "WORCESTERSHIRE", "worcestshire", "Redditch"])
def test_an_area_is_found_by_its_alias_a_town_or_a_typo(client, typed):
    assert client.get(f"/v1/areas/{typed}").json()["area"]["id"] == "worcestershire"


def test_cambridgeshire_has_three_levels(client):
    assert [lv["number"] for lv in client.get("/v1/areas/Cambs").json()["levels"]] == [1, 2, 3]


@pytest.mark.parametrize("path", ["/v1/areas/Wiltshire", "/v1/areas/Wiltshire/contacts", "/v1/areas/Wiltshire/pathway",
                                  "/v1/areas/Wiltshire/glossary/CAF", "/v1/search?q=consent&area=Wiltshire"])
def test_an_area_we_do_not_cover_is_404_listing_ours_and_giving_999(client, path):
    r = client.get(path)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert {a["id"] for a in body["covered_areas"]} == COVERED
    assert "999" in body["detail"] and "children's social care" in body["detail"]


# --- contacts -----------------------------------------------------------------------------
def test_tameside_on_a_saturday_night_points_to_the_out_of_hours_line_for_urgent_concerns(client):
    body = client.get("/v1/areas/tameside/contacts", params={"at": SATURDAY_NIGHT}).json()
    urgent = body["use_now"]["urgent"]
    assert urgent["contact"]["phone"] == number_of("tameside", "out-of-hours")
    assert urgent["basis"] == "outside_office_hours"
    assert "no office hours" in urgent["why"] and "Saturday 21:00" in urgent["why"]
    assert body["emergency"]["number"] == "999"


def test_tameside_availability_stays_unknown_because_its_source_gives_no_hours(client):
    body = client.get("/v1/areas/tameside/contacts", params={"at": SATURDAY_NIGHT}).json()
    by_phone = {c["phone"]: c["available_now"] for c in body["contacts"] if c["phone"]}
    assert by_phone == {number_of("tameside", "childrens-hub"): None, number_of("tameside", "out-of-hours"): None}


def test_tameside_on_a_weekday_morning_points_to_the_childrens_hub_saying_its_hours_are_not_stated(client):
    urgent = client.get("/v1/areas/tameside/contacts", params={"at": WEDNESDAY_MORNING}).json()["use_now"]["urgent"]
    assert urgent["contact"]["phone"] == number_of("tameside", "childrens-hub")
    assert urgent["basis"] == "hours_not_stated" and "Out of Hours team" in urgent["why"]


def test_worcestershire_front_door_is_open_on_a_weekday_morning_and_closed_on_saturday_night(client):
    morning = client.get("/v1/areas/Worcs/contacts", params={"at": WEDNESDAY_MORNING}).json()
    night = client.get("/v1/areas/Worcs/contacts", params={"at": SATURDAY_NIGHT}).json()
    assert morning["use_now"]["urgent"]["contact"]["phone"] == number_of("worcestershire", "family-front-door")
    assert morning["use_now"]["urgent"]["basis"] == "stated_hours"
    assert night["use_now"]["urgent"]["contact"]["phone"] == number_of("worcestershire", "out-of-hours")
    front_door = {c["key"]: c["available_now"] for c in night["contacts"]}["family-front-door"]
    assert front_door is False


def test_a_moment_with_an_offset_is_read_on_the_london_clock(client):
    # 08:30 UTC on a July Wednesday is 09:30 in London: the Family Front Door is open.
    body = client.get("/v1/areas/Worcs/contacts", params={"at": "2026-07-15T08:30:00Z"}).json()
    assert body["at"].startswith("2026-07-15T09:30")
    assert {c["key"]: c["available_now"] for c in body["contacts"]}["family-front-door"] is True


def test_every_contact_carries_its_source(client):
    for area in COVERED:
        contacts = client.get(f"/v1/areas/{area}/contacts").json()["contacts"]
        assert contacts and all(_cited(c["source"]) for c in contacts), area


def test_an_area_whose_source_gives_no_number_shows_what_it_does_say(client):
    urgent = client.get("/v1/areas/stockton/contacts", params={"at": WEDNESDAY_MORNING}).json()["use_now"]["urgent"]
    assert urgent["contact"]["phone"] is None and "no phone number" in urgent["contact"]["phone_note"]


def test_the_early_help_request_goes_to_the_early_help_hub_in_cambridgeshire(client):
    early = client.get("/v1/areas/cambridgeshire/contacts").json()["use_now"]["early_help"]
    assert early["contact"]["name"] == "Early Help Hub"


def test_redcar_names_no_separate_early_help_contact_and_says_so(client):
    early = client.get("/v1/areas/redcar/contacts").json()["use_now"]["early_help"]
    assert early["contact"] is None and early["basis"] == "none_named" and "pathway" in early["why"]


@pytest.mark.parametrize("at", ["tomorrow", "2026-13-01T10:00:00", "0001-01-01T00:00:00Z"])
def test_a_moment_we_cannot_read_is_422_naming_at(client, at):
    r = client.get("/v1/areas/tameside/contacts", params={"at": at})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["field"] == "at"


# --- pathway ------------------------------------------------------------------------------
def test_worcestershire_pathway_has_its_steps_step_up_step_down_and_6_to_12_weekly_reviews(client):
    body = client.get("/v1/areas/worcestershire/pathway").json()
    assert body["steps"] and body["step_up"] and body["step_down"]
    assert {s["stage"] for s in body["step_up"]} <= {"step_up", "plan_not_working"}
    assert all(s["stage"] == "step_down" for s in body["step_down"])
    assert (body["review_cadence"]["weeks_min"], body["review_cadence"]["weeks_max"]) == (6, 12)
    assert all(_cited(s["source"]) for s in body["steps"] + body["step_up"] + body["step_down"])


def test_the_pathway_for_one_level_leaves_out_steps_for_other_levels(client):
    body = client.get("/v1/areas/worcestershire/pathway", params={"level": 4}).json()
    steps = body["steps"] + body["step_up"] + body["step_down"]
    assert steps and all(s["levels"] is None or 4 in s["levels"] for s in steps)


def test_a_level_the_area_does_not_have_is_404_listing_its_levels(client):
    r = client.get("/v1/areas/cambridgeshire/pathway", params={"level": 4})
    assert r.status_code == 404 and "no level 4" in r.json()["detail"] and "1, 2, 3" in r.json()["detail"]


# --- glossary -----------------------------------------------------------------------------
@pytest.mark.parametrize("asked", ["MACH", "mach", "what does MACH stand for", "What's the MACH?"])
def test_mach_is_the_multi_agency_childrens_hub_in_redcar(client, asked):
    body = client.get(f"/v1/areas/redcar/glossary/{asked}").json()
    entry = body["matches"][0]
    assert entry["expansion"] == "Multi-Agency Children's Hub" and not entry["from_other_area"]
    assert entry["general_meaning"] is False  # the strategy explains the MACH in its own words
    assert _cited(entry["source"]) and body["note"] is None


def test_a_term_only_another_area_defines_is_given_with_that_area_named(client):
    body = client.get("/v1/areas/cambridgeshire/glossary/MACH").json()
    assert body["matches"][0]["from_other_area"] is True
    assert body["matches"][0]["defined_by"]["id"] == "redcar-cleveland"
    assert "Cambridgeshire's documents do not define" in body["note"]


def test_a_glossary_meaning_that_is_general_knowledge_is_marked_and_the_note_says_so(client):
    body = client.get("/v1/areas/worcestershire/glossary/EPO").json()  # the document only says "EPO"
    entry = body["matches"][0]
    assert entry["general_meaning"] is True and not entry["from_other_area"] and _cited(entry["source"])
    assert body["note"] == "EPO: general meaning, not from the document."


def test_the_same_glossary_term_is_marked_where_its_document_does_not_define_it(client):
    worcs = client.get("/v1/areas/worcestershire/glossary/MASH").json()["matches"][0]
    cambs = client.get("/v1/areas/cambridgeshire/glossary/MASH").json()["matches"][0]
    assert worcs["general_meaning"] is True  # Worcestershire's guidance never expands MASH
    assert cambs["general_meaning"] is False  # Cambridgeshire's strategy names the Multi Agency Safeguarding Hub


def test_search_says_when_a_glossary_meaning_is_general_knowledge(client):
    body = client.get("/v1/search", params={"q": "Emergency Protection Order", "area": "Worcs"}).json()
    epo = next(h for h in body["results"] if h["kind"] == "glossary" and h["title"] == "EPO")
    assert epo["general_meaning"] is True and epo["text"].endswith("(general meaning, not from the document)")
    assert not any(h["general_meaning"] for h in body["results"] if h["kind"] != "glossary")


def test_an_unknown_term_is_404_with_close_suggestions(client):
    r = client.get("/v1/areas/cambridgeshire/glossary/MASHH")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert "MASH" in r.json()["suggestions"]


def test_a_term_nothing_resembles_is_404_without_suggestions(client):
    r = client.get("/v1/areas/tameside/glossary/ZZTOP")
    assert r.status_code == 404 and r.json().get("suggestions", []) == []


# --- search -------------------------------------------------------------------------------
def test_search_for_consent_in_cambridgeshire_cites_the_families_thrive_strategy(client):
    body = client.get("/v1/search", params={"q": "consent", "area": "Cambs"}).json()
    assert body["area"]["id"] == "cambridgeshire" and body["results"]
    top = body["results"][0]
    assert top["kind"] == "consent" and top["area"]["id"] == "cambridgeshire"
    assert top["source"]["title"] == "Cambridgeshire Families Thrive Early Help Strategy"
    assert top["source"]["date_label"] == "undated" and top["source"]["section"]


def test_search_across_areas_ranks_and_cites_each_hit(client):
    body = client.get("/v1/search", params={"q": "out of hours number", "limit": 5}).json()
    scores = [h["score"] for h in body["results"]]
    assert body["area"] is None and 0 < len(scores) <= 5 and scores == sorted(scores, reverse=True)
    assert all(_cited(h["source"]) for h in body["results"])


@pytest.mark.parametrize("params", [{}, {"q": "   "}, {"q": "x" * 201}, {"q": "consent", "limit": 0}])
def test_a_search_we_cannot_run_is_422(client, params):
    r = client.get("/v1/search", params=params)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] in {"q", "limit"}
