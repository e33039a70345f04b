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


# Redis on 127.0.0.1:6379 (tests use their own key prefix; the FLUSHDB test starts a Redis of its own).
if command -v redis-server >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "==> starting Redis on 127.0.0.1:6379"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log \
    || echo "!!! could not start Redis: THE REDIS TESTS WILL BE SKIPPED !!!" >&2
fi

exec node scripts/test.mjs
