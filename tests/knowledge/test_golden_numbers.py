"""The golden phone numbers: each area's numbers written out once, here, and nowhere else in the tests.

For every area, the pack's numbers (contact key -> phone) must be exactly these, and each must
be in the text of the source document its contact cites (../shared/seeds/, whitespace ignored,
as the PDF text breaks lines and spaces anywhere). Every other test asks the pack for the number
it expects (tests/support/numbers.py), so a corrected pack fails here, once, and nowhere else:
change the golden value after checking it against the document.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.support.numbers import contacts_of, packs

SEEDS = Path(os.environ.get("SEEDS_DIR", PROJECT_ROOT.parent / "shared" / "seeds"))

GOLDEN: dict[str, dict[str, str]] = {
    "redcar-cleveland": {
        "redcar-mach": "01642 130680",
    },
    "stockton-on-tees": {},  # the 2014-15 strategy names its teams but gives no phone number
    "worcestershire": {
        "family-front-door": "01905 822666",
        "out-of-hours": "01905 768020",
        "emergency-999": "999",
        "tfs-team-leader-redditch": "07957659095",
        "tfs-team-leader-wychavon": "07803115593",
        "tfs-team-leader-wyre-forest": "07540919702",
        "tfs-team-leader-bromsgrove": "07545419587",
        "tfs-team-leader-worcester": "07810813913",
        "tfs-team-leader-malvern": "07725 601451",
        "eifs-coordinator-redditch": "01905 844128",
        "eifs-coordinator-wychavon": "01905 843760",
        "eifs-coordinator-wyre-forest": "07920 585604",
        "eifs-coordinator-bromsgrove": "01905 843675",
        "eifs-coordinator-worcester-city": "07545 422019",
        "eifs-coordinator-malvern": "01905 844051",
    },
    "tameside": {
        "childrens-hub": "0161 342 4101",
        "out-of-hours": "0161 342 2222",
    },
    "cambridgeshire": {},  # the strategy gives no phone number
}


def _without_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_area_has_golden_numbers():
    assert set(GOLDEN) == set(packs().packs)


@pytest.mark.parametrize("area", sorted(GOLDEN))
def test_the_packs_numbers_are_the_golden_ones_and_in_the_source_document(area):
    contacts = contacts_of(area)
    assert {c.key: c.phone for c in contacts if c.phone} == GOLDEN[area]
    if not SEEDS.is_dir():
        pytest.skip(f"the source documents are not at {SEEDS} (set SEEDS_DIR): the numbers were checked "
                    "against the pack only")
    documents = {d.key: d for d in packs().packs[area].pack.area.documents}
    for contact in contacts:
        if not contact.phone:
            continue
        seed = SEEDS / documents[contact.source.doc].seed_file
        text = _without_space(seed.read_text(encoding="utf-8", errors="replace"))
        assert _without_space(contact.phone) in text, (
            f"{area} {contact.key}: {contact.phone} is not in {seed.name} ({contact.source.section})")
