"""Each form of personal data the redactor must catch, and the ordinary words it must keep."""

from __future__ import annotations

import pytest

from bot.privacy.redact import redact
from tests.support.numbers import number_of

# Names


def test_a_name_in_lower_case_is_redacted():
    assert redact("i saw jayden and his mum today") == "i saw [name] and his mum today"


def test_a_hyphenated_name_in_lower_case_is_redacted_whole():
    assert redact("his mum kerry-ann came in") == "his mum [name] came in"


def test_a_lower_case_name_takes_its_surname_with_it():
    assert redact("spoke to liam o'brien's mum") == "spoke to [name] mum"


def test_a_one_word_name_at_the_start_of_a_sentence_is_redacted():
    assert redact("Tyler came in with a bruise.") == "[name] came in with a bruise."


def test_a_name_after_a_bracket_or_colon_is_redacted():
    assert redact("Three children present: Summer, Alfie and Logan.") == (
        "Three children present: [name], [name] and [name].")
    assert "Filip" not in redact("The kids (Filip 8, Lena 5) walk to school.")


def test_a_possessive_name_is_redacted():
    assert "Olivia" not in redact("Olivia's teacher says she comes in hungry.")
    assert "arjun" not in redact("arjun's mum said he has lost weight")


@pytest.mark.parametrize("name", ["Mason O'Connor", "Lee McKenzie", "Oliwia Wiśniewska", "Ronnie-Lee Walsh"])
def test_names_with_apostrophes_capitals_accents_and_hyphens_are_redacted_whole(name):
    assert redact(f"The boy is {name}, Year 8.") == "The boy is [name], Year 8."


def test_names_after_cues_are_redacted_in_any_case():
    assert redact("a lad called callum") == "a lad called [name]"
    assert redact("her name is Amelia") == "her name is [name]"
    assert redact("Mum is Mrs Taylor and dad is mr kowalski") == "Mum is Mrs [name] and dad is mr [name]"


def test_a_first_name_that_is_a_word_is_redacted_when_capitalised_mid_sentence():
    assert redact("her sister Grace and mum Jade") == "her sister [name] and mum [name]"


def test_a_first_name_that_is_a_word_is_redacted_after_a_cue():
    assert redact("her sister is called grace") == "her sister is called [name]"


def test_the_name_of_a_relative_stays_out_but_the_relation_is_kept():
    assert redact("Mum Nicola texted me.") == "Mum [name] texted me."


# Dates of birth


@pytest.mark.parametrize("date", [
    "14/03/2016", "14.3.16", "14-03-2016", "2016-03-14", "14 March 2016", "14th March 2016",
    "14th of March 2016", "March 14, 2016", "March 14th 2016", "5/9/1989",
])
def test_a_date_of_birth_is_redacted_in_every_form(date):
    assert redact(f"DOB {date}, lives with nan") == "DOB [date], lives with nan"


def test_a_dotted_short_date_after_dob_is_redacted():
    assert redact("dob 14.3.16 for the youngest") == "dob [date] for the youngest"


def test_born_on_the_third_of_may_is_redacted():
    assert redact("he was born on the 3rd of May 2015") == "he was born on [date]"


def test_a_birthday_without_a_year_is_redacted_after_dob_or_born():
    assert redact("dob 3rd May") == "dob [date]"
    assert redact("born on the 3rd of May") == "born on [date]"


# Phone numbers


@pytest.mark.parametrize("number", [
    "07700.900.123", "0161.496.0000", "07700 900123", "07700 900 123", "07700900123", "07700-900-123",
    "+44 7700 900 123", "+44 (0)7700 900123", "(0161) 496 0123", "020 7946 0321", "0113 496 0555",
])
def test_a_phone_number_is_redacted_in_every_form(number):
    assert redact(f"mum's number is {number} if you need it") == "mum's number is [phone] if you need it"


# Emails, postcodes, NHS numbers


