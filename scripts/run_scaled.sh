#!/usr/bin/env bash
# The scaled topology on this machine (docs/deployment.md): PostgreSQL, Redis, two Rasa servers,
# two action servers, the API and HAProxy in front, all on 127.0.0.1. Uses the PostgreSQL and
# Redis already running on their standard ports, else starts its own. Waits until every server
# is healthy, prints where to chat, and stops everything on Ctrl-C (or names the server that
# failed, with the end of its log, and exits 1). Logs: var/scaled/.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure_scaled.sh
exec .venv/bin/python -m scripts.scaled "$@"
