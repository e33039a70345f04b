#!/usr/bin/env bash
# The one test command: install, provide what the tests need, then lint + typecheck + vitest.
# Works on a fresh machine that has only Node 20 and npm. The last line of output is
# "N passed, N failed[, N skipped]"; the exit status is non-zero if anything failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "==> installing dependencies (pnpm install --frozen-lockfile)"
bash scripts/install.sh

# What the tests need from Debian: Chromium (browser tests), nginx (multi-instance tests), Redis
# (shared-state adapters and multi-process tests), poppler-utils (PDF checks). Installed with
# apt-get when missing and we are root; otherwise the tests that need them skip, saying why.
want=()
[[ -x /usr/bin/chromium ]] || want+=(chromium)
command -v nginx >/dev/null 2>&1 || want+=(nginx)
command -v redis-server >/dev/null 2>&1 || want+=(redis-server)
command -v pdftotext >/dev/null 2>&1 || want+=(poppler-utils)
if [[ ${#want[@]} -gt 0 ]]; then
  if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing for the tests (apt-get): ${want[*]}"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null; }; then
      echo "!!! apt-get could not install ${want[*]}: THE TESTS THAT NEED THEM WILL BE SKIPPED !!!" >&2
    fi
  else
    echo "!!! missing ${want[*]} and cannot apt-get them (need root + apt-get): THE TESTS THAT NEED THEM WILL BE SKIPPED !!!" >&2
  fi
fi
# nginx is only ever started by the tests themselves (own configuration, own port).

# Redis on 127.0.0.1:6379 (tests use their own key prefix; the FLUSHDB test starts a Redis of its own).
if command -v redis-server >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "==> starting Redis on 127.0.0.1:6379"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log \
    || echo "!!! could not start Redis: THE REDIS TESTS WILL BE SKIPPED !!!" >&2
fi

exec node scripts/test.mjs
