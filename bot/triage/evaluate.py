"""Measure the engine against labelled cases, next to a nearest-indicator baseline.

``python -m bot.triage.evaluate [--cases FILE ...] [--errors]`` prints exact-level
accuracy, the under-triage rate (predicted below expected, or no level at all),
emergency recall, and the same figures for the baseline: the single nearest indicator
by BM25 over the area's pack (it flags an emergency when that indicator is at the
area's top level).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.knowledge.query import KnowledgeBase
from bot.knowledge.search import Fact, FactIndex
from bot.triage.engine import TriageEngine

DEFAULT_CASES = sorted((PROJECT_ROOT / "tests" / "eval").glob("*.yml"))
DEV_SET = PROJECT_ROOT / "tests" / "eval" / "dev-set" / "external_indicators_dev.yaml"
DEV_SET_AREA = "worcestershire"  # four levels, the numbering closest to the other partnerships' 
FIXED_MOMENT = datetime(2026, 11, 18, 11, 0)  # a Wednesday morning: office hours


@dataclass(frozen=True)
class Case:
    id: str
    area: str
    concern: str
    expected_level: int
    emergency: bool


@dataclass(frozen=True)
class Prediction:
    case: Case
    level: int | None
    emergency: bool
    top_level: int


@dataclass
class Scores:
    name: str
    predictions: list[Prediction] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.predictions)

    @property
    def exact(self) -> float:
        return sum(p.level == p.case.expected_level for p in self.predictions) / self.n

    @property
    def under_triage(self) -> float:
        return sum(p.level is None or p.level < p.case.expected_level for p in self.predictions) / self.n

    @property
    def over_triage(self) -> float:
        return sum(p.level is not None and p.level > p.case.expected_level for p in self.predictions) / self.n

    @property
    def emergency_recall(self) -> float:
        em = [p for p in self.predictions if p.case.emergency]
        return sum(p.emergency for p in em) / len(em) if em else 1.0

    @property
    def false_emergencies(self) -> int:
        return sum(p.emergency and not p.case.emergency for p in self.predictions)

    @property
    def top_level_under(self) -> list[Prediction]:
        """Cases labelled at the area's top level (level 4, or Cambridgeshire's 3) predicted below it."""
        return [
            p for p in self.predictions
            if p.case.expected_level == p.top_level and (p.level is None or p.level < p.top_level)
        ]

    def errors(self) -> list[Prediction]:
        return [p for p in self.predictions if p.level != p.case.expected_level or p.emergency != p.case.emergency]


def load_cases(paths: list[Path]) -> list[Case]:
    cases: list[Case] = []
    for path in paths:
        for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            cases.append(Case(raw["id"], raw["area"], raw["concern"], int(raw["expected_level"]), bool(raw["emergency"])))
    return cases


def run_engine(engine: TriageEngine, cases: list[Case]) -> Scores:
    scores = Scores("engine")
    for case in cases:
        result = engine.assess(case.area, case.concern, at=FIXED_MOMENT)
        top = engine.kb.area(case.area).top_level.number
        scores.predictions.append(
            Prediction(case, result.level.number if result.level else None, result.immediate_risk.flagged, top)
        )
    return scores


def run_baseline(kb: KnowledgeBase, cases: list[Case]) -> Scores:
    """Nearest single indicator by BM25 over the area's indicator descriptors."""
    scores = Scores("baseline (BM25 nearest indicator)")
    indexes: dict[str, tuple[FactIndex, dict[str, int]]] = {}
    for case in cases:
        ak = kb.area(case.area)
        if ak.id not in indexes:
            facts = [Fact(ak.id, "indicator", str(i), ind.text, ak.cite(ind.source)) for i, ind in enumerate(ak.indicators)]
            indexes[ak.id] = (FactIndex(facts), {str(i): ind.level for i, ind in enumerate(ak.indicators)})
        index, level_of = indexes[ak.id]
        hits = index.search(case.concern, limit=1)
        level = level_of[hits[0].fact.title] if hits else None
        top = ak.top_level.number
        scores.predictions.append(Prediction(case, level, level == top, top))
    return scores


def report(scores: list[Scores]) -> str:
    lines = [f"{'':38} {'cases':>5} {'exact':>7} {'under':>7} {'over':>7} {'emerg. recall':>13} {'false emerg.':>12} {'top-level under':>15}"]
    for s in scores:
        lines.append(
            f"{s.name:38} {s.n:>5} {s.exact:>7.1%} {s.under_triage:>7.1%} {s.over_triage:>7.1%} "
            f"{s.emergency_recall:>13.1%} {s.false_emergencies:>12} {len(s.top_level_under):>15}"
        )
    engine = scores[0]
    lines.append("")
    lines.append("engine exact accuracy by area:")
    by_area: dict[str, list[Prediction]] = {}
    for p in engine.predictions:
        by_area.setdefault(p.case.area, []).append(p)
    for area, preds in sorted(by_area.items()):
        ok = sum(p.level == p.case.expected_level for p in preds)
        lines.append(f"  {area:18} {ok}/{len(preds)}")
    return "\n".join(lines)


@dataclass(frozen=True)
class DevLine:
    src: str
    level: int
    text: str


def load_dev_set(path: Path) -> list[DevLine]:
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return [DevLine(r["src"], int(r["level"]), r["text"]) for r in raw["indicators"]]


Predictor = Callable[[str], "int | None"]


def engine_predictor(engine: TriageEngine, area: str = DEV_SET_AREA) -> Predictor:
    def predict(text: str) -> int | None:
        result = engine.assess(area, text, at=FIXED_MOMENT)
        return result.level.number if result.level else None

    return predict


