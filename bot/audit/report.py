"""What a safeguarding lead reads: advice given by area, level, channel and emergency, how
often practitioners agreed, and the indicators they most often disagreed with.

Disagreements become draft labelled cases for a reviewer (``export_cases``); nothing enters the
tests by itself, and the concern's words were never stored, so the reviewer writes them.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from bot.db.models import AdviceRow

CSV_COLUMNS = ["id", "at", "kind", "channel", "area", "level", "emergency", "indicators", "red_flags",
               "urgent_contact", "pack_hash", "code_version", "feedback_agrees", "feedback_level"]


@dataclass
class Report:
    since: date
    advice: int = 0
    by_area: Counter = field(default_factory=Counter)
    by_level: Counter = field(default_factory=Counter)  # (area, level)
    by_channel: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)
    emergencies: int = 0
    agreement: dict[tuple[str, int | None], list[int]] = field(default_factory=dict)  # [agreed, answered]
    disagreed_indicators: Counter = field(default_factory=Counter)

    def render(self) -> str:
        out = [f"Advice given since {self.since:%Y-%m-%d}: {self.advice} ({self.emergencies} with immediate danger)"]
        out.append("  by kind: " + _counts(self.by_kind))
        out.append("  by channel: " + _counts(self.by_channel))
        out.append("  by area: " + _counts(self.by_area))
        out.append("By area and level (assessments):")
        out += [f"  {area:18} level {level if level is not None else '-'}: {n}"
                for (area, level), n in sorted(self.by_level.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))]
        out.append("Practitioners' feedback, agreement by area and level:")
        if not self.agreement:
            out.append("  no feedback yet")
        for (area, level), (agreed, answered) in sorted(self.agreement.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
            out.append(f"  {area:18} level {level if level is not None else '-'}: {agreed} of {answered} agreed")
        out.append("Indicators most often disagreed with:")
        out += [f"  {key}: {n}" for key, n in self.disagreed_indicators.most_common(10)] or ["  none"]
        return "\n".join(out)


def _counts(counter: Counter) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items(), key=lambda kv: str(kv[0]))) or "none"


def _since(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _rows(engine: Engine, since: date) -> Iterator[AdviceRow]:
    with Session(engine) as session:
        yield from session.scalars(
            select(AdviceRow).options(selectinload(AdviceRow.feedback))
            .where(AdviceRow.at >= _since(since)).order_by(AdviceRow.at))


def build_report(engine: Engine, since: date) -> Report:
    report = Report(since)
    for row in _rows(engine, since):
        report.advice += 1
        report.by_kind[row.kind] += 1
        report.by_channel[row.channel] += 1
        report.by_area[row.area_id] += 1
        report.emergencies += row.emergency
        if row.kind != "assessment":
            continue
        report.by_level[(row.area_id, row.level)] += 1
        for fb in row.feedback:
            tally = report.agreement.setdefault((row.area_id, row.level), [0, 0])
            tally[0] += fb.agrees
            tally[1] += 1
            if not fb.agrees:
                report.disagreed_indicators.update(row.indicator_keys)
    return report


def report_csv(engine: Engine, since: date) -> str:
    """One line per piece of advice, with its latest feedback: no free text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in _rows(engine, since):
        latest = max(row.feedback, key=lambda fb: fb.at, default=None)
        writer.writerow([row.id, row.at.isoformat(), row.kind, row.channel, row.area_id, row.level, row.emergency,
                         " ".join(row.indicator_keys), " ".join(row.red_flag_keys), row.urgent_contact or "",
                         row.pack_hash, row.code_version, "" if latest is None else latest.agrees,
                         "" if latest is None or latest.level is None else latest.level])
    return buffer.getvalue()


def export_cases(engine: Engine, since: date) -> str:
    """Disagreements as draft labelled cases (tests/eval's shape), for a reviewer to accept."""
    drafts = []
    for row in _rows(engine, since):
        for fb in row.feedback:
            if fb.agrees or fb.level is None:
                continue
            drafts.append({
                "id": f"draft-{row.id[:8]}", "area": row.area_id, "expected_level": fb.level,
                "emergency": row.emergency,
                "concern": "REVIEWER: write the concern in your own words; the practitioner's were never stored",
                "assistant_level": row.level, "indicators": row.indicator_keys,
                "practitioner_reason": fb.reason or "", "advice_id": row.id,
            })
    header = ("# Draft cases from practitioners' disagreements (python -m bot.audit export-cases).\n"
              "# Review each: write the concern, check the level against the area's guidance, and only then\n"
              "# move it into tests/eval/cases.yml without the assistant_*, practitioner_* and advice_id keys.\n")
    return header + yaml.safe_dump({"cases": drafts}, sort_keys=False, allow_unicode=True)
