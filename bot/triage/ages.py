"""Age cues: "12 year old", "3 month old baby", "toddler", "year 7", "teenager"; and a partner's
age ("her 30 year old boyfriend"), which says an adult is in a relationship with the child."""

from __future__ import annotations

import re

_NUM_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
}
_N = r"(\d{1,2}|" + "|".join(_NUM_WORDS) + r")"
_PATTERNS: list[tuple[re.Pattern[str], float]] = [
    (re.compile(rf"\b{_N}\s*-?\s*(?:years?|yrs?|yo|y/o|y\.o\.?)(?:\s*-?\s*old)?\b", re.IGNORECASE), 1.0),
    (re.compile(rf"\b(?:aged?|age of)\s+{_N}\b", re.IGNORECASE), 1.0),
    (re.compile(rf"\b(?:she|he|they|child|girl|boy|who)(?:'s|\s+is|\s+are)\s+(?:only\s+|just\s+)?{_N}\b(?!\s*(?:%|am|pm|:|minutes?|hours?|times?|weeks?|days?|months?))", re.IGNORECASE), 1.0),
    (re.compile(rf"\b{_N}\s*-?\s*(?:months?|mths?|mos?)(?:\s*-?\s*old)?\b", re.IGNORECASE), 1 / 12),
    (re.compile(rf"\b{_N}\s*-?\s*(?:weeks?|wks?)\s*-?\s*old\b", re.IGNORECASE), 1 / 52),
    (re.compile(rf"\b{_N}\s*-?\s*days?\s*-?\s*old\b", re.IGNORECASE), 1 / 365),
]
_SCHOOL_YEAR = re.compile(r"\b(?:year|yr|y)\s?(\d{1,2})\b(?!\s*(?:-|\s)?(?:olds?|years?))", re.IGNORECASE)
_WORDS: list[tuple[re.Pattern[str], float]] = [
    (re.compile(r"\b(?:new-?born|neonate)s?\b", re.IGNORECASE), 0.05),
    (re.compile(r"\b(?:baby|babies|infant)s?\b", re.IGNORECASE), 0.5),
    (re.compile(r"\btoddlers?\b", re.IGNORECASE), 2.0),
    (re.compile(r"\b(?:pre-?schooler|nursery age|nursery child)s?\b", re.IGNORECASE), 3.5),
    (re.compile(r"\breception (?:class|child|pupil|age)\b", re.IGNORECASE), 4.5),
    (re.compile(r"\bprimary (?:school )?(?:age|aged|child|pupil|girl|boy)s?\b", re.IGNORECASE), 8.0),
    (re.compile(r"\b(?:teen|teenager|teenage (?:girl|boy|son|daughter))s?\b", re.IGNORECASE), 15.0),
    (re.compile(r"\bsixth form(?:er)?s?\b", re.IGNORECASE), 17.0),
]


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _NUM_WORDS[token.lower()]


_LIMIT_BEFORE = re.compile(r"(?:under|over|below|above|less than|more than|younger than|older than)(?:\s+the)?(?:\s+age(?:\s+of)?)?\s*$", re.IGNORECASE)


def ages_in(text: str) -> list[float]:
    """Every child age (in years) the text states; words like "baby" only when no number is given.

    "Under the age of 13" is a limit, not an age, and is ignored.
    """
    found: list[float] = []
    for pattern, unit in _PATTERNS:
        for m in pattern.finditer(text):
            if _LIMIT_BEFORE.search(text[: m.start()]):
                continue
            n = _number(m.group(1))
            if unit != 1.0 or n <= 19:
                found.append(round(n * unit, 3))
    for m in _SCHOOL_YEAR.finditer(text):
        year = int(m.group(1))
        if 1 <= year <= 13:
            found.append(year + 4.5)
    if found:
        return found
    return [age for pattern, age in _WORDS if pattern.search(text)]


_PARTNER = r"(?:boy ?friend|girl ?friend|partner|fella|man|male|bloke|guy|lad|woman)"
_PARTNER_PATTERNS = [
    re.compile(rf"\b{_N}\s*-?\s*(?:years?|yrs?|yo|y/o)(?:\s*-?\s*old)?\s+(?:\w+\s+)?{_PARTNER}\b", re.IGNORECASE),
    re.compile(rf"\b{_PARTNER}(?:'s|\s+is|\s+who\s+is|,)?\s+(?:aged\s+|only\s+|about\s+)?{_N}\b"
               r"(?!\s*(?:%|am|pm|:|minutes?|hours?|times?|weeks?|days?|months?|miles?|mins?))", re.IGNORECASE),
]


# "Mum's 35 year old partner" is an adult's partner, not the child's.
_ADULTS_OWN = re.compile(
    r"\b(?:mum|mom|mother|dad|father|parent|step-?\w+|nan|nana|gran|granny|grandma|grandad|aunt|auntie|uncle|carer|sister|brother)"
    r"(?:'s|’s|s')\s+(?:new\s+|current\s+|ex-?\s*)?$", re.IGNORECASE)


def partner_ages_in(text: str) -> list[int]:
    """The ages the text gives a boyfriend, girlfriend or partner ("her 30 year old boyfriend",
    "boyfriend is 24", "a 25-year-old man")."""
    return [_number(m.group(1)) for pattern in _PARTNER_PATTERNS for m in pattern.finditer(text)
            if not _ADULTS_OWN.search(text[: m.start()])]
