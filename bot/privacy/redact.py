"""Redact personal data from what practitioners type, before anything is stored.

Standard library only (plus PyYAML when reading the service numbers), because Rasa's
tracker store imports this module inside ``.venv-rasa``. Replaces names, phone numbers
(except the service numbers the assistant itself gives), emails, dates of birth and
other full dates, postcodes, NHS numbers and street addresses with placeholders such as
``[name]``. Over-redaction is preferred to a leak.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

PLACEHOLDER = {
    "email": "[email]", "phone": "[phone]", "nhs": "[NHS number]", "postcode": "[postcode]",
    "date": "[date]", "address": "[address]", "name": "[name]",
}

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_NHS = re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")
_PHONE = re.compile(r"(?<![\w])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_DATE = re.compile(
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{4}\b",
    re.IGNORECASE,
)
_STREET = (r"(?:road|rd|street|st|avenue|ave|close|lane|ln|drive|dr|way|crescent|court|ct|place|grove|"
           r"terrace|gardens|walk|rise|hill|park|view|square|mews|row)")
_ADDRESS = re.compile(rf"\b\d{{1,4}}[a-z]?,?\s+(?:[A-Z][a-z]+\s+){{1,3}}{_STREET}\b\.?", re.IGNORECASE)
_WORD = r"[A-Z][a-z'’]+(?:-[A-Za-z][a-z'’]*)*"  # hyphenated names stay one word: Stockton-on-Tees
_NAME_CUES = re.compile(
    rf"\b(?:called|named|name is|name's|known as|(?:mr|mrs|ms|miss|mx|dr)\.?)\s+({_WORD}(?:\s+{_WORD})?)"
)
_CAPITALISED = re.compile(rf"\b{_WORD}(?:\s+{_WORD})*\b")

# Capitalised words that are not names: the areas, services and ordinary words.
_COMMON = set("""
i a an the he she they it we you my our his her their mum mummy dad daddy nan nana grandma grandad
nanna gran granny step stepdad stepmum brother sister aunt auntie uncle cousin baby child children
kid kids boy girl lad son daughter teen teenager toddler parent parents carer carers family
year yr reception nursery school college primary secondary sixth form class teacher head ta
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december christmas easter half term today tonight yesterday
tomorrow morning afternoon evening weekend hi hello thanks thank please sorry yes no ok okay also
but and or so if when while after before since because then there here this that these those what
who why how where which can could would should will did does do is was were been has have had not
never always just only still already again very really quite bit lot police pcso gp hv dsl senco
nhs a&e ae hospital social care services council team hub front door early help level levels mash
mach caf eha taf tac cin cp send ehcp neet cse cce fgm marac edt lscb stscp tfs eifs vemt pprc
english british asian muslim christian polish romanian african caribbean asylum covid iphone
facebook snapchat tiktok instagram whatsapp xbox playstation tesco asda aldi lidl
""".split())  # noqa: SIM905 - a word list reads best as text


@lru_cache(maxsize=1)
def _knowledge_words() -> tuple[frozenset[str], frozenset[str]]:
    """Words and service numbers from the packs, so 'Tameside' or '0161 342 4101' survive."""
    words: set[str] = set()
    numbers: set[str] = {"999", "111", "101"}
    root = Path(__file__).resolve().parent.parent.parent / "knowledge"
    try:
        import yaml
    except ImportError:  # pragma: no cover - both environments have PyYAML
        return frozenset(words), frozenset(numbers)
    for path in root.glob("areas/*/*.yml"):
        text = path.read_text(encoding="utf-8")
        words.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", text))
        if path.name == "contacts.yml":
            for contact in yaml.safe_load(text) or []:
                if contact.get("phone"):
                    numbers.add(re.sub(r"\D", "", str(contact["phone"])))
    return frozenset(words), frozenset(numbers)


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    path = Path(__file__).with_name("first_names.txt")
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return frozenset(w for ln in lines for w in ln.split())


def _keep_service_number(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    _, numbers = _knowledge_words()
    return match.group(0) if digits in numbers else PLACEHOLDER["phone"]


@lru_cache(maxsize=1)
def _pack_capitalised() -> frozenset[str]:
    """Capitalised words exactly as the packs write them ('Severe', 'Glossop', 'Stockton-on-Tees')."""
    root = Path(__file__).resolve().parent.parent.parent / "knowledge"
    found: set[str] = set()
    for path in root.glob("areas/*/*.yml"):
        found.update(re.findall(_WORD, path.read_text(encoding="utf-8")))
    return frozenset(found)


def _bare(word: str) -> str:
    """Lower case, without quotes or a possessive 's ('Tameside's' -> 'tameside', 'Tees' stays)."""
    return word.lower().strip("'’").removesuffix("'s").removesuffix("’s")


def _redact_capitalised(match: re.Match[str], text: str, from_packs: bool = False) -> str:
    words, _ = _knowledge_words()
    phrase = match.group(0)
    parts = phrase.split()
    if from_packs and all(p in _pack_capitalised() for p in parts):
        return phrase
    bare = [_bare(p) for p in parts]
    if any(b in _first_names() for b in bare):
        return PLACEHOLDER["name"]
    if all(b in _COMMON or b in words for b in bare):
        return phrase
    start = match.start()
    before = text[:start].rstrip()
    sentence_start = not before or before[-1] in ".!?\n:;\"'(" 
    if sentence_start and len(parts) == 1:
        return phrase  # an ordinary word that starts a sentence; names there need a cue
    return PLACEHOLDER["name"]


def redact(text: str | None, from_packs: bool = False) -> str | None:
    """``text`` with personal data replaced by placeholders.

    ``from_packs`` is for the assistant's own replies: they are built from the knowledge packs,
    so a capitalised word written exactly so in a pack ('Severe and specialist needs') is kept,
    while anything else (a name echoed from the practitioner's words) is still redacted.
    """
    if not text:
        return text
    out = _EMAIL.sub(PLACEHOLDER["email"], text)
    out = _POSTCODE.sub(PLACEHOLDER["postcode"], out)
    out = _DATE.sub(PLACEHOLDER["date"], out)
    out = _ADDRESS.sub(PLACEHOLDER["address"], out)
    out = _PHONE.sub(_keep_service_number, out)
    out = _NHS.sub(PLACEHOLDER["nhs"], out)
    out = _NAME_CUES.sub(lambda m: m.group(0).replace(m.group(1), PLACEHOLDER["name"]), out)
    out = _CAPITALISED.sub(lambda m: _redact_capitalised(m, out, from_packs), out)
    return out
