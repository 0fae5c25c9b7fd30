"""``python -m bot.audit report --since 2026-11-01 [--csv]``, ``export-cases``, ``prune``.

Exit codes: 0 done; 1 the database cannot be read; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta

from sqlalchemy.exc import SQLAlchemyError

from bot.audit.report import build_report, export_cases, report_csv
from bot.audit.trail import AuditTrail
from bot.config import get_settings
from bot.db.migrate import upgrade
from bot.db.session import engine_for


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-11-01") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.audit", description="The audit trail of advice given.")
    commands = parser.add_subparsers(dest="command", required=True)
    default_since = date.today() - timedelta(days=30)
    report = commands.add_parser("report", help="advice by area, level, channel and emergency, and feedback")
    report.add_argument("--since", type=_day, default=default_since, help="first day (default: 30 days ago)")
    report.add_argument("--csv", action="store_true", help="one line per piece of advice, for a spreadsheet")
    cases = commands.add_parser("export-cases", help="disagreements as draft labelled cases for review")
    cases.add_argument("--since", type=_day, default=default_since)
    prune = commands.add_parser("prune", help="delete advice older than AUDIT_RETENTION_DAYS (run daily)")
    prune.add_argument("--days", type=int, default=None)
    args = parser.parse_args(argv)

    settings = get_settings()
    engine = engine_for(settings.database_url)
    try:
        upgrade(engine)
        if args.command == "report":
            print(report_csv(engine, args.since) if args.csv else build_report(engine, args.since).render(), end="\n" if not args.csv else "")
        elif args.command == "export-cases":
            print(export_cases(engine, args.since), end="")
        else:
            days = args.days or settings.audit_retention_days
            if days < 1:
                parser.error("--days must be at least 1")
            removed = AuditTrail(engine).prune(days)
            print(f"audit trail: deleted {removed} piece(s) of advice older than {days} days, with their feedback")
    except SQLAlchemyError as exc:
        print(f"The audit trail's database cannot be used ({type(exc).__name__}): check DATABASE_URL.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
