#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed. The model is cached under models/,
# named by a hash of everything that shapes it, so a repeat run costs nothing. Rasa's own
# validation is skipped here (15 s): `make test` runs it, stricter (`make validate`), before training;
# `make run` does not, but malformed data still fails to load and stops the training.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/model_code.sh
inputs=$(find config.yml domain data -type f -name '*.yml' | sort; echo $MODEL_CODE)
hash=$(cat $inputs | sha256sum | cut -c1-16)
model="models/navigator-$hash.tar.gz"
if [ -f "$model" ]; then
  echo "Rasa model is up to date: $model"
else
  echo "Training the Rasa model ($model)..."
  mkdir -p models
  start=$(date +%s)
  mkdir -p var/log
  if ! TF_DETERMINISTIC_OPS=1 TF_CPP_MIN_LOG_LEVEL=3 PYTHONWARNINGS=ignore .venv-rasa/bin/rasa train --quiet --skip-validation --domain domain \
      --fixed-model-name "navigator-$hash" --out models >var/log/train.log 2>&1; then
    tail -40 var/log/train.log >&2
    echo "Training failed; the full log is var/log/train.log" >&2
    exit 1
  fi
  echo "Trained in $(( $(date +%s) - start ))s."
  find models -name 'navigator-*.tar.gz' ! -name "navigator-$hash.tar.gz" -delete
fi
ln -sf "navigator-$hash.tar.gz" models/current.tar.gz
