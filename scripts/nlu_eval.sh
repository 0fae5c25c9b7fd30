#!/usr/bin/env bash
# NLU evaluation on a held-out split: 80% trains an NLU-only model, 20% is tested.
# Prints intent F1 (weighted) and fails below the threshold. The split and model are cached
# under var/nlu-eval, keyed on a hash of the NLU data, config and split seed, so repeats are free.
# NLU_SPLIT_SEED picks another split (default 2611), to check a score is not luck of one split:
#   NLU_SPLIT_SEED=7 make nlu-eval
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/model_code.sh
THRESHOLD=${NLU_F1_THRESHOLD:-0.90}
SEED=${NLU_SPLIT_SEED:-2611}
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "NLU_SPLIT_SEED must be a whole number, got '$SEED'" >&2; exit 2; }
hash=$( (cat config.yml $(find data/nlu -name '*.yml' | sort) $MODEL_CODE; echo "seed=$SEED") | sha256sum | cut -c1-16)
dir="var/nlu-eval/$hash"
if [ ! -f "$dir/intent_report.json" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  # keep only the five most recent evaluations
  ls -1dt var/nlu-eval/*/ 2>/dev/null | tail -n +6 | xargs -r rm -rf
  # its own training cache: `make test` trains this beside the main model (Rasa's default is ./.rasa)
  export TF_CPP_MIN_LOG_LEVEL=3 TF_DETERMINISTIC_OPS=1 PYTHONWARNINGS=ignore RASA_CACHE_DIRECTORY="$dir/cache"
  .venv-rasa/bin/rasa data split nlu -u data/nlu --training-fraction 0.8 --random-seed "$SEED" --out "$dir/split" >"$dir/log" 2>&1
  start=$(date +%s)
  .venv-rasa/bin/rasa train nlu -c config.yml -u "$dir/split/training_data.yml" --domain domain \
    --out "$dir" --fixed-model-name nlu >>"$dir/log" 2>&1
  echo "NLU model for evaluation trained in $(( $(date +%s) - start ))s"
  .venv-rasa/bin/rasa test nlu --nlu "$dir/split/test_data.yml" --model "$dir/nlu.tar.gz" --out "$dir/results" >>"$dir/log" 2>&1
  cp "$dir/results/intent_report.json" "$dir/intent_report.json"
  rm -rf "$dir/cache"
fi
.venv/bin/python scripts/nlu_report.py "$dir/intent_report.json" "$THRESHOLD" "held-out 20%, split seed $SEED"
