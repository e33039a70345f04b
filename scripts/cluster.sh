#!/usr/bin/env bash
# N Invigil server instances + nginx on this machine (PostgreSQL + Redis; --sqlite: one DATA_DIR).
#   bash scripts/cluster.sh 3            # DATABASE_URL / REDIS_URL default to the local servers
# Logic lives in apps/server/src/testing/cluster-cli.ts (the tests use the same cluster harness).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install.sh >/dev/null
exec node --import tsx apps/server/src/testing/cluster-cli.ts "$@"
