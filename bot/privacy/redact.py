"""Redact personal data from what practitioners type, before anything is stored.

Standard library only (plus PyYAML when reading the packs), because Rasa's tracker store imports
this module inside ``.venv-rasa``. It is rule based on purpose: Presidio (or any spaCy NER) needs
a trained spaCy model, which is not on PyPI as a wheel (it downloads from GitHub, and these
machines reach PyPI only), and Presidio wants pydantic 2 where Rasa 3.6 pins pydantic 1.

Replaces with placeholders such as ``[name]``: emails, phone numbers (spaces, dashes, dots,
brackets, +44; not the service numbers the assistant itself gives), NHS numbers, postcodes,
dates of birth and other full dates (14/03/2016, 14.3.16, 2016-03-14, 14 March 2016,
14th of March 2016, March 14, 2016; a day and month after 'dob' or 'born'), street addresses
(with a house or flat number, or a named street: 'lives on Acacia Avenue', 'on church street'),
and names:

- after a cue ('called', 'named', 'name is', 'known as', Mr/Mrs/Ms/Miss/Dr), in any case;
- a first name from ``first_names.txt`` (several thousand, in England's many backgrounds), in
  lower case too and at the start of a sentence ('Tyler came in', 'i saw jayden'), with a
  surname from ``surnames.txt`` after a lower-case one ('liam o'brien');
- a first name that is also an ordinary word (``name_words.txt``: Will, Grace, May, Summer) only
  when capitalised mid-sentence or after a cue, never in lower case or starting a sentence;
- any other capitalised word mid-sentence that is not an ordinary word, a place, or an area or
  service named in the knowledge packs ('Tameside', 'Early Help Hub' and 'Year 9' are kept).

Over-redaction is preferred to a leak. Measured on planted data by
``python -m bot.privacy.measure tests/privacy/planted.yml``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
KNOWLEDGE = HERE.parent.parent / "knowledge"

PLACEHOLDER = {
    "email": "[email]", "phone": "[phone]", "nhs": "[NHS number]", "postcode": "[postcode]",
    "date": "[date]", "address": "[address]", "name": "[name]",
}


def _letters(test) -> str:
    """Accented Latin letters for a character class ('ł', 'ș', 'é'): names are not all ASCII."""
    return "".join(ch for ch in map(chr, range(0xC0, 0x250)) if test(ch))


_UP = "A-Z" + _letters(str.isupper)
_LO = "a-z" + _letters(str.islower)
_AP = "'’"

_DIGIT = re.compile(r"\d")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")  # starts a run: linear
# The patterns start with a character rather than \b, which is several times faster in Python's
# re: a look-behind after the first character does the work of \b. Those that must ignore case
# run on the lower-cased message (the same length, so the positions are the same).
_NHS = re.compile(r"\d(?<!\w\d)\d{2}[ .-]?\d{3}[ .-]?\d{4}\b")
_PHONE = re.compile(r"(?:\+(?<![\w+]\+)44\s?\(?0?\)?\s?|\((?<!\w\()0|0(?<![\w+]0))"
                    r"\d{2,4}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,4}\b")
_POSTCODE_HINT = re.compile(r"\d\s*\d[A-Za-z]{2}\b")
_POSTCODE = re.compile(r"[A-Za-z](?<!\w[A-Za-z])[A-Za-z]?\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b")

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_YEAR_HINT = re.compile(_YEAR)
_NUMERIC_DATE = re.compile(
    r"\d(?<!\w\d)\d?[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"  # 14/03/2016, 14.3.16, 14-03-16
    r"|[12](?<!\w[12])\d{3}[/.-]\d{1,2}[/.-]\d{1,2}\b"  # 2016-03-14
)
_TEXT_DATE = re.compile(  # on the lower-cased message
    rf"(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}\b"  # 14 March 2016, the 3rd of May 2015
    rf"|{_MONTH}\s+(?:the\s+)?{_DAY},?\s+{_YEAR}\b",  # March 14, 2016
)
# A partial date of birth: 'dob 3rd May', 'born on the 3rd of May', 'born March 2016'.
_BIRTH_CUES = ("dob", "d.o.b", "birth", "born", "bday")
_BIRTH_DATE = re.compile(  # on the lower-cased message
    r"(?:dob|d\.o\.b\.?|date of birth|born|birthday|bday)(?![a-z])[\s:,-]*(?:is\s+|was\s+)?(?:on\s+|in\s+)?"
    rf"((?:the\s+)?{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+'?\d{{2}}\b)?|{_MONTH}\s+{_DAY}\b|{_MONTH}\s+{_YEAR})",
)

# Street types after a house number, in any case (rarely anything but a street there).
_STREET = (r"road|rd|street|st|avenue|ave|lane|ln|crescent|cres|terrace|tce|grove|mews|gardens|gdns"
           r"|close|drive|dr|way|boulevard|parade|court|ct")
# Street types after a house number and capitalised words: '4 Kingfisher Way', '5a Hill Top Road'.
_STREET_CAP = (r"Road|Rd|Street|St|Avenue|Ave|Lane|Crescent|Terrace|Grove|Mews|Gardens|Close|Drive|Way"
               r"|Boulevard|Parade|Court|Place|Walk|Rise|Hill|Park|View|Square|Row|Green|Vale|Fold|Croft"
               r"|Meadows?|Brow|Heights|Chase|Wharf|Grange|Glade|Dene|Garth|Wynd|Lea|Drove|Leys")
_STREET_HINTS = tuple(_STREET.split("|")) + tuple(_STREET_CAP.lower().split("|"))
# Street types that name a street with no number: 'lives on Acacia Avenue', 'on church street'.
_NAMED_TYPES = ("Road", "Rd", "Street", "Avenue", "Ave", "Lane", "Crescent", "Terrace", "Grove", "Mews",
                "Gardens", "Drive", "Close", "Boulevard", "Parade", "St")
_LOWER_TYPES = ("road", "street", "avenue", "lane", "crescent", "terrace", "grove", "mews", "gardens",
                "close", "drive")
# Words that do not name a street, so '3 kids in the road' or '10 minutes up the road' stay.
_NOT_STREET_WORDS = frozenset("""
the a an in on at of and or to from by with for up down off across along into onto this that his her
their my our your its is was are were has had have be been it he she they we you i times year years yr
yrs old kids children boys girls lads weeks days months hours hour mins min minutes minute miles mile
doors houses each very so too same main busy back side ring high long little next other quiet dual
country private wrong whole new one two public open local nearby dark car bus
""".split())  # noqa: SIM905 - a word list reads best as text
_NOT_STREET_WORD = rf"(?:{'|'.join(sorted(_NOT_STREET_WORDS, key=len, reverse=True))})\b"
_ANY_WORD = rf"(?!(?i:{_NOT_STREET_WORD}))[{_UP}{_LO}][{_UP}{_LO}{_AP}.-]*"
# A capitalised word of two letters or more, with a capital inside only after Mc, Mac, De, La, O'
# (McKenzie, DeShawn, O'Connor), so 'A&E', 'SystmOne' and 'GPs' are not taken for names.
_CAP_TAIL = rf"(?:(?:a?c|[aeiu]|[{_AP}])[{_UP}])?[{_LO}{_AP}]+(?:-[{_UP}{_LO}][{_LO}{_AP}]*)*"
_CAP_WORD = rf"[{_UP}]{_CAP_TAIL}"
_HOUSE = r"\d(?<!\w\d)\d{0,3}[a-zA-Z]?,?\s+"
_ADDRESS = re.compile(
    rf"{_HOUSE}(?:(?i:the)\s+(?:{_ANY_WORD}\s+){{0,2}}|(?:{_ANY_WORD}\s+){{1,3}})(?i:{_STREET})\b"
    rf"|{_HOUSE}(?:The\s+(?:{_CAP_WORD}\s+){{0,2}}|(?:{_CAP_WORD}\s+){{1,3}})(?:{_STREET_CAP})\b"
)
_FLAT_HINTS = ("flat", "apartment", "apt", "unit")
_FLAT = re.compile(  # after _ADDRESS: 'Flat 3, [address]', 'Flat [address]', 'Flat 14, Hollins House'
    r"(?:[Ff](?<!\w[Ff])lat|F(?<!\wF)LAT|[Aa](?<!\w[Aa])(?:partment|pt)|[Uu](?<!\w[Uu])nit)"
    r"(?:\s+\[address\]|\s*\d{1,4}[a-zA-Z]?\b(?:,?\s+\[address\]"
    rf"|,?\s+(?:{_CAP_WORD}\s+){{1,2}}(?:{_STREET_CAP}|House|Tower|Towers|Lodge|Mansions|Point|Block)\b)?)"
)
_NAMED_STREET = re.compile(
    rf"[{_UP}](?<!\w.){_CAP_TAIL}\s+"
    rf"(?:{_CAP_WORD}\s+){{0,2}}"
    rf"(?:Road|Rd|Street|Avenue|Ave|Lane|Crescent|Terrace|Grove|Mews|Gardens|Drive|Close|Boulevard"
    rf"|Parade|St(?!\.?\s+[{_UP}]))\b"
)
_LOWER_TYPE = re.compile(rf"(?:{'|'.join(_LOWER_TYPES)})(?![\w])")  # on the lower-cased message
_PLACE_WORDS = frozenset("""
on in at off near along down up from of round around to into onto by behind past opposite outside
""".split())  # noqa: SIM905 - a word list reads best as text

_WORD = _CAP_WORD  # a capitalised word: Jayden, O'Connor, McKenzie, Stockton-on-Tees, Wiśniewska
_LOWER_WORD = rf"[{_LO}][{_LO}{_AP}]*(?:-[{_LO}][{_LO}{_AP}]*)*"
_CUE = re.compile(  # on the lower-cased message
    r"(called|named|name is|name's|name’s|names are|known as|goes by|nicknamed|mrs|mr|ms|mx|miss|dr)\.?\s+"
)
_CUED_CAPITALISED = re.compile(rf"{_WORD}(?:\s+{_WORD})?\b")
_CUED_LOWER = re.compile(rf"{_LOWER_WORD}(?![\w-])")
_CAPITALISED = re.compile(
    rf"[{_UP}](?<!\w.){_CAP_TAIL}(?:\s+{_WORD})*\b"
)
_LOWER = re.compile(rf"[{_LO}](?<![\w{_AP}\[-].)[{_LO}{_AP}]*(?:-[{_LO}][{_LO}{_AP}]*)*(?![\w-])")
_SPACE_THEN_LOWER = re.compile(rf"\s+({_LOWER_WORD})(?![\w-])")
_ASCII_LETTERS = bytes(c if 97 <= c <= 122 else 32 for c in range(256))  # for a quick look at the words

# Capitalised words that are not names: the areas, services and ordinary words.
_COMMON = set("""
i a an the he she they it we you my our his her their mum mummy mam mom dad daddy nan nana grandma
grandad grandpa nanna gran granny step stepdad stepmum brother sister aunt auntie aunty uncle cousin
baby child children kid kids boy girl lad son daughter teen teenager toddler parent parents carer carers
family foster year yr reception nursery school college primary secondary sixth form class teacher head
ta monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december christmas easter eid diwali ramadan half term today tonight
yesterday tomorrow morning afternoon evening weekend hi hello thanks thank please sorry yes no ok okay
also but and or so if when while after before since because then there here this that these those what
who why how where which can could would should will did does do is was were been has have had not
never always just only still already again very really quite bit lot police pcso gp hv dsl senco
nhs a&e ae hospital social care services council team hub front door early help level levels mash
mach caf eha taf tac cin cp send ehcp neet cse cce fgm marac edt lscb stscp tfs eifs vemt pprc
english british asian muslim christian polish romanian african caribbean asylum covid iphone
facebook snapchat tiktok instagram whatsapp xbox playstation tesco asda aldi lidl youtube google
mr mrs ms mx miss dr sir madam dear bereal camhs childline nspcc barnardo's kooth samaritans ofsted cafcass
dwp jobcentre universal credit refuge women's aid shelter citizens advice youth justice probation
court academy surgery clinic ward unit centre mondays tuesdays wednesdays thursdays fridays
saturdays sundays weekends gillick fraser gypsy roma traveller travellers keeping safe brownies
scouts guides cubs beavers insta netflix amazon teams zoom excel
feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
""".split())  # noqa: SIM905 - a word list reads best as text

# Places outside the packs that practitioners name: kept like the packs' own area names.
_PLACES = set("""
england wales scotland ireland britain uk europe london manchester birmingham leeds liverpool sheffield
bristol newcastle sunderland durham gateshead york hull bradford oldham stockport rochdale bolton
wigan salford trafford bury glossop derbyshire cheshire lancashire yorkshire peterborough cambridge
norwich norfolk suffolk essex lincolnshire bedford northampton leicester nottingham derby coventry
wolverhampton dudley walsall sandwell solihull herefordshire hereford gloucestershire gloucester
warwickshire shropshire telford staffordshire stoke teesside hartlepool darlington middlesbrough
northumberland cumbria merseyside leicestershire nottinghamshire northamptonshire bedfordshire
hertfordshire kent sussex surrey hampshire devon cornwall dorset somerset wiltshire oxford oxfordshire
poland romania lithuania latvia bulgaria albania ukraine russia nigeria ghana somalia eritrea
ethiopia sudan kenya zimbabwe congo pakistan bangladesh afghanistan syria iraq iran turkey jamaica
portugal spain italy china vietnam hong kong new york
ramsey chatteris whittlesey soham littleport sawston cambourne histon march ives mossley dukinfield
audenshaw longdendale hattersley mottram droitwich pershore tenbury upton stourport bewdley normanby
ormesby dormanstown kirkleatham lingdale boosbeck norton stillington wynyard hardwick roseworth
severn stourport-on-severn wells spa hackney
""".split())  # noqa: SIM905 - a word list reads best as text


@lru_cache(maxsize=1)
def _knowledge_words() -> tuple[frozenset[str], frozenset[str]]:
    """Words and service numbers from the packs, so 'Tameside' or '0161 342 4101' survive."""
    words: set[str] = set()
    numbers: set[str] = {"999", "111", "101"}
    try:
        import yaml
    except ImportError:  # pragma: no cover - both environments have PyYAML
        return frozenset(words), frozenset(numbers)
    for path in KNOWLEDGE.glob("areas/*/*.yml"):
        text = path.read_text(encoding="utf-8")
        words.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", text))
        if path.name == "contacts.yml":
            for contact in yaml.safe_load(text) or []:
                if contact.get("phone"):
                    numbers.add(re.sub(r"\D", "", str(contact["phone"])))
    return frozenset(words), frozenset(numbers)


def _word_list(name: str) -> frozenset[str]:
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return frozenset(w for ln in lines if not ln.startswith("#") for w in ln.split())


@lru_cache(maxsize=1)
def _names() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(first names, first names that are also words, surnames), lower case."""
    words = _word_list("name_words.txt")
    return _word_list("first_names.txt") - words, words, _word_list("surnames.txt")


