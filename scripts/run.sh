#!/usr/bin/env bash
# Start the whole assistant: action server, Rasa server (REST, Slack, Teams) and the API.
# Waits until each is healthy, prints where to chat, and stops them all on Ctrl-C (or if one
# does not become healthy, with a non-zero exit). Every server listens on loopback unless
# told otherwise (API_HOST, RASA_HOST, ACTIONS_HOST): docs/security.md says what to expose.
set -uo pipefail
cd "$(dirname "$0")/.."
LOG_DIR=${LOG_DIR:-var/log}
mkdir -p "$LOG_DIR"
API_PORT=${API_PORT:-8000}
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
API_HOST=${API_HOST:-127.0.0.1}
RASA_HOST=${RASA_HOST:-127.0.0.1}
ACTIONS_HOST=${ACTIONS_HOST:-127.0.0.1}
# Shared secrets between the servers: only Rasa may call the action server, only the API may
# send turns to Rasa's REST channel. Made fresh for each run unless set.
new_token() { .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))'; }
export ACTION_SERVER_TOKEN=${ACTION_SERVER_TOKEN:-$(new_token)}
export RASA_REST_TOKEN=${RASA_REST_TOKEN:-$(new_token)}
pids=()

stop() {  # exit code (default 0): each server's whole process group (Rasa's workers too)
  echo; echo "Stopping..."
  for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null; done
  for _ in $(seq 1 15); do
    alive=0; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break; sleep 1
  done
  for pid in "${pids[@]}"; do kill -9 -- "-$pid" 2>/dev/null; done
  wait 2>/dev/null
  echo "Stopped."
  exit "${1:-0}"
}
trap stop INT TERM

declare -A pid_of log_of

start() {  # name, log, command...
  local name=$1 log=$2; shift 2
  setsid "$@" >"$LOG_DIR/$log" 2>&1 &  # its own process group, so stop() ends all of it
  pids+=($!); pid_of[$name]=$!; log_of[$name]=$log
  echo "started $name (pid $!, log $LOG_DIR/$log)"
}

unhealthy() {  # name, why: name the server, show the end of its log, stop everything, exit 1
  echo "$1 $2. The last lines of $LOG_DIR/${log_of[$1]}:" >&2
  tail -n 20 "$LOG_DIR/${log_of[$1]}" >&2
  stop 1
}

wait_for() {  # name, url, seconds
  local name=$1 url=$2 limit=$3 t=0
  until curl -fsS -m 2 -o /dev/null "$url" 2>/dev/null; do
    kill -0 "${pid_of[$name]}" 2>/dev/null || unhealthy "$name" "exited before it became healthy"
    sleep 1; t=$((t + 1))
    if [ "$t" -ge "$limit" ]; then unhealthy "$name" "did not become healthy in ${limit}s"; fi
  done
  echo "$name is healthy ($url)"
}

# The Rasa server's threads, workers and connections (scripts/rasa_runtime.py), checked before anything starts.
rasa_runtime=$(.venv/bin/python -m scripts.rasa_runtime "${RASA_WORKERS:-2}") || exit 1

start "action server" actions.log .venv/bin/python -m actions.server --host "$ACTIONS_HOST" --port "$ACTIONS_PORT"
# Rasa's HTTP API stays off (it would expose stored conversations); the web chat reaches Rasa
# through the API on the same origin.
start "Rasa server" rasa.log env PYTHONPATH=. $rasa_runtime \
  .venv-rasa/bin/rasa run --model models/current.tar.gz --interface "$RASA_HOST" --port "$RASA_PORT" \
  --endpoints endpoints.yml --credentials credentials.yml
# Proxy headers are read by the API itself, only from TRUSTED_PROXIES (uvicorn would trust loopback).
start "API" api.log env RASA_URL="http://127.0.0.1:$RASA_PORT" .venv/bin/uvicorn api.main:app \
  --host "$API_HOST" --port "$API_PORT" --no-proxy-headers

wait_for "action server" "http://127.0.0.1:$ACTIONS_PORT/health" 60
wait_for "API" "http://127.0.0.1:$API_PORT/healthz" 60
wait_for "Rasa server" "http://127.0.0.1:$RASA_PORT/" 300

cat <<MSG

Early Help Navigator is running.
  Web chat:          http://127.0.0.1:$API_PORT/
  Quick-lookup API:  http://127.0.0.1:$API_PORT/docs   (POST /v1/assess)
  Chat over REST:    through the web chat's API, POST /chat/sessions then /chat/messages (docs/api.md)
If a child is in immediate danger, call 999. Press Ctrl-C to stop everything.
MSG
wait
