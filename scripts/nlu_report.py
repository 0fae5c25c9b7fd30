"""Print the weighted intent F1 of a Rasa intent report, list weak intents, and fail below a threshold.

Shared by scripts/nlu_eval.sh (held-out split) and scripts/nlu_cv.sh (cross-validation), so
both judge the same figure the same way.
Usage: nlu_report.py REPORT.json THRESHOLD LABEL
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

WEAK_BELOW = 0.85
AVERAGES = ("weighted avg", "macro avg", "micro avg", "accuracy")


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    path, threshold, label = Path(argv[1]), float(argv[2]), argv[3]
    if not path.is_file():
        print(f"No intent report at {path}", file=sys.stderr)
        return 2
    report = json.loads(path.read_text())
    f1 = report["weighted avg"]["f1-score"]
    weak = sorted(
        (scores["f1-score"], name)
        for name, scores in report.items()
        if name not in AVERAGES and isinstance(scores, dict) and scores.get("f1-score", 1) < WEAK_BELOW
    )
    print(f"NLU intent F1 (weighted, {label}): {f1:.3f}  macro: {report['macro avg']['f1-score']:.3f}  threshold {threshold}")
    for score, name in weak:
        print(f"  weak: {name} {score:.2f}")
    return 0 if f1 >= threshold else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
