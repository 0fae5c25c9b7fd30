#!/usr/bin/env bash
# A terminal conversation: starts the action server, then `rasa shell`; stops it on exit.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/log
.venv/bin/python -m rasa_sdk --actions actions --port 5055 >var/log/actions.log 2>&1 &
actions=$!
trap 'kill $actions 2>/dev/null' EXIT INT TERM
echo "Starting... (in an emergency call 999; please do not type names or addresses)"
PYTHONPATH=. .venv-rasa/bin/rasa shell --model models/current.tar.gz --endpoints endpoints.yml --quiet