def nearest_line_bm25(kb: KnowledgeBase, area: str = DEV_SET_AREA) -> Predictor:
    """Baseline: the level of the area's single nearest indicator line by BM25 (lexical)."""
    ak = kb.area(area)
    index = FactIndex([Fact(ak.id, "indicator", str(i), ind.text, ak.cite(ind.source))
                       for i, ind in enumerate(ak.indicators)])

    def predict(text: str) -> int | None:
        hits = index.search(text, limit=1)
        return ak.indicators[int(hits[0].fact.title)].level if hits else None

    return predict


def nearest_line_minilm(kb: KnowledgeBase, area: str = DEV_SET_AREA) -> Predictor:
    """Baseline: the level of the area's nearest indicator line by MiniLM sentence vectors."""
    from bot.triage.meaning.matcher import shared_matcher

    matcher = shared_matcher()  # the engine's encoder and cached indicator vectors
    encoder = matcher.encoder
    ak = kb.area(area)
    vectors = matcher.vectors.of([ind.text for ind in ak.indicators])

    def predict(text: str) -> int | None:
        return ak.indicators[int((vectors @ encoder.encode([text])[0]).argmax())].level

    return predict


def dev_set_figures(predict: Predictor, lines: list[DevLine]) -> dict[str, tuple[int, int]]:
    """Other partnerships' threshold lines, each assessed as a concern in one four-level area.

    The labels are noisy (partnerships draw the lines a little differently), so the figures
    that matter most are level-4 recall (predicted 3 or 4) and the unsafe misses (level 4
    predicted 2 or below, or no level at all). Each figure is (count, out of).
    """
    predicted = [(line, predict(line.text)) for line in lines]
    l4 = [(d, p) for d, p in predicted if d.level == 4]
    l1 = [(d, p) for d, p in predicted if d.level == 1]
    n = len(predicted)
    return {
        "exact": (sum(p == d.level for d, p in predicted), n),
        "within one level": (sum(p is not None and abs(p - d.level) <= 1 for d, p in predicted), n),
        "level-4 recall (predicted 3 or 4)": (sum(p is not None and p >= 3 for _, p in l4), len(l4)),
        "level 4 predicted <= 2 or no level": (sum(p is None or p <= 2 for _, p in l4), len(l4)),
        "level-1 lines given 3 or 4": (sum(p is not None and p >= 3 for _, p in l1), len(l1)),
        "no level at all": (sum(p is None for _, p in predicted), n),
    }


def dev_set_report(columns: dict[str, dict[str, tuple[int, int]]], area: str = DEV_SET_AREA) -> str:
    """One row per figure, one column per predictor (the engine first, then the baselines)."""
    first = next(iter(columns.values()))
    out = [f"dev set: {first['exact'][1]} lines from other partnerships, assessed as {area}",
           f"  {'':38}" + "".join(f"{name:>22}" for name in columns)]
    for figure, (_, of) in first.items():
        if of:
            cells = "".join(f"{f'{fig[figure][0]}/{of} {fig[figure][0] / of:6.1%}':>22}" for fig in columns.values())
            out.append(f"  {figure:38}{cells}")
    return "\n".join(out)


def dev_set_misses(engine: TriageEngine, lines: list[DevLine], area: str = DEV_SET_AREA) -> str:
    """The lines behind the two safety figures, each with how the engine reached its level."""
    out = ["dev-set lines behind the safety figures (source level -> engine level, basis):"]
    for line in lines:
        result = engine.assess(area, line.text, at=FIXED_MOMENT)
        got = result.level.number if result.level else None
        unsafe = line.level == 4 and (got is None or got <= 2)
        over = line.level == 1 and got is not None and got >= 3
        if unsafe or over:
            basis = result.level.basis if result.level else "-"
            out.append(f"  {'UNSAFE' if unsafe else 'OVER  '} L{line.level} -> {got}  [{basis[:60]}]  {line.src}: {line.text}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.triage.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, nargs="*", default=DEFAULT_CASES)
    parser.add_argument("--errors", action="store_true", help="list every case the engine got wrong")
    parser.add_argument("--dev-set", type=Path, default=DEV_SET, help="other partnerships' lines (YAML), scored as Worcestershire")
    parser.add_argument("--dev-misses", action="store_true",
                        help="list the dev-set lines behind the safety figures: level 4 given <= 2 or no level, level 1 given 3 or 4")
    args = parser.parse_args(argv)
    kb = KnowledgeBase.from_settings()
    engine = TriageEngine(kb)
    cases = load_cases(args.cases)
    started = time.perf_counter()
    engine_scores = run_engine(engine, cases)
    elapsed = time.perf_counter() - started
    print(report([engine_scores, run_baseline(kb, cases)]))
    print(f"\n{len(cases)} cases assessed in {elapsed:.2f}s")
    if args.dev_set and args.dev_set.exists():
        lines = load_dev_set(args.dev_set)
        columns = {"engine": dev_set_figures(engine_predictor(engine), lines),
                   "nearest line, BM25": dev_set_figures(nearest_line_bm25(kb), lines),
                   "nearest line, MiniLM": dev_set_figures(nearest_line_minilm(kb), lines)}
        print("\n" + dev_set_report(columns))
        if args.dev_misses:
            print("\n" + dev_set_misses(engine, lines))
    if args.errors:
        print("\nengine errors (id: expected -> predicted, emergency expected/predicted):")
        for p in engine_scores.errors():
            print(f"  {p.case.id:12} L{p.case.expected_level} -> {p.level}  em {p.case.emergency}/{p.emergency}  {p.case.concern}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
