#!/usr/bin/env bash
# Installs the workspace (only Node 20 + npm needed) and starts the server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install.sh
# The staff console (apps/console) is a Vite build the server serves at /console.
npx --yes pnpm@10.34.8 --filter @invigil/console build
# Data lives in ./data at the repository root unless DATA_DIR says otherwise.
export DATA_DIR="${DATA_DIR:-$PWD/data}"
# libuv's thread pool checks the kiosks' Ed25519 signatures off the event loop: as many threads as
# cores (at most 4, Node's default). More than the cores only makes them fight the event loop for
# them (README "Configuration"). Node reads it once, at start: it cannot be set from inside.
if [ -z "${UV_THREADPOOL_SIZE:-}" ]; then
  cores=$(nproc 2>/dev/null || echo 4)
  export UV_THREADPOOL_SIZE=$(( cores < 4 ? cores : 4 ))
fi
exec npx --yes pnpm@10.34.8 start
