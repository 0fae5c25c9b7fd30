#!/usr/bin/env bash
# Rasa test stories with --fail-on-prediction-errors against the current model.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/log
if ! TF_CPP_MIN_LOG_LEVEL=3 PYTHONWARNINGS=ignore PYTHONPATH=. .venv-rasa/bin/rasa test core --stories tests/stories \
    --model models/current.tar.gz --out var/test-stories --fail-on-prediction-errors >var/log/test-stories.log 2>&1; then
  cat var/test-stories/failed_test_stories.yml >&2 2>/dev/null || tail -40 var/log/test-stories.log >&2
  echo "Rasa test stories failed" >&2
  exit 1
fi
stories=$(cat tests/stories/*.yml | grep -c "^  - story:")
echo "Rasa test stories: $stories passed, 0 failed"