def test_an_email_is_redacted():
    assert redact("email kerry.ann1985@hotmail.co.uk today") == "email [email] today"


@pytest.mark.parametrize("postcode", ["OL6 7TP", "DY10 1AB", "ts18 1au", "WR49PA"])
def test_a_postcode_is_redacted(postcode):
    assert redact(f"postcode {postcode}.") == "postcode [postcode]."


@pytest.mark.parametrize("number", ["943 476 5919", "9434765919", "943-476-5919"])
def test_an_nhs_number_is_redacted(number):
    assert redact(f"NHS number {number}") == "NHS number [NHS number]"


# Addresses


@pytest.mark.parametrize("address", [
    "14 Acacia Road", "5a Hill Top Road", "31 St Mary's Road", "3 The Crescent", "4 Kingfisher Way",
    "12 mill lane", "Flat 3, 12 Mill Lane", "Flat 14, Hollins Court",
])
def test_an_address_with_a_number_is_redacted(address):
    assert redact(f"They live at {address}, near the school.") == "They live at [address], near the school."


def test_a_street_without_a_number_is_redacted():
    assert redact("Family live on Acacia Avenue in Redditch.") == "Family live on [address] in Redditch."


def test_a_street_in_lower_case_after_on_or_at_is_redacted():
    assert redact("they are at the flats on church street") == "they are at the flats on [address]"


# What must be kept


@pytest.mark.parametrize("number", [number_of("tameside", "childrens-hub"), number_of("worcestershire", "family-front-door"),
                                    number_of("redcar-cleveland", "redcar-mach"),
                                    number_of("worcestershire", "eifs-coordinator-worcester-city"), "999", "101"])
def test_the_service_numbers_from_the_packs_are_kept(number):
    assert redact(f"I rang {number} this morning.") == f"I rang {number} this morning."


@pytest.mark.parametrize("text", [
    "I work in Tameside and Worcestershire.",
    "Is that the same in Redcar and Cleveland or Stockton-on-Tees?",
    "The family moved from Peterborough to Cambridgeshire.",
    "Should I call the MASH or the Early Help Hub?",
    "Tameside's Children's HUB rang back.",
])
def test_area_and_service_names_are_kept(text):
    assert redact(text) == text


@pytest.mark.parametrize("text", [
    "A Year 9 boy says Mum and Dad argue.",
    "The GP can see her on Monday.",
    "Is this level 3 or level 4?",
    "She is a 12 year old in Year 7.",
    "Dad hits him.",
    "She said she is scared.",
    "Worried about a baby who is not feeding.",
])
def test_ordinary_practitioner_words_are_kept(text):
    assert redact(text) == text


@pytest.mark.parametrize("text", [
    "Will this need a referral?",
    "May I ask what level this is?",
    "Hope you can help.",
    "Mark on his arm looks like a bite.",
    "He will be 16 in June and mum may need help over the summer.",
    "Nan has a gas bill she can't pay and his PE kit is never washed.",
    "The DSL will chase up the school nurse.",
    "He lives miles away and some guy picks him up.",
    "I called the police and then called an ambulance.",
])
def test_first_names_that_are_ordinary_words_are_kept_as_words(text):
    assert redact(text) == text


@pytest.mark.parametrize("text", [
    "3 kids were playing in the road at 10pm.",
    "It is a 10 minute walk to school.",
    "can we step down rather than close",
    "He lives 3 doors down the road.",
])
def test_ordinary_talk_of_roads_is_not_an_address(text):
    assert redact(text) == text


def test_the_assistants_reply_keeps_the_packs_wording():
    front_door = number_of("worcestershire", "family-front-door")
    reply = f"Level 4 for Tyler: Severe and specialist needs. Call {front_door} (Family Front Door)."
    assert redact(reply, from_packs=True) == (
        f"Level 4 for [name]: Severe and specialist needs. Call {front_door} (Family Front Door).")
