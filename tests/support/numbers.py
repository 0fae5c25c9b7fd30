"""The areas' phone numbers, read from the knowledge packs: tests never write them out.

A test that checks a contact asks the pack for the number it expects, so a corrected pack
changes one file (the pack) and no test. The numbers themselves are pinned once, against the
source documents' text, in tests/knowledge/test_golden_numbers.py.

    number_of("tameside", "out-of-hours")     # a contact's key
    number_of("worcestershire", "out_of_hours")  # or its role, when one contact of that role has a number
    area_numbers("tameside")                  # every number in the area's pack (not 999)
"""

from __future__ import annotations

from functools import lru_cache

from bot.config import PROJECT_ROOT
from bot.knowledge.packs import KnowledgeSet, load_knowledge
from bot.knowledge.schema import Contact

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
NATIONAL = frozenset({"999", "101"})  # the national numbers: written out in tests as they are


@lru_cache(maxsize=1)
def packs() -> KnowledgeSet:
    return load_knowledge(KNOWLEDGE_DIR)


def _area_id(area: str) -> str:
    ks = packs()
    if area in ks.packs:
        return area
    wanted = area.strip().lower()
    for area_id, loaded in ks.packs.items():
        names = {loaded.pack.area.name.lower(), *(a.lower() for a in loaded.pack.area.aliases)}
        if wanted in names:
            return area_id
    raise KeyError(f"no pack for area {area!r}: {sorted(ks.packs)}")


def contacts_of(area: str) -> list[Contact]:
    return list(packs().packs[_area_id(area)].pack.contacts)


def contact_of(area: str, key_or_role: str) -> Contact:
    """The contact with this key, else the one contact of this role that has a phone number."""
    contacts = contacts_of(area)
    by_key = [c for c in contacts if c.key == key_or_role]
    if by_key:
        return by_key[0]
    by_role = [c for c in contacts if c.role == key_or_role and c.phone]
    if len(by_role) != 1:
        raise KeyError(f"{area}: no contact keyed {key_or_role!r}, and {len(by_role)} with that role and a "
                       f"number: {[c.key for c in contacts]}")
    return by_role[0]


def number_of(area: str, key_or_role: str) -> str:
    """The phone number the pack gives ``area``'s contact (its key or its role), exactly as written."""
    contact = contact_of(area, key_or_role)
    if not contact.phone:
        raise KeyError(f"{area}: {contact.key} has no phone number in the pack ({contact.phone_note})")
    return contact.phone


def urgent_numbers(area: str) -> list[str]:
    """The numbers of the area's urgent contacts (front door, out of hours), in the pack's order."""
    return [c.phone for c in contacts_of(area) if c.urgent and c.phone and c.phone not in NATIONAL]


def area_numbers(area: str) -> list[str]:
    """Every phone number in the area's pack, except the national ones (999)."""
    return [c.phone for c in contacts_of(area) if c.phone and c.phone not in NATIONAL]


def all_area_numbers() -> dict[str, tuple[str, str]]:
    """Every area number in the packs -> (area id, contact key)."""
    return {c.phone: (area_id, c.key) for area_id, loaded in packs().packs.items()
            for c in loaded.pack.contacts if c.phone and c.phone not in NATIONAL}


def tel(number: str) -> str:
    """The number as a tel: link writes it (digits only)."""
    return "tel:" + number.replace(" ", "")
