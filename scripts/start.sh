#!/usr/bin/env bash
# Installs the workspace (only Node 20 + npm needed) and starts the server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install.sh
# The staff console (apps/console) is a Vite build the server serves at /console.
npx --yes pnpm@10.34.8 --filter @invigil/console build
# Data lives in ./data at the repository root unless DATA_DIR says otherwise.
export DATA_DIR="${DATA_DIR:-$PWD/data}"
exec npx --yes pnpm@10.34.8 start
