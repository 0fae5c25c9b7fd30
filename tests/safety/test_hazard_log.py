"""The hazard log (docs/safety/hazard-log.md) holds the safety case up: each hazard, its controls,
and the tests that show the controls work.

Every hazard the clinical-safety case must cover (issue 18) is in the log with an id, its cause
and effect, its severity and likelihood on DCB0129's scales, the risk they give on DCB0129's
matrix before and after the controls, the controls, and at least one evidence node id. Every node
id names a test that exists, found by reading the test file (no test is run), so a test renamed
or deleted fails here until the log is brought up to date.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "docs" / "safety" / "hazard-log.md"

SEVERITIES = ("Minor", "Significant", "Considerable", "Major", "Catastrophic")
LIKELIHOODS = ("Very low", "Low", "Medium", "High", "Very high")
# DCB0129's risk matrix: the risk (1 acceptable .. 5 unacceptable) for a likelihood, by severity.
RISK = {
    "Very high": (3, 4, 4, 5, 5),
    "High": (2, 3, 3, 4, 5),
    "Medium": (2, 2, 3, 3, 4),
    "Low": (1, 2, 2, 3, 4),
    "Very low": (1, 1, 2, 2, 3),
}
ACCEPTABLE_RESIDUAL = 3  # 4 and 5 call for more control before the product may be used

# The hazards the issue names, each with a word its title must contain.
REQUIRED = {
    "under-triage of a child at significant harm": "under-triage",
    "immediate danger not recognised": "immediate danger",
    "another area's contacts given": "another area",
    "the wrong contact for the hour (out of hours, bank holiday)": "for the hour",
    "a stale source document": "stale",
    "an invented phone number": "invented",
    "a misunderstood acronym": "acronym",
    "the service unavailable when needed": "unavailable",
    "personal data stored": "personal data",
    "over-reliance instead of professional judgement": "over-reliance",
}

SECTION = re.compile(r"^## (.*)$", re.MULTILINE)
HAZARD_ID = re.compile(r"^(H\d+)\b:? *(.*)$")
WELL_FORMED_HEADING = re.compile(r"^H\d{2}: \S")
RATING = re.compile(
    r"^\| *(Initial|Residual) *\| *([A-Za-z ]+?) *\| *([A-Za-z ]+?) *\| *(\d) *\|", re.MULTILINE
)
NODE_ID = re.compile(r"^- `(tests/[\w/]+\.py(?:::\w+){1,2})`$")


@dataclass(frozen=True)
class Rating:
    severity: str
    likelihood: str
    risk: int


@dataclass(frozen=True)
class Hazard:
    id: str
    title: str
    text: str

    def field(self, label: str) -> str:
        """The paragraph after "**<label>:**", up to the next blank line."""
        found = re.search(rf"^\*\*{re.escape(label)}:\*\*(.*?)(?:\n\n|\Z)", self.text,
                          re.MULTILINE | re.DOTALL)
        return found.group(1).strip() if found else ""

    def rating(self, which: str) -> Rating | None:
        for row in RATING.finditer(self.text):
            if row.group(1) == which:
                return Rating(row.group(2), row.group(3), int(row.group(4)))
        return None

    @property
    def controls(self) -> list[str]:
        """The numbered items under "**Controls:**"."""
        block = re.search(r"^\*\*Controls:\*\*\n(.*?)(?=^\*\*|^Evidence:|\Z)", self.text,
                          re.MULTILINE | re.DOTALL)
        return re.findall(r"^\d+\. (.+)$", block.group(1), re.MULTILINE) if block else []

    @property
    def evidence_lines(self) -> list[str]:
        """The list under the line "Evidence:", up to the first line that is not a list item."""
        lines = self.text.splitlines()
        if "Evidence:" not in lines:
            return []
        listed = []
        for line in lines[lines.index("Evidence:") + 1:]:
            if not line.startswith("- "):
                break
            listed.append(line)
        return listed

    @property
    def evidence(self) -> list[str]:
        return [m.group(1) for line in self.evidence_lines if (m := NODE_ID.match(line))]


def read_log() -> list[Hazard]:
    """Each "## H01: Title" section of the log, up to the next "## " heading."""
    text = LOG.read_text(encoding="utf-8") if LOG.is_file() else ""
    headings = list(SECTION.finditer(text))
    hazards = []
    for n, heading in enumerate(headings):
        is_hazard = HAZARD_ID.match(heading.group(1))
        if is_hazard:
            end = headings[n + 1].start() if n + 1 < len(headings) else len(text)
            hazards.append(Hazard(is_hazard.group(1), is_hazard.group(2).strip(), text[heading.end():end]))
    return hazards


HAZARDS = read_log()


def names_a_test(node_id: str) -> bool:
    """Does this pytest node id name a test in its file? The file is read, not imported or run."""
    path, *names = node_id.split("::")
    file = ROOT / path
    if not file.is_file():
        return False
    *classes, function = names
    if not function.startswith("test") or not all(c.startswith("Test") for c in classes):
        return False  # pytest would not collect it
    scope = ast.parse(file.read_text(encoding="utf-8")).body
    for name in classes:
        cls = next((n for n in scope if isinstance(n, ast.ClassDef) and n.name == name), None)
        if cls is None:
            return False
        scope = cls.body
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == function for n in scope)



def hazard_about(keyword: str) -> Hazard | None:
    return next((h for h in HAZARDS if keyword in h.title.lower()), None)


# --- the log ------------------------------------------------------------------------------------
def test_the_log_exists_and_lists_hazards():
    assert LOG.is_file(), f"{LOG.relative_to(ROOT)} is missing"
    assert len(HAZARDS) >= len(REQUIRED)


def test_every_hazard_id_is_unique_and_well_formed():
    ids = [h.id for h in HAZARDS]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    assert not repeated, f"hazard ids used twice: {repeated}"
    headings = [f"{h.id}: {h.title}" for h in HAZARDS]
    malformed = [f"## {heading}" for heading in headings if not WELL_FORMED_HEADING.match(heading)]
    assert not malformed, f"write each hazard's heading as '## H01: Title': {malformed}"


@pytest.mark.parametrize("hazard, keyword", REQUIRED.items(), ids=list(REQUIRED.values()))
def test_every_hazard_the_safety_case_needs_is_in_the_log(hazard, keyword):
    found = hazard_about(keyword)
    assert found, f"no hazard for {hazard}: add one whose title says '{keyword}'"
    assert found.evidence, f"{found.id} ({hazard}) names no evidence"


# --- each hazard --------------------------------------------------------------------------------
@pytest.mark.parametrize("hazard", HAZARDS, ids=[h.id for h in HAZARDS])
def test_each_hazard_says_its_cause_effect_controls_and_evidence(hazard):
    assert hazard.field("Cause"), f"{hazard.id}: no cause"
    assert hazard.field("Effect"), f"{hazard.id}: no effect"
    assert hazard.controls, f"{hazard.id}: no numbered controls under **Controls:**"
    assert hazard.evidence_lines, f"{hazard.id}: no list under 'Evidence:'"
    badly_written = [line for line in hazard.evidence_lines if not NODE_ID.match(line)]
    assert not badly_written, (
        f"{hazard.id}: write evidence as - `tests/path/test_file.py::test_name` "
        f"(or ::TestClass::test_name, no parametrisation): {badly_written}")


@pytest.mark.parametrize("hazard", HAZARDS, ids=[h.id for h in HAZARDS])
def test_each_risk_follows_the_dcb0129_matrix(hazard):
    for which in ("Initial", "Residual"):
        rating = hazard.rating(which)
        assert rating, f"{hazard.id}: no '| {which} | severity | likelihood | risk |' row"
        assert rating.severity in SEVERITIES, f"{hazard.id}: severity '{rating.severity}' is not on the scale"
        assert rating.likelihood in LIKELIHOODS, f"{hazard.id}: likelihood '{rating.likelihood}' is not on the scale"
        expected = RISK[rating.likelihood][SEVERITIES.index(rating.severity)]
        assert rating.risk == expected, (
            f"{hazard.id}: {which.lower()} risk of {rating.severity} x {rating.likelihood} is {expected}, "
            f"not {rating.risk}")


@pytest.mark.parametrize("hazard", HAZARDS, ids=[h.id for h in HAZARDS])
def test_no_hazard_is_left_at_an_unacceptable_residual_risk(hazard):
    initial, residual = hazard.rating("Initial"), hazard.rating("Residual")
    assert initial and residual
    assert residual.risk <= initial.risk, f"{hazard.id}: the controls cannot raise the risk"
    assert residual.risk <= ACCEPTABLE_RESIDUAL, f"{hazard.id}: residual risk {residual.risk} needs more control"


@pytest.mark.parametrize("hazard", HAZARDS, ids=[h.id for h in HAZARDS])
def test_every_evidence_node_id_names_a_test_that_exists(hazard):
    missing = [node for node in hazard.evidence if not names_a_test(node)]
    assert not missing, f"{hazard.id} names tests that do not exist: {missing}"


# --- the check itself ---------------------------------------------------------------------------
def test_the_existence_check_tells_a_real_test_from_a_missing_one():
    assert names_a_test("tests/triage/test_emergencies.py::test_every_red_flag_gives_999_first_in_every_area")
    assert names_a_test("tests/triage/test_practitioner_language.py::TestNonPrefix::test_nai_on_a_baby_gets_999")
    assert not names_a_test("tests/triage/test_emergencies.py::test_that_was_never_written")
    assert not names_a_test("tests/triage/test_practitioner_language.py::TestNegation::test_nai_on_a_baby_gets_999")
    assert not names_a_test("tests/triage/test_no_such_file.py::test_anything")
    assert not names_a_test("tests/triage/test_words_that_mislead.py::cp_level"), "not a test pytest would collect"
