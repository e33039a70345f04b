#!/usr/bin/env bash
# The one test command: install, provide what the tests need, then lint + typecheck + vitest.
# Works on a fresh machine that has only Node 20 and npm. The last line of output is
# "N passed, N failed[, N skipped]"; the exit status is non-zero if anything failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "==> installing dependencies (pnpm install --frozen-lockfile)"
bash scripts/install.sh

# Browser tests drive Debian's Chromium; without it they skip.
if [[ ! -x /usr/bin/chromium ]]; then
  if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing chromium for browser tests (apt-get)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
      echo "!!! apt-get could not install chromium: BROWSER TESTS WILL BE SKIPPED !!!" >&2
    fi
  else
    echo "!!! /usr/bin/chromium not found and cannot apt-get it (need root + apt-get): BROWSER TESTS WILL BE SKIPPED !!!" >&2
  fi
fi

# Redis: nothing needs it yet. When a test does (the Redis presence adapter), ensure it here, e.g.:
# if ! command -v redis-server >/dev/null 2>&1 && [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
#   apt-get install -y -qq redis-server >/dev/null
# fi

exec node scripts/test.mjs
