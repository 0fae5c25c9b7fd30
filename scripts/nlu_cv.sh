#!/usr/bin/env bash
# NLU cross-validation: `rasa test nlu --cross-validation` over all of data/nlu (NLU_CV_FOLDS,
# default 5, so each fold trains on 80% like make nlu-eval), and the weighted intent F1 over the
# pooled test folds. Folds are drawn with a fixed seed (NLU_CV_SEED, default 2611) so a rerun
# gives the same folds. Results are cached under var/nlu-cv, keyed on a hash of the NLU data,
# config, folds and seed. Slow (one NLU training per fold), so it is not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/model_code.sh
THRESHOLD=${NLU_F1_THRESHOLD:-0.90}
FOLDS=${NLU_CV_FOLDS:-5}
SEED=${NLU_CV_SEED:-2611}
[[ "$FOLDS" =~ ^[0-9]+$ && "$FOLDS" -ge 2 ]] || { echo "NLU_CV_FOLDS must be a whole number >= 2, got '$FOLDS'" >&2; exit 2; }
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "NLU_CV_SEED must be a whole number, got '$SEED'" >&2; exit 2; }
hash=$( (cat config.yml $(find data/nlu -name '*.yml' | sort) $MODEL_CODE; echo "folds=$FOLDS seed=$SEED") | sha256sum | cut -c1-16)
dir="var/nlu-cv/$hash"
if [ ! -f "$dir/intent_report.json" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  ls -1dt var/nlu-cv/*/ 2>/dev/null | tail -n +4 | xargs -r rm -rf
  export TF_CPP_MIN_LOG_LEVEL=3 TF_DETERMINISTIC_OPS=1 PYTHONWARNINGS=ignore
  start=$(date +%s)
  # Rasa's StratifiedKFold shuffles with numpy's global generator: seed it so the folds repeat.
  .venv-rasa/bin/python - "$SEED" test nlu --nlu data/nlu -c config.yml --cross-validation \
      --folds "$FOLDS" --out "$dir/results" >"$dir/log" 2>&1 <<'PY'
import sys
import numpy
numpy.random.seed(int(sys.argv.pop(1)))
from rasa.__main__ import main
sys.argv[0] = "rasa"
main()
PY
  echo "Cross-validation ($FOLDS folds) took $(( $(date +%s) - start ))s"
  cp "$dir/results/intent_report.json" "$dir/intent_report.json"
fi
.venv/bin/python scripts/nlu_report.py "$dir/intent_report.json" "$THRESHOLD" "$FOLDS-fold cross-validation, seed $SEED"
