#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed. The model is cached under models/,
# named by a hash of everything that shapes it, so a repeat run costs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
inputs=$(find config.yml domain.yml data -type f -name '*.yml' | sort; echo requirements/rasa.lock.txt)
hash=$(cat $inputs | sha256sum | cut -c1-16)
model="models/navigator-$hash.tar.gz"
if [ -f "$model" ]; then
  echo "Rasa model is up to date: $model"
else
  echo "Training the Rasa model ($model)..."
  mkdir -p models
  start=$(date +%s)
  TF_DETERMINISTIC_OPS=1 TF_CPP_MIN_LOG_LEVEL=3 .venv-rasa/bin/rasa train --quiet \
    --fixed-model-name "navigator-$hash" --out models >/dev/null
  echo "Trained in $(( $(date +%s) - start ))s."
  find models -name 'navigator-*.tar.gz' ! -name "navigator-$hash.tar.gz" -delete
fi
ln -sf "navigator-$hash.tar.gz" models/current.tar.gz
