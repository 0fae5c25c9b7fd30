#!/usr/bin/env bash
# Build whatever is missing: uv, the project env (.venv) and the Rasa env (.venv-rasa).
# Both are Python 3.10 (Rasa 3.6 needs <3.11) and locked: uv.lock, requirements/rasa.lock.txt.
# Re-running is a no-op unless a lock file changed.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never

find_python310() {
  local candidates=()
  [ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
  if command -v pyenv >/dev/null 2>&1; then
    for p in "$(pyenv root)"/versions/3.10*/bin/python3.10; do candidates+=("$p"); done
  fi
  command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
  for c in "${candidates[@]}"; do
    if [ -x "$c" ] && "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  return 1
}

if ! PY310=$(find_python310); then
  cat >&2 <<'MSG'
Python 3.10 is required (Rasa 3.6 runs on Python 3.8-3.10 only) and none was found.
Install it, then run this again:
  - with pyenv:   pyenv install 3.10.13
  - on Debian:    apt-get install python3.10 python3.10-venv
  - or point to one: PYTHON310=/path/to/python3.10 make test
MSG
  exit 3
fi

if ! command -v uv >/dev/null 2>&1; then
  echo "Installing uv (the Python package manager) from PyPI..."
  python3 -m pip install --quiet uv || { echo "Could not install uv: run 'python3 -m pip install uv'" >&2; exit 3; }
  hash -r
fi
UV=$(command -v uv)

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

project_stamp=".venv/.synced-$(stamp uv.lock pyproject.toml)"
if [ ! -f "$project_stamp" ]; then
  echo "Building .venv (project) with $PY310 ..."
  "$UV" sync --frozen --python "$PY310" --quiet
  rm -f .venv/.synced-*; touch "$project_stamp"
fi

rasa_stamp=".venv-rasa/.synced-$(stamp requirements/rasa.lock.txt)"
if [ ! -f "$rasa_stamp" ]; then
  echo "Building .venv-rasa (rasa 3.6) with $PY310 ..."
  [ -x .venv-rasa/bin/python ] || "$UV" venv .venv-rasa --python "$PY310" --quiet
  "$UV" pip sync requirements/rasa.lock.txt --python .venv-rasa/bin/python --quiet
  rm -f .venv-rasa/.synced-*; touch "$rasa_stamp"
fi
