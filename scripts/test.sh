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

# PostgreSQL: the PostgreSQL adapter's tests use a server on 127.0.0.1:5432 (user postgres), or the one
# INVIGIL_TEST_POSTGRES_URL names; each run makes its own databases and drops them. Without one they skip.
pg_up() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; }
if [[ -z "${INVIGIL_TEST_POSTGRES_URL:-}" ]] && ! pg_up; then
  if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ -z "$(ls /etc/postgresql 2>/dev/null || true)" ]]; then
      echo "==> installing postgresql for the PostgreSQL adapter tests (apt-get)"
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } ||
        echo "!!! apt-get could not install postgresql !!!" >&2
    fi
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$version" ]]; then
      echo "==> starting PostgreSQL $version (cluster main)"
      pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
      for _ in $(seq 1 30); do pg_up && break; sleep 1; done
      if pg_up; then
        # A cluster this script started may not trust local TCP logins: give postgres a password and use it.
        runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'postgres'" >/dev/null 2>&1 || true
        export INVIGIL_TEST_POSTGRES_URL='postgres://postgres:postgres@127.0.0.1:5432/postgres'
      fi
    fi
  fi
  if ! pg_up; then
    echo "!!! PostgreSQL does not answer on 127.0.0.1:5432 (installing or starting it needs root + apt-get): POSTGRESQL TESTS WILL BE SKIPPED !!!" >&2
  fi
fi

# Redis: nothing needs it yet. When a test does (the Redis presence adapter), ensure it here, e.g.:
# if ! command -v redis-server >/dev/null 2>&1 && [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
#   apt-get install -y -qq redis-server >/dev/null
# fi

exec node scripts/test.mjs