@lru_cache(maxsize=1)
def _pack_capitalised() -> frozenset[str]:
    """Capitalised words exactly as the packs write them ('Severe', 'Glossop', 'Stockton-on-Tees')."""
    found: set[str] = set()
    for path in KNOWLEDGE.glob("areas/*/*.yml"):
        found.update(re.findall(_WORD, path.read_text(encoding="utf-8")))
    return frozenset(found)


@lru_cache(maxsize=1)
def _ordinary() -> frozenset[str]:
    """Lower-case words that are not names: ordinary words, places, the packs' vocabulary."""
    words, _ = _knowledge_words()
    return frozenset(_COMMON | _PLACES | words)


@lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    """First names that the packs write capitalised as places or services ('Ashton', 'June')."""
    return frozenset(w.lower() for w in _pack_capitalised()) | _PLACES


def _keep_service_number(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    _, numbers = _knowledge_words()
    return match.group(0) if digits in numbers else PLACEHOLDER["phone"]


@lru_cache(maxsize=4096)
def _bare(word: str) -> str:
    """Lower case and plain letters, without quotes, a possessive or a contraction
    ('Tameside's' -> 'tameside', "I'm" -> 'i', 'Zoë' -> 'zoe'; 'Tees' stays)."""
    word = re.sub(r"['’](?:s|m|ve|ll|d|re)$|^['’]|['’]$", "", word.lower())
    if not word.isascii():
        word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return word


def _is_first_name(bare: str, strong_only: bool = False) -> bool:
    """A first name: 'jayden'; a hyphenated one if every part is ('kerry-ann', 'lily-rose')."""
    first, words, _ = _names()
    if "-" not in bare:
        return bare in first or (not strong_only and bare in words)
    parts = bare.split("-")
    return all(p in first or p in words for p in parts) and any(p in first for p in parts)


_STARTS = ".!?\"'“‘:;(-–•*"
_STRICT_STARTS = ".!?\"'“‘"


def _at_sentence_start(text: str, start: int, strict: bool = False) -> bool:
    """Whether ``text[start:]`` starts a sentence. ``strict``: only after . ! ? a new line or a quote,
    not after a colon, a bracket or a dash ('Three children: Summer, Alfie' is mid-sentence)."""
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i < 0 or text[i] == "\n":
        return True
    while i >= 0 and text[i].isspace():
        i -= 1
    return i < 0 or text[i] in (_STRICT_STARTS if strict else _STARTS)


@lru_cache(maxsize=8192)
def _kind(word: str) -> str:
    """'name' (a first name), 'word name' (a first name that is also a word: Grace, Summer),
    'common' (Mum, Dr, May: kept before a name), 'ordinary' (another word, a place such as Ashton,
    the packs' vocabulary) or 'unknown'."""
    first, words, _ = _names()
    bare = _bare(word)
    if _is_first_name(bare, strong_only=True) and bare not in _place_names():
        return "name"
    if (bare in words or bare in first) and bare not in _COMMON and bare not in _place_names():
        return "word name"
    if bare in _COMMON:
        return "common"
    return "ordinary" if bare in _ordinary() else "unknown"


def _redact_capitalised(match: re.Match[str], text: str, from_packs: bool = False) -> str:
    phrase = match.group(0)
    if from_packs and all(p in _pack_capitalised() for p in phrase.split()):
        return phrase
    if phrase.isalpha() and _kind(phrase) in ("common", "ordinary"):
        return phrase  # the common case: 'Worried', 'Dad', 'Tameside'
    parts = phrase.split()
    kinds = [_kind(p) for p in parts]
    names = [k == "name" for k in kinds]
    if not any(names) and "word name" in kinds:
        # A first name that is also a word ('Grace', 'Summer') is a name when capitalised
        # mid-sentence (a month such as 'May', or the packs' 'Honour', is not one).
        first_mid = not _at_sentence_start(text, match.start(), strict=True)
        names = [k == "word name" and (i > 0 or first_mid) for i, k in enumerate(kinds)]
    if not any(names):
        if all(k in ("common", "ordinary", "word name") for k in kinds):
            return phrase
        if len(parts) == 1 and _at_sentence_start(text, match.start()):
            return phrase  # an ordinary word that starts a sentence; names there need a cue or the list
    # Keep the ordinary words that lead in: 'Mum Nicola' -> 'Mum [name]', 'Baby Harper' -> 'Baby [name]'.
    lead = 0
    while lead < len(parts) - 1 and kinds[lead] == "common":
        lead += 1
    if not lead:
        return PLACEHOLDER["name"]
    starts = [m.start() for m in re.finditer(r"\S+", phrase)]
    return phrase[: starts[lead]] + PLACEHOLDER["name"]


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` with each (start, end, replacement) span replaced; spans in order, not overlapping."""
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end, replacement in spans:
        if start < last:
            continue
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


def _starts_a_word(text: str, start: int) -> bool:
    return start == 0 or not text[start - 1].isalnum()


def _cued_name(cue: str, text: str, pos: int) -> tuple[int, int] | None:
    """The span of the name after a cue that ends at ``pos``, if there is one."""
    capitalised = _CUED_CAPITALISED.match(text, pos)
    if capitalised:
        # 'a girl called Amelia', 'Mrs Taylor'; not 'I called Tameside MASH' or 'called Childline'.
        bare = [_bare(p) for p in capitalised.group(0).split()]
        ordinary = _ordinary()
        if all(b in ordinary and not _is_first_name(b) for b in bare):
            return None
        return capitalised.span()
    lower = _CUED_LOWER.match(text, pos)
    if not lower or cue in ("miss", "dr"):  # 'they miss school'
        return None
    bare = _bare(lower.group(0))
    if cue in ("mr", "mrs", "ms", "mx"):  # 'mrs smith': anything but an ordinary word
        name = bare not in _ordinary()
    elif cue in ("called", "named", "goes by", "nicknamed"):  # not 'called an ambulance', 'so called honour'
        name = _is_first_name(bare, strong_only=True) or (
            bare not in _ordinary() and (_is_first_name(bare) or bare in _names()[2]))
    else:  # 'name is', "name's", 'known as': 'her name is zephyrine'
        name = _is_first_name(bare) or bare not in _ordinary()
    return lower.span() if name else None


def _redact_cued_names(text: str, low: str) -> str:
    """A name after a cue, in any case: 'a lad called callum', 'her name is Amelia', 'mrs smith'."""
    spans = []
    for cue in _CUE.finditer(low):
        if _starts_a_word(low, cue.start()) and text[cue.start():cue.end(1)] not in ("MS", "DR"):
            span = _cued_name(cue.group(1).replace("’", "'"), text, cue.end())
            if span:
                spans.append((*span, PLACEHOLDER["name"]))
    return _replace(text, spans)


def _redact_lower_streets(text: str, low: str) -> str:
    """A named street in lower case after a place word: 'at the flats on church street'."""
    spans = []
    for street in _LOWER_TYPE.finditer(low):
        start = street.start()
        if not _starts_a_word(low, start):
            continue
        words = low[max(0, start - 60):start].split()
        for n in (1, 2):  # 'on church street', 'near acacia tree close'
            named, rest = words[-n:], words[:-n]
            if len(named) < n or not all(w.isalpha() and w not in _NOT_STREET_WORDS for w in named):
                break
            if street.group(0) in ("close", "drive") and any(w in _ordinary() for w in named):
                break  # 'step down rather than close', 'on a long drive'
            if rest and rest[-1] == "the":
                rest = rest[:-1]
            if rest and rest[-1] in _PLACE_WORDS:
                spans.append((low.rindex(named[0], 0, start), street.end(), PLACEHOLDER["address"]))
                break
    return _replace(text, spans)


def _redact_lower_dates(text: str, low: str) -> str:
    """Dates with a month name, and a partial date of birth ('dob 3rd May'), matched in lower case."""
    spans = []
    if _YEAR_HINT.search(low) and any(m in low for m in _MONTH_STEMS):
        spans = [(*m.span(), PLACEHOLDER["date"]) for m in _TEXT_DATE.finditer(low)
                 if _starts_a_word(low, m.start())]
        text = _replace(text, spans)
        low = text.lower()
    if any(c in low for c in _BIRTH_CUES):
        spans = [(*m.span(1), PLACEHOLDER["date"]) for m in _BIRTH_DATE.finditer(low)
                 if _starts_a_word(low, m.start())]
        text = _replace(text, spans)
    return text


@lru_cache(maxsize=1)
def _lower_names() -> frozenset[str]:
    """First names to redact when typed in lower case on their own: not words, places or pack words."""
    first, _, _ = _names()
    return frozenset(first - _ordinary() - _place_names())


@lru_cache(maxsize=1)
def _lower_name_hints() -> tuple[frozenset[bytes], frozenset[bytes]]:
    """The lower-case names as bytes, and every name (for hyphenated ones), for a quick look."""
    first, words, _ = _names()
    return (frozenset(n.encode() for n in _lower_names()),
            frozenset(n.encode() for n in first | words))


def _lower_name_hits(low: str) -> set[str] | None:
    """The names among the words of an ASCII message (parts of hyphenated ones too), or None when
    the message is not ASCII (then every word is looked at)."""
    if not low.isascii():
        return None
    words = set(low.encode().translate(_ASCII_LETTERS).split())
    names, all_names = _lower_name_hints()
    return {w.decode() for w in words & (all_names if "-" in low else names)}


def _lower_name_span(text: str, match: re.Match[str]) -> tuple[int, int] | None:
    """The span of a first name typed in lower case, with a surname after it, or None."""
    word = match.group(0)
    if word not in _lower_names():
        if word.isalpha() and word.isascii():
            return None  # the common case: an ordinary lower-case word
        bare = _bare(word)
        if "-" in bare:
            if not _is_first_name(bare) or bare in _ordinary():
                return None
        elif bare not in _lower_names():
            return None
    end = match.end()
    after = _SPACE_THEN_LOWER.match(text, end)
    if after:
        surname = _bare(after.group(1))
        if surname in _names()[2] and surname not in _ordinary():
            end = after.end()
    return match.start(), end


def _redact_lower_names(text: str, hits: set[str] | None = None) -> str:
    """First names typed in lower case ('i saw jayden and kerry-ann'), with a surname after one.
    ``hits``: the names among the words, to look only where they are (None: look at every word)."""
    if hits is None:
        matches = list(_LOWER.finditer(text))
    else:
        starts = set()
        for name in hits:
            i = text.find(name)
            while i != -1:
                if not i or not (text[i - 1].isalnum() or text[i - 1] in "'’"):  # not inside a word
                    start = i  # back to the start of a hyphenated name ('kerry-ann' from 'ann')
                    while start > max(0, i - 40) and (text[start - 1].isalpha() or text[start - 1] == "-"):
                        start -= 1
                    starts.add(start)
                i = text.find(name, i + len(name))
        matches = [m for m in (_LOWER.match(text, s) for s in sorted(starts)) if m]
    spans = []
    last = 0
    for match in matches:
        if match.start() < last:
            continue  # inside a surname already taken
        span = _lower_name_span(text, match)
        if span:
            spans.append((*span, PLACEHOLDER["name"]))
            last = span[1]
    return _replace(text, spans)


def _redact_postcodes(text: str) -> str:
    spans = []
    for hint in _POSTCODE_HINT.finditer(text):
        postcode = _POSTCODE.search(text, max(0, hint.start() - 4), hint.end())
        if postcode:
            spans.append((*postcode.span(), PLACEHOLDER["postcode"]))
    return _replace(text, spans)


def redact(text: str | None, from_packs: bool = False) -> str | None:
    """``text`` with personal data replaced by placeholders.

    ``from_packs`` is for the assistant's own replies: they are built from the knowledge packs,
    so a capitalised word written exactly so in a pack ('Severe and specialist needs') is kept,
    while anything else (a name echoed from the practitioner's words) is still redacted.

    Each pattern runs only when a cheap test says it could match (an '@', a digit, a street
    word, a name among the words), so a message of a few hundred characters takes a fraction
    of a millisecond.
    """
    if not text:
        return text
    out = text.replace("İ", "I")  # the one letter whose lower case is longer: positions stay the same
    if "@" in out:
        out = _EMAIL.sub(PLACEHOLDER["email"], out)
    if _DIGIT.search(out):
        out = _redact_postcodes(out)
        out = _NUMERIC_DATE.sub(PLACEHOLDER["date"], out)
        out = _redact_lower_dates(out, out.lower())
        low = out.lower()
        if any(t in low for t in _STREET_HINTS):
            out = _ADDRESS.sub(PLACEHOLDER["address"], out)
        if any(t in low for t in _FLAT_HINTS):
            out = _FLAT.sub(PLACEHOLDER["address"], out)
        out = _PHONE.sub(_keep_service_number, out)
        out = _NHS.sub(PLACEHOLDER["nhs"], out)
    if any(t in out for t in _NAMED_TYPES):
        out = _NAMED_STREET.sub(PLACEHOLDER["address"], out)
    low = out.lower()
    if any(t in low for t in _LOWER_TYPES):
        out = _redact_lower_streets(out, low)
        low = out.lower()
    out = _redact_cued_names(out, low)
    out = _CAPITALISED.sub(lambda m: _redact_capitalised(m, out, from_packs), out)
    hits = _lower_name_hits(out.lower())
    return _redact_lower_names(out, hits) if hits is None or hits else out
