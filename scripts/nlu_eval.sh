#!/usr/bin/env bash
# NLU evaluation on a held-out split: 80% trains an NLU-only model, 20% is tested.
# Prints intent F1 (weighted) and fails below the threshold. The split and model are cached
# under var/nlu-eval, keyed on a hash of the NLU data and config, so repeats are free.
set -euo pipefail
cd "$(dirname "$0")/.."
THRESHOLD=${NLU_F1_THRESHOLD:-0.90}
hash=$(cat config.yml $(find data/nlu -name '*.yml' | sort) requirements/rasa.lock.txt | sha256sum | cut -c1-16)
dir="var/nlu-eval/$hash"
if [ ! -f "$dir/intent_report.json" ]; then
  rm -rf var/nlu-eval && mkdir -p "$dir"
  export TF_CPP_MIN_LOG_LEVEL=3 TF_DETERMINISTIC_OPS=1 PYTHONWARNINGS=ignore
  .venv-rasa/bin/rasa data split nlu -u data/nlu --training-fraction 0.8 --random-seed 2611 --out "$dir/split" >"$dir/log" 2>&1
  start=$(date +%s)
  .venv-rasa/bin/rasa train nlu -c config.yml -u "$dir/split/training_data.yml" --domain domain \
    --out "$dir" --fixed-model-name nlu >>"$dir/log" 2>&1
  echo "NLU model for evaluation trained in $(( $(date +%s) - start ))s"
  .venv-rasa/bin/rasa test nlu --nlu "$dir/split/test_data.yml" --model "$dir/nlu.tar.gz" --out "$dir/results" >>"$dir/log" 2>&1
  cp "$dir/results/intent_report.json" "$dir/intent_report.json"
fi
.venv/bin/python - "$dir/intent_report.json" "$THRESHOLD" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
f1 = report["weighted avg"]["f1-score"]
weak = sorted((v["f1-score"], k) for k, v in report.items() if isinstance(v, dict) and "support" in v and k not in ("weighted avg", "macro avg", "micro avg") and v["f1-score"] < 0.85)
print(f"NLU intent F1 (weighted, held-out 20%): {f1:.3f}  macro: {report['macro avg']['f1-score']:.3f}  threshold {sys.argv[2]}")
for score, name in weak:
    print(f"  weak: {name} {score:.2f}")
sys.exit(0 if f1 >= float(sys.argv[2]) else 1)
PY
