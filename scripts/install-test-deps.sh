#!/usr/bin/env bash
# What the tests need beyond npm: Debian's Chromium for the browser tests
# (driven by playwright-core at /usr/bin/chromium; never a browser download).
# A no-op when it is already there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
run() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else echo "need root to run: $*" >&2; exit 1; fi; }
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq
run apt-get install -y -qq chromium >/dev/null
echo "chromium: $(/usr/bin/chromium --version)"
