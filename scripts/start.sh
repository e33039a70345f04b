#!/usr/bin/env bash
# Installs the workspace (only Node 20 + npm needed) and starts the server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install.sh
# The staff console (apps/console) is a Vite build the server serves at /console.
npx --yes pnpm@10.34.8 --filter @invigil/console build
# Data lives in ./data at the repository root unless DATA_DIR says otherwise.
export DATA_DIR="${DATA_DIR:-$PWD/data}"
# libuv's thread pool checks the kiosks' Ed25519 signatures off the event loop: one core is left to
# the event loop, the others go to the pool (at least 1 thread, at most 4, Node's default). More
# threads than that only fight the event loop for the cores (README "Configuration"). Node reads it
# once, at start: it cannot be set from inside.
if [ -z "${UV_THREADPOOL_SIZE:-}" ]; then
  cores=$(nproc 2>/dev/null || echo 5)
  pool=$(( cores - 1 ))
  export UV_THREADPOOL_SIZE=$(( pool < 1 ? 1 : (pool > 4 ? 4 : pool) ))
fi
exec npx --yes pnpm@10.34.8 start
