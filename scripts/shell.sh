#!/usr/bin/env bash
# A terminal conversation: starts the action server, then `rasa shell`; stops it on exit.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/log
export ACTION_SERVER_TOKEN=${ACTION_SERVER_TOKEN:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')}
.venv/bin/python -m actions.server --port 5055 >var/log/actions.log 2>&1 &
actions=$!
trap 'kill $actions 2>/dev/null' EXIT INT TERM
echo "Starting... (in an emergency call 999; please do not type names or addresses)"
PYTHONPATH=. .venv-rasa/bin/rasa shell --model models/current.tar.gz --endpoints endpoints.yml --quiet
