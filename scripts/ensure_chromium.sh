#!/usr/bin/env bash
# The web chat's browser tests need Debian's chromium (Playwright drives it; no browser is
# ever downloaded by Playwright). Install it when we can (root with apt-get); otherwise say
# that the browser tests will be skipped, and why.
set -uo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing: installing it with apt-get for the web chat's browser tests"
  if DEBIAN_FRONTEND=noninteractive apt-get update -qq \
     && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; then
    exit 0
  fi
  echo "Could not install chromium with apt-get: the browser tests (tests/browser) will be skipped." >&2
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  why="not running as root"
else
  why="apt-get is not available"
fi
echo "chromium is not installed and cannot be installed here ($why):" \
     "the browser tests (tests/browser) will be skipped. Install it with: sudo apt-get install chromium" >&2
exit 0
