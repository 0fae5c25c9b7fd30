#!/usr/bin/env bash
# The scaled topology (make run-scaled, tests/scaled) needs Debian's haproxy, redis-server and
# PostgreSQL's server programs. Install what is missing when we can (root with apt-get);
# otherwise say what is missing, that the scaled tests will be skipped, and how to install it.
set -uo pipefail

missing=()
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)

[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "${missing[*]} missing: installing with apt-get for the scaled topology (make run-scaled, tests/scaled)"
  if DEBIAN_FRONTEND=noninteractive apt-get update -qq \
     && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    exit 0
  fi
  echo "Could not install ${missing[*]} with apt-get: the scaled tests (tests/scaled) will be skipped" \
       "and make run-scaled cannot start." >&2
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then why="not running as root"; else why="apt-get is not available"; fi
echo "${missing[*]} not installed and cannot be installed here ($why): the scaled tests (tests/scaled)" \
     "will be skipped and make run-scaled cannot start. Install with: sudo apt-get install ${missing[*]}" >&2
exit 0
