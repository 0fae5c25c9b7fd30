"""``python -m bot.knowledge check|load``: validate the packs, or load them into the database.

check  validates every pack and prints a coverage table per area, then a warning for each
       document past its review-by date or undated (a warning only: it still exits 0).
load   validates, migrates the database (DATABASE_URL) and loads changed areas.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date, datetime, timezone

from bot.config import get_settings
from bot.db.migrate import upgrade
from bot.db.session import DatabaseUnavailable, check_connection, make_engine
from bot.knowledge.errors import PackError
from bot.knowledge.hours import local
from bot.knowledge.packs import KnowledgeSet, load_knowledge


def coverage_table(knowledge: KnowledgeSet) -> str:
    """Indicators by level and domain, contacts, steps and glossary terms, per area."""
    lines = []
    header = f"{'area':18} {'levels':>6} {'indicators by level':28} {'domains':>7} {'triggered':>9} {'contacts':>8} {'numbers':>7} {'steps':>5} {'questions':>9} {'consent':>7} {'glossary':>8}"
    lines.append(header)
    lines.append("-" * len(header))
    for area_id, loaded in sorted(knowledge.packs.items()):
        p = loaded.pack
        by_level = Counter(i.level for i in p.indicators)
        levels_txt = " ".join(f"L{n}:{by_level.get(n, 0)}" for n in range(1, len(p.levels) + 1))
        domains = len({(i.domain, i.subdomain) for i in p.indicators})
        triggered = sum(1 for i in p.indicators if i.triggers)
        numbers = sum(1 for c in p.contacts if c.phone)
        lines.append(
            f"{area_id:18} {len(p.levels):>6} {levels_txt:28} {domains:>7} {triggered:>9} {len(p.contacts):>8} "
            f"{numbers:>7} {len(p.pathway.steps):>5} {len(p.guidance.questions_that_help):>9} "
            f"{len(p.guidance.consent):>7} {len(p.glossary):>8}"
        )
    v = knowledge.vocabulary
    lines.append("")
    lines.append(
        f"shared: {len(v.signals)} signals, {len(v.red_flags)} red flags, "
        f"{len(v.significant_harm.categories)} significant-harm categories ({v.significant_harm.guidance})"
    )
    lines.append("")
    lines.append(origin_table(knowledge))
    return "\n".join(lines)


def origin_table(knowledge: KnowledgeSet) -> str:
    """Where each area's indicator levels come from: the document's own lines, or derived (with the basis)."""
    lines = ["where indicator levels come from:"]
    for area_id, loaded in sorted(knowledge.packs.items()):
        indicators = loaded.pack.indicators
        own = sum(1 for i in indicators if i.origin == "document")
        derived = Counter(i.basis for i in indicators if i.origin == "derived")
        table = "indicator table" if loaded.pack.area.indicator_table else "level descriptions only"
        lines.append(f"  {area_id:18} {own:>3} document lines ({table}), {sum(derived.values()):>3} derived")
        lines += [f"      {n} derived on: {basis}" for basis, n in sorted(derived.items())]
    return "\n".join(lines)


def review_warnings(knowledge: KnowledgeSet, today: date) -> list[str]:
    """One line per document past its review-by date or undated: "worcestershire: '<title>' was
    due for review by 2022-12-31: check it is current"."""
    return [f"{area_id}: {warning}" for area_id, loaded in sorted(knowledge.packs.items())
            for doc in loaded.pack.area.documents if (warning := doc.freshness_warning(today))]


def main(argv: list[str] | None = None, today: date | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.knowledge", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["check", "load"])
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        knowledge = load_knowledge(settings.knowledge_dir)
    except PackError as exc:
        print(f"Knowledge packs rejected; nothing was loaded.\n{exc}", file=sys.stderr)
        return 1
    if args.command == "check":
        print(coverage_table(knowledge))
        today = today or local(datetime.now(timezone.utc), settings.timezone).date()
        warnings = review_warnings(knowledge, today)
        if warnings:
            print("\nsources to check (a warning, not a failure):")
            print("\n".join(f"  warning: {w}" for w in warnings))
        return 0
    from bot.knowledge.store import sync

    try:
        engine = make_engine(settings.database_url)
        check_connection(engine)
        upgrade(engine)
    except DatabaseUnavailable as exc:
        print(f"Database unavailable: {exc}", file=sys.stderr)
        return 2
    for outcome in sync(engine, knowledge):
        print(f"{outcome.name:18} {outcome.action}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
